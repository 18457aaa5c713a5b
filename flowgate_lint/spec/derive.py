"""Deriving the spec from the values read out of a gateway config and the settings, and checking them."""

from pathlib import Path
from typing import Any

from flowgate_lint.plumbing.errors import SpecError
from flowgate_lint.spec.settings import display
from flowgate_lint.spec.model import BIND_ALL, ClaudeSpec, CodexSpec, DEFAULT_ENV_KEY, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_PROVIDER_ID, DEFAULT_PROVIDER_NAME, DEFAULT_SERVICE, FLOWGATE_DEFAULT_MODEL, GATEWAY_SERVICES, Gateway, Located, RESERVED_PROVIDER_IDS, SUBAGENT_VAR, Service, Spec, model_served, route_prefix


# --------------------------------------------------------------------------- core


WEB_PORTS = (80, 443)
# The port a gateway product listens on when its config gives none (LiteLLM's --port default).
PRODUCT_PORTS = {"litellm": 4000}


def derive_spec(
    fields: dict[str, Located],
    services: dict[str, tuple[Located, Located, Located]],
    models: Located | None,
    source_kind: str,
    source_path: Path | None,
    settings_path: Path | None = None,
) -> Spec:
    """Validate raw located fields and build the Spec (pure: no I/O).

    ``fields`` keys are settings names without the dashes' meaning changed
    (``gateway-service``, ``default-model``...); ``services`` maps a service name
    to located (name, host, port).
    """

    def get(key: str, default: Any = None) -> Located:
        return fields.get(key, Located(default, None, None))

    def fail(loc: Located, message: str) -> SpecError:
        return SpecError(message, loc.path, loc.line)

    def text(key: str, default: str | None = None) -> str | None:
        loc = get(key, default)
        if loc.value is None:
            return None
        if not isinstance(loc.value, str) or not loc.value.strip():
            return _raise(fail(loc, f"{_label(key)} must be a non-empty string, got {_show(loc.value)}"))
        return loc.value.strip()

    notes: list[str] = []
    service_loc = get("gateway-service", DEFAULT_SERVICE)
    service = text("gateway-service", DEFAULT_SERVICE) or DEFAULT_SERVICE
    if "gateway-service" not in fields and service not in services:
        present = [name for name in GATEWAY_SERVICES if name in services]
        if len(present) == 1:  # e.g. a v2 config that already runs CLIProxyAPIPlus instead of LiteLLM
            service = present[0]
            notes.append(f"gateway: the config's only gateway service, '{service}'")

    host_loc = get("gateway-host")
    port_loc = get("gateway-port")
    svc = services.get(service)
    if svc is None and services and (host_loc.value is None or port_loc.value is None):
        names = ", ".join(sorted(services)) or "none"
        raise fail(service_loc, f"gateway service '{service}' is not in the config's services (services: {names})")
    if host_loc.value is None:
        host_loc = svc[1] if svc else Located(DEFAULT_HOST, None, None)
    if port_loc.value is None:
        port_loc = svc[2] if svc else Located(DEFAULT_PORT, None, None)
    host = _check_host(host_loc, fail)
    port = _check_port(port_loc, fail)
    also_loc = fields.get("gateway-ports")
    also: tuple[int, ...] = ()
    if also_loc is not None:
        if not isinstance(also_loc.value, list):
            raise fail(also_loc, f"gateway-ports must be a list of ports, got {_show(also_loc.value)}")
        also = tuple(p for p in dict.fromkeys(_check_port(Located(v, also_loc.path, also_loc.line), fail)
                                              for v in also_loc.value) if p != port)
    routes_loc = fields.get("gateway-routes")
    routes: tuple[str, ...] = ()
    if routes_loc is not None:
        if not isinstance(routes_loc.value, list) or not all(isinstance(r, str) and (r == "" or r.startswith("/"))
                                                              for r in routes_loc.value):
            raise fail(routes_loc, "gateway-routes must be a list of paths starting with / (\"/\" for the root)")
        routes = tuple(dict.fromkeys(route_prefix(r) for r in routes_loc.value))
    container_loc = fields.get("container-port")
    container = _check_port(container_loc, fail) if container_loc is not None else None
    gateway = Gateway(service, host, port, also, routes, container if container != port else None)
    configured = svc[2].value if svc else None
    if "gateway-port" in fields and isinstance(configured, int) and not isinstance(configured, bool) \
            and configured != port and configured not in also and configured != gateway.container_port:
        # The settings put the clients' gateway elsewhere (a middleware, a proxy in front): the port the config
        # gives the gateway product is still where it listens, what the clients' gateway forwards to.
        gateway = gateway._replace(behind=configured)
        notes.append(f"gateway port: {port} from the settings; {service}'s own port {configured} (its config) is what "
                     "that gateway forwards to, not a wrong port")

    elif "gateway-port" in fields and port in WEB_PORTS and configured is None and source_kind in PRODUCT_PORTS \
            and PRODUCT_PORTS[source_kind] not in (port, *also):
        # The clients reach the gateway on a web server's port (TLS or a reverse proxy in front), and the config
        # gives the product no port: it listens on its own default behind that server.
        gateway = gateway._replace(behind=PRODUCT_PORTS[source_kind])
        notes.append(f"gateway port: {port} from the settings (a web server's port); {service}'s default port "
                     f"{PRODUCT_PORTS[source_kind]} is what that server forwards to, not a wrong port")

    all_services = []
    for name, (_, h, p) in services.items():
        if name == service:
            all_services.append(Service(name, host, port))
        elif isinstance(p.value, int) and not isinstance(p.value, bool):
            all_services.append(Service(name, _client_host(h.value) if isinstance(h.value, str) else DEFAULT_HOST, p.value))
    if not any(s.name == service for s in all_services):
        all_services.append(Service(service, host, port))
    if gateway.behind is not None:
        all_services.append(Service(f"{service} behind the gateway", host, gateway.behind))

    model_names: tuple[str, ...] | None = None
    if models is not None:
        if not isinstance(models.value, (list, tuple)) or not all(isinstance(m, str) and m for m in models.value):
            raise fail(models, f"models must be a list of model names, got {_show(models.value)}")
        model_names = tuple(dict.fromkeys(models.value))

    default_model = text("default-model")
    if default_model is None and source_kind.startswith("flowgate"):
        # FlowGate's integration default counts only when the config's own model list names it: a model
        # nothing in the repository names would be an invention (v3 configs have no model list at all).
        if model_names is not None and FLOWGATE_DEFAULT_MODEL in model_names:
            default_model = FLOWGATE_DEFAULT_MODEL
            notes.append(f"default model: '{FLOWGATE_DEFAULT_MODEL}', FlowGate's integration default "
                         "(the config sets no integration.default_model)")
        else:
            notes.append(f"default model: unknown (FlowGate's default '{FLOWGATE_DEFAULT_MODEL}' is not in a "
                         "model_list of the config; set " + ("integration.default_model)" if source_kind == "flowgate-v2"
                                                             else "the default-model setting)"))
    elif default_model is None:
        notes.append("default model: unknown (the config names none; set the default-model setting)")
    fast_model = text("fast-model") or default_model

    provider_id = text("codex-provider-id", DEFAULT_PROVIDER_ID) or DEFAULT_PROVIDER_ID
    if provider_id in RESERVED_PROVIDER_IDS:
        raise fail(get("codex-provider-id"), f"Codex provider id '{provider_id}' is reserved by Codex; choose another (e.g. 'flowgate')")
    env_key = text("codex-env-key", DEFAULT_ENV_KEY) or DEFAULT_ENV_KEY
    base = gateway.root_url
    codex = CodexSpec(
        base_url=base + "/v1",
        model=text("codex-model") or default_model,
        provider_id=provider_id,
        provider_name=text("codex-provider-name", DEFAULT_PROVIDER_NAME) or DEFAULT_PROVIDER_NAME,
        env_key=env_key,
        env_key_pinned=text("codex-env-key") is not None,
    )
    claude = ClaudeSpec(
        base_url=base,
        model=text("claude-model") or default_model,
        opus_model=text("opus-model") or default_model,
        sonnet_model=text("sonnet-model") or default_model,
        haiku_model=text("haiku-model") or fast_model,
        subagent_model=text("subagent-model"),
        token_env=text("token-env") or env_key,
        pinned=frozenset(var for key, var in _PINNING_KEYS.items() if text(key) is not None),
    )
    if default_model is None:
        notes.append("without it FG401 skips the model slots, FG010 skips snippets that show a model, FG201/FG205 "
                     "offer no claude-probe block, print leaves the model out and apply needs one")

    if model_names is not None:
        for key in ("default-model", "fast-model", "codex-model", "claude-model", "opus-model", "sonnet-model", "haiku-model", "subagent-model"):
            loc = fields.get(key)
            if loc is not None and isinstance(loc.value, str) and not model_served(loc.value.strip(), model_names):
                served = ", ".join(model_names) or "none"
                raise fail(loc, f"{_label(key)} '{loc.value.strip()}' is not served by the gateway (model_list: {served})")

    return Spec(gateway, codex, claude, model_names, tuple(all_services), source_kind, source_path, settings_path,
                notes=tuple(notes))


# Settings that set one Claude Code slot explicitly (the slot is then pinned: every copy must match).
_PINNING_KEYS = {
    "claude-model": "ANTHROPIC_MODEL",
    "opus-model": "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "sonnet-model": "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "haiku-model": "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    "fast-model": "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    "subagent-model": SUBAGENT_VAR,
}


def model_hint(spec: Spec) -> str:
    """How to name the clients' default model, for the comment ``print`` leaves where the model would be."""
    if spec.source_kind == "flowgate-v2" and spec.source_path is not None:
        return f"set integration.default_model in {display(spec.source_path)} (or the default-model setting)"
    return "set default-model in [tool.flowgate-lint] (pyproject.toml or .flowgate-lint.toml)"


def missing_model_error(spec: Spec, client: str) -> SpecError | None:
    """The one-line error ``print``/``apply`` give when ``client``'s config needs a model the spec lacks."""
    if (spec.claude.complete if client == "claude-code" else spec.codex.model):
        return None
    if spec.source_kind == "flowgate-v2" and spec.source_path is not None:
        return SpecError("names no default model for the clients: add integration.default_model "
                         "(or the default-model setting)", display(spec.source_path), 1)
    where = display(spec.settings_path) if spec.settings_path is not None else (
        display(spec.source_path) if spec.source_path is not None else None)
    return SpecError("the gateway config names no default model for the clients: add default-model to "
                     "[tool.flowgate-lint] (pyproject.toml or .flowgate-lint.toml)", where)


def _raise(exc: Exception) -> Any:
    raise exc


def _label(key: str) -> str:
    return {
        "default-model": "default model",
        "fast-model": "fast model",
        "gateway-host": "gateway host",
        "gateway-port": "gateway port",
        "gateway-service": "gateway service",
    }.get(key, key)


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value) if isinstance(value, str) else f"{type(value).__name__} {value!r}"


def _client_host(host: str) -> str:
    """A bind address becomes the address clients use."""
    host = host.strip()
    return DEFAULT_HOST if host in BIND_ALL else host


def _check_host(loc: Located, fail: Any) -> str:
    if not isinstance(loc.value, str) or not loc.value.strip():
        raise fail(loc, f"gateway host must be a non-empty string, got {_show(loc.value)}")
    return _client_host(loc.value)


def _check_port(loc: Located, fail: Any) -> int:
    value = loc.value
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise fail(loc, f"gateway port must be an integer 1-65535, got {_show(value)}")
    return value
