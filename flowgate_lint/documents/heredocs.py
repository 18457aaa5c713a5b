"""Here-documents that write a config file (``cat > ~/.codex/config.toml <<EOF``): their bodies are that file's
content, so they are checked as embedded sources of the file's kind, with ``target`` naming the file.

Only a heredoc that ``cat`` redirects into (``>``, not ``>>``), or ``tee`` writes to (not ``tee -a``), a path with
a config suffix is read: an appended fragment is not the file; the body
ends at the first line that is exactly the delimiter (leading tabs allowed with ``<<-``). An unterminated heredoc
is not read. Nothing in the body is expanded or run: ``${VAR}`` stays text."""

from typing import Iterator

from flowgate_lint.documents.source import Source
from flowgate_lint.plumbing.lazyre import lazy

_HEREDOC = lazy(r"(?<!<)<<(?!<)(-?)[ \t]*(['\"]?)([A-Za-z_][\w.-]*)\2")  # not a here-string (<<<)
# The body is the file's content only when cat or tee writes it: `cat > FILE <<EOF` (or `cat <<EOF > FILE`, no pipe)
# and `tee [-a] FILE <<EOF`; `python - <<EOF > out.json` feeds a program, whose output is the file.
_TEE = lazy(r"\btee(?:[ \t]+(?:-a|--append))?[ \t]+(['\"]?)([^\s'\"<>|;&()]+)\1")
_CAT = lazy(r"(?:^|[\s;&(])cat\b")
_REDIRECT = lazy(r"(?<![<>&\d])>>?[ \t]*(['\"]?)([^\s'\"<>|;&()]+)\1")
_APPEND = lazy(r"\btee[ \t]+(?:-a|--append)\b")
_COMMENT = lazy(r"(?:^|[ \t;])#")  # a shell comment starts the rest of the line (quotes aside: rare before <<)
KINDS = {".toml": "toml", ".json": "json", ".jsonc": "json", ".yaml": "yaml", ".yml": "yaml"}
MAX_HEREDOCS = 200  # per source: a script that writes more files than this is data


def kind_of_target(path: str) -> str | None:
    dot = path.rfind(".")
    return KINDS.get(path[dot:].lower()) if dot > path.rfind("/") else None


def heredoc_sources(src: Source) -> Iterator[Source]:
    """The here-documents of a shell source that write a config file, as embedded sources."""
    text = src.text
    if "<<" not in text:
        return
    count = 0
    pos = 0
    while count < MAX_HEREDOCS:
        m = _HEREDOC.search(text, pos)
        if m is None:
            return
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        if line_end < 0:
            return
        before = text[line_start:m.start()]
        if _COMMENT.search(before) or before.count("((") > before.count("))"):
            pos = m.end()  # in a comment, or a shift in $(( )): not a here-document
            continue
        pos = line_end + 1
        head = text[line_start:line_end]
        target = _TEE.search(head)
        if target is not None and "|" in head[:target.start()] and not _CAT.search(head[:head.index("|")]):
            target = None  # `python - <<EOF | tee out.json`: tee writes the program's output, not the body
        if target is None and "|" not in head and _CAT.search(head):
            target = _REDIRECT.search(head)
        if target is not None and (target.group(0).startswith(">>") or _APPEND.search(target.group(0))):
            target = None  # appended to a file that has more in it: the body alone is a fragment, not the file
        kind = kind_of_target(target.group(2)) if target is not None else None
        tag, tabs = m.group(3), m.group(1) == "-"
        body_start = at = pos
        line_map: list[tuple[int, int]] = []
        end = -1
        while at < len(text):
            nl = text.find("\n", at)
            stop = len(text) if nl < 0 else nl
            line = text[at:stop].rstrip("\r")
            if (line.lstrip("\t") if tabs else line) == tag:
                end = at
                break
            line_map.append((at - body_start, src.to_host(at)))
            at = stop + 1
        if end < 0:
            return  # unterminated: the rest of the file is not a config
        pos = end
        if kind is None or target is None:
            continue
        count += 1
        yield Source(src.host, kind, text[body_start:end], line_map or [(0, src.to_host(body_start))], lang=kind,
                     target=target.group(2))
