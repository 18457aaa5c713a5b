"""FG308, FG309, FG404: the clients beside Codex and Claude Code (OpenCode, Gemini CLI, Qwen Code)."""

from __future__ import annotations

from typing import Any, Iterator

from flowgate_lint import judgement as context
from flowgate_lint.documents.findings import UNSAFE, Finding, Fix
from flowgate_lint.documents.scan import assignments, is_reference, replace_value, text_pieces
from flowgate_lint.documents.source import Source
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.rules import Rule, register
from flowgate_lint.spec.model import model_served

ALL_KINDS = frozenset({"markdown", "shell", "toml", "json", "yaml", "dotenv"})
GEMINI_BASE = "GOOGLE_GEMINI_BASE_URL"
# The API-version segment Gemini CLI appends itself, written at the end of its base URL.
_VERSION_SUFFIX = lazy(r"/(v1(?:beta|alpha)?\d*)/*$")
# gemini -m X / --model X (a command line in a script or a doc)
_GEMINI_MODEL_FLAG = lazy(r"\bgemini\b[^\n|;&]*?(?:\s--model[ =]|\s-m\s+)['\"]?([A-Za-z0-9._:/@-]+)")


def _gateway_targets(src: Source, ctx: Any, names: tuple[str, ...]) -> bool:
    """Whether ``src`` (a file or a block) sets one of ``names`` to this gateway, not quoted as wrong or old."""
    for a in assignments(src):
        if a.name in names and not is_reference(a.value):
            t = context.judge(src, ctx, a.start, a.end, key=a.name)
            if t.is_gateway and not t.quoted:
                return True
    return False


@register
class GeminiBaseUrlSuffix(Rule):
    """## What it does
    Finds a `GOOGLE_GEMINI_BASE_URL` (scripts, dotenv files, a settings `env` block, docs) whose
    path ends in an API version: `/v1`, `/v1beta`, `/v1alpha`.

    ## Why is this bad?
    Gemini CLI appends the API version and the method itself
    (`/v1beta/models/<model>:streamGenerateContent`) to the base URL. A base ending in `/v1beta`
    sends `/v1beta/v1beta/models/...`, one ending in `/v1` sends `/v1/v1beta/models/...`: the
    gateway answers 404 and Gemini CLI reports the error for every prompt. The base URL is the
    gateway's root, or its route prefix for Gemini (`/genai`, `/gemini`) when it has one.

    ## When it deliberately does not fire
    - References (`$GEMINI_BASE`), blocks and sentences that present the value as wrong or old
      ("not `…/v1beta`"), history files and sections.
    - Other variables and clients: Codex, OpenCode and Qwen Code want `/v1` (FG303 and the
      client pages).

    ## Example
    ```sh
    export GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:4000/v1beta
    ```

    Use instead:
    ```sh
    export GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:4000
    ```

    ## Fix
    Unsafe: the version segment is removed. A gateway that serves Gemini under a route prefix
    spelt like a version would need that prefix kept.
    """

    code = "FG308"
    name = "gemini-base-url-has-api-version"
    summary = "GOOGLE_GEMINI_BASE_URL ends in /v1 or /v1beta, which Gemini CLI appends itself"
    preview = True
    first_contact = "new: not yet measured on first contact: no finding on batches 8-13, which hold Gemini CLI setups but no base URL ending in an API version (eval/README.md)"
    kinds = ALL_KINDS
    skip_history = True
    fixable = True
    fix_safety = "unsafe"
    triggers = (GEMINI_BASE,)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        for a in assignments(src):
            if a.name != GEMINI_BASE or is_reference(a.value):
                continue
            u = context.parse_url(a.value.strip())
            if u is None or "://" not in a.value:
                continue
            m = _VERSION_SUFFIX.search(u.path)
            if m is None or context.frame_at(src, ctx, a.start).quoted:
                continue
            value = a.value.strip()
            root = value[: len(value) - len(u.path) + m.start()] if value.endswith(u.path) else None
            fix = Fix((replace_value(src, a, root),), UNSAFE, f"Remove /{m.group(1)}") if root else None
            yield src.finding(self, a.start, a.end,
                              f"{GEMINI_BASE} ends in /{m.group(1)}; Gemini CLI appends /v1beta/models/<model>:"
                              f"streamGenerateContent itself, so the gateway gets /{m.group(1)}/v1beta/... (404): "
                              f"use {root or 'the root'}", fix)


ANTHROPIC_SDK = "@ai-sdk/anthropic"


@register
class OpenCodeAnthropicBaseUrl(Rule):
    """## What it does
    Checks an OpenCode provider that uses the Anthropic SDK (`"npm": "@ai-sdk/anthropic"` in
    `opencode.json` or a JSON/JSONC block) and whose `options.baseURL` is this gateway: the
    base URL must end in `/v1` (after any route prefix).

    ## Why is this bad?
    The Anthropic SDK appends `/messages` to its base URL, unlike Claude Code, which appends
    `/v1/messages` to `ANTHROPIC_BASE_URL`. Copying Claude Code's root URL into OpenCode sends
    `POST /messages`: LiteLLM answers 404 and OpenCode stops with "Error: Not Found" (measured
    with OpenCode 1.18.33). With `/v1` it sends `POST /v1/messages` and works.

    ## When it deliberately does not fire
    - Providers on the OpenAI-compatible SDK (`@ai-sdk/openai-compatible`): with or without
      `/v1` they reach LiteLLM (it serves `/chat/completions` at the root too).
    - A base URL that is not this gateway (a provider's own endpoint), a reference, or a block
      the text presents as wrong or old.

    ## Example
    ```json
    {"provider": {"gw": {"npm": "@ai-sdk/anthropic",
                         "options": {"baseURL": "http://127.0.0.1:4000"}}}}
    ```

    Use instead:
    ```json
    {"provider": {"gw": {"npm": "@ai-sdk/anthropic",
                         "options": {"baseURL": "http://127.0.0.1:4000/v1"}}}}
    ```

    ## Fix
    Unsafe: `/v1` is appended. A gateway that serves the Messages API at its root would not
    need it.
    """

    code = "FG309"
    name = "opencode-anthropic-base-url-without-v1"
    summary = "An OpenCode provider on the Anthropic SDK has the gateway's base URL without /v1"
    preview = True
    first_contact = "new: not yet measured on first contact: no finding on batches 8-13, whose OpenCode Anthropic providers all carry /v1 (eval/README.md)"
    kinds = frozenset({"json"})
    skip_history = True
    fixable = True
    fix_safety = "unsafe"
    triggers = (r"@ai-sdk/anthropic",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        try:
            leaves = src.leaves()
        except Exception:  # noqa: BLE001 - FG001 reports an unparsable file
            return
        anthropic = {leaf.path[1] for leaf in leaves if len(leaf.path) == 3 and leaf.path[0] == "provider"
                     and leaf.path[2] == "npm" and leaf.value == ANTHROPIC_SDK}
        for leaf in leaves:
            p, v = leaf.path, leaf.value
            if not (len(p) == 4 and p[0] == "provider" and p[1] in anthropic and p[2:] == ("options", "baseURL")
                    and isinstance(v, str)) or is_reference(v):
                continue
            u = context.parse_url(v)
            if u is None or u.path.rstrip("/").endswith("/v1"):
                continue
            t = context.judge(src, ctx, leaf.start, leaf.end, key="baseURL")
            if not t.is_gateway or t.quoted:
                continue
            fixed = v.rstrip("/") + "/v1"
            quote = src.text[leaf.start]
            yield src.finding(self, leaf.start, leaf.end,
                              f"provider.{p[1]} uses {ANTHROPIC_SDK}, which appends /messages to baseURL: '{v}' sends "
                              f"POST {u.path.rstrip('/')}/messages (404); use {fixed}",
                              Fix((src.edit(leaf.start, leaf.end, f"{quote}{fixed}{quote}"),), UNSAFE, "Append /v1"))


@register
class ClientModelNotServed(Rule):
    """## What it does
    Checks the models OpenCode, Qwen Code and Gemini CLI configs send to the gateway:
    - OpenCode (`opencode.json`, JSON/JSONC blocks): the top-level `model` and `small_model`
      (`<provider>/<model>`) when that provider's `options.baseURL` is this gateway;
    - Qwen Code (`settings.json`): the `id` of each `modelProviders.openai[]` entry whose
      `baseUrl` is this gateway, and `OPENAI_MODEL` beside an `OPENAI_BASE_URL` of the gateway;
    - Gemini CLI: `GEMINI_MODEL` and `gemini -m X` in a file or block whose
      `GOOGLE_GEMINI_BASE_URL` is this gateway.

    A wildcard entry of the model list (`*`, `gemini/*`) serves every name it matches.

    ## When it deliberately does not fire
    - When the gateway's model list is unknown, or the model is sent elsewhere: the provider's
      base URL (or the block's) is a remote provider or another service, or nothing in the same
      file or block says which endpoint the client uses (a base URL set in another block of the
      doc is not enough).
    - References, history, and blocks the text presents as wrong or old. A section that brings
      its own gateway config is judged against that config's models.

    ## Why is this bad?
    The gateway answers a model it does not serve with an error (LiteLLM: 400 "Invalid model
    name passed in model=..."), and each of these clients stops with that error on the first
    prompt. OpenCode sends the key of its `models` map, Qwen Code the entry's `id`, Gemini CLI
    the name in the request path (`/v1beta/models/<model>:...`).

    ## Example
    ```json
    {"provider": {"gw": {"npm": "@ai-sdk/openai-compatible",
                         "options": {"baseURL": "http://127.0.0.1:4000/v1"}}},
     "model": "gw/gpt-5"}
    ```

    Use instead (the gateway serves `router-default`):
    ```json
    {"provider": {"gw": {"npm": "@ai-sdk/openai-compatible",
                         "options": {"baseURL": "http://127.0.0.1:4000/v1"}}},
     "model": "gw/router-default"}
    ```

    ## Fix
    None: which served model is meant is a human decision.
    """

    code = "FG404"
    name = "client-config-model-not-served"
    summary = "An OpenCode, Qwen Code or Gemini CLI config names a model the gateway does not serve"
    preview = True
    first_contact = ("new: not yet measured on first contact: no finding on batches 8-13 at first contact (its three labelled "
                     "chances were in a repository whose gateway config the tool did not find then; found by content since, "
                     "3 of 3 right there) (eval/README.md)")
    kinds = ALL_KINDS
    skip_history = True
    triggers = (r"baseURL", r"baseUrl", r"GEMINI_MODEL", r"OPENAI_MODEL", r"\bgemini\b")

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        def unserved(model: str, offset: int) -> str | None:
            model = model.strip()
            if not model or is_reference(model) or context.frame_at(src, ctx, offset).quoted:
                return None
            # The caller found the base URL beside the model to be this gateway: the models are the section's own
            # example config's, else the gateway's.
            local = context.own_example(context.section_at(src, ctx, offset), ctx)
            models = local.models if local is not None else ctx.spec.models
            if models is None or model_served(model, models):
                return None
            where = "the gateway" if models is ctx.spec.models else "this section's own gateway config"
            return f"which {where} does not serve ({', '.join(models)})"

        if src.kind == "json":
            yield from self._json(src, ctx, unserved)
        if src.kind == "markdown":
            return  # the evidence must be in one file or block: a doc's blocks are checked one by one
        found = assignments(src)
        pairs = (("OPENAI_MODEL", ("OPENAI_BASE_URL",), "Qwen Code"), ("GEMINI_MODEL", (GEMINI_BASE,), "Gemini CLI"))
        for var, bases, client in pairs:
            if any(a.name == var for a in found) and _gateway_targets(src, ctx, bases):
                for a in found:
                    why = unserved(a.value, a.start) if a.name == var else None
                    if why:
                        yield src.finding(self, a.start, a.end, f"{var} ({client}) is '{a.value.strip()}', {why}")
        if src.kind == "shell" and _gateway_targets(src, ctx, (GEMINI_BASE,)):
            for text, to_host in text_pieces(src):
                for m in _GEMINI_MODEL_FLAG.finditer(text) if "gemini" in text else ():
                    a, b = m.start(1), m.end(1)
                    if to_host:
                        a, b = to_host(a), to_host(b)
                    why = unserved(m.group(1), a)
                    if why:
                        yield src.finding(self, a, b, f"gemini --model {m.group(1)}, {why}")

    def _json(self, src: Source, ctx: Any, unserved: Any) -> Iterator[Finding]:
        try:
            leaves = src.leaves()
        except Exception:  # noqa: BLE001 - FG001 reports an unparsable file
            return
        gateway: set[Any] = set()  # OpenCode provider ids and Qwen entry indexes whose base URL is this gateway
        for leaf in leaves:
            p = leaf.path
            if not isinstance(leaf.value, str):
                continue
            opencode = len(p) == 4 and p[0] == "provider" and p[2:] == ("options", "baseURL")
            qwen = len(p) == 4 and p[:2] == ("modelProviders", "openai") and p[3] == "baseUrl"
            if opencode or qwen:
                t = context.judge(src, ctx, leaf.start, leaf.end, key=p[-1])
                if t.is_gateway and not t.quoted:
                    gateway.add(("opencode", p[1]) if opencode else ("qwen", p[2]))
        if not gateway:
            return
        for leaf in leaves:
            p, v = leaf.path, leaf.value
            if not isinstance(v, str):
                continue
            if p in (("model",), ("small_model",)) and "/" in v:
                provider, _, model = v.partition("/")
                if ("opencode", provider) in gateway:
                    why = unserved(model, leaf.start + 1 + len(provider) + 1)
                    if why:
                        yield src.finding(self, leaf.start, leaf.end, f"OpenCode {p[0]} '{v}' names '{model}', {why}")
            elif len(p) == 4 and p[:2] == ("modelProviders", "openai") and p[3] == "id" and ("qwen", p[2]) in gateway:
                why = unserved(v, leaf.start)
                if why:
                    yield src.finding(self, leaf.start, leaf.end, f"Qwen Code model provider id '{v}', {why}")

