"""URLs and hosts: finding them in text, classing hosts, client base-URL keys and client API paths."""

import re
from typing import Any

from flowgate_lint.judgement.values import Url
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.plumbing.gates import may_match


# ---------------------------------------------------------------------------- URLs and hosts

_URL = lazy(r"\bhttps?://(?:[^\s/@:\"'`<>]+(?::[^\s/@\"'`<>]*)?@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?(/[^\s\"'`<>)\]},;|]*)?")
_HOSTPORT = lazy(
    r"(?<![\w/.:@-])(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|0\.0\.0\.0|\[::1?\]|::1)"
    r":(\d{2,5})\b(?![\w.-])(/[^\s\"'`<>)\]},;|]*)?", re.I)


def _url_of(m: re.Match[str], scheme: str) -> Url | None:
    port_s = m.group(2)
    port = int(port_s) if port_s else None
    if port is not None and not 0 < port <= 65535:
        return None
    path = (m.group(3) or "").rstrip(".,:;!?")
    end = m.start(3) + len(path) if m.group(3) else m.end(2) if port_s else m.end(1)
    return Url(scheme, m.group(1), port, path, m.start(), end, m.start(1), m.end(1),
               m.start(2) if port_s else -1, m.end(2) if port_s else -1)


def find_urls(text: str) -> list[Url]:
    """URLs and bare loopback ``host:port`` references in ``text``, in order."""
    if ":" not in text:
        return []  # both patterns need one
    out = []
    for m in _URL.finditer(text) if "http" in text else ():
        u = _url_of(m, text[m.start():m.start() + 5].rstrip(":").lower())
        if u is not None:
            out.append(u)
    spans = [(u.start, u.end) for u in out]
    for m in _HOSTPORT.finditer(text) if may_match(_HOSTPORT, text) else ():
        if any(a <= m.start() < b for a, b in spans):
            continue
        u = _url_of(m, "")
        if u is not None:
            out.append(u)
    out.sort(key=lambda u: u.start)
    return out


_PARSED: dict[str, Url | None] = {}  # values are parsed again and again (the same base URL in every doc)


def parse_url(text: str) -> Url | None:
    """The first URL or host:port in ``text`` (offsets relative to ``text``)."""
    if text in _PARSED:
        return _PARSED[text]
    urls = find_urls(text)
    if len(_PARSED) > 4096:
        _PARSED.clear()
    url = _PARSED[text] = urls[0] if urls else None
    return url


def _bare_host(host: str) -> str:
    return host.strip("[]").lower()


def is_loopback(host: str) -> bool:
    h = _bare_host(host)
    return h in ("localhost", "::1", "ip6-localhost") or h.startswith("127.") or h.endswith(".localhost")


_LOCAL_CLASS: dict[str, str] = {}  # host -> "loopback", "any" or "" (neither): the same few hosts, file after file


def host_class(host: str | None, spec: Any) -> str:
    if not host:
        return ""
    local = _LOCAL_CLASS.get(host)
    if local is None:
        h = _bare_host(host)
        local = "loopback" if is_loopback(h) else "any" if h in ("0.0.0.0", "::", "") else ""
        if len(_LOCAL_CLASS) > 4096:
            _LOCAL_CLASS.clear()
        _LOCAL_CLASS[host] = local
    if local:
        return local
    if spec is not None and _bare_host(host) == _bare_host(spec.gateway.host):
        return "spec"
    return "remote"


CLIENT_KEYS = {
    "ANTHROPIC_BASE_URL": "claude",
    "OPENAI_BASE_URL": "codex",
    "OPENAI_API_BASE": "codex",
    "openai_base_url": "codex",
    "base_url": "codex",
    "baseURL": "opencode",  # opencode.json provider options
    "baseUrl": "qwen",  # Qwen Code modelProviders entries
}
# GOOGLE_GEMINI_BASE_URL is left out on purpose: gateway docs set it for multi-protocol proxies on ports of their
# own (a validation gateway beside the live one), where a port check on it was wrong 7 times of 7 (batch 3).
# Keys whose value is something the gateway calls, never the gateway itself.
UPSTREAM_KEYS = frozenset({"api_base", "api_base_url", "upstream", "upstream_url", "base-url", "proxy-url", "target"})
# Keys of other local endpoints.
OTHER_KEYS = {"redirect_uri": "OAuth callback", "callback": "OAuth callback", "callback_url": "OAuth callback",
              "mcpServers": "MCP server", "mcp_servers": "MCP server"}


def client_key(name: str | None) -> str | None:
    return CLIENT_KEYS.get(name) if name else None


CLIENT_PATHS = ("/v1/models", "/v1/messages", "/v1/messages/count_tokens", "/v1/chat/completions", "/v1/responses")
_CLIENT_PATH = lazy(r"(?:^|/)v1/(?:models|messages(?:/count_tokens)?|chat/completions|responses)(?:/|$|\?)")
# Gateway products that serve only some client APIs: a client path outside them is another server's.
# claude-code-router: Anthropic's Messages API only (its server registers /v1/messages and the UI's /api routes).
SERVED_PATHS = {
    "claude-code-router": lazy(r"(?:^|/)v1/messages(?:/count_tokens)?(?:/|$|\?)"),
}
# Paths only the gateway product serves (LiteLLM's health and admin routes, CLIProxyAPI's management API).
_GATEWAY_PATHS = {
    "litellm": lazy(r"^/(?:health/liveliness|health/readiness|model/info|key/generate|v1/model/info)\b"),
    "cliproxyapi_plus": lazy(r"^/v0/management"),
}


def is_client_path(path: str) -> bool:
    return bool(path) and _CLIENT_PATH.search(path.split("?")[0] + ("" if path.endswith("/") else "")) is not None


# Well-known local services that are not this gateway: label -> (name regex, usual port or None).
OTHER_SERVICES: dict[str, tuple[str, int | None]] = {
    "Ollama": (r"ollama", 11434),
    "LM Studio": (r"lm[ -]?studio", 1234),
    "llama.cpp": (r"llama[.-]?cpp|llama-server", None),
    "vLLM": (r"vllm", None),
    "MCP server": (r"mcp(?:[ -]server)?s?", None),
    "OAuth callback": (r"oauth|callback|redirect[ _-]?ur[il]", None),
    "dashboard": (r"dashboard|grafana|prometheus|jaeger|langfuse|kibana|web[ -]?ui|ui|admin|metrics", None),
    "database": (r"postgres(?:ql)?|mysql|redis|mongo(?:db)?|elasticsearch", None),
    "claude-code-router": (r"claude[ -]code[ -]router|\bccr\b", 3456),
}
API_SERVICES = frozenset({"Ollama", "LM Studio", "llama.cpp", "vLLM", "claude-code-router", "copilot-api"})  # serve client APIs
OTHER_PORTS = {11434: "Ollama", 1234: "LM Studio", 5432: "PostgreSQL", 3306: "MySQL", 6379: "Redis", 27017: "MongoDB",
               9200: "Elasticsearch", 9090: "Prometheus", 3456: "claude-code-router", 1455: "Codex OAuth callback",
               4141: "copilot-api"}
GATEWAY_WORDS = r"gateway|网关"
