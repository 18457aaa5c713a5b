"""FG5xx: Codex config coherence (config.toml files and fenced toml blocks shaped like one)."""

from __future__ import annotations

import re
from typing import Any, Iterator

from flowgate_lint.documents.findings import SAFE, UNSAFE, Finding, Fix
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.rules import Rule, register
from flowgate_lint.documents.scan import assignments
from flowgate_lint.documents.leaves import Leaf
from flowgate_lint.documents.source import Source
from flowgate_lint.documents.markdown import markdown_doc

BUILT_IN = ("openai", "ollama", "lmstudio", "amazon-bedrock")
RESERVED = ("openai", "ollama", "lmstudio")
LEGACY = ("oss", "ollama-chat")
TOML = frozenset({"toml"})


# Top-level keys only Codex's config.toml has: with one of them, a "profile" key is Codex's too.
_CODEX_KEYS = frozenset({"model", "approval_policy", "sandbox_mode", "model_reasoning_effort", "model_verbosity",
                         "mcp_servers", "review_model", "openai_base_url", "oss_provider"})


def codex_data(src: Source) -> dict | None:
    """The parsed TOML when it looks like a Codex config, else None. ``profile`` / ``[profiles.*]`` alone are
    other tools' keys too: they count only beside another Codex key, or in a file or block named for Codex."""
    data = src.data()
    if not isinstance(data, dict):
        return None
    if "model_provider" in data or "model_providers" in data:
        return data
    if src.target is not None and is_codex_config_path(src.target):
        return data  # a here-document that writes Codex's config.toml
    if ("profiles" in data or "profile" in data) and (_CODEX_KEYS & set(data) or "codex" in src.host.path.lower()
                                                      or (src.embedded and "codex" in (src.lang or "").lower())):
        return data
    return None


def is_codex_config_path(path: str) -> bool:
    """``~/.codex/config.toml``, ``$CODEX_HOME/config.toml``, ``.codex/config.toml`` (as a script writes it)."""
    path = path.replace("\\", "/").strip("\"'")
    return path.endswith(".codex/config.toml") or path.endswith("CODEX_HOME/config.toml") \
        or path.endswith("CODEX_HOME}/config.toml")


def providers_of(data: dict | None) -> dict:
    """The ``model_providers`` table of a Codex config (empty when absent or not a table)."""
    providers = data.get("model_providers") if data else None
    return providers if isinstance(providers, dict) else {}


def leaf_at(src: Source, path: tuple) -> Leaf | None:
    return next((leaf for leaf in src.leaves() if leaf.path == path), None)


def table_line(src: Source, *parts: str) -> int:
    """Offset of a ``[a.b]`` header (or the first key under it), for findings about whole tables."""
    dotted = r"\.".join(rf"""(?:{re.escape(p)}|"{re.escape(p)}"|'{re.escape(p)}')""" for p in parts)
    m = re.search(rf"^[ \t]*\[[ \t]*{dotted}[ \t]*\]", src.text, re.M)
    if m:
        return m.start()
    leaves = [leaf for leaf in src.leaves() if leaf.path[:len(parts)] == parts]
    return min((leaf.key_start if leaf.key_start >= 0 else leaf.start for leaf in leaves), default=0)


def _line_end(src: Source, start: int) -> int:
    end = src.text.find("\n", start)
    return len(src.text) if end < 0 else end


class _CodexRule(Rule):
    kinds = TOML
    skip_history = True
    triggers = (r"model_provider", r"profile", r"wire_api")


def _defined_elsewhere(src: Source, pid: str) -> bool:
    """Whether another TOML block of the same document defines ``[model_providers.<pid>]`` (a guide that shows
    the selector and the table in two steps)."""
    rx = re.compile(rf"""^\s*\[\s*model_providers\.(?:{re.escape(pid)}|"{re.escape(pid)}"|'{re.escape(pid)}')\s*\]""", re.M)
    return bool(rx.search(src.host.text))


@register
class CodexProviderUndefined(_CodexRule):
    """## What it does
    Checks that `model_provider` names a provider Codex knows: a `[model_providers.<id>]`
    table in the same config, or a built-in (`openai`, `ollama`, `lmstudio`,
    `amazon-bedrock`). The removed legacy ids `oss` and `ollama-chat` are reported too.

    ## Why is this bad?
    Codex fails at start-up when the selected provider does not exist; `ollama-chat` gives
    "`ollama-chat` is no longer supported".

    ## When it deliberately does not fire
    - A built-in id, or an id with a `[model_providers.<id>]` table in the same file, or, for a
      fenced block, anywhere in the same document (a guide that shows the two in two steps).
    - TOML that does not look like a Codex config (no top-level `model_provider` or
      `model_providers`; `profile` or `profiles` only beside another Codex key such as `model`,
      or in a file or block named for Codex), a `model_provider` inside another table
      (`[profiles.*]`), and a value that is not a string.
    - TOML that does not parse (FG001).
    - In history files (CHANGELOG, docs/archive/, ADRs, ...; the `history` setting) and in blocks
      the text introduces as old or wrong ("Older posts do this:").

    ## Example
    ```toml
    model_provider = "flowgate"
    [model_providers.gateway]
    name = "Gateway"
    ```

    Use instead:
    ```toml
    model_provider = "flowgate"
    [model_providers.flowgate]
    name = "FlowGate Local"
    ```

    ## Fix
    None: rename the table or the selector by hand (`flowgate-lint print codex` shows the
    spec's provider).
    """

    code = "FG501"
    name = "codex-provider-undefined"
    summary = "model_provider names no defined or built-in Codex provider"

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        data = codex_data(src)
        leaf = leaf_at(src, ("model_provider",)) if data else None
        if leaf is None or not isinstance(leaf.value, str):
            return
        pid = leaf.value
        providers = providers_of(data)
        if pid in LEGACY:
            yield src.finding(self, leaf.start, leaf.end, f"model_provider '{pid}' is no longer supported by Codex "
                              f"(use a [model_providers.{ctx.spec.codex.provider_id}] table)")
        elif pid not in providers and pid not in BUILT_IN and not (src.embedded and _defined_elsewhere(src, pid)):
            defined = ", ".join(sorted(providers)) or "none"
            yield src.finding(self, leaf.start, leaf.end, f"model_provider '{pid}' is not defined "
                              f"([model_providers.*] here: {defined}; built-in: {', '.join(BUILT_IN)})")


@register
class CodexReservedProviderId(_CodexRule):
    """## What it does
    Finds `[model_providers.<id>]` tables whose id is reserved by Codex: `openai`, `ollama`,
    `lmstudio` (built in), the legacy `oss` and `ollama-chat`, and `amazon-bedrock` with
    anything but `aws.profile`.

    ## Why is this bad?
    Current Codex refuses to load the config: "model_providers contains reserved built-in
    provider IDs: `openai`. Built-in providers cannot be overridden. Rename your custom
    provider (for example, `openai-custom`)." Older releases silently ignored the table, so
    requests went to api.openai.com instead of the gateway.

    ## When it deliberately does not fire
    - An `[model_providers.amazon-bedrock]` table that holds nothing but `aws.profile` (the one
      override Codex allows), and other ids (`openai-custom`).
    - Selecting a built-in with `model_provider = "openai"` (no table).
    - TOML that does not parse (FG001).
    - In history files (CHANGELOG, docs/archive/, ADRs, ...; the `history` setting) and in blocks
      the text introduces as old or wrong ("Older posts do this:").

    ## Example
    ```toml
    model_provider = "openai"
    [model_providers.openai]
    base_url = "http://127.0.0.1:4000/v1"
    ```

    Use instead:
    ```toml
    model_provider = "flowgate"
    [model_providers.flowgate]
    name = "FlowGate Local"
    base_url = "http://127.0.0.1:4000/v1"
    ```

    ## Fix
    None: renaming a provider also changes every place that selects it.
    """

    code = "FG502"
    name = "codex-reserved-provider-id"
    summary = "A [model_providers.*] table redefines a reserved Codex provider id"

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        data = codex_data(src)
        providers = providers_of(data)
        for pid, table in providers.items():
            bad = pid in RESERVED or pid in LEGACY
            if pid == "amazon-bedrock" and isinstance(table, dict):
                bad = any(k != "aws" for k in table) or (isinstance(table.get("aws"), dict) and any(k != "profile" for k in table["aws"]))
            if bad:
                start = table_line(src, "model_providers", pid)
                yield src.finding(self, start, _line_end(src, start),
                                  f"[model_providers.{pid}] redefines a provider id reserved by Codex (load error); "
                                  f"rename it, e.g. '{ctx.spec.codex.provider_id}'")


@register
class CodexWireApi(_CodexRule):
    """## What it does
    Checks `wire_api` in every `[model_providers.*]` table: `"chat"` was removed from Codex,
    and only `"responses"` is accepted.

    ## Why is this bad?
    Since Codex ~0.97 (PR openai/codex#10157, Feb 2026) a config with `wire_api = "chat"`
    fails to load: "`wire_api = \"chat\"` is no longer supported. How to fix: set wire_api =
    \"responses\"". Any other value is an "unknown variant" error. The gateway must serve
    `/v1/responses` (LiteLLM does).

    ## When it deliberately does not fire
    - A provider table without `wire_api`, and `wire_api` anywhere but directly in a
      `[model_providers.<id>]` table.
    - TOML that does not look like a Codex config (see FG501) or does not parse (FG001).
    - In history files (CHANGELOG, docs/archive/, ADRs, ...; the `history` setting) and in blocks
      the text introduces as old or wrong ("Older posts do this:").

    ## Example
    ```toml
    [model_providers.flowgate]
    wire_api = "chat"
    ```

    Use instead:
    ```toml
    [model_providers.flowgate]
    wire_api = "responses"
    ```

    ## Fix
    Safe for `"chat"`: the value becomes `"responses"`, keeping its quote style. None for
    other unknown values.
    """

    code = "FG503"
    name = "codex-wire-api-unsupported"
    summary = 'wire_api is "chat" (removed from Codex) or another unknown value'
    fixable = True

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        if codex_data(src) is None:
            return
        for leaf in src.leaves():
            p = leaf.path
            if len(p) == 3 and p[0] == "model_providers" and p[2] == "wire_api" and leaf.value != "responses":
                if leaf.value == "chat":
                    quote = src.text[leaf.start] if src.text[leaf.start] in "'\"" else '"'
                    fix = Fix((src.edit(leaf.start, leaf.end, f"{quote}responses{quote}"),), SAFE, 'Set wire_api = "responses"')
                    yield src.finding(self, leaf.start, leaf.end,
                                      f'wire_api = "chat" is no longer supported by Codex (config load error in '
                                      f'model_providers.{p[1]}.wire_api); use "responses"', fix)
                else:
                    yield src.finding(self, leaf.start, leaf.end,
                                      f"wire_api = {leaf.value!r} is not a Codex wire API; use \"responses\"")


@register
class CodexProviderNameEmpty(_CodexRule):
    """## What it does
    Finds `[model_providers.*]` tables without a `name`, or with an empty one.

    ## Why is this bad?
    Codex refuses to load the config: "model_providers.<id>: provider name must not be empty".

    ## When it deliberately does not fire
    In a Markdown fence that shows one key of a provider table (a fragment such as
    `[model_providers.flowgate]` with only `base_url`, to make a point about that key), and in
    blocks the text introduces as old or wrong ("Older posts do this:").

    ## Example
    ```toml
    [model_providers.flowgate]
    base_url = "http://127.0.0.1:4000/v1"
    ```

    Use instead:
    ```toml
    [model_providers.flowgate]
    name = "FlowGate Local"
    base_url = "http://127.0.0.1:4000/v1"
    ```

    ## Fix
    None.
    """

    code = "FG504"
    name = "codex-provider-name-empty"
    summary = "A Codex provider table has no name or an empty one"

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        data = codex_data(src)
        providers = providers_of(data)
        for pid, table in providers.items():
            if pid == "amazon-bedrock" or not isinstance(table, dict):
                continue
            name = table.get("name")
            if isinstance(name, str) and name.strip():
                continue
            if src.embedded and "name" not in table and len(table) <= 1:
                continue  # a doc fragment showing one key of the table, not a provider definition
            leaf = leaf_at(src, ("model_providers", pid, "name"))
            start = leaf.start if leaf else table_line(src, "model_providers", pid)
            end = leaf.end if leaf else _line_end(src, start)
            yield src.finding(self, start, end, f"model_providers.{pid}: provider name must not be empty (Codex load error)")


@register
class CodexLegacyProfileSelector(_CodexRule):
    """## What it does
    Finds a top-level `profile = "<name>"` in a Codex config.

    ## Why is this bad?
    Since Codex 0.134.0 it is a load error: "legacy `profile = \"x\"` config is no longer
    supported; use `--profile x` with `x.config.toml` instead". Profiles are now files,
    `$CODEX_HOME/<name>.config.toml`, selected with `codex --profile <name>`.

    ## When it deliberately does not fire
    - A `profile` table (`[profile.release]`) or a `profile` key inside another table, and
      `--profile` on the command line.
    - TOML that does not look like a Codex config (see FG501) or does not parse (FG001).
    - In history files (CHANGELOG, docs/archive/, ADRs, ...; the `history` setting) and in blocks
      the text introduces as old or wrong ("Older posts do this:").

    ## Example
    ```toml
    profile = "flowgate"
    ```

    Use instead: move the profile's settings into `~/.codex/flowgate.config.toml` and run
    `codex --profile flowgate`.

    ## Fix
    None: the settings move to another file.
    """

    code = "FG505"
    name = "codex-legacy-profile-selector"
    summary = 'Top-level profile = "..." is a load error in current Codex'

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        if codex_data(src) is None:
            return
        leaf = leaf_at(src, ("profile",))
        if leaf is not None:
            yield src.finding(self, leaf.key_start if leaf.key_start >= 0 else leaf.start, leaf.end,
                              f'legacy profile = "{leaf.value}" is no longer supported by Codex; use '
                              f"--profile {leaf.value} with $CODEX_HOME/{leaf.value}.config.toml")


@register
class CodexLegacyProfilesTable(_CodexRule):
    """## What it does
    Finds `[profiles.<name>]` tables in a Codex config.

    ## Why is this bad?
    Current Codex ignores them (profiles are `$CODEX_HOME/<name>.config.toml` files), and
    `codex --profile <name>` fails while the base config still holds `[profiles.<name>]`:
    "--profile `x` cannot be used while ... contains legacy ... move those settings into ...
    x.config.toml".

    ## When it deliberately does not fire
    - `profiles` that is not a table, and profile files (`<name>.config.toml`).
    - TOML that does not look like a Codex config (see FG501) or does not parse (FG001).
    - In history files (CHANGELOG, docs/archive/, ADRs, ...; the `history` setting) and in blocks
      the text introduces as old or wrong ("Older posts do this:").

    ## Example
    ```toml
    [profiles.flowgate]
    model_provider = "flowgate"
    ```

    Use instead: `~/.codex/flowgate.config.toml` with `model_provider = "flowgate"`.

    ## Fix
    None: the settings move to another file.
    """

    code = "FG506"
    name = "codex-legacy-profiles-table"
    summary = "[profiles.*] tables are ignored by current Codex (use <name>.config.toml files)"
    severity = "warning"

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        data = codex_data(src)
        profiles = data.get("profiles") if data and isinstance(data.get("profiles"), dict) else {}
        for name in profiles:
            start = table_line(src, "profiles", name)
            yield src.finding(self, start, _line_end(src, start),
                              f"[profiles.{name}] is ignored by current Codex; move it to $CODEX_HOME/{name}.config.toml "
                              f"and select it with --profile {name}")


_PROFILE_FLAG = lazy(r"\bcodex\b[^\n`|;&]*?\s(?:--profile|-p)[ =]['\"]?([A-Za-z0-9_-]+)")


@register
class CodexProfileWithoutFile(Rule):
    """## What it does
    In a Markdown document that sets Codex up, finds `codex --profile X` (or `codex -p X`) in
    prose, inline code or shell blocks when the document shows neither an `X.config.toml` file (named anywhere in
    it) nor, for older Codex, a `[profiles.X]` table.

    ## Why is this bad?
    A reader who follows the command gets a profile that does not exist: current Codex looks
    for `$CODEX_HOME/X.config.toml`, and the doc never says what to put there. Codex then
    **silently uses the base config** (measured with 0.171.0: exit 0, no warning), so whatever
    the profile was meant to change (the model, the provider) quietly does not happen.

    ## When it deliberately does not fire
    - In a document that does not set Codex up (shows no Codex config block with
      `model_provider` or `[model_providers.*]`): a usage guide may run the reader's own profiles.
    - When `X.config.toml` is named anywhere in the document, or a `toml` block shows
      `[profiles.X]`.
    - A profile given as a placeholder or variable (`codex --profile <name>`,
      `codex -p "$PROFILE"`).
    - Commands in untagged, `text` or other non-shell blocks, and files other than Markdown.
    - In history files (CHANGELOG, docs/archive/, ADRs, ...; the `history` setting).

    ## Example
    ```markdown
    Run `codex --profile flowgate exec "hi"`.
    ```

    Use instead: show `~/.codex/flowgate.config.toml` with its contents next to the command.

    ## Fix
    None.
    """

    code = "FG507"
    preview = True
    first_contact = "5 of 8 findings right (0.63) on first contact: batches 1-3 and FlowGate's history (eval/README.md)"
    name = "codex-profile-without-file"
    summary = "A doc runs codex --profile X but never shows X.config.toml"
    severity = "warning"
    kinds = frozenset({"markdown"})
    skip_history = True
    triggers = (r"--profile", r"codex\s+-p\b")

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        if "codex" not in src.text:
            return  # every _PROFILE_FLAG match holds it, and the prose and blocks are the file's text
        doc = markdown_doc(src)
        pieces = [(seg.text, seg.to_host) for seg in doc.segments]
        pieces += [(f.source.text, f.source.to_host) for f in doc.fences if f.source is not None and f.source.kind == "shell"]
        tables: set[str] = set()
        setup = False  # the document sets Codex up (shows a Codex config): a profile it runs should be in it
        for f in doc.fences:
            if f.source is not None and f.source.kind == "toml":
                tables.update(re.findall(r"^\s*\[\s*profiles\.([A-Za-z0-9_-]+)\s*\]", f.source.text, re.M))
                setup = setup or bool(re.search(r"^\s*(?:model_provider\s*=|\[\s*model_providers\.)", f.source.text, re.M))
        if not setup:
            return
        for text, to_host in pieces:
            for m in _PROFILE_FLAG.finditer(text):
                name = m.group(1)
                if f"{name}.config.toml" in src.text or name in tables:
                    continue
                yield src.finding(self, to_host(m.start(1)), to_host(m.end(1)),
                                  f"codex --profile {name}: this document never shows $CODEX_HOME/{name}.config.toml "
                                  "(profiles are files since Codex 0.134.0)")


_KEY_VAR = lazy(r"^[A-Z][A-Z0-9_]*(?:API_KEY|_KEY|_TOKEN)$")
_PLACEHOLDER = lazy(r"[<>{}$]|YOUR|XXX")
_VAR_NAME = lazy(r"[A-Za-z_][A-Za-z0-9_]*")


def _not_a_variable(value: str) -> bool:
    """An env_key value that cannot be a variable name, or is shaped like a generated key."""
    from flowgate_lint.plumbing.redact import KEY_SHAPES, looks_random

    if _PLACEHOLDER.search(value):
        return False
    return (not _VAR_NAME.fullmatch(value) or any(rx.match(value) for rx, _ in KEY_SHAPES)
            or (looks_random(value) and not value.isupper()))


@register
class CodexEnvKeyMismatch(Rule):
    """## What it does
    Checks `env_key` of the Codex provider that points at the gateway (the spec's provider id,
    or the selected `model_provider`, whose `base_url` targets the gateway):

    - when the gateway config (or the `codex-env-key` setting) sets an `env_key`, every Codex
      config in the repository and its docs must use it;
    - `env_key` must name a variable: a value that is no variable name, or looks like the key
      itself (`env_key = "sk-…"`), is always reported;
    - in a Markdown document, when the document exports API-key variables but never the one
      `env_key` names (the variable appears nowhere else in the document), the document
      contradicts itself.

    ## When it deliberately does not fire
    - The config sets no `env_key`: `env_key = "FLOWGATE_API_KEY"` is the user's choice, and
      so is any other variable the document exports or mentions.
    - Providers that point elsewhere (an upstream, another local service), sections that bring
      their own gateway config, provider guides, and history files.

    ## Why is this bad?
    Codex reads the gateway key from the variable `env_key` names; if that variable is unset,
    the first request fails with an environment-variable error, even though the document told
    the reader to export a key.

    ## Example
    ```markdown
    export FLOWGATE_API_KEY=...

    [model_providers.flowgate]
    env_key = "OPENAI_API_KEY"
    ```

    Use instead: export the variable `env_key` names, or name the exported one.

    ## Fix
    Safe when the config sets `env_key`: the value becomes the config's. Unsafe for a document
    that exports exactly one key variable: `env_key` becomes that variable (which side is right
    is a human decision); none when it exports several.
    """

    code = "FG508"
    name = "codex-env-key-mismatch"
    summary = "Codex env_key differs from the one the config sets, or from the key variable the same document exports"
    preview = True
    first_contact = ("0 of 1 right on first contact (batch 11: an empty env_key of a provider nobody selects, "
                     "called a pasted key; an empty value is no longer reported) (eval/README.md)")
    severity = "warning"
    kinds = frozenset({"toml", "markdown"})
    fixable = True
    fix_safety = "mixed"
    skip_history = True
    triggers = (r"env_key",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        if src.kind == "toml":
            yield from self._pinned_mismatch(src, ctx)
            return
        doc = markdown_doc(src)
        exported: set[str] = {a.name for a in assignments(src)}
        for f in doc.fences:
            if f.source is not None and f.source.kind in ("shell", "dotenv"):
                exported |= {a.name for a in assignments(f.source)}
        keys = sorted(n for n in exported if _KEY_VAR.match(n) and not n.startswith("ANTHROPIC_"))
        if not keys:
            return
        for f in doc.fences:
            if f.source is None or f.source.kind != "toml":
                continue
            try:
                leaf = self._gateway_env_key(f.source, ctx)
            except Exception:  # noqa: BLE001 - unparsable blocks are FG001's
                continue
            if leaf is None or leaf.value in keys or _PLACEHOLDER.search(leaf.value):
                continue
            if ctx.spec.codex.env_key_pinned and leaf.value != ctx.spec.codex.env_key:
                continue  # reported by the pinned check
            if len(re.findall(rf"(?<![A-Za-z0-9_]){re.escape(leaf.value)}(?![A-Za-z0-9_])", src.text)) > 1:
                continue  # the document names the variable elsewhere (tells the reader to set it)
            fix = None
            if len(keys) == 1:
                quote = f.source.text[leaf.start] if f.source.text[leaf.start] in "'\"" else '"'
                fix = Fix((f.source.edit(leaf.start, leaf.end, f"{quote}{keys[0]}{quote}"),), UNSAFE,
                          f"Set env_key = {keys[0]!r}")
            yield f.source.finding(self, leaf.start, leaf.end,
                                   f"env_key = {leaf.value!r}, but this document exports {', '.join(keys)} "
                                   f"and never {leaf.value}; Codex reads the gateway key from {leaf.value}", fix)

    def _gateway_env_key(self, src: Source, ctx: Any) -> Leaf | None:
        data = codex_data(src)
        if data is None:
            return None
        providers = providers_of(data)
        selected = data.get("model_provider")
        pid = ctx.spec.codex.provider_id if ctx.spec.codex.provider_id in providers else selected
        if not isinstance(pid, str):
            return None
        leaf = leaf_at(src, ("model_providers", pid, "env_key"))
        if leaf is None or not isinstance(leaf.value, str):
            return None
        base = leaf_at(src, ("model_providers", pid, "base_url"))
        if base is None or not isinstance(base.value, str):
            return None
        from flowgate_lint import judgement as context

        if not context.judge(src, ctx, base.start, base.end, key="base_url").is_gateway:
            return None  # a provider for an upstream or another local service
        section = context.section_at(src, ctx, leaf.start)
        if section.local is not None or section.provider_guide or section.history:
            return None
        return leaf

    def _pinned_mismatch(self, src: Source, ctx: Any) -> Iterator[Finding]:
        want = ctx.spec.codex.env_key
        data = codex_data(src)
        for pid in providers_of(data):
            leaf = leaf_at(src, ("model_providers", pid, "env_key"))
            if leaf is not None and isinstance(leaf.value, str) and leaf.value.strip() and _not_a_variable(leaf.value):
                yield src.finding(self, leaf.start, leaf.end,
                                  f"env_key = {leaf.value!r} is not an environment variable name: env_key names the "
                                  f"variable that holds the key (for example {want}), never the key itself")
        if not ctx.spec.codex.env_key_pinned:
            return
        leaf = self._gateway_env_key(src, ctx)
        if leaf is None or leaf.value == want:
            return
        quote = src.text[leaf.start] if src.text[leaf.start] in "'\"" else '"'
        where = ctx.spec_rel or "the gateway config"
        yield src.finding(self, leaf.start, leaf.end, f"env_key = {leaf.value!r}; {where} sets {want!r}",
                          Fix((src.edit(leaf.start, leaf.end, f"{quote}{want}{quote}"),), SAFE, f"Set env_key = {want!r}"))


_CODEX_KEY_SOURCE = lazy(r"\bCODEX_API_KEY\b|\bcodex\s+login\b")


@register
class CodexOpenAIBaseUrlKey(Rule):
    """## What it does
    In a Markdown document, finds a Codex `config.toml` block that points the **built-in**
    provider at the gateway with `openai_base_url` (no `model_provider`, or `"openai"`), when the
    document exports `OPENAI_API_KEY` and never mentions `CODEX_API_KEY` or `codex login`.

    ## Why is this bad?
    The built-in provider reads its key from `CODEX_API_KEY` or a `codex login --with-api-key`
    login, not from `OPENAI_API_KEY` (measured with Codex 0.171.0): with only `OPENAI_API_KEY`
    exported, every request reaches the gateway without a key, WebSocket first (403) then HTTPS
    (401), and `codex exec` fails after its retries. The same config with `CODEX_API_KEY` set
    answers. A custom provider (`flowgate-lint print codex`) names its key variable with `env_key`.

    ## When it deliberately does not fire
    - A document that mentions `CODEX_API_KEY` or `codex login` anywhere, or exports no
      `OPENAI_API_KEY`.
    - A block that selects a custom provider (`model_provider = "flowgate"`), an
      `openai_base_url` that does not target this gateway (an upstream, another local service),
      and quoted frames (history, a migration's half, a block introduced as wrong).

    ## Example
    ````markdown
    ```toml
    model = "router-default"
    openai_base_url = "http://127.0.0.1:4000/v1"
    ```

    ```sh
    export OPENAI_API_KEY=<your-gateway-key>
    ```
    ````

    Use instead: `export CODEX_API_KEY=<your-gateway-key>` (or `codex login --with-api-key`), or
    a custom provider with `env_key`.

    ## Fix
    None: which of the two setups the document means is the writer's choice.
    """

    code = "FG509"
    name = "codex-openai-base-url-key"
    reads_heredocs = True
    summary = "openai_base_url documented with only OPENAI_API_KEY, which Codex's built-in provider does not read"
    preview = True
    first_contact = ("new: not yet measured on first contact: no finding on batches 8-13 (batch 10's three chances give a base "
                     "URL through ${GATEWAY_URL}, which it does not resolve) (eval/README.md)")
    kinds = frozenset({"markdown"})
    skip_history = True
    triggers = (r"openai_base_url",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        from flowgate_lint import judgement as context

        if src.embedded or _CODEX_KEY_SOURCE.search(src.text):
            return
        doc = markdown_doc(src)
        exported = {a.name for a in assignments(src)}
        for f in doc.fences:
            if f.source is not None and f.source.kind in ("shell", "dotenv"):
                exported |= {a.name for a in assignments(f.source)}
        if "OPENAI_API_KEY" not in exported:
            return
        from flowgate_lint.documents.heredocs import heredoc_sources

        blocks = [f.source for f in doc.fences if f.source is not None and f.source.kind == "toml"]
        blocks += [h for f in doc.fences if f.source is not None and f.source.kind == "shell"
                   for h in heredoc_sources(f.source) if h.kind == "toml"]  # cat > ~/.codex/config.toml <<EOF
        for block in blocks:
            try:
                data = block.data()  # openai_base_url is Codex's own key: no other sign of Codex is needed
            except Exception:  # noqa: BLE001 - unparsable blocks are FG001's
                continue
            if not isinstance(data, dict) or data.get("model_provider", "openai") != "openai":
                continue
            leaf = leaf_at(block, ("openai_base_url",))
            if leaf is None or not isinstance(leaf.value, str):
                continue
            if context.frame_at(block, ctx, leaf.start).quoted:
                continue
            if not context.judge(block, ctx, leaf.start, leaf.end, key="openai_base_url").is_gateway:
                continue
            yield block.finding(
                self, leaf.start, leaf.end,
                "openai_base_url uses Codex's built-in provider, which reads its key from CODEX_API_KEY or `codex login "
                "--with-api-key`, not OPENAI_API_KEY; this document exports only OPENAI_API_KEY, so the gateway gets "
                "no key (401)")


# Keys Codex 0.171.0 ignores in a project-local .codex/config.toml, even a trusted one ("Ignored unsupported
# project-local config keys in …"): measured with the pinned release, the same list as Codex's own loader test.
PROJECT_IGNORED = ("openai_base_url", "chatgpt_base_url", "apps_mcp_product_sku", "model_provider", "model_providers",
                   "notify", "profile", "profiles", "experimental_realtime_ws_base_url", "otel")
_PROJECT_FILE = lazy(r"(?:^|/)\.codex/config\.toml$")
# A block the text introduces as the project's own Codex config ("add .codex/config.toml to your project").
_PROJECT_INTRO = lazy(r"(?<![~\w/$}])\.codex/config\.toml\b[^\n]*\bproject|\bproject[^\n]*(?<![~\w/$}])\.codex/config\.toml\b"
                      r"|项目[^\n]*(?<![~\w/$}])\.codex/config\.toml|(?<![~\w/$}])\.codex/config\.toml[^\n]*项目", re.I)
# Files at the root of a dotfiles repository: there .codex/config.toml is a home config kept in git, not a project's.
_DOTFILES = (".bashrc", ".zshrc", ".profile", ".gitconfig", ".vimrc", ".tmux.conf", ".bash_profile")


@register
class CodexProjectConfigIgnoredKey(Rule):
    """## What it does
    Finds keys in a project-local `.codex/config.toml` (a repository's own file, or a block the
    text introduces as the project's `.codex/config.toml`) that Codex ignores there:
    `model_provider`, `model_providers`, `openai_base_url`, `chatgpt_base_url`, `profile`,
    `profiles`, `notify`, `otel` (and `apps_mcp_product_sku`,
    `experimental_realtime_ws_base_url`).

    ## Why is this bad?
    Codex reads these only from the user's `~/.codex/config.toml`. In a project's file, even a
    trusted one, it drops them with a startup warning ("Ignored unsupported project-local config
    keys in …: model_provider, model_providers. If you want these settings to apply, manually set
    them in your user-level config.toml.") and talks to its default provider: nothing reaches
    the gateway. An untrusted project's file is ignored as a whole (measured with Codex 0.171.0).
    `model` is honoured there, so a project file that only picks the model is fine.

    ## When it deliberately does not fire
    - `~/.codex/config.toml`, `$CODEX_HOME/config.toml` (even linted from the home directory), and any
      other file name.
    - A dotfiles repository (`.bashrc`, `.zshrc`, `.gitconfig` … at its root): its
      `.codex/config.toml` is a home config kept in git.
    - Blocks not introduced as the project's `.codex/config.toml`.

    ## Example
    ```toml
    # my-repo/.codex/config.toml
    model_provider = "flowgate"
    ```

    Use instead: put `model_provider` and `[model_providers.flowgate]` in `~/.codex/config.toml`
    (`flowgate-lint apply codex`), and keep only `model = "..."` in the project's file.

    ## Fix
    None: moving settings into the user's own config is `flowgate-lint apply codex`'s job.
    """

    code = "FG511"
    name = "codex-project-config-ignored-key"
    summary = "A key Codex ignores in a project-local .codex/config.toml (model_provider, openai_base_url, ...)"
    preview = True
    first_contact = "new: not yet measured on first contact: no finding on batches 8-13, which hold no project-local .codex/config.toml (eval/README.md)"
    kinds = frozenset({"toml"})
    skip_history = True
    triggers = (r"model_provider|openai_base_url|chatgpt_base_url|profile|notify|otel|apps_mcp_product_sku|"
                r"experimental_realtime_ws_base_url",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        from flowgate_lint import judgement as context

        if src.embedded:
            if not _PROJECT_INTRO.search(context.block_intro(src)):
                return
        elif not _PROJECT_FILE.search(src.host.path.replace("\\", "/")) or _dotfiles_repo(ctx) or _user_config(src):
            return
        try:
            leaves = src.leaves()
        except Exception:  # noqa: BLE001 - FG001 reports an unparsable file
            return
        seen: set[str] = set()
        for leaf in leaves:
            key = leaf.path[0] if leaf.path else None
            if key not in PROJECT_IGNORED or key in seen:
                continue
            if src.embedded and context.frame_at(src, ctx, leaf.start).quoted:
                continue
            seen.add(key)
            start = leaf.key_start if len(leaf.path) == 1 and leaf.key_start >= 0 else _header(src, key, leaf)
            yield src.finding(self, start, _line_end(src, start),
                              f"Codex ignores `{key}` in a project-local .codex/config.toml (\"Ignored unsupported "
                              f"project-local config keys\"): set it in ~/.codex/config.toml (flowgate-lint apply codex)")


def _header(src: Source, key: str, leaf: Leaf) -> int:
    """Where a table ``key`` starts: its first ``[key…]`` header, else the leaf's key."""
    m = re.search(rf"^[ \t]*\[\[?[ \t]*{re.escape(key)}[ \t]*[.\]]", src.text, re.M)
    return m.start() if m else (leaf.key_start if leaf.key_start >= 0 else leaf.start)


def _user_config(src: Source) -> bool:
    """Whether the file is the user's own Codex config (linted from the home directory, say)."""
    import os
    from pathlib import Path

    home = os.environ.get("CODEX_HOME")
    own = Path(home) / "config.toml" if home else Path.home() / ".codex" / "config.toml"
    try:
        return Path(src.host.abspath).resolve() == own.resolve()
    except (OSError, RuntimeError):
        return False


def _dotfiles_repo(ctx: Any) -> bool:
    root = getattr(ctx, "root", None)
    return root is not None and any((root / name).exists() for name in _DOTFILES)
