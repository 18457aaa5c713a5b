"""FG8xx: what the running gateway says about the docs (``flowgate-lint verify`` only).

These rules are ``live``: their findings come from answers of a running gateway, so a lint run never
selects them (there is no gateway there) and their ``check`` finds nothing. ``flowgate-lint verify``
asks the gateway and reports through them (docs/verify.md).
"""

from __future__ import annotations

from typing import Any, Iterator

from flowgate_lint.rules import Rule, register


class LiveRule(Rule):
    live = True
    kinds = frozenset()  # never run by the lint engine

    def check(self, src: Any, ctx: Any) -> Iterator[Any]:
        return iter(())


@register
class ModelNotListed(LiveRule):
    """## What it does
    `flowgate-lint verify` asks the running gateway for its model list (`GET /v1/models`, with the
    token as `Authorization: Bearer`) and reports each model a doc tells a user to use on that
    gateway that the list does not hold: a Claude Code model slot (`ANTHROPIC_MODEL`,
    `ANTHROPIC_DEFAULT_*_MODEL`, `CLAUDE_CODE_SUBAGENT_MODEL`...), the `model` of a Claude Code
    settings.json or of a Codex config.toml, `claude --model X` / `codex -m X`, and the `"model"`
    in the JSON body of a curl request to the gateway.

    ## Why is this bad?
    The spec says which models the repository's config declares; only the running gateway knows
    which it serves (a deployment that failed to load, an alias renamed in a later release, a model
    removed from the config and not from the docs). A user who copies the doc gets LiteLLM's 400
    "Invalid model name passed in model=..." (Claude Code retries, then exits with "API Error: 400").

    ## When it deliberately does not fire
    - In a lint run: only `flowgate-lint verify` asks a gateway.
    - For values that are not about the live gateway: a section with its own gateway config (an
      example), a migration's before block, history, a block presented as wrong, a base URL or
      curl URL that targets another service or an upstream provider (`--verbose` names each
      skipped value and why).
    - For Claude Code's aliases (`opus`, `sonnet`, `haiku`...), variable references (`$MODEL`),
      and a model matched by a wildcard entry the gateway lists (`anthropic/*`).

    ## Example
    With a gateway that lists `router-default` and `router-cheap`:
    ```sh
    export ANTHROPIC_MODEL=router-fast
    ```

    Use instead:
    ```sh
    export ANTHROPIC_MODEL=router-default
    ```

    ## Fix
    None: name a model the gateway lists, or add the model to the gateway's config.
    """

    code = "FG801"
    name = "gateway-does-not-list-model"
    summary = "The running gateway does not list a model a doc tells users to use"


@register
class RouteMissing(LiveRule):
    """## What it does
    `flowgate-lint verify` sends each route a doc tells a user to call on the gateway to the
    running gateway: the path of a curl URL on the gateway, and the path a client base URL
    implies (Claude Code calls `{ANTHROPIC_BASE_URL}/v1/messages`, Codex calls
    `{base_url}/responses`). It sends the documented method with an empty JSON object (never a
    completion): an answer of 400, 401 or 422 shows the route exists; 404 or 405 that it does not,
    and that is reported at the doc line.

    ## Why is this bad?
    A route the gateway does not have fails for every user who copies the doc: `/v1/count_tokens`
    for `/v1/messages/count_tokens`, an `ANTHROPIC_BASE_URL` ending in `/v1` (Claude Code then calls
    `/v1/v1/messages`), a Codex `base_url` without `/v1`.

    ## When it deliberately does not fire
    - In a lint run: only `flowgate-lint verify` asks a gateway.
    - For URLs that are not the live gateway (another service, an upstream provider, an example
      section with its own config, a migration's before block, history), and for URLs built from
      a variable (`$BASE/v1/models`); `--verbose` says why each was skipped.
    - When the gateway answers anything but 404 or 405 (a 5xx is an upstream problem, not a
      missing route).

    ## Example
    ```sh
    curl -X POST http://127.0.0.1:4000/v1/count_tokens -d '{"model": "router-default"}'
    ```

    Use instead:
    ```sh
    curl -X POST http://127.0.0.1:4000/v1/messages/count_tokens -d '{"model": "router-default"}'
    ```

    ## Fix
    None: correct the path in the doc, or enable the route on the gateway.
    """

    code = "FG802"
    name = "gateway-route-missing"
    summary = "The running gateway answers 404 or 405 on a route a doc shows"


@register
class CountTokensFails(LiveRule):
    """## What it does
    For each Claude Code model a doc tells a user to use on the gateway (and the gateway lists),
    `flowgate-lint verify` asks `POST /v1/messages/count_tokens` with a one-word message. When it
    fails for a documented model while it answers for another, the model's line is reported.

    ## Why is this bad?
    Claude Code counts its context with count_tokens (`/context`, auto-compaction). When that call
    fails for one model, Claude Code silently falls back to a local estimate for that model only:
    nothing tells the user, and the context figures are wrong for that model alone (a deployment
    whose provider lacks token counting, a model group without an Anthropic-compatible backend).

    ## When it deliberately does not fire
    - In a lint run: only `flowgate-lint verify` asks a gateway.
    - When count_tokens fails for every model: the gateway lacks the route (`flowgate-lint probe`
      reports that as a warning), not the model.
    - For models the gateway does not list (FG801 reports those), and for values not about the
      live gateway.

    ## Example
    ```sh
    export ANTHROPIC_DEFAULT_HAIKU_MODEL=router-legacy  # count_tokens answers 500 for it
    ```

    Use instead:
    ```sh
    export ANTHROPIC_DEFAULT_HAIKU_MODEL=router-cheap
    ```

    ## Fix
    None: give the model a backend that counts tokens, or document another model.
    """

    code = "FG803"
    name = "count-tokens-fails-for-model"
    summary = "count_tokens fails on the running gateway for a documented Claude model"
    severity = "warning"


@register
class CompletionFails(LiveRule):
    """## What it does
    With `flowgate-lint verify --allow-completions` only: for each model a doc tells a user to use
    on the gateway (and the gateway lists), a real completion of one token (`max_tokens` 1) as the
    client sends it: `POST /v1/messages` for a Claude Code model, `POST /v1/responses` for a
    Codex model. A failure is reported at the model's line.

    ## Why is this bad?
    A listed model can still fail every request: a deployment without a key, an upstream that
    refuses the model, a wire API the model group does not speak. Users then meet the error on
    their first prompt.

    ## When it deliberately does not fire
    - In a lint run, and in `flowgate-lint verify` without `--allow-completions` (a completion
      costs money on a real upstream).
    - For models the gateway does not list (FG801), and for values not about the live gateway.

    ## Example
    ```sh
    codex -m router-broken exec "hello"   # POST /v1/responses answers 500
    ```

    Use instead:
    ```sh
    codex -m router-default exec "hello"
    ```

    ## Fix
    None: repair the model's deployment, or document another model.
    """

    code = "FG804"
    name = "gateway-completion-fails"
    summary = "A one-token completion fails on the running gateway for a documented model (--allow-completions)"
