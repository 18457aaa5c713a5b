"""FG0xx: findings produced by the engine itself (syntax errors, suppressions)."""

from __future__ import annotations

import re
from typing import Any, Iterator

from flowgate_lint.documents.findings import Finding
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.rules import Rule, register
from flowgate_lint.documents.source import HostFile, Source
from flowgate_lint.documents.leaves import ParseError


# Words that introduce a block as part of a file, not the whole of it.
_FRAGMENT_INTRO = lazy(r"\b(?:add(?: this| these| the following)?(?: lines?| keys?| block)? (?:to|in|into|under)|inside|"
                       r"merge|part of|section of|excerpt|snippet|fragment|trimmed|abridged|relevant part|"
                       r"keep the rest|edit|change|modify|update|adjust|tweak)\b|添加到|加入|片段|节选|部分|中的|修改|编辑", re.I)
# What a block must be about for its parse error to matter here: a client or gateway config.
_OUR_FILE = lazy(r"(?:^|[/~\s`])(?:config\.toml|[\w.-]*\.config\.toml|settings(?:\.local)?\.json|\.env\b|[\w.-]*flowgate[\w.-]*"
                 r"|[\w.-]*litellm[\w.-]*|config\.ya?ml|[\w.-]*compose[\w.-]*\.ya?ml)", re.I)
_OUR_KEYS = lazy(r"ANTHROPIC_|OPENAI_|model_providers?|model_list|litellm|base_url|\bservices\s*:", re.I)


@register
class InvalidSyntax(Rule):
    """## What it does
    Reports a TOML, JSON or YAML file that its parser rejects (an error), and a fenced block
    tagged with one of those languages that the document presents as a complete file the user
    copies (it names the file, "Save this file as `~/.codex/config.toml`:", and shows all of
    it), when its parser rejects it (a warning).

    ## When it deliberately does not fire
    A Markdown fence is not a config file. Illustrative blocks are not reported: JSON with
    `//` or `/* */` comments or trailing commas (`json`, `jsonc`, `json5` fences; their values
    are still checked by the other rules), a request and its response in one block, a
    before/after block with a repeated key, blocks with `...` ellipses, and fragments
    ("add this to `settings.json`:", "edit the logic in `release.yml`:", a JSON block that is
    not an object or array), and blocks of other tools' files (a CI workflow, a tsconfig) that
    are neither a client nor a gateway config and set none of their keys. Files in the
    repository are parsed strictly, except files whose format is JSON with comments: `.jsonc`,
    `.json5`, `devcontainer.json`, `.vscode/*.json`, `tsconfig*.json`, `jsconfig*.json`.

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
    def reportable(cls, src: Source, ctx: Any) -> bool:
        """Files always; a fenced block only when the doc presents it as a complete file to copy."""
        if not src.embedded:
            return True
        if src.target is not None:
            return False  # a here-document: the shell may expand what makes it parse (``model = $MODEL``)
        from flowgate_lint.judgement.blocks import block_facts

        facts = block_facts(src, ctx)
        if not facts.complete:
            return False
        if not (_OUR_FILE.search(facts.names_file or "") or _OUR_KEYS.search(src.text)):
            return False  # another tool's file (a CI workflow, a tsconfig): not this linter's business
        body = src.text.lstrip()
        if src.kind == "json" and not body.startswith(("{", "[", "//", "/*")):
            return False  # a fragment ("ANTHROPIC_MODEL": ...) or a request with its response
        open_line = src.position(0)[0] - 1
        intro = " ".join(src.host.line_text(n) for n in range(max(1, open_line - 2), open_line))
        return not _FRAGMENT_INTRO.search(intro)

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

    ## When it deliberately does not fire
    - A suppression that names only rules not selected in this run (`--select`, `ignore`): it
      may be needed by a run that selects them. A code that matches no rule at all (`FG999`, a
      typo) is always reported.
    - `enable` directives (they close a `disable` range; they suppress nothing themselves).
    - Directive text that is not a comment: in Markdown, an HTML comment inside inline code or
      a fenced block, and a `#` directive in prose or in a fence flowgate-lint does not check;
      JSON files (no comments: use `per-file-ignores`).

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
        from flowgate_lint.rules import all_rules

        src = Source(host, host.kind, host.text)
        known = [r.code for r in all_rules()]
        out = []
        for d in directives:
            unknown = [c for c in d.codes if not any(k.startswith(c.upper()) for k in known)]
            if unknown:
                out.append(src.finding(cls, d.start, d.end, f"suppression names {', '.join(unknown)}, which is no "
                                       "flowgate-lint rule (a typo?); fix or remove it"))
                continue
            if d.codes and not any(ctx.enabled(c) or any(r.startswith(c) for r in ctx.codes) for c in d.codes):
                continue  # suppresses a rule that is not selected in this run
            codes = ", ".join(d.codes) if d.codes else "all rules"
            out.append(src.finding(cls, d.start, d.end, f"suppression ({codes}) matches no finding; remove it"))
        return out

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        return iter(())
