"""FG0xx: findings produced by the engine itself (syntax errors, suppressions)."""

from __future__ import annotations

from typing import Any, Iterator

from flowgate_lint.findings import Finding
from flowgate_lint.rules import Rule, register
from flowgate_lint.source import HostFile, ParseError, Source


@register
class InvalidSyntax(Rule):
    """## What it does
    Reports a TOML, JSON or YAML file, or a fenced block tagged with one of those
    languages in a Markdown document, that its parser rejects.

    ## Why is this bad?
    A config snippet that does not parse cannot be copied by a user, and no other
    rule can check its values. The finding names the parser's message and points
    at the offending line.

    ## Example
    ```toml
    [model_providers.flowgate
    base_url = "http://127.0.0.1:4000/v1"
    ```

    Use instead:
    ```toml
    [model_providers.flowgate]
    base_url = "http://127.0.0.1:4000/v1"
    ```

    ## Fix
    None: the intent of a broken snippet is not known. The file is left untouched
    by `--fix`; the rest of the run continues.

    A snippet that is deliberately partial can be tagged with another language
    (for example `text`), or marked `jsonc` when it holds comments.
    """

    code = "FG001"
    name = "invalid-syntax"
    summary = "A config file or fenced config block does not parse"
    kinds = frozenset()  # emitted by the engine, not by check()

    @classmethod
    def finding_for(cls, src: Source, error: ParseError) -> Finding:
        offset = max(0, min(error.offset, len(src.text)))
        line_end = src.text.find("\n", offset)
        end = len(src.text) if line_end < 0 else line_end
        where = f"fenced `{src.lang}` block" if src.embedded else src.kind.upper() + " file"
        severity = "warning" if src.embedded else "error"
        return src.finding(cls, offset, max(offset, end), f"{where} does not parse: {error.message}", severity=severity)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        return iter(())


@register
class UnusedSuppression(Rule):
    """## What it does
    Reports a `flowgate-lint` suppression comment that suppressed nothing.

    ## Why is this bad?
    Once the drift it excused is fixed, a stale suppression hides the next real
    problem on that line. Remove it.

    ## Example
    ```markdown
    <!-- flowgate-lint: disable-next-line FG301 -->
    Point Codex at `http://127.0.0.1:4000/v1`.
    ```
    (the URL is already correct, so nothing is suppressed)

    ## Fix
    None yet; delete the comment.
    """

    code = "FG002"
    name = "unused-suppression"
    summary = "A suppression comment that suppresses no finding"
    severity = "warning"
    kinds = frozenset()

    @classmethod
    def findings_for(cls, host: HostFile, directives: list, ctx: Any) -> list[Finding]:
        src = Source(host, host.kind, host.text)
        out = []
        for d in directives:
            if d.codes and not any(ctx.enabled(c) or any(r.startswith(c) for r in ctx.codes) for c in d.codes):
                continue  # suppresses a rule that is not selected in this run
            codes = ", ".join(d.codes) if d.codes else "all rules"
            out.append(src.finding(cls, d.start, d.end, f"suppression ({codes}) matches no finding; remove it"))
        return out

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        return iter(())
