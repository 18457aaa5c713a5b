"""Reading a gateway config file with ruamel.yaml: the node helpers that keep each value's line."""

from pathlib import Path
from typing import Any

from flowgate_lint.plumbing.errors import SpecError
from flowgate_lint.spec.settings import display
from flowgate_lint.spec.derive import _show
from flowgate_lint.spec.model import Located


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


def model_aliases(config: Any, served: list[str]) -> list[str]:
    """The ``router_settings.model_group_alias`` names of a LiteLLM config whose target is served: LiteLLM routes
    a request for the alias to that model group (``{"alias": "group"}`` or ``{"alias": {"model": "group"}}``).
    Anything malformed adds nothing: the proxy would not route it either."""
    settings = config.get("router_settings") if isinstance(config, dict) else None
    table = settings.get("model_group_alias") if isinstance(settings, dict) else None
    if not isinstance(table, dict):
        return []
    out = []
    for alias, target in table.items():
        group = target.get("model") if isinstance(target, dict) else target
        if isinstance(alias, str) and alias.strip() and isinstance(group, str) and group.strip() in served:
            out.append(alias.strip())
    return out


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
