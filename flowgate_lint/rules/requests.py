"""FG310, FG405: the requests a doc shows (curl commands, client API URLs) sent to this gateway."""

from __future__ import annotations

import re
from typing import Any, Iterator

from flowgate_lint import judgement as context
from flowgate_lint.documents.findings import Finding
from flowgate_lint.documents.scan import is_reference
from flowgate_lint.documents.source import Source
from flowgate_lint.judgement.requests import requests
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.rules import Rule, register
from flowgate_lint.spec.model import model_served, route_prefix

ALL_KINDS = frozenset({"markdown", "shell", "toml", "json", "yaml", "dotenv"})
_LOCAL_HOSTS = ("loopback", "any", "spec")
NEW = "new: no finding on first contact in batches 10-13, which hold no case of it (eval/README.md)"

# Client API endpoints that take a "model" in their JSON body (at the root or under a route prefix; LiteLLM serves
# the OpenAI ones without /v1 too).
_MODEL_ENDPOINT = lazy(r"(?:^|/)(?:v1/)?(?:messages(?:/count_tokens)?|chat/completions|responses|completions|embeddings)/?$")


# A line that shows a model in the gateway's model list: a config's model_name, a sample /v1/models answer ("id").
_LISTS_MODEL = lazy(r"model_name|model_list|\"id\"\s*:|/v1/models\b")


def _listed_in_doc(src: Source, model: str) -> bool:
    """Whether the file shows ``model`` in a gateway's model list elsewhere (a ``model_name`` it tells the reader to
    set, a sample ``/v1/models`` answer): the doc describes a gateway that serves it, consistently with itself."""
    text = src.host.text
    needle = re.compile(r"(?<![\w.-])" + re.escape(model) + r"(?![\w.-])")
    return any(_LISTS_MODEL.search(line) for line in (text[text.rfind("\n", 0, m.start()) + 1:
                                                           text.find("\n", m.end()) % (len(text) + 1)]
                                                      for m in needle.finditer(text)))


def _path(url: str) -> str:
    u = context.parse_url(url)
    return "" if u is None else u.path.split("?", 1)[0].split("#", 1)[0]


@register
class RequestModelNotServed(Rule):
    """## What it does
    Checks the model named in the JSON body of a request a doc or script sends to this gateway:
    `curl ... -d '{"model": "...", ...}'` (also `--data`, `--data-raw`, `--json`, and a
    here-document fed through `-d @-`) to a client API that takes a model (`/v1/messages`,
    `/v1/messages/count_tokens`, `/v1/chat/completions`, `/v1/responses`, `/v1/completions`,
    `/v1/embeddings`, at the root or under a route prefix). The model must be one the gateway
    serves (LiteLLM `model_list[].model_name`, or `models` in the settings); a wildcard entry
    (`*`, `anthropic/*`) serves every name it matches.

    ## Why is this bad?
    The gateway answers a model it does not serve with an error (LiteLLM: 400 "Invalid model
    name passed in model=..."). A reader who copies the request to check their setup sees it
    fail and blames the gateway, the key or the network instead of the example.

    ## When it deliberately does not fire
    - When the gateway's model list is unknown.
    - When the URL is not this gateway (an upstream provider, another local service, a
      reference such as `$BASE_URL/v1/messages`), or is on another port.
    - In history files and sections, a migration's before and after, and blocks the text
      presents as old or wrong.
    - A section that brings its own gateway config (a `model_list` and the command that starts
      it) is judged against that config's models, not the repository's.
    - Model names built from variables (`"model": "$MODEL"`).
    - A model the same file shows in a gateway's model list elsewhere (a `model_name` it tells
      the reader to set, a sample `/v1/models` answer): the doc describes a gateway that serves
      it, consistently with itself (a doc's config excerpt that drifted is FG601's).

    ## Example
    ```sh
    curl http://127.0.0.1:4000/v1/messages -H "content-type: application/json" \\
      -d '{"model": "claude-sonnet-4-5", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}'
    ```

    Use instead:
    ```sh
    curl http://127.0.0.1:4000/v1/messages -H "content-type: application/json" \\
      -d '{"model": "router-default", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}'
    ```

    ## Fix
    None: which served model is meant is a human decision.
    """

    code = "FG405"
    name = "request-model-not-served"
    summary = "A request a doc sends to the gateway names a model the gateway does not serve"
    preview = True
    first_contact = NEW
    kinds = frozenset({"markdown", "shell"})
    skip_history = True
    triggers = (r"curl",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        spec = ctx.spec
        if spec.models is None:
            own = any(s.local is not None and s.local.models for s in context.sections(src, ctx))
            if not own:
                return
        for req in requests(src):
            model = (req.model or "").strip()
            if not model or req.model_start < 0 or req.reference or is_reference(model) or "{" in model:
                continue
            if not _MODEL_ENDPOINT.search(_path(req.url)):
                continue
            u = context.parse_url(req.url)
            if u is None:
                continue
            if u.start != 0:
                continue
            t = context.judge(src, ctx, req.start, req.end)
            if not t.is_gateway or t.quoted or context.frame_at(src, ctx, req.model_start).quoted:
                continue
            if t.expected_port is not None and u.port is not None and u.port != t.expected_port:
                continue  # another port: FG301's
            local = context.own_example(context.section_at(src, ctx, req.start), ctx)
            models = local.models if local is not None else spec.models
            if models is None or model_served(model, models) or _listed_in_doc(src, model):
                continue
            where = "this section's own gateway config" if local is not None else "the gateway"
            yield src.finding(self, req.model_start, req.model_end,
                              f"the request to {u.path or '/'} names model '{model}', which {where} does not serve "
                              f"({', '.join(models)})")


# Client API paths (after any route prefix) and what a client sends there.
_EXACT = ("/v1/models", "/v1/messages", "/v1/messages/count_tokens", "/v1/chat/completions", "/v1/responses",
          "/v1/completions", "/v1/embeddings", "/v1/complete", "/v1beta/models", "/v1/moderations", "/v1/rerank")
# Paths with sub-resources (a model id, a stored response, a batch).
_TREES = ("/v1/models/", "/v1/responses/", "/v1/chat/completions/", "/v1/messages/batches", "/v1/audio/", "/v1/images/",
          "/v1/files", "/v1/batches", "/v1/realtime", "/v1/threads", "/v1/assistants", "/v1/vector_stores")
_GEMINI = lazy(r"^/v1(?:beta|alpha)?/models/[^/:]+:(?:generateContent|streamGenerateContent|countTokens|embedContent"
               r"|batchEmbedContents)$")
# Paths with a known right form that people write wrong: path -> the right one.
_WRONG = {
    "/v1/count_tokens": "/v1/messages/count_tokens",
    "/v1/count-tokens": "/v1/messages/count_tokens",
    "/v1/counttokens": "/v1/messages/count_tokens",
    "/v1/tokens/count": "/v1/messages/count_tokens",
    "/v1/messages/count-tokens": "/v1/messages/count_tokens",
    "/v1/messages/counttokens": "/v1/messages/count_tokens",
    "/v1/message": "/v1/messages",
    "/v1/chat": "/v1/chat/completions",
    "/v1/chat/completion": "/v1/chat/completions",
    "/v1/chat_completions": "/v1/chat/completions",
    "/v1/chat-completions": "/v1/chat/completions",
    "/v1/chatcompletions": "/v1/chat/completions",
    "/v1/completion": "/v1/completions",
    "/v1/response": "/v1/responses",
    "/v1/generatecontent": "/v1beta/models/{model}:generateContent",
    "/v1beta/generatecontent": "/v1beta/models/{model}:generateContent",
    "/v1/streamgeneratecontent": "/v1beta/models/{model}:streamGenerateContent",
    "/v1beta/streamgeneratecontent": "/v1beta/models/{model}:streamGenerateContent",
}
# Where the client API begins in a path: what comes before it is the route prefix.
_API_START = lazy(r"/v1(?:beta|alpha)?(?=/|:|$)")
# Near-miss candidates for the edit-distance check.
_CANDIDATES = ("/v1/models", "/v1/messages", "/v1/messages/count_tokens", "/v1/chat/completions", "/v1/responses",
               "/v1/completions", "/v1/embeddings")
# Placeholders in a path ("{model}", "<model>", "$MODEL", ":model"): a template, not a request.
_PLACEHOLDER = lazy(r"[{}<>$]")


def _distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance of ``a`` and ``b``, cut off above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def known_api(api: str) -> bool:
    """Whether ``api`` (the path after the route prefix) is a client API path."""
    return bool(_GEMINI.match(api)) or api in _EXACT or api.startswith(_TREES)


def wrong_api(api: str) -> str | None:
    """The client API path ``api`` was meant to be, when it reads as one gone wrong; None otherwise."""
    if known_api(api):
        return None
    low = api.lower().rstrip("/")
    if low in _WRONG:
        return _WRONG[low]
    if low.endswith((":generatecontent", ":streamgeneratecontent", ":counttokens")) and "/models/" not in low:
        method = api.rsplit(":", 1)[1]
        return f"/v1beta/models/{{model}}:{method}"
    if "/models/" in low and ":" in low.rsplit("/", 1)[-1]:
        return None  # a Gemini-style method on another version or one we do not know: leave it
    if _PLACEHOLDER.search(api) or len(low) < 8:
        return None
    near = [c for c in _CANDIDATES if _distance(low, c) <= 2]
    return near[0] if len(near) == 1 else None


@register
class ClientApiPathUnknown(Rule):
    """## What it does
    Checks the path of a URL on this gateway that reads as a client API call gone wrong: a known
    wrong form (`/v1/count_tokens` for `/v1/messages/count_tokens`, `/v1/message`,
    `/v1/chat/completion`, `/v1/response`, `/v1/generateContent` for Gemini's
    `/v1beta/models/{model}:generateContent`), or a path one or two characters away from a client
    API (`/v1/messages/count_token`, `/v1/embedding`). The client APIs are Anthropic's Messages
    (`/v1/messages`, `/v1/messages/count_tokens`), OpenAI's Chat Completions, Responses,
    Completions, Embeddings and Models, and Gemini's `/v1beta/models/{model}:generateContent`
    (`streamGenerateContent`, `countTokens`). The path is read after the route prefix (`/claude`
    in `/claude/v1/messages`).

    ## Why is this bad?
    The gateway answers a path it does not serve with 404 (or 405). A reader who copies the
    request sees it fail, and a client pointed at such a path never reaches the model.

    ## When it deliberately does not fire
    - URLs that do not target the gateway (an upstream provider, another local service, a
      section's own example gateway on another port), references (`$BASE/v1/message`), and
      paths with placeholders other than Gemini's model segment.
    - The gateway product's own routes (`/health`, `/key/generate`, `/model/info`, admin and
      management APIs) and any path that is not close to a client API: an arbitrary route is
      not judged.
    - A route prefix the gateway does not serve: FG307 reports it (this rule reads only what
      comes after the prefix).
    - In history files and sections, a migration's before and after, and blocks the text
      presents as old or wrong.

    ## Example
    ```sh
    curl http://127.0.0.1:4000/v1/count_tokens -d '{"model": "router-default", "messages": []}'
    ```

    Use instead:
    ```sh
    curl http://127.0.0.1:4000/v1/messages/count_tokens -d '{"model": "router-default", "messages": []}'
    ```

    ## Fix
    None: the path is shown with its right form; a human edits the request around it.
    """

    code = "FG310"
    name = "client-api-path-unknown"
    summary = "A URL on the gateway has a client API path no client API has (/v1/count_tokens, /v1/message)"
    preview = True
    first_contact = NEW
    kinds = ALL_KINDS
    skip_history = True
    triggers = (r"/v1",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        from flowgate_lint.rules.urls import refs

        gw = ctx.spec.gateway
        for ref in refs(src):
            u = ref.url
            if "/v1" not in u.path or "$" in ref.text:
                continue
            path = u.path.split("?", 1)[0].split("#", 1)[0]
            m = _API_START.search(path)
            if m is None:
                continue
            api = path[m.start():].rstrip("/") or path[m.start():]
            right = wrong_api(api)
            if right is None:
                continue
            if context.host_class(u.host, ctx.spec) not in _LOCAL_HOSTS:
                continue
            prefix = route_prefix(path[:m.start()])
            if gw.routes and prefix not in gw.routes:
                continue  # FG307's
            t = context.judge(src, ctx, u.start, u.end, url=u)
            if not t.is_gateway or t.quoted or context.frame_at(src, ctx, u.start).quoted:
                continue
            if t.expected_port is not None and u.port != t.expected_port:
                continue  # another port: another server, or FG301's
            yield src.finding(self, u.start, u.end,
                              f"{ref.text}: no client API has the path {api}; did you mean {prefix}{right}?")
