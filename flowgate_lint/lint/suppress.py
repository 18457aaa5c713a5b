"""Inline suppressions, anchored to a finding's start line.

Markdown (HTML comments), codes optional (none = every rule), reason after ``--``::

    <!-- flowgate-lint: disable-next-line FG101 -- quoting the old README -->
    <!-- flowgate-lint: disable-line FG301 -->
    <!-- flowgate-lint: disable FG101,FG102 -->  ...  <!-- flowgate-lint: enable -->
    <!-- flowgate-lint: disable-file FG301 -->

Shell, TOML, YAML and dotenv (also inside fenced blocks), reason after the codes::

    curl http://localhost:9999/health  # flowgate-lint: ignore[FG301] not the gateway
    # flowgate-lint: ignore[FG301]      <- on its own line: applies to the next line
    # flowgate-lint: ignore-file[FG701]

JSON has no comments: use ``per-file-ignores``.
"""

import re
from typing import NamedTuple

from flowgate_lint.documents.findings import Finding
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.documents.source import HostFile

_MD = lazy(
    r"<!--\s*flowgate-lint:\s*(disable-next-line|disable-line|disable-file|disable|enable)\b"
    r"\s*([A-Za-z0-9_,\s]*?)\s*(?:--\s*(.*?))?\s*-->",
    re.S,
)
_HASH = lazy(r"#\s*flowgate-lint:\s*(ignore-file|ignore)\b(?:\[([A-Za-z0-9_,\s]*)\])?(.*)$")


class Directive(NamedTuple):
    verb: str  # disable-next-line, disable-line, disable-file, disable, enable, ignore, ignore-file
    codes: tuple[str, ...]  # empty = all rules
    line: int  # line of the directive
    start: int  # host offsets of the directive text
    end: int
    reason: str


class Suppressions:
    """The suppression directives of one host file, and which of them were used."""

    def __init__(self, directives: list[Directive], host: HostFile) -> None:
        self.directives = directives
        self.used: set[int] = set()
        self._file: list[int] = []
        self._lines: dict[int, list[int]] = {}
        self._ranges: list[tuple[int, int, int, tuple[str, ...]]] = []  # (first, last, directive index, codes)
        n_lines = len(host.line_starts)
        open_ranges: list[tuple[int, int]] = []  # (directive index, start line)
        for i, d in enumerate(directives):
            if d.verb in ("disable-file", "ignore-file"):
                self._file.append(i)
            elif d.verb in ("disable-line",) or (d.verb == "ignore" and not _comment_only(host, d)):
                self._lines.setdefault(d.line, []).append(i)
            elif d.verb in ("disable-next-line", "ignore"):
                target = _next_content_line(host, d.line, n_lines)
                self._lines.setdefault(target, []).append(i)
            elif d.verb == "disable":
                open_ranges.append((i, d.line))
            elif d.verb == "enable":
                still = []
                for idx, start in open_ranges:
                    dc = directives[idx].codes
                    if not d.codes or (dc and set(dc) <= set(d.codes)):
                        self._ranges.append((start, d.line, idx, dc))
                    else:
                        still.append((idx, start))
                open_ranges = still
        for idx, start in open_ranges:
            self._ranges.append((start, n_lines + 1, idx, directives[idx].codes))

    def suppresses(self, finding: Finding) -> bool:
        hit = False
        for i in self._file + self._lines.get(finding.line, []):
            if _covers(self.directives[i].codes, finding.code):
                self.used.add(i)
                hit = True
        for first, last, idx, codes in self._ranges:
            if first <= finding.line <= last and _covers(codes, finding.code):
                self.used.add(idx)
                hit = True
        return hit

    def unused(self) -> list[Directive]:
        return [d for i, d in enumerate(self.directives) if i not in self.used and d.verb != "enable"]


def _covers(codes: tuple[str, ...], code: str) -> bool:
    return not codes or any(code.startswith(c) for c in codes)


def _comment_only(host: HostFile, d: Directive) -> bool:
    line = host.line_text(d.line).strip()
    return line.startswith("#")


def _next_content_line(host: HostFile, line: int, n_lines: int) -> int:
    for candidate in range(line + 1, n_lines + 1):
        text = host.line_text(candidate).strip()
        if text and not text.startswith("#") and not text.startswith("<!--"):
            return candidate
    return line + 1


def _codes(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    return tuple(c.upper() for c in re.split(r"[,\s]+", raw.strip()) if c)


def parse_directives(host: HostFile, markdown_comments: list | None = None,
                     hash_spans: list[tuple[int, int]] | None = None) -> list[Directive]:
    """Directives of a host file. ``markdown_comments`` are the parser's HTML comments (Markdown only);
    ``hash_spans`` limits ``#`` directives to those host spans (a Markdown file's checked fences)."""
    out: list[Directive] = []
    for c in markdown_comments or ():
        for m in _MD.finditer(c.text):
            start = c.start + m.start()
            out.append(Directive(m.group(1), _codes(m.group(2)), host.position(start)[0], start, c.start + m.end(),
                                 (m.group(3) or "").strip()))
    if host.kind != "json":
        text = host.text
        if "flowgate-lint" in text:
            for m in re.finditer(r"#[^\n]*flowgate-lint:[^\n]*", text):
                hm = _HASH.search(m.group(0))
                if hm is None:
                    continue
                if hash_spans is not None and not any(a <= m.start() < b for a, b in hash_spans):
                    continue
                start = m.start() + hm.start()
                out.append(Directive(hm.group(1), _codes(hm.group(2)), host.position(start)[0], start,
                                     m.start() + hm.end(), (hm.group(3) or "").strip(" -")))
    out.sort(key=lambda d: d.start)
    return out
