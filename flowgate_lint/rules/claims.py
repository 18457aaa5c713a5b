"""FG1xx: stale claims in Markdown prose.

The phrasings are data: ``flowgate_lint/data/claims/<lang>.txt``, one ``kind: regex`` per
line, so a new phrasing is a one-line change with no code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

from flowgate_lint.findings import Finding
from flowgate_lint.rules import Rule, register
from flowgate_lint.source import Source

DATA = Path(__file__).resolve().parent.parent / "data" / "claims"
HISTORY_FILES = re.compile(r"(?:^|/)(?:changelog|changes|history|news|release[-_ ]?notes|releases)[^/]*$", re.I)
HISTORY_HEADINGS = re.compile(r"changelog|change log|history|release notes|releases|what'?s new|变更|更新日志|历史|发布说明", re.I)
QUOTED = re.compile(r'"[^"\n]{3,200}"|“[^”]{3,200}”|「[^」]{1,200}」|『[^』]{1,200}』')  # a quoted claim is a mention
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])")

KINDS = ("direct", "adapter", "only")


class Phrase:
    """One phrasing: compiled on first use, and only tried on text holding its required literals."""

    __slots__ = ("source", "groups", "_rx")

    def __init__(self, source: str) -> None:
        from flowgate_lint.prefilter import required_groups

        self.source = source
        self.groups = required_groups(source)
        self._rx: re.Pattern[str] | None = None

    def possible(self, folded: str) -> bool:
        """False when ``folded`` (``prefilter.fold`` of the text) cannot contain a match."""
        return all(any(s in folded for s in group) for group in self.groups)

    def search(self, text: str) -> re.Match[str] | None:
        if self._rx is None:
            self._rx = re.compile(self.source, re.I)
        return self._rx.search(text)


_TABLES: dict[str, list[Phrase]] | None = None


def phrase_tables() -> dict[str, list[Phrase]]:
    """kind -> phrasings, from every language file (each regex is checked when the file is read)."""
    global _TABLES
    if _TABLES is None:
        tables: dict[str, list[Phrase]] = {}
        for path in sorted(DATA.glob("*.txt")):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                kind, sep, pattern = line.partition(":")
                try:
                    phrase = Phrase(pattern.strip()) if sep else None
                except re.error as exc:
                    raise ValueError(f"{path.name}:{n}: invalid regex: {exc}") from None
                if phrase is None:
                    raise ValueError(f"{path.name}:{n}: expected '<kind>: <regex>'")
                tables.setdefault(kind.strip(), []).append(phrase)
        _TABLES = tables
    return _TABLES


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in SENTENCE_END.finditer(text):
        if m.end() > start:
            yield start, m.start() if m.start() > start else m.end()
            start = m.end()
    if start < len(text):
        yield start, len(text)


def _blank_code(text: str, spans: list[tuple[int, int]]) -> str:
    """Inline code replaced by spaces (same offsets): quoted commands are not prose."""
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


@register
class StaleClaudeCodeClaim(Rule):
    """## What it does
    Finds sentences in Markdown prose (paragraphs, headings, list items, table cells) that
    say Claude Code cannot connect to the gateway directly, needs a separate
    Anthropic-compatible adapter or translation layer, or that only Codex / OpenAI-compatible
    clients are supported. English and Chinese phrasings are recognised (for example
    "Claude Code cannot connect directly", "needs an additional adapter layer",
    "不能直接接入", "需要额外的适配层", "仅支持 Codex").

    Not flagged: the same words in inline code, code blocks or quotation marks, quotations of
    history (blockquotes, changelog files, sections under a "Changelog"/"History" heading), and
    sentences that state the opposite ("no longer needs an adapter", "不再需要适配层").

    ## Why is this bad?
    The gateway serves the Anthropic Messages API (`/v1/messages`,
    `/v1/messages/count_tokens`) itself, so Claude Code connects with
    `ANTHROPIC_BASE_URL` set to the gateway root. A doc that says otherwise sends readers
    looking for an adapter that does not exist, or away from Claude Code altogether.

    ## Example
    ```markdown
    Claude Code cannot connect to the gateway directly; it needs a separate adapter.
    ```

    Use instead:
    ```markdown
    Claude Code connects directly: set `ANTHROPIC_BASE_URL=http://127.0.0.1:4000`.
    ```

    ## Fix
    None: prose is never rewritten automatically. The message quotes the current truth
    from the spec.

    New phrasings go in `flowgate_lint/data/claims/<lang>.txt` (`kind: regex` per line).
    """

    code = "FG101"
    name = "stale-claude-code-claim"
    summary = "Prose claims Claude Code cannot reach the gateway directly or needs an adapter"
    severity = "warning"
    kinds = frozenset({"markdown"})
    triggers = ("claude", "codex", "openai", "anthropic")

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        if src.embedded or HISTORY_FILES.search(src.path):
            return
        from flowgate_lint.prefilter import fold

        tables = phrase_tables()
        opposite = tables.get("opposite", [])
        truth = self.truth(ctx.spec)
        for seg in src.markdown().segments:
            if seg.quoted or HISTORY_HEADINGS.search(seg.heading):
                continue
            folded = fold(seg.text)
            live = [(kind, [p for p in tables.get(kind, []) if p.possible(folded)]) for kind in KINDS]
            live = [(kind, phrases) for kind, phrases in live if phrases]
            if not live:
                continue  # no phrasing can match anywhere in this segment
            text = _blank_code(seg.text, seg.code_spans + [(m.start(), m.end()) for m in QUOTED.finditer(seg.text)])
            for a, b in _sentences(text):
                sentence = text[a:b]
                for kind, phrases in live:
                    m = next((m for p in phrases if (m := p.search(sentence))), None)
                    if m is None:
                        continue
                    if not any(p.search(sentence) for p in opposite):  # "no longer needs an adapter": the truth
                        start, end = seg.to_host(a + m.start()), seg.to_host(a + m.end())
                        yield src.finding(self, start, end, truth[kind])
                    break

    @staticmethod
    def truth(spec: Any) -> dict[str, str]:
        claude = f"ANTHROPIC_BASE_URL={spec.claude.base_url}"
        return {
            "direct": f"the text claims Claude Code cannot connect to the gateway directly; it can: {claude} "
                      "(the gateway serves /v1/messages)",
            "adapter": "the text claims Claude Code needs a separate adapter; it needs none: the gateway serves the "
                       f"Anthropic Messages API at {claude}",
            "only": "the text claims only Codex or OpenAI-compatible clients are supported; both clients are: "
                    f"Codex via base_url {spec.codex.base_url}, Claude Code via {claude}",
        }
