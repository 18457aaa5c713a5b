"""FG4xx: model slots and model names."""

from __future__ import annotations

import re
from typing import Any, Iterator

from flowgate_lint import judgement as context
from flowgate_lint.documents.findings import SAFE, UNSAFE, Finding, Fix
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.rules import Rule, register
from flowgate_lint.documents.scan import assignments, is_reference, may_name, replace_value, text_pieces
from flowgate_lint.documents.source import Source
from flowgate_lint.spec.model import CLAUDE_SLOT_VARS, SUBAGENT_VAR, model_served
from flowgate_lint.documents.markdown import markdown_doc

ALL_KINDS = frozenset({"markdown", "shell", "toml", "json", "yaml", "dotenv"})
SLOT_VARS = (*CLAUDE_SLOT_VARS, SUBAGENT_VAR)
HAIKU = "ANTHROPIC_DEFAULT_HAIKU_MODEL"
SMALL_FAST = "ANTHROPIC_SMALL_FAST_MODEL"
# Other variables that name a model: they must name one the gateway serves.
OTHER_MODEL_VARS = (SMALL_FAST, "ANTHROPIC_DEFAULT_FABLE_MODEL", "ANTHROPIC_REASONING_MODEL",
                    "ANTHROPIC_CUSTOM_MODEL_OPTION", "ANTHROPIC_DEFAULT_MODEL")
CLAUDE_ALIASES = frozenset({"default", "opus", "sonnet", "haiku", "opusplan", "sonnet[1m]", "opus[1m]", "best"})
# Prose advice to set the deprecated variable ("so set `ANTHROPIC_SMALL_FAST_MODEL` to ...").
_SET_SMALL_FAST = lazy(r"\b(?:set|export|use|define|configure|add)\s+(?:the\s+)?`(?P<name>ANTHROPIC_SMALL_FAST_MODEL)`"
                       r"(?!\s*(?:is|was|has been)\b)", re.I)
# A definition-list item or table entry that documents it ("- `ANTHROPIC_SMALL_FAST_MODEL`: the background model").
_DEFINES_SMALL_FAST = lazy(r"^\s*`(?P<name>ANTHROPIC_SMALL_FAST_MODEL)`\s*(?:[:：]|\s[-—–]\s)")
# A script that writes it as a quoted key (a settings.json edit in jq, node or python), not one that removes it.
_WRITES_SMALL_FAST = lazy(r"""['"](?P<name>ANTHROPIC_SMALL_FAST_MODEL)['"]""")
_REMOVES = lazy(r"\b(?:del|delete|unset|pop|remove|rm|deprecated|migrat\w*|rename\w*)\b", re.I)
_NOT_ADVICE = lazy(r"\b(?:deprecated|instead of|rather than|replace[sd]?|renamed?|legacy|no longer|old)\b|弃用|已废弃", re.I)
# claude --model X, codex -m X / --model X / -c model=X (in scripts and inline code)
_CLI_MODEL = lazy(r"\b(?P<client>claude|codex)\b[^\n|;&]*?(?:\s--model[ =]|\s-m\s+|\s(?:-c|--config)[ =]['\"]?model=)['\"]?([A-Za-z0-9._:/@\[\]-]+)")


def is_codex_config(data: Any) -> bool:
    return isinstance(data, dict) and ("model_provider" in data or "model_providers" in data)


# Top-level keys of a Codex config.toml that a short excerpt ("change the first line") may show on their own.
_CODEX_EXCERPT_KEYS = frozenset({"model", "model_reasoning_effort", "model_verbosity", "review_model",
                                 "approval_policy", "sandbox_mode", "profile"})


def is_codex_excerpt(src: Source, ctx: Any, data: Any) -> bool:
    """A fenced TOML block that sets Codex's ``model`` in a section about Codex, without naming a provider."""
    if not (src.embedded and isinstance(data, dict) and isinstance(data.get("model"), str)
            and set(data) <= _CODEX_EXCERPT_KEYS):
        return False
    return any("codex" in t.lower() for t in context.section_at(src, ctx, 0).chain)


def _own_example(src: Source, ctx: Any, offset: int) -> bool:
    """Whether the doc section around ``offset`` brings its own gateway config (judged against it, not the spec)."""
    return context.own_example(context.section_at(src, ctx, offset), ctx) is not None


def _served_note(spec: Any, model: str) -> str:
    if spec.serves(model) is False:
        return f" ('{model}' is not served by the gateway; it serves {', '.join(spec.models)})"
    return ""


@register
class ModelSlotMismatch(Rule):
    """## What it does
    Checks the model slots against the spec: `ANTHROPIC_MODEL`,
    `ANTHROPIC_DEFAULT_OPUS_MODEL`, `ANTHROPIC_DEFAULT_SONNET_MODEL`,
    `ANTHROPIC_DEFAULT_HAIKU_MODEL`, `CLAUDE_CODE_SUBAGENT_MODEL` (wherever they are set:
    scripts, dotenv files, a settings.json `env` block, YAML, Markdown) and the top-level
    `model` of a Codex config (a TOML file or block with `model_provider` /
    `[model_providers.*]`). Each must equal the spec's value: the default model for the main,
    opus and sonnet slots and Codex, the fast model for haiku, and any per-slot override from
    the gateway config.

    ## When it deliberately does not fire
    In Markdown docs (prose and fenced blocks) a slot is compared with the spec only when the
    gateway config pins it (sets that slot explicitly): a README may offer several served model
    sets for the opus/sonnet/haiku slots. The repository's own client files (scripts, env files,
    settings.json, Codex config.toml) and managed snippets always follow the spec.

    ## Why is this bad?
    A slot that names another model either fails (the gateway does not serve it: LiteLLM answers
    400, and Claude Code, after six attempts, prints "API Error: 400 ... Invalid model name passed
    in model=...") or silently routes traffic to a model the gateway's owners did not choose for
    that slot (for example background work to an expensive model instead of the fast one). An
    unserved haiku slot does not show in `claude -p`; it fails the first time `--model haiku` or
    a helper call uses it.

    ## Example
    ```sh
    export ANTHROPIC_DEFAULT_HAIKU_MODEL=claude-3-5-haiku-latest
    ```

    Use instead (fast model `router-cheap`):
    ```sh
    export ANTHROPIC_DEFAULT_HAIKU_MODEL=router-cheap
    ```

    ## Fix
    Safe: the value becomes the spec's value, keeping its quoting.
    """

    code = "FG401"
    name = "model-slot-mismatch"
    summary = "A Claude Code model slot or the Codex model differs from the spec"
    kinds = ALL_KINDS
    skip_history = True
    fixable = True
    triggers = (r"ANTHROPIC_\w*MODEL", r"CLAUDE_CODE_SUBAGENT_MODEL", r"model_provider")

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        spec = ctx.spec
        # The repository's own client files must equal the spec; a doc may offer other served model sets,
        # unless the config pins the slot.
        repo_file = not src.embedded and src.kind != "markdown"
        for a in assignments(src):
            if a.name not in SLOT_VARS or is_reference(a.value):
                continue
            if not repo_file and (a.name not in spec.claude.pinned or _own_example(src, ctx, a.start)):
                continue  # FG402 checks that the model is served (by the section's own gateway, if it brings one)
            expected = spec.claude.expected(a.name)
            if expected is None or a.value.strip() == expected:
                continue
            yield src.finding(self, a.start, a.end,
                              f"{a.name} is '{a.value}', the spec says '{expected}'{_served_note(spec, a.value)}",
                              Fix((replace_value(src, a, expected),), SAFE, f"Set {a.name} to {expected}"))
        if src.kind == "toml":
            data = src.data()
            if not is_codex_config(data):
                return
            if not spec.codex.model or not repo_file:
                return
            for leaf in src.leaves():
                if leaf.path == ("model",) and isinstance(leaf.value, str) and leaf.value != spec.codex.model \
                        and not is_reference(leaf.value):
                    quote = src.text[leaf.start]
                    new = f"{quote}{spec.codex.model}{quote}" if quote in "'\"" else spec.codex.model
                    yield src.finding(self, leaf.start, leaf.end,
                                      f"Codex model is '{leaf.value}', the spec says '{spec.codex.model}'"
                                      f"{_served_note(spec, leaf.value)}",
                                      Fix((src.edit(leaf.start, leaf.end, new),), SAFE, f"Set model to {spec.codex.model}"))


@register
class ModelNotServed(Rule):
    """## What it does
    Checks that model names sent to the gateway are models it serves (LiteLLM
    `model_list[].model_name`, or `models` in the settings): `ANTHROPIC_SMALL_FAST_MODEL`,
    `ANTHROPIC_DEFAULT_FABLE_MODEL`, `ANTHROPIC_REASONING_MODEL`,
    `ANTHROPIC_CUSTOM_MODEL_OPTION`, `ANTHROPIC_DEFAULT_MODEL`, the top-level `model` of a Claude
    Code settings.json (full ids; aliases such as `opus` or `sonnet` map to the slots and are
    fine), Codex `review_model` and `[profiles.*].model`, and `claude --model X` /
    `codex -m X` (or `codex -c model=X`) in scripts and docs, and the model slots in the JSON
    passed inline with `claude --settings '{"env": {...}}'`.

    In docs it also checks the model slots (`ANTHROPIC_MODEL`, `ANTHROPIC_DEFAULT_*_MODEL`,
    `CLAUDE_CODE_SUBAGENT_MODEL`) and the `model` of a Codex config block (or of a short
    `model = "..."` excerpt in a section about Codex): a README may offer several model sets,
    and each must be served. Where the repository's own client files or a pinned slot must
    equal the spec, FG401 reports it instead.

    A variant suffix names the same model (`claude-sonnet-4-5[1m]`), and a wildcard entry of the
    model list (`*`, `anthropic/*`) serves every name it matches.

    ## When it deliberately does not fire
    - When the gateway's model list is unknown.
    - When the value is not sent to the gateway: the block or section points the client at an
      upstream provider (`ANTHROPIC_BASE_URL=https://api.deepseek.com/anthropic`) or another
      service, or the section is a provider guide or about another service and sets no base URL
      of the gateway.
    - When the file or block switches Claude Code to a cloud provider directly
      (`CLAUDE_CODE_USE_VERTEX`, `CLAUDE_CODE_USE_BEDROCK`, `CLAUDE_CODE_USE_FOUNDRY`), and for model
      ids in a cloud provider's own format (`claude-opus-4-5@20251101`, `us.anthropic.claude-…`).
    - In history files and sections, and in blocks the text presents as old or wrong.
    - A section that brings its own gateway config (a `model_list` and the command that starts
      it) is judged against that config's models, not the repository's.

    ## Why is this bad?
    The gateway answers an unknown model with an error. LiteLLM answers 400 ("Invalid model name
    passed in model=..."): Claude Code retries six times, then prints "API Error: 400
    anthropic_messages: Invalid model name passed in model=...", exit 1; Codex prints "ERROR:
    ... /responses: Invalid model name passed in model=..." after one request. (The message
    "There's an issue with the selected model" is what a 404 prints, a base URL ending in `/v1`:
    FG302.)

    ## Example
    ```sh
    claude --model claude-sonnet-4-5 -p "hello"
    ```

    Use instead:
    ```sh
    claude --model router-default -p "hello"
    ```

    ## Fix
    None: which served model is meant is a human decision.
    """

    code = "FG402"
    name = "model-not-served"
    summary = "A model name that the gateway does not serve"
    preview = True
    first_contact = "0 of 32 findings right (0.00) on first contact: batch 1 and FlowGate's history (eval/README.md)"
    kinds = ALL_KINDS
    skip_history = True
    triggers = (r"ANTHROPIC_\w*MODEL", r"review_model", r"profiles", r"--model", r"\s-m\s", r'"model"',
                r"(?:-c|--config)[ =]['\"]?model=")

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        spec = ctx.spec
        repo_file = not src.embedded and src.kind != "markdown"

        def unserved(model: str, offset: int, client: str) -> str | None:
            """Why ``model`` is not served where it is sent, or None (served, unknown, or sent elsewhere)."""
            model = model.strip()
            if not model or model in CLAUDE_ALIASES or is_reference(model):
                return None
            if context.NATIVE_MODEL_ID.match(model) and spec.serves(model) is not True:
                return None  # a Vertex or Bedrock id: written for the cloud provider, not for a gateway
            models = context.client_models(src, ctx, offset, client)
            if models is None or model_served(model, models):
                return None
            where = "the gateway" if models is spec.models else "this section's own gateway config"
            return f"which {where} does not serve ({', '.join(models)})"

        for a in assignments(src):
            if a.name in OTHER_MODEL_VARS or (a.name in SLOT_VARS and (
                    (not repo_file and (a.name not in spec.claude.pinned or _own_example(src, ctx, a.start)))
                    or spec.claude.expected(a.name) is None)):
                why = unserved(a.value, a.start, "claude")
                if why:
                    yield src.finding(self, a.start, a.end, f"{a.name} is '{a.value.strip()}', {why}")
        if src.kind in ("json", "toml"):
            data = src.data()
            codex = src.kind == "toml" and (is_codex_config(data) or is_codex_excerpt(src, ctx, data))
            for leaf in src.leaves():
                v = leaf.value
                if not isinstance(v, str):
                    continue
                p = leaf.path
                claude_model = src.kind == "json" and p == ("model",) and isinstance(data, dict) and "env" in data
                codex_model = codex and (
                    p == ("review_model",) or (len(p) == 3 and p[0] == "profiles" and p[2] in ("model", "review_model"))
                    or (p == ("model",) and (not repo_file or not spec.codex.model)))
                if claude_model or codex_model:
                    why = unserved(v, leaf.start, "codex" if codex_model else "claude")
                    if why:
                        label = ".".join(str(x) for x in p)
                        yield src.finding(self, leaf.start, leaf.end, f"{label} is '{v}', {why}")
        if src.kind in ("shell", "markdown"):
            for text, to_host in text_pieces(src):
                for m in _CLI_MODEL.finditer(text) if "claude" in text or "codex" in text else ():
                    a, b = m.start(2), m.end(2)
                    if to_host:
                        a, b = to_host(a), to_host(b)
                    why = unserved(m.group(2), a, "codex" if m.group("client") == "codex" else "claude")
                    if why:
                        flag = "-c model=" if m.group(0)[: m.start(2) - m.start()].rstrip("'\"").endswith("model=") else "--model "
                        yield src.finding(self, a, b, f"{flag}{m.group(2)}, {why}")


@register
class SmallFastModelDeprecated(Rule):
    """## What it does
    Finds `ANTHROPIC_SMALL_FAST_MODEL` where it is set (scripts, env files, settings.json,
    blocks), a script that writes it as a quoted key (a `jq`, `node -e` or Python edit of
    settings.json), and prose that tells the reader to set it ("so set
    `ANTHROPIC_SMALL_FAST_MODEL` to a concrete id") or documents it as a current setting
    ("- `ANTHROPIC_SMALL_FAST_MODEL`: the background model"), unless the sentence calls it
    deprecated or old, or the script line removes or migrates it.

    ## Why is this bad?
    Claude Code deprecated it in favour of `ANTHROPIC_DEFAULT_HAIKU_MODEL` ("model for haiku,
    or background functionality"), but still reads it, **first**: for the small/fast helper
    model (API-key checks and other background calls) it overrides the haiku slot (measured with
    Claude Code 2.1.332). A stale value therefore breaks helper calls even when
    `ANTHROPIC_DEFAULT_HAIKU_MODEL` is right, with no warning. Renaming it (or removing it when the
    haiku slot is set) leaves one variable that decides.

    ## When it deliberately does not fire
    - A mention of the name without a value ("`ANTHROPIC_SMALL_FAST_MODEL` is deprecated"),
      and comment lines of scripts and env files.
    - In history files (CHANGELOG, docs/archive/, ADRs, ...; the `history` setting) and in blocks
      the text introduces as old or wrong ("Older posts do this:").
    - The gateway config file itself.

    ## Example
    ```json
    {"env": {"ANTHROPIC_SMALL_FAST_MODEL": "router-cheap"}}
    ```

    Use instead:
    ```json
    {"env": {"ANTHROPIC_DEFAULT_HAIKU_MODEL": "router-cheap"}}
    ```

    ## Fix
    When the same file or block does not set `ANTHROPIC_DEFAULT_HAIKU_MODEL`: the name is
    renamed to `ANTHROPIC_DEFAULT_HAIKU_MODEL` and the value set to the spec's haiku model. Safe
    when the same file or block also sets `ANTHROPIC_BASE_URL` (plainly Claude Code's settings);
    unsafe otherwise, since a proxy's own `.env` may read a setting of the same name.
    When the haiku slot is already set there is no automatic fix: delete the deprecated line.
    Prose and quoted keys in scripts have no automatic fix: rewrite the sentence or the script.
    """

    code = "FG403"
    preview = True
    first_contact = "1 of 2 findings right (0.50) on first contact: batches 1-3 and FlowGate's history (eval/README.md)"
    name = "small-fast-model-deprecated"
    summary = "ANTHROPIC_SMALL_FAST_MODEL is deprecated; use ANTHROPIC_DEFAULT_HAIKU_MODEL"
    severity = "warning"
    kinds = ALL_KINDS
    skip_history = True
    fixable = True
    fix_safety = "mixed"
    triggers = (SMALL_FAST,)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        if not may_name(src, SMALL_FAST, any_case=src.kind == "markdown"):
            return  # only the prose patterns match any case
        found = assignments(src)
        has_haiku = any(a.name == HAIKU for a in found)
        # Renaming is certain only where the variables are clearly Claude Code's (its base URL is set beside them);
        # a proxy's own .env may read a setting of the same name (its model for small requests).
        for_claude = any(a.name == "ANTHROPIC_BASE_URL" for a in found)
        haiku = ctx.spec.claude.haiku_model
        for a in found:
            if a.name != SMALL_FAST:
                continue
            fix = None
            if not has_haiku:
                quote = src.text[a.name_start:a.name_start + 1] if src.text[a.name_start:a.name_start + 1] in ("'", '"') else ""
                edits = [src.edit(a.name_start, a.name_end, f"{quote}{HAIKU}{quote}")]
                if haiku and a.value.strip() != haiku and not is_reference(a.value):
                    edits.append(replace_value(src, a, haiku))
                fix = Fix(tuple(edits), SAFE if for_claude else UNSAFE,
                          f"Rename to {HAIKU}={haiku}" if haiku else f"Rename to {HAIKU}")
            hint = f"rename it to {HAIKU}" if not has_haiku else f"remove it ({HAIKU} is already set)"
            yield src.finding(self, a.name_start, a.name_end,
                              f"{SMALL_FAST} is deprecated in Claude Code, yet read first (it overrides the haiku slot "
                              f"for the small helper model); {hint}", fix)
        if src.kind == "markdown" and not src.embedded:
            assigned = {a.name_start for a in found}
            for seg in markdown_doc(src).segments:
                for rx in (_SET_SMALL_FAST, _DEFINES_SMALL_FAST):
                    for m in rx.finditer(seg.text):
                        at = seg.to_host(m.start("name"))
                        sentence = seg.text[max(0, m.start() - 80):m.end() + 80]
                        if at in assigned or _NOT_ADVICE.search(sentence):
                            continue
                        what = (f"tells the reader to set {SMALL_FAST}" if rx is _SET_SMALL_FAST
                                else f"documents {SMALL_FAST} as a current setting")
                        yield src.finding(self, at, at + len(SMALL_FAST),
                                          f"the text {what}, which Claude Code deprecated; use {HAIKU} instead")
        if src.kind == "shell" and not src.embedded:
            assigned = {a.name_start for a in found}
            for m in _WRITES_SMALL_FAST.finditer(src.text):
                at = m.start("name")
                line_start = src.text.rfind("\n", 0, at) + 1
                line = src.text[line_start:src.text.find("\n", at) if "\n" in src.text[at:] else len(src.text)]
                if at in assigned or line.lstrip().startswith("#") or _REMOVES.search(line):
                    continue
                yield src.finding(self, at, at + len(SMALL_FAST),
                                  f"the script writes {SMALL_FAST} (a quoted key, e.g. into settings.json), which Claude "
                                  f"Code deprecated; write {HAIKU} instead")
