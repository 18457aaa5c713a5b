"""FlowGate configs (``config/flowgate.yaml``): the services, the integration section, the model list."""

from pathlib import Path
from typing import Any

from flowgate_lint.plumbing.errors import SpecError
from flowgate_lint.spec.settings import display
from flowgate_lint.spec.derive import _show
from flowgate_lint.spec.model import DEFAULT_HOST, Located
from flowgate_lint.spec.yamlnodes import _CLAUDE_KEYS, _CODEX_KEYS, _INTEGRATION_KEYS, _expect_mapping, _key_line, _located, _model_list, _plain, _read_table, _yaml_load, model_aliases


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
        if str(name).startswith("_comment"):  # FlowGate's own loader drops these comment keys
            continue
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
        # As written too: a symlink on the way may be repointed while its old target stays unchanged.
        fields["cliproxyapi-config-written"] = Located(str(path.parent / ref), cshown, 1)
    else:
        base = data.get("litellm_base")
        if base is not None:
            base = _expect_mapping(base, "litellm_base", shown, _key_line(data, "litellm_base"))
            if "model_list" in base:
                models = _model_list(base["model_list"], shown, "litellm_base.model_list")
                models = models._replace(value=models.value + model_aliases(base, models.value))
        elif "model_list" in data:
            models = _model_list(data["model_list"], shown, "model_list")
            models = models._replace(value=models.value + model_aliases(data, models.value))

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


def is_flowgate(data: Any) -> bool:
    return isinstance(data, dict) and any(k in data for k in ("services", "integration", "config_version", "litellm_base"))
