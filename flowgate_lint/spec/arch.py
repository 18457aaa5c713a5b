"""Arch / Plano configs (``arch_config.yaml`` / ``config.yaml`` of katanemo/archgw, now Plano): the model listener
(the port clients use), the other listeners, the providers' models and the model aliases.

Facts from the project's source (config/arch_config_schema.yaml, cli/planoai/utils.py convert_legacy_listeners,
cli/planoai/config_generator.py, config/envoy.template.yaml, crates/common/src/llm_providers.rs,
crates/brightstaff/src/main.rs):

- ``version`` and ``listeners`` are required. ``listeners`` is a list of ``{name, type: model|prompt|agent, port,
  address}`` or the legacy mapping ``{egress_traffic: {...}, ingress_traffic: {...}}``; the model listener
  (``egress_traffic``) defaults to port 12000 on 0.0.0.0, the prompt listener (``ingress_traffic``) to 10000, and a
  list without a model listener gets the default one;
- the model listener serves ``/v1/chat/completions``, ``/v1/messages`` and ``/v1/responses`` at its root;
- ``model_providers`` (``llm_providers``, deprecated) are ``{model: "<provider>/<model_id>", name, default, ...}``:
  requests name a provider by its ``name`` (default: ``model``) or ``model``; ``model_aliases`` map a name to a
  ``target`` model; the provider with ``default: true`` is the default model;
- ``access_key`` values are keys (usually ``$VAR``): never read here.
"""

from pathlib import Path
from typing import Any

from flowgate_lint.spec.model import DEFAULT_HOST, ExcerptShape, Located
from flowgate_lint.spec.settings import display
from flowgate_lint.spec.yamlnodes import _expect_mapping, _item_line, _key_line, _located, _plain

KIND = "arch"
SERVICE = "archgw"
DEFAULT_PORT = 12000  # the model (egress) listener
PROMPT_PORT = 10000  # the prompt (ingress) listener
MARKERS = (b"listeners",)
_MODEL_TYPES = ("model", "model_listener")

# A doc's excerpt of this config is compared on the listeners' addresses, the providers' models and the aliases'
# targets, never on access keys, endpoints or prompt targets.
EXCERPT = ExcerptShape(
    markers=frozenset({"listeners", "model_providers", "llm_providers", "model_aliases"}),
    compared=(("listeners", "*", "port"), ("listeners", "*", "address"), ("model_providers", "*", "model"),
              ("llm_providers", "*", "model"), ("model_aliases", "*", "target")),
    match_by={"listeners": "name", "model_providers": "name", "llm_providers": "name"},
    models=(("model_providers", "*", "model"), ("llm_providers", "*", "model")),
)


def is_arch(data: Any) -> bool:
    return (isinstance(data, dict) and "listeners" in data and "version" in data
            and isinstance(data["listeners"], (list, dict))
            and any(k in data for k in ("model_providers", "llm_providers", "prompt_targets", "agents", "endpoints")))


def read_arch(path: Path, data: Any, notes: list[str]) -> tuple[dict[str, Located], dict, Located | None, str]:
    shown = display(path)
    data = _expect_mapping(data, "the Arch/Plano config", shown, 1)
    listeners = data["listeners"]
    services: dict[str, tuple[Located, Located, Located]] = {}
    gateway: tuple[Located, Located] | None = None
    line = _key_line(data, "listeners")
    if isinstance(listeners, dict):  # legacy: egress_traffic (models) and ingress_traffic (prompts)
        for key, default in (("egress_traffic", DEFAULT_PORT), ("ingress_traffic", PROMPT_PORT)):
            node = listeners.get(key)
            if key == "ingress_traffic" and not node:
                continue
            node = node if isinstance(node, dict) else {}
            where = _key_line(listeners, key) if key in listeners else line
            pair = _address(node, shown, where, default)
            if key == "egress_traffic":
                gateway = pair
            else:
                services[key] = (Located(key, shown, where), *pair)
    else:
        for i, node in enumerate(listeners):
            if not isinstance(node, dict):
                continue
            where = _item_line(listeners, i)
            kind = _plain(node.get("type"))
            name = str(_plain(node.get("name")) or f"listener-{i}")
            if kind in _MODEL_TYPES and gateway is None:
                gateway = _address(node, shown, where, DEFAULT_PORT)
            elif isinstance(_plain(node.get("port")), int):
                services[name] = (Located(name, shown, where), *_address(node, shown, where, 0))
    if gateway is None:  # utils.py: a list without a model listener gets the default egress listener
        gateway = (Located(DEFAULT_HOST, shown, line), Located(DEFAULT_PORT, shown, line))
        notes.append(f"gateway port: {DEFAULT_PORT}, Arch's default model listener (the config declares none)")
    services = {SERVICE: (Located(SERVICE, shown, line), *gateway), **services}
    fields: dict[str, Located] = {"gateway-service": Located(SERVICE, shown, 1)}

    key = "model_providers" if "model_providers" in data else "llm_providers"
    providers = data.get(key)
    names: list[str] = []
    for i, node in enumerate(providers if isinstance(providers, list) else ()):
        if not isinstance(node, dict):
            continue
        model = _plain(node.get("model"))
        if not isinstance(model, str) or not model.strip():
            continue
        model = model.strip()
        name = _plain(node.get("name"))
        names += [n for n in (name.strip() if isinstance(name, str) else None, model, model.split("/", 1)[-1]) if n]
        if node.get("default") is True and "default-model" not in fields:
            fields["default-model"] = Located(model, shown, _key_line(node, "default"))
            notes.append(f"default model: '{model}', the config's default provider")
    aliases = data.get("model_aliases")
    if isinstance(aliases, dict):
        for alias, target in aliases.items():
            goal = _plain(target.get("target")) if isinstance(target, dict) else None
            if isinstance(alias, str) and alias.strip() and isinstance(goal, str) and goal.strip() in names:
                names.append(alias.strip())
    models = Located(list(dict.fromkeys(names)), shown, _key_line(data, key)) if key in data else None
    return fields, services, models, KIND


def _address(node: dict, shown: str, line: int | None, default_port: int) -> tuple[Located, Located]:
    address = _located(node, "address", shown)
    if address is None or not address.value:
        address = Located(DEFAULT_HOST, shown, line)  # 0.0.0.0 by default: clients use the loopback
    port = _located(node, "port", shown) or Located(default_port, shown, line)
    return address, port
