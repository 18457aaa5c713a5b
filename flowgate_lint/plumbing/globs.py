"""Exclude globs as regexes: ``**`` spans directories, ``*`` does not (shared by discovery, per-file
ignores and history paths)."""

import re


def glob_regex(pattern: str) -> re.Pattern[str]:
    """``glob_source``, compiled."""
    return re.compile(glob_source(pattern))


def glob_source(pattern: str) -> str:
    """Translate an exclude glob into a regex: ``**`` spans directories, ``*`` does not; a pattern without ``/``
    matches any path component (like .gitignore); a pattern with ``/`` is anchored at the root."""
    anchored, body = _glob_parts(pattern)
    prefix = "" if anchored else "(?:.*/)?"
    return f"^{prefix}{body}(?:/.*)?$"


def _glob_parts(pattern: str) -> tuple[bool, str]:
    """(anchored at the root, regex for the glob itself) of ``glob_source``."""
    pattern = pattern.strip()
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.strip("/")
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.find("]", i)
            if j > i:
                out.append("[" + pattern[i + 1:j].replace("!", "^", 1) + "]")
                i = j + 1
                continue
            out.append(re.escape(c))
        else:
            out.append(re.escape(c))
        i += 1
    return anchored, "".join(out)
