"""CLIProxyAPI configs (``config.yaml`` of router-for-me/CLIProxyAPI and its Plus fork): host, port, the model
names the config itself serves.

Facts from the project's source (internal/config/config.go, sdk_config.go, config_types.go, server_routes.go,
cmd/server/main.go, config.example.yaml):

- ``host`` (default ``""``: every interface, so clients use 127.0.0.1) and ``port`` (config.example.yaml and the
  home-mode default: 8317);
- one listener serves every client API at its root: ``/v1/messages`` (+ ``/count_tokens``), ``/v1/chat/completions``,
  ``/v1/responses``, ``/v1/models``, and Gemini's ``/v1beta/models/...``;
- ``api-keys`` are the keys clients send: never read here (the spec holds the name of the variable, not a key);
- ``openai-compatibility[].models[]`` are ``{name, alias}`` (the alias is what clients ask for; ``prefix`` namespaces
  it as ``prefix/alias``); ``oauth-model-alias`` renames models of logged-in accounts. The models of the OAuth accounts
  logged in under ``auth-dir`` are not in the config at all, so the served set is unknown: never invented.
"""

from pathlib import Path
from typing import Any

from flowgate_lint.spec.model import DEFAULT_HOST, ExcerptShape, Located
from flowgate_lint.spec.settings import display
from flowgate_lint.spec.yamlnodes import _expect_mapping, _located

KIND = "cliproxyapi"
SERVICE = "cli-proxy-api"
DEFAULT_PORT = 8317  # config.example.yaml; cmd/server/main.go (home mode)

# Top-level keys only a CLIProxyAPI config has (config.go / sdk_config.go yaml tags).
_OWN_KEYS = frozenset({
    "auth-dir", "remote-management", "openai-compatibility", "oauth-model-alias", "oauth-excluded-models",
    "gemini-api-key", "claude-api-key", "codex-api-key", "vertex-api-key", "quota-exceeded", "ws-auth",
    "request-retry", "max-retry-interval", "usage-statistics-enabled", "logging-to-file", "claude-header-defaults",
})
MARKERS = tuple(k.encode() for k in ("auth-dir", "remote-management", "openai-compatibility", "oauth-model-alias",
                                     "claude-api-key", "codex-api-key", "gemini-api-key"))

# A doc's excerpt of this config is compared on the address and the names clients ask for, never on auth-dir,
# keys, upstream base-urls or logging.
EXCERPT = ExcerptShape(
    markers=_OWN_KEYS,
    compared=(("host",), ("port",), ("openai-compatibility", "*", "prefix"),
              ("openai-compatibility", "*", "models", "*", "alias")),
    match_by={"openai-compatibility": "name", "models": "name"},
    models=(("openai-compatibility", "*", "models", "*", "alias"),),
)


def is_cliproxyapi(data: Any) -> bool:
    return isinstance(data, dict) and any(k in data for k in _OWN_KEYS) and "model_list" not in data


def read_cliproxyapi(path: Path, data: Any, notes: list[str]) -> tuple[dict[str, Located], dict, Located | None, str]:
    shown = display(path)
    data = _expect_mapping(data, "the CLIProxyAPI config", shown, 1)
    host = _located(data, "host", shown) or Located(DEFAULT_HOST, shown, 1)
    if host.value == "" or host.value is None:  # "" = every interface (IPv4 + IPv6): clients use the loopback
        host = Located(DEFAULT_HOST, host.path, host.line)
    port = _located(data, "port", shown)
    if port is None or port.value in (None, 0):
        port = Located(DEFAULT_PORT, shown, port.line if port else 1)
        notes.append(f"gateway port: {DEFAULT_PORT}, CLIProxyAPI's default (the config sets no port)")
    fields = {"gateway-service": Located(SERVICE, shown, 1)}
    services = {SERVICE: (Located(SERVICE, shown, 1), host, port)}
    tls = data.get("tls")
    if isinstance(tls, dict) and tls.get("enable") is True:
        notes.append("the config enables tls: CLIProxyAPI then serves https, the spec's URLs say http")
    named = config_models(data)
    notes.append("models: unknown (CLIProxyAPI also serves the models of the accounts logged in under auth-dir; "
                 "set the models setting to pin them)"
                 + (f"; the config itself names {', '.join(named)}" if named else ""))
    return fields, services, None, KIND


def config_models(data: dict) -> list[str]:
    """The model names the config itself makes clients ask for: openai-compatibility aliases (or names), with the
    provider's prefix; the aliases of the API-key providers' and of oauth-model-alias entries."""
    out: list[str] = []
    compat = data.get("openai-compatibility")
    for entry in compat if isinstance(compat, list) else ():
        if not isinstance(entry, dict) or entry.get("disabled") is True:
            continue
        prefix = entry.get("prefix")
        prefix = prefix.strip().strip("/") if isinstance(prefix, str) and prefix.strip() else ""
        for name in _names(entry.get("models")):
            out.append(f"{prefix}/{name}" if prefix else name)
    for key in ("claude-api-key", "codex-api-key", "gemini-api-key", "vertex-api-key"):
        node = data.get(key)
        for entry in node if isinstance(node, list) else ():
            if isinstance(entry, dict):
                out += _names(entry.get("models"), aliases_only=True)
    alias = data.get("oauth-model-alias")
    if isinstance(alias, dict):
        for entries in alias.values():
            out += _names(entries, aliases_only=True)
    return list(dict.fromkeys(out))


def _names(models: Any, aliases_only: bool = False) -> list[str]:
    out = []
    for m in models if isinstance(models, list) else ():
        if not isinstance(m, dict):
            continue
        alias, name = m.get("alias"), m.get("name")
        if isinstance(alias, str) and alias.strip():
            out.append(alias.strip())
        elif not aliases_only and isinstance(name, str) and name.strip():
            out.append(name.strip())
    return out
