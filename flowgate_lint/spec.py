"""The canonical integration spec: how Codex CLI and Claude Code reach the gateway.

Value objects are immutable NamedTuples (cheaper to import than dataclasses; see
bench/). ``derive_spec`` is the pure core; ``load_spec`` reads the sources
(FlowGate config v2/v3, a plain LiteLLM config, settings) and reports bad input
as ``SpecError`` with ``path:line``.
"""

import re
from pathlib import Path
from typing import Any, NamedTuple

from flowgate_lint.errors import SpecError
from flowgate_lint.lazyre import lazy
from flowgate_lint.settings import Settings, display

DEFAULT_SERVICE = "litellm"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4000  # LiteLLM's default
DEFAULT_PROVIDER_ID = "flowgate"
DEFAULT_PROVIDER_NAME = "FlowGate Local"
DEFAULT_ENV_KEY = "OPENAI_API_KEY"
WIRE_API = "responses"  # Codex removed "chat" (PR openai/codex#10157)
RESERVED_PROVIDER_IDS = ("openai", "ollama", "lmstudio", "amazon-bedrock", "oss", "ollama-chat")
BIND_ALL = ("", "0.0.0.0", "::", "[::]")
# FlowGate's integration renderer defaults (its configs usually have no ``integration`` section).
FLOWGATE_DEFAULT_MODEL = "router-default"
GATEWAY_SERVICES = ("litellm", "cliproxyapi_plus")  # the services FlowGate can put in front of the clients

# Well-known spec locations, tried in order relative to the project root.
FLOWGATE_PATHS = (
    "config/flowgate.yaml",
    "config/flowgate.yml",
    "config/examples/flowgate.yaml",
    "config/examples/flowgate.yml",
    "flowgate.yaml",
    "flowgate.yml",
)
LITELLM_PATHS = (
    "litellm_config.yaml",
    "litellm-config.yaml",
    "litellm.yaml",
    "config/litellm.yaml",
    "config/litellm_config.yaml",
    "config/litellm-config.yaml",
    "litellm/config.yaml",
    "proxy_config.yaml",
    "config.yaml",
)

# Claude Code env vars for the model slots, in rendering order.
CLAUDE_SLOT_VARS = (
    "ANTHROPIC_MODEL",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
)
SUBAGENT_VAR = "CLAUDE_CODE_SUBAGENT_MODEL"


class Service(NamedTuple):
    """A service named in the gateway config (the gateway or a neighbour)."""

    name: str
    host: str
    port: int


class Gateway(NamedTuple):
    service: str
    host: str
    port: int
    also: tuple[int, ...] = ()  # other ports the same gateway listens on (a multi-port gateway's per-API ports)
    routes: tuple[str, ...] = ()  # path prefixes it serves client APIs under ("" is the root); () = not declared

    def listens_on(self, port: int | None) -> bool:
        return port == self.port or port in self.also

    @property
    def root_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"http://{host}:{self.port}"


class CodexSpec(NamedTuple):
    base_url: str
    model: str | None  # None: the config determines no model (unknown, not an error)
    provider_id: str
    provider_name: str
    env_key: str
    wire_api: str = WIRE_API
    env_key_pinned: bool = False  # the config or settings set env_key (otherwise it is the user's choice)


class ClaudeSpec(NamedTuple):
    base_url: str
    model: str | None  # each slot is None when the config determines no model for it
    opus_model: str | None
    sonnet_model: str | None
    haiku_model: str | None
    subagent_model: str | None  # rendered only when configured
    token_env: str
    pinned: frozenset[str] = frozenset()  # slot variables the config sets explicitly, one by one

    def slots(self) -> dict[str, str]:
        """Model-slot env vars and their known values, in rendering order."""
        slots = {
            "ANTHROPIC_MODEL": self.model,
            "ANTHROPIC_DEFAULT_OPUS_MODEL": self.opus_model,
            "ANTHROPIC_DEFAULT_SONNET_MODEL": self.sonnet_model,
            "ANTHROPIC_DEFAULT_HAIKU_MODEL": self.haiku_model,
            SUBAGENT_VAR: self.subagent_model,
        }
        return {var: value for var, value in slots.items() if value}

    def expected(self, var: str) -> str | None:
        """The value the spec wants for a model-slot variable (subagent defaults to the main model); None if unknown."""
        if var == SUBAGENT_VAR:
            return self.subagent_model or self.model
        return self.slots().get(var)

    @property
    def complete(self) -> bool:
        """Whether every rendered slot is known (``print``/``apply`` need that)."""
        return all((self.model, self.opus_model, self.sonnet_model, self.haiku_model))

    def env(self) -> dict[str, str]:
        """The ``env`` block of a Claude Code settings.json (no token: see render.py)."""
        return {"ANTHROPIC_BASE_URL": self.base_url, **self.slots()}


class Spec(NamedTuple):
    gateway: Gateway
    codex: CodexSpec
    claude: ClaudeSpec
    models: tuple[str, ...] | None  # models the gateway serves, when known
    services: tuple[Service, ...]  # every service in the config, gateway included
    source_kind: str  # "flowgate-v2", "flowgate-v3", "litellm" or "settings"
    source_path: Path | None  # the gateway config file, when there is one
    settings_path: Path | None = None
    inputs: tuple[Path, ...] = ()  # every file the spec was derived from (config, CLIProxyAPIPlus file, settings)
    # How values the config does not set were filled in, or why they are unknown (``--verbose``).
    notes: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """Human-readable description of where the spec came from."""
        parts = []
        if self.source_path is not None:
            parts.append(f"{display(self.source_path)} ({self.source_kind})")
        if self.settings_path is not None:
            parts.append(f"settings {display(self.settings_path)}")
        return ", ".join(parts) or "defaults"

    def other_ports(self) -> frozenset[int]:
        """Ports of services that are not the gateway (never flagged as wrong)."""
        return frozenset(s.port for s in self.services if s.name != self.gateway.service and s.port != self.gateway.port)

    def serves(self, model: str) -> bool | None:
        """Whether the gateway serves ``model``; None when the model list is unknown."""
        return None if self.models is None else model_served(model, self.models)


def route_prefix(path: str) -> str:
    """A route as a comparable prefix: no trailing "/" or "/v1" ("/copilot/v1/" -> "/copilot", "/" -> "")."""
    path = path.rstrip("/")
    if path.endswith("/v1"):
        path = path[:-3]
    return path.rstrip("/")


_VARIANT = lazy(r"\[[^\[\]]*\]$")


def model_served(model: str, models: tuple[str, ...]) -> bool:
    """Whether ``model`` is one of ``models``. A Claude Code variant suffix (``claude-sonnet-4-5[1m]``) names the
    same model, and a LiteLLM wildcard entry (``*``, ``anthropic/*``) serves every name it matches."""
    model = model.strip()
    if model in models or _VARIANT.sub("", model) in models:
        return True
    wild = [m for m in models if "*" in m]
    if wild:
        import fnmatch

        return any(fnmatch.fnmatchcase(model, m) for m in wild)
    return False


class Located(NamedTuple):
    """A raw input value and where it came from (for errors)."""

    value: Any
    path: str | None
    line: int | None


# --------------------------------------------------------------------------- core


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
    gateway = Gateway(service, host, port, also, routes)

    all_services = []
    for name, (_, h, p) in services.items():
        if name == service:
            all_services.append(Service(name, host, port))
        elif isinstance(p.value, int) and not isinstance(p.value, bool):
            all_services.append(Service(name, _client_host(h.value) if isinstance(h.value, str) else DEFAULT_HOST, p.value))
    if not any(s.name == service for s in all_services):
        all_services.append(Service(service, host, port))

    model_names: tuple[str, ...] | None = None
    if models is not None:
        if not isinstance(models.value, (list, tuple)) or not all(isinstance(m, str) and m for m in models.value):
            raise fail(models, f"models must be a list of model names, got {_show(models.value)}")
        model_names = tuple(dict.fromkeys(models.value))

    default_model = text("default-model")
    if default_model is None and source_kind.startswith("flowgate"):
        if model_names is None or FLOWGATE_DEFAULT_MODEL in model_names:
            default_model = FLOWGATE_DEFAULT_MODEL
            notes.append(f"default model: '{FLOWGATE_DEFAULT_MODEL}', FlowGate's integration default "
                         "(the config sets no integration.default_model)")
        else:
            notes.append(f"default model: unknown (FlowGate's default '{FLOWGATE_DEFAULT_MODEL}' is not in the "
                         "config's model_list; set integration.default_model)")
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
                     "offer no claude-probe block, and print and apply need a model")

    if model_names is not None:
        for key in ("default-model", "fast-model", "codex-model", "claude-model", "opus-model", "sonnet-model", "haiku-model", "subagent-model"):
            loc = fields.get(key)
            if loc is not None and isinstance(loc.value, str) and loc.value.strip() not in model_names:
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


def missing_model_error(spec: Spec, client: str) -> SpecError | None:
    """The one-line error ``print``/``apply`` give when ``client``'s config needs a model the spec lacks."""
    if (spec.codex.model if client == "codex" else spec.claude.complete):
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


# ----------------------------------------------------------------------- sources


def _yaml_load(path: Path) -> Any:
    """Round-trip load (keeps line info); one-line SpecError on failure."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    shown = display(path)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise SpecError("is a directory, expected a gateway config file", shown) from None
    except OSError as exc:
        raise SpecError(f"cannot read gateway config: {exc.strerror or exc}", shown) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SpecError("not valid UTF-8", shown, line) from None
    yaml = YAML(typ="rt")
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise SpecError(f"invalid YAML: {problem}", shown, line) from None
    except YAMLError as exc:
        raise SpecError(f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", shown) from None
    except Exception as exc:  # ruamel raises assorted errors on odd input (duplicate keys, bad tags)
        msg = str(exc).strip().splitlines()
        raise SpecError(f"invalid YAML: {msg[0] if msg else type(exc).__name__}", shown) from None


def _key_line(node: Any, key: Any) -> int | None:
    try:
        return node.lc.key(key)[0] + 1
    except Exception:
        return _node_line(node)


def _node_line(node: Any) -> int | None:
    try:
        return node.lc.line + 1
    except Exception:
        return None


def _item_line(node: Any, index: int) -> int | None:
    try:
        return node.lc.item(index)[0] + 1
    except Exception:
        return _node_line(node)


def _located(node: Any, key: str, path: str) -> Located | None:
    if isinstance(node, dict) and key in node:
        return Located(_plain(node[key]), path, _key_line(node, key))
    return None


def _plain(value: Any) -> Any:
    """Turn ruamel scalars (ScalarFloat, TaggedScalar...) into plain Python values."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _expect_mapping(node: Any, what: str, path: str, line: int | None) -> dict:
    if not isinstance(node, dict):
        raise SpecError(f"{what} must be a mapping, got {_show(_plain(node))}", path, line)
    return node


# Names under ``integration`` (and its ``codex`` / ``claude_code`` tables) -> field keys.
_INTEGRATION_KEYS = {
    "gateway_service": "gateway-service",
    "default_model": "default-model",
    "fast_model": "fast-model",
    "token_env": "token-env",
}
_CODEX_KEYS = {
    "model": "codex-model",
    "provider_id": "codex-provider-id",
    "provider_name": "codex-provider-name",
    "env_key": "codex-env-key",
}
_CLAUDE_KEYS = {
    "model": "claude-model",
    "opus_model": "opus-model",
    "sonnet_model": "sonnet-model",
    "haiku_model": "haiku-model",
    "subagent_model": "subagent-model",
}


def _read_table(node: Any, mapping: dict[str, str], prefix: str, path: str, fields: dict[str, Located]) -> None:
    for name, key in mapping.items():
        loc = _located(node, name, path)
        if loc is not None and loc.value is not None:
            fields[key] = loc
    if isinstance(node, dict):
        for name in node:
            if name not in mapping and name not in ("codex", "claude_code", "models"):
                raise SpecError(f"unknown key '{prefix}{name}' (known: {', '.join(sorted(mapping))})", path, _key_line(node, name))


def _model_list(node: Any, path: str, where: str) -> Located:
    line = _node_line(node)
    if not isinstance(node, list):
        raise SpecError(f"{where} must be a list, got {_show(_plain(node))}", path, line)
    names = []
    for i, entry in enumerate(node):
        eline = _item_line(node, i)
        if not isinstance(entry, dict) or "model_name" not in entry:
            raise SpecError(f"{where}[{i}] must be a mapping with a model_name", path, eline)
        name = entry["model_name"]
        if not isinstance(name, str) or not name.strip():
            raise SpecError(f"{where}[{i}].model_name must be a non-empty string, got {_show(_plain(name))}", path, _key_line(entry, "model_name"))
        names.append(name.strip())
    return Located(names, path, line)


def read_flowgate(path: Path, data: Any) -> tuple[dict[str, Located], dict[str, tuple[Located, Located, Located]], Located | None, str]:
    """Fields, services and models from a FlowGate config (version 2 or 3)."""
    shown = display(path)
    data = _expect_mapping(data, "the FlowGate config", shown, 1)
    fields: dict[str, Located] = {}
    services: dict[str, tuple[Located, Located, Located]] = {}
    version = _plain(data.get("config_version", 2))
    if version not in (2, 3):
        raise SpecError(f"unsupported config_version {_show(version)} (supported: 2, 3)", shown, _key_line(data, "config_version"))

    svc_node = data.get("services", {}) or {}
    _expect_mapping(svc_node, "services", shown, _key_line(data, "services"))
    for name, node in svc_node.items():
        if not isinstance(node, dict):
            raise SpecError(f"services.{name} must be a mapping, got {_show(_plain(node))}", shown, _key_line(svc_node, name))
        host = _located(node, "host", shown) or Located(DEFAULT_HOST, shown, _key_line(svc_node, name))
        port = _located(node, "port", shown) or Located(None, shown, _key_line(svc_node, name))
        services[str(name)] = (Located(str(name), shown, _key_line(svc_node, name)), host, port)

    models: Located | None = None
    if version == 3:
        fields["gateway-service"] = Located("cliproxyapi_plus", shown, _key_line(data, "config_version"))
        cpa = svc_node.get("cliproxyapi_plus") if isinstance(svc_node, dict) else None
        if not isinstance(cpa, dict) or "config_file" not in cpa:
            cpa = data.get("cliproxyapi_plus")
        if not isinstance(cpa, dict) or "config_file" not in cpa:
            raise SpecError("config_version 3 needs cliproxyapi_plus.config_file (the CLIProxyAPIPlus config)", shown, _key_line(data, "config_version"))
        ref = cpa["config_file"]
        ref_line = _key_line(cpa, "config_file")
        if not isinstance(ref, str) or not ref.strip():
            raise SpecError(f"cliproxyapi_plus.config_file must be a path, got {_show(_plain(ref))}", shown, ref_line)
        cpa_path = (path.parent / ref).resolve()
        if not cpa_path.is_file():
            raise SpecError(f"cliproxyapi_plus.config_file '{ref}' not found (looked at {display(cpa_path)})", shown, ref_line)
        cpa_data = _expect_mapping(_yaml_load(cpa_path), "the CLIProxyAPIPlus config", display(cpa_path), 1)
        cshown = display(cpa_path)
        host = _located(cpa_data, "host", cshown) or Located(DEFAULT_HOST, cshown, 1)
        if host.value == "":  # CLIProxyAPI: empty host = listen on all interfaces
            host = Located(DEFAULT_HOST, host.path, host.line)
        port = _located(cpa_data, "port", cshown) or Located(None, cshown, 1)
        services["cliproxyapi_plus"] = (Located("cliproxyapi_plus", cshown, 1), host, port)
        fields["cliproxyapi-config"] = Located(str(cpa_path), cshown, 1)
    else:
        base = data.get("litellm_base")
        if base is not None:
            base = _expect_mapping(base, "litellm_base", shown, _key_line(data, "litellm_base"))
            if "model_list" in base:
                models = _model_list(base["model_list"], shown, "litellm_base.model_list")
        elif "model_list" in data:
            models = _model_list(data["model_list"], shown, "model_list")

    integ = data.get("integration")
    if integ is not None:
        integ = _expect_mapping(integ, "integration", shown, _key_line(data, "integration"))
        _read_table(integ, _INTEGRATION_KEYS, "integration.", shown, fields)
        for sub, mapping in (("codex", _CODEX_KEYS), ("claude_code", _CLAUDE_KEYS)):
            if sub in integ:
                node = _expect_mapping(integ[sub], f"integration.{sub}", shown, _key_line(integ, sub))
                _read_table(node, mapping, f"integration.{sub}.", shown, fields)
        if "models" in integ and models is None:
            node = integ["models"]
            if isinstance(node, list):
                models = Located([_plain(m) for m in node], shown, _key_line(integ, "models"))
            else:
                models = Located(_plain(node), shown, _key_line(integ, "models"))
    return fields, services, models, f"flowgate-v{version}"


def read_litellm(path: Path, data: Any) -> Located:
    shown = display(path)
    data = _expect_mapping(data, "the LiteLLM config", shown, 1)
    return _model_list(data["model_list"], shown, "model_list")


def is_flowgate(data: Any) -> bool:
    return isinstance(data, dict) and any(k in data for k in ("services", "integration", "config_version", "litellm_base"))


def is_litellm(data: Any) -> bool:
    return isinstance(data, dict) and "model_list" in data


def find_spec_file(settings: Settings, explicit: str | None = None,
                   probes: list[Path] | None = None) -> tuple[Path | None, Any]:
    """The gateway config to use, and its parsed data (None if there is none).

    Order: ``--spec``, the ``spec`` setting, then well-known paths under the
    settings root (the current directory when there are no settings). Every path
    looked at, present or not, is appended to ``probes`` (the spec cache's dependencies).
    """
    probes = [] if probes is None else probes
    if explicit:
        path = Path(explicit)
        probes.append(path)
        if not path.exists():
            raise SpecError("gateway config not found (from --spec)", explicit)
        return path, _yaml_load(path)
    configured = settings.get("spec")
    if configured:
        path = settings.root / configured
        probes.append(path)
        if not path.exists():
            raise SpecError(f"gateway config '{configured}' not found (setting 'spec')", settings.display_path(), settings.line_of("spec"))
        return path, _yaml_load(path)
    dirs = [settings.root]
    if settings.path is None and settings.start is not None:
        start = settings.start.resolve()
        dirs = [start, *[p for p in start.parents if settings.root.resolve() in (p, *p.parents)]]
    for directory in dirs:
        for rel in FLOWGATE_PATHS + LITELLM_PATHS:
            path = directory / rel
            probes.append(path)
            if path.is_file():
                data = _yaml_load(path)
                if rel in FLOWGATE_PATHS:
                    return path, data  # a FlowGate path that holds something else is an error, not a skip
                if is_litellm(data):
                    return path, data
    return None, None


def load_spec(settings: Settings, explicit: str | None = None, probes: list[Path] | None = None) -> Spec:
    """Load and validate the spec from its sources; settings override the config file.

    ``probes`` collects every file path the result depends on (see ``find_spec_file``)."""
    path, data = find_spec_file(settings, explicit, probes)
    fields: dict[str, Located] = {}
    services: dict[str, tuple[Located, Located, Located]] = {}
    models: Located | None = None
    kind = "settings"
    if path is not None:
        if is_flowgate(data):
            fields, services, models, kind = read_flowgate(path, data)
        elif is_litellm(data):
            models = read_litellm(path, data)
            kind = "litellm"
        else:
            raise SpecError(
                "not a FlowGate config (services/integration) or a LiteLLM config (model_list)", display(path), 1
            )
    elif not any(k in settings.values for k in ("gateway-port", "default-model", "models")):
        where = settings.display_path() or "."
        raise SpecError(
            "no gateway config found: pass --spec PATH, set 'spec' in [tool.flowgate-lint], "
            f"or add config/flowgate.yaml (looked under {display(settings.root)})",
            where,
        )
    setting_path = settings.display_path()
    for key in (
        "gateway-service", "gateway-host", "gateway-port", "gateway-ports", "gateway-routes", "default-model", "fast-model", "claude-model",
        "opus-model", "sonnet-model", "haiku-model", "subagent-model", "codex-model", "codex-provider-id",
        "codex-provider-name", "codex-env-key", "token-env",
    ):
        if key in settings.values:
            fields[key] = Located(settings.values[key], setting_path, settings.line_of(key))
    if "models" in settings.values:
        models = Located(settings.values["models"], setting_path, settings.line_of("models"))
    spec = derive_spec(fields, services, models, kind, path.resolve() if path else None, settings.path)
    inputs = [p for p in (spec.source_path, settings.path) if p is not None]
    if "cliproxyapi-config" in fields:
        inputs.append(Path(fields["cliproxyapi-config"].value))
    return spec._replace(inputs=tuple(inputs))
