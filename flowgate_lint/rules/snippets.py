"""FG01x: managed snippet blocks in Markdown, regenerated from the spec (the cog idea).

    <!-- flowgate-lint:snippet codex-toml -->
    ```toml
    ...generated...
    ```
    <!-- flowgate-lint:end sum=3f2a9c1b -->

The optional ``sum`` in the end marker is a checksum of the content as last generated; it
tells a spec change apart from a hand edit. ``--fix`` rewrites the fence content and the sum.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

from flowgate_lint.documents.findings import SAFE, Finding, Fix
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.rules import Rule, register
from flowgate_lint.documents.source import Source, host_edit
from flowgate_lint.documents.markdown import markdown_doc

START = lazy(r"<!--\s*flowgate-lint:snippet\s+([A-Za-z0-9_.-]*)\s*-->")
END = lazy(r"<!--\s*flowgate-lint:end(?:\s+sum=([0-9a-f]+))?\s*-->")


def renderers() -> dict[str, Callable[[Any], str]]:
    from flowgate_lint.clients import gemini, opencode, qwen, render

    return {
        "codex-toml": render.codex_toml,
        "codex-json": render.codex_json,
        "claude-settings-json": render.claude_json,
        "claude-env": render.claude_env,
        "claude-probe-sh": render.claude_probe_sh,
        "opencode-json": opencode.render_json,
        "gemini-env": gemini.render_env,
        "gemini-dotenv": gemini.render_dotenv,
        "qwen-settings-json": qwen.render_json,
        "qwen-env": qwen.render_env,
    }


def checksum(content: str) -> str:
    import hashlib

    return hashlib.sha256(content.replace("\r\n", "\n").encode("utf-8")).hexdigest()[:8]


def blocks(src: Source) -> Iterator[tuple[Any, Any, Any, str]]:
    """(start comment, fence or None, end comment or None, renderer name) for each snippet marker."""
    doc = markdown_doc(src)
    comments = doc.comments
    for i, c in enumerate(comments):
        m = START.search(c.text)
        if not m:
            continue
        nxt = next((x for x in comments[i + 1:] if START.search(x.text) or END.search(x.text)), None)
        end = nxt if nxt is not None and END.search(nxt.text) else None
        limit = end.start if end is not None else len(src.text)
        fence = next((f for f in doc.fences if c.end <= src.host.line_starts[f.open_line - 1] < limit), None)
        yield c, fence, end, m.group(1)


def _indent(src: Source, fence: Any) -> str:
    line = src.host.line_text(fence.open_line)
    m = re.match(r"[ \t>]*", line)
    return m.group(0) if m else ""


def expected_content(src: Source, fence: Any, text: str) -> str:
    eol = src.host.eol
    prefix = _indent(src, fence)
    return "".join(prefix + line + eol for line in text.splitlines())


@register
class StaleManagedSnippet(Rule):
    """## What it does
    Checks managed snippet blocks in Markdown: a fenced block between
    `<!-- flowgate-lint:snippet NAME -->` and `<!-- flowgate-lint:end -->` must hold exactly
    what renderer `NAME` prints from the spec. Renderers: `codex-toml`, `codex-json`
    (`flowgate-lint print codex`), `claude-settings-json`, `claude-env`
    (`flowgate-lint print claude-code`), `claude-probe-sh` (the smoke-script probe block),
    `opencode-json` (`print opencode`), `gemini-env`, `gemini-dotenv` (`print gemini-cli`),
    `qwen-settings-json`, `qwen-env` (`print qwen-code`).

    ## Why is this bad?
    Snippets copied into docs by hand drift the day the gateway config changes. A managed
    block is regenerated instead of maintained.

    ## When it deliberately does not fire
    - Outside Markdown files, and for marker text that is not an HTML comment (inside inline
      code or a fenced block).
    - A marker whose name is no renderer (FG011), or without a fence, an end marker or a closed
      fence (FG012).
    - When the spec lacks a value the snippet shows: `codex-toml` and `codex-json` need the
      Codex model (so do the OpenCode, Gemini CLI and Qwen Code renderers: the default model),
      `claude-settings-json` and `claude-env` every Claude Code model slot,
      `claude-probe-sh` the Claude model.

    ## Example
    ````markdown
    <!-- flowgate-lint:snippet codex-toml -->
    ```toml
    base_url = "http://127.0.0.1:4001/v1"
    ```
    <!-- flowgate-lint:end -->
    ````

    ## Fix
    Safe: the fence content is regenerated from the spec (keeping the fence, its info string,
    its indentation and the file's line endings) and the end marker records a checksum
    (`sum=`) of what was generated. The block is managed, so hand edits are replaced too; the
    message then says the content was edited by hand (the checksum no longer matched).
    """

    code = "FG010"
    name = "stale-managed-snippet"
    summary = "A managed snippet block differs from what the spec renders"
    kinds = frozenset({"markdown"})
    fixable = True
    triggers = (r"flowgate-lint:snippet",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        table = renderers()
        for start, fence, end, name in blocks(src):
            if name not in table or fence is None or end is None or fence.close_line is None:
                continue
            from flowgate_lint.clients.render import can_render

            if not can_render(ctx.spec, name):  # the spec lacks a value this snippet shows (e.g. no model)
                continue
            want = expected_content(src, fence, table[name](ctx.spec))
            current = src.text[fence.content_start:fence.content_end]
            recorded = END.search(end.text).group(1)
            if current == want:
                continue
            if recorded and recorded != checksum(current):
                why = "was edited by hand (its checksum no longer matches) and will be regenerated"
            elif recorded:
                why = "is out of date: the spec changed since it was generated"
            else:
                why = "differs from the spec"
            new_end = f"<!-- flowgate-lint:end sum={checksum(want)} -->"
            edits = (host_edit(src.host, fence.content_start, fence.content_end, want),
                     host_edit(src.host, end.start, end.end, new_end))
            yield src.finding(self, start.start, start.end, f"managed snippet '{name}' {why}",
                              Fix(edits, SAFE, f"Regenerate snippet '{name}' from the spec"))


@register
class UnknownSnippetRenderer(Rule):
    """## What it does
    Finds `<!-- flowgate-lint:snippet NAME -->` markers whose NAME is not a renderer.

    ## Why is this bad?
    The block is silently never regenerated. Known renderers: `codex-toml`, `codex-json`,
    `claude-settings-json`, `claude-env`, `claude-probe-sh`, `opencode-json`, `gemini-env`,
    `gemini-dotenv`, `qwen-settings-json`, `qwen-env`.

    ## When it deliberately does not fire
    Outside Markdown files, and for marker text that is not an HTML comment (inside inline code
    or a fenced block, as in this page). Names are matched exactly: `Codex-TOML` is reported.
    An empty name (`<!-- flowgate-lint:snippet -->`) is reported too.

    ## Example
    `<!-- flowgate-lint:snippet codex-yaml -->`

    ## Fix
    None: pick a renderer.
    """

    code = "FG011"
    name = "unknown-snippet-renderer"
    summary = "A managed snippet marker names no known renderer"
    kinds = frozenset({"markdown"})
    triggers = (r"flowgate-lint:snippet",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        table = renderers()
        for start, _, _, name in blocks(src):
            if name not in table:
                yield src.finding(self, start.start, start.end,
                                  f"unknown snippet renderer '{name}' (known: {', '.join(sorted(table))})")


@register
class MalformedSnippetMarkers(Rule):
    """## What it does
    Finds a `<!-- flowgate-lint:snippet NAME -->` marker without a fenced block after it, or
    without a closing `<!-- flowgate-lint:end -->` (before the next snippet marker).

    ## Why is this bad?
    flowgate-lint cannot tell which text it manages, so it regenerates nothing.

    ## When it deliberately does not fire
    Outside Markdown files, and for marker text that is not an HTML comment (inside inline code
    or a fenced block). A stray `<!-- flowgate-lint:end -->` with no snippet marker before it
    is not reported.

    ## Example
    A snippet marker followed by prose and no fence.

    ## Fix
    None.
    """

    code = "FG012"
    name = "malformed-snippet-markers"
    summary = "A managed snippet marker has no fenced block or no end marker"
    kinds = frozenset({"markdown"})
    triggers = (r"flowgate-lint:snippet",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        for start, fence, end, name in blocks(src):
            if end is None:
                yield src.finding(self, start.start, start.end, f"snippet '{name}' has no <!-- flowgate-lint:end --> marker")
            elif fence is None:
                yield src.finding(self, start.start, start.end, f"snippet '{name}' has no fenced block before its end marker")
            elif fence.close_line is None:
                yield src.finding(self, start.start, start.end, f"snippet '{name}': its fenced block is not closed")
