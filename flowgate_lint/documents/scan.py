"""Shared scanners: environment-style assignments (``NAME=value``, ``"NAME": "value"``) in every kind.

Rules about env vars (ANTHROPIC_BASE_URL, model slots, tokens) see one uniform
list, whether the variable is exported in a script, listed in a dotenv file, set
in a JSON ``env`` block, a YAML ``environment:`` map, a TOML table, or written in
Markdown prose or inline code.
"""

from typing import Any, Iterator, NamedTuple

from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.documents.source import Source, iter_lines
from flowgate_lint.documents.markdown import markdown_doc

ENV_NAME = lazy(r"^[A-Z][A-Z0-9_]*$")
_PLACEHOLDER_URL = lazy(r"://[A-Z][A-Z_-]*\b(?::[A-Z][A-Z_]*\b)?")

# NAME=value, with an optional export/env/set prefix; the value is a quoted or bare word.
_ASSIGN = lazy(
    r"""(?<![\w$-])([A-Z][A-Z0-9_]*)=("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s"'`;|&)<>]*)""",
)
# PowerShell's $env:NAME = "value" (spaces around "=" allowed there; without them _ASSIGN reads it already).
_PS_ASSIGN = lazy(r"""\$(?i:env):([A-Z][A-Z0-9_]*)[ \t]+=[ \t]*("(?:[^"`\n]|`.)*"|'[^'\n]*'|[^\s"';|&)<>]+)""")
# "NAME": "value" (JSON-ish, in prose or broken snippets) and NAME: value (YAML-ish).
_KEYED = lazy(r"""["']?\b([A-Z][A-Z0-9_]*)["']?\s*:\s*("(?:[^"\\\n]|\\.)*"|'[^'\n]*')""")
# The JSON a shell line passes inline as Claude Code's settings: claude --settings '{"env": {...}}'.
_SETTINGS_ARG = lazy(r"""--settings[ \t=]+'([^']*)'""")


class Assignment(NamedTuple):
    name: str
    value: str  # unquoted
    start: int  # span of the value's content (inside any quotes), in src.text
    end: int
    token_start: int  # span of the value token, quotes included
    token_end: int
    name_start: int
    name_end: int
    quote: str  # '"', "'" or ""


def _from_token(name: str, name_start: int, token: str, token_start: int, value: str | None = None,
                name_end: int | None = None) -> Assignment:
    """The assignment of ``token``; ``value`` and ``name_end`` override what the token and the name give."""
    quote = token[:1] if token[:1] in ("'", '"') and len(token) >= 2 and token[-1] == token[0] else ""
    inner_start = token_start + (1 if quote else 0)
    inner = token[1:-1] if quote else token
    return Assignment(name, inner if value is None else value, inner_start, inner_start + len(inner), token_start,
                      token_start + len(token), name_start, name_start + len(name) if name_end is None else name_end, quote)


def scan_text(text: str, base: int = 0, keyed: bool = False) -> Iterator[Assignment]:
    """Assignments in free text (shell, dotenv, prose), offsets shifted by ``base``."""
    for m in _ASSIGN.finditer(text) if "=" in text else ():
        yield _from_token(m.group(1), base + m.start(1), m.group(2), base + m.start(2))
    for m in _PS_ASSIGN.finditer(text) if "$" in text and ":" in text else ():
        yield _from_token(m.group(1), base + m.start(1), m.group(2), base + m.start(2))
    if keyed and ":" in text:
        for m in _KEYED.finditer(text):
            yield _from_token(m.group(1), base + m.start(1), m.group(2), base + m.start(2))
    elif "--settings" in text:
        for arg in _SETTINGS_ARG.finditer(text):
            for m in _KEYED.finditer(text, arg.start(1), arg.end(1)):
                yield _from_token(m.group(1), base + m.start(1), m.group(2), base + m.start(2))


def assignments(src: Source) -> list[Assignment]:
    """Every env-style assignment in a source (cached per source)."""
    cache = src._cache
    if "assignments" in cache:
        return cache["assignments"]
    out: list[Assignment] = []
    if src.kind in ("shell", "dotenv"):
        for offset, line in iter_lines(src.text):
            stripped = line.lstrip()
            if stripped.startswith("#"):
                continue
            out.extend(scan_text(line, offset))
    elif src.kind == "markdown":
        doc = markdown_doc(src)
        for seg in doc.segments:
            for a in scan_text(seg.text, 0, keyed=True):
                out.append(_shift_segment(a, seg))
    else:
        try:
            leaves = src.leaves()
        except Exception:  # noqa: BLE001 - unparsable sources have no structured assignments
            leaves = []
        for leaf in leaves:
            key = leaf.key
            token = src.text[leaf.start:leaf.end]
            if isinstance(key, str) and ENV_NAME.match(key) and isinstance(leaf.value, (str, int)) and not isinstance(leaf.value, bool):
                ks = leaf.key_start if leaf.key_start >= 0 else leaf.start
                ke = leaf.key_end if leaf.key_end >= 0 else leaf.start
                out.append(_from_token(key, ks, token, leaf.start, str(leaf.value), ke))
            elif isinstance(leaf.value, str) and "=" in leaf.value:
                # "NAME=value" list items (docker compose environment lists) when the token is verbatim.
                inner_at = token.find(leaf.value)
                if inner_at >= 0:
                    out.extend(scan_text(leaf.value, leaf.start + inner_at))
    out.sort(key=lambda a: a.start)
    cache["assignments"] = out
    return out


def may_name(src: Source, name: str, any_case: bool = False) -> bool:
    """Whether ``src`` can set or mention the variable ``name``: it is written out (in any case with
    ``any_case``), or the source is structured and holds a backslash (a quoted key may spell it with escapes)."""
    text = src.text
    if src.kind in ("json", "yaml", "toml") and "\\" in text:
        return True
    if name in text:
        return True
    if not any_case:
        return False
    from flowgate_lint.plumbing.prefilter import fold

    return fold(name) in fold(text)


def text_pieces(src: Source) -> Iterator[tuple[str, Any]]:
    """(text, to_host or None) to scan: a Markdown file's prose segments (fences are sources of their
    own), else the whole source."""
    if src.kind == "markdown":
        for seg in markdown_doc(src).segments:
            yield seg.text, seg.to_host
    else:
        yield src.text, None


def _shift_segment(a: Assignment, seg) -> Assignment:
    return a._replace(
        start=seg.to_host(a.start), end=seg.to_host(a.end), token_start=seg.to_host(a.token_start),
        token_end=seg.to_host(a.token_end), name_start=seg.to_host(a.name_start), name_end=seg.to_host(a.name_end),
    )


def quote_like(token_quote: str, value: str, kind: str) -> str:
    """``value`` as a token in the same quoting style as an existing one (for fixes)."""
    if kind == "json" or token_quote == '"':
        import json

        return json.dumps(value, ensure_ascii=False)
    if token_quote == "'" and "'" not in value:
        return f"'{value}'"
    return value


# A shell line that prints rather than runs: an output command (echo, printf, a log_* helper...) whose argument may
# spell an assignment ("log_info \"OPENAI_BASE_URL=$URL\"") without setting anything.
_OUTPUT_CMD = lazy(r"[ \t]*(?:echo|printf|print|say|logger|log(?:_\w+)?|info|warn(?:ing)?|error|debug|notice|msg|note)\b")


_ESCAPED = lazy(r"\\.")
_WRITES = lazy(r">|\|\s*tee\b")
_CHAINED = lazy(r";|&&|\|\|")


def printed(src: Source, offset: int) -> bool:
    """Whether ``src.text[offset]`` is an argument of an output command on its shell line (printed, not set), not
    redirected into a file and not after a command separator."""
    if src.kind != "shell":
        return False
    start = src.text.rfind("\n", 0, offset) + 1
    if _OUTPUT_CMD.match(src.text, start) is None:
        return False
    end = src.text.find("\n", offset)
    if _WRITES.search(src.text, offset, len(src.text) if end < 0 else end):
        return False  # echo "export X=..." >> ~/.bashrc writes a setting
    before = _ESCAPED.sub("", src.text[start:offset])
    if _CHAINED.search(before):
        return False  # echo ok; export X=...
    return True


def is_reference(value: str) -> bool:
    """A value that refers to something else (``$VAR``, ``${VAR}``, ``os.environ/VAR``, ``<placeholder>``, ``{{ tmpl }}``,
    OpenCode's ``{env:VAR}`` and ``{file:path}``)."""
    v = value.strip()
    return (v.startswith(("$", "os.environ/", "{env:", "{file:")) or (v.startswith("<") and v.endswith(">"))
            or "{{" in v or v.startswith("%") or v in ("", "...")
            or "://" in v and _PLACEHOLDER_URL.search(v) is not None)  # http://HOST:PORT placeholders


def replace_value(src: Source, a: Assignment, new: str):
    """An edit that sets assignment ``a`` to the string ``new``, keeping its quoting style.

    In JSON and TOML a string must be quoted: an unquoted token (a number, a boolean) is replaced
    by a quoted string."""
    needs_quotes = not a.quote and src.kind in ("json", "toml")
    if not needs_quotes and src.text[a.start:a.end] == a.value and (not a.quote or (a.quote not in new and "\\" not in new)):
        return src.edit(a.start, a.end, new)
    return src.edit(a.token_start, a.token_end, quote_like(a.quote or ('"' if needs_quotes else ""), new, src.kind))
