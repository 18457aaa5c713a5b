"""The canonical integration spec: how Codex CLI and Claude Code reach the gateway.

Value objects are immutable NamedTuples (cheaper to import than dataclasses). What the gateway config
does not determine is None (unknown), never invented."""

from pathlib import Path
from typing import Any, NamedTuple

from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.spec.settings import display


DEFAULT_SERVICE = "litellm"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4000  # LiteLLM's default
DEFAULT_PROVIDER_ID = "flowgate"
DEFAULT_PROVIDER_NAME = "FlowGate Local"
DEFAULT_ENV_KEY = "OPENAI_API_KEY"
OPENCODE_NPM = "@ai-sdk/openai-compatible"
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
    # The port the gateway listens on inside its container when docker compose publishes it on ``port`` (a healthcheck
    # or ``docker exec`` check there uses it); None when no compose mapping is known or the two are the same.
    container_port: int | None = None
    # The gateway product's own configured port when the settings put the clients' gateway on another one (a
    # middleware or proxy in front of it): what the clients' gateway forwards to, never a wrong gateway port.
    behind: int | None = None

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


class OpenCodeSpec(NamedTuple):
    """OpenCode's ``opencode.json`` provider: the OpenAI-compatible SDK on the gateway's ``/v1``."""

    base_url: str
    model: str | None
    small_model: str | None
    provider_id: str
    provider_name: str
    env_key: str  # referenced as ``{env:VAR}`` in options.apiKey, never a literal key
    models: tuple[str, ...]  # the provider's ``models`` keys: the served models when known, else the defaults
    npm: str = OPENCODE_NPM

    def ref(self, model: str | None) -> str | None:
        """A top-level ``model``/``small_model`` value: ``<provider>/<model>``."""
        return f"{self.provider_id}/{model}" if model else None


class GeminiSpec(NamedTuple):
    """Gemini CLI: the gateway's root (the client appends ``/v1beta/models/<m>:streamGenerateContent``)."""

    base_url: str
    model: str | None
    token_env: str  # the variable whose value GEMINI_API_KEY must carry


class QwenSpec(NamedTuple):
    """Qwen Code: an OpenAI-style ``modelProviders.openai`` entry on the gateway's ``/v1``."""

    base_url: str
    model: str | None
    env_key: str  # the entry's ``envKey``: the variable holding the gateway key
    provider_name: str


class Spec(NamedTuple):
    gateway: Gateway
    codex: CodexSpec
    claude: ClaudeSpec
    models: tuple[str, ...] | None  # models the gateway serves, when known
    services: tuple[Service, ...]  # every service in the config, gateway included
    # "flowgate-v2", "flowgate-v3", "litellm", "cliproxyapi", "claude-code-router", "arch", "compose" or "settings"
    source_kind: str
    source_path: Path | None  # the gateway config file, when there is one
    settings_path: Path | None = None
    inputs: tuple[Path, ...] = ()  # every file the spec was derived from (config, CLIProxyAPIPlus file, compose file, settings)
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

    # The clients beside Codex and Claude Code are derived from the same values (so the spec cache, which
    # stores the fields above, needs nothing new): OpenAI-style clients share Codex's /v1 URL, provider and
    # key variable; Gemini CLI shares Claude Code's root URL and token variable.
    @property
    def opencode(self) -> OpenCodeSpec:
        c = self.codex
        known = tuple(m for m in self.models or () if "*" not in m)
        defaults = tuple(dict.fromkeys(m for m in (c.model, self.claude.haiku_model) if m))
        return OpenCodeSpec(c.base_url, c.model, self.claude.haiku_model, c.provider_id, c.provider_name,
                            c.env_key, known or defaults)

    @property
    def gemini(self) -> GeminiSpec:
        return GeminiSpec(self.claude.base_url, self.codex.model, self.claude.token_env)

    @property
    def qwen(self) -> QwenSpec:
        c = self.codex
        return QwenSpec(c.base_url, c.model, c.env_key, c.provider_name)

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


class ExcerptShape(NamedTuple):
    """What a doc's excerpt of a gateway config of one kind is compared on (FG601): only what clients depend on.

    ``markers``: top-level keys that make a block an excerpt of this kind; ``compared``: leaf paths whose values
    must equal the real config's (``"*"`` is any key or list index); ``match_by``: list keys whose entries are
    matched by an identifying field, not by index (``"*"``: a list of names, matched by membership);
    ``models``: leaf paths that are model names (a name the real config lacks, beside names it has, is a rename).
    """

    markers: frozenset[str]
    compared: tuple[tuple[str, ...], ...]
    match_by: dict[str, str]
    models: tuple[tuple[str, ...], ...] = ()
