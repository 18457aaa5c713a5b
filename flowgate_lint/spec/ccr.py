"""claude-code-router configs (``~/.claude-code-router/config.json`` of musistudio/claude-code-router): host, port,
the providers' models and the router's defaults.

Facts from the project's source (packages/cli/src/index.ts, utils/codeCommand.ts, packages/core/src/utils/router.ts
and server.ts of the last config.json release; packages/core/src/config/default-config.ts today):

- ``HOST`` (default 127.0.0.1; forced to 127.0.0.1 when ``APIKEY`` is not set) and ``PORT`` (default 3456);
  ``ccr code`` points Claude Code at ``http://127.0.0.1:PORT`` (the root: Anthropic's ``/v1/messages``);
- ``Providers[]`` (``providers`` too) are ``{name, api_base_url, api_key, models: [...]}``: a request for
  ``"<provider>,<model>"`` goes to that provider's model; any other model name is routed by ``Router``
  (``default``, ``background`` for claude-3-5-haiku requests, ``think``, ``longContext``, ``webSearch``), so with a
  ``Router.default`` every name is served (recorded as ``*``);
- ``APIKEY`` and the providers' ``api_key`` are keys: never read here.
"""

from pathlib import Path
from typing import Any

from flowgate_lint.spec.model import DEFAULT_HOST, ExcerptShape, Located
from flowgate_lint.spec.settings import display
from flowgate_lint.spec.yamlnodes import _expect_mapping, _key_line, _located, _plain

KIND = "claude-code-router"
SERVICE = "claude-code-router"
DEFAULT_PORT = 3456
MARKERS = (b'"Providers"', b'"providers"', b'"Router"')

# A doc's excerpt of this config is compared on the address, the router's routes and the providers' model names,
# never on keys, upstream URLs or transformers.
EXCERPT = ExcerptShape(
    markers=frozenset({"Providers", "providers", "Router", "APIKEY", "PORT", "HOST"}),
    compared=(("HOST",), ("PORT",), ("Router", "*"), ("Providers", "*", "models", "*"), ("providers", "*", "models", "*")),
    match_by={"Providers": "name", "providers": "name", "models": "*"},
    models=(("Providers", "*", "models", "*"), ("providers", "*", "models", "*")),
)


def is_ccr(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    providers = data.get("Providers", data.get("providers"))
    return isinstance(providers, list) and any(k in data for k in ("Router", "PORT", "HOST", "APIKEY"))


def read_ccr(path: Path, data: Any, notes: list[str]) -> tuple[dict[str, Located], dict, Located | None, str]:
    shown = display(path)
    data = _expect_mapping(data, "the claude-code-router config", shown, 1)
    host = _located(data, "HOST", shown)
    if host is None or not host.value:
        host = Located(DEFAULT_HOST, shown, host.line if host else 1)
    elif not data.get("APIKEY"):  # index.ts: "API key is not set. HOST is forced to 127.0.0.1."
        notes.append("gateway host: 127.0.0.1 (claude-code-router forces it when APIKEY is not set)")
        host = Located(DEFAULT_HOST, host.path, host.line)
    port = _located(data, "PORT", shown)
    if port is None or port.value in (None, "", 0):
        port = Located(DEFAULT_PORT, shown, port.line if port else 1)
        notes.append(f"gateway port: {DEFAULT_PORT}, claude-code-router's default (the config sets no PORT)")
    elif isinstance(port.value, str) and port.value.strip().isdigit():
        port = port._replace(value=int(port.value.strip()))
    fields: dict[str, Located] = {"gateway-service": Located(SERVICE, shown, 1)}
    services = {SERVICE: (Located(SERVICE, shown, 1), host, port)}

    key = "Providers" if "Providers" in data else "providers"
    pairs: list[str] = []
    for entry in data.get(key) or ():
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        for model in entry.get("models") or ():
            if isinstance(model, str) and model.strip():
                pairs.append(f"{entry['name'].strip()},{model.strip()}")
    router = data.get("Router")
    router = router if isinstance(router, dict) else {}
    default = _plain(router.get("default"))
    names = list(dict.fromkeys(pairs))
    if isinstance(default, str) and default.strip():
        fields["default-model"] = Located(default.strip(), shown, _key_line(router, "default"))
        notes.append(f"default model: '{default.strip()}', the config's Router.default")
        names.append("*")  # router.ts: a name without "provider," goes to Router.default
        background = _plain(router.get("background"))
        if isinstance(background, str) and background.strip():
            fields["fast-model"] = Located(background.strip(), shown, _key_line(router, "background"))
            notes.append(f"fast model: '{background.strip()}', the config's Router.background (where "
                         "claude-code-router sends Claude Code's haiku requests)")
    models = Located(names, shown, _key_line(data, key)) if key in data else None
    return fields, services, models, KIND
