"""LiteLLM proxy configs: the served models of a ``model_list``, with those of the files it ``include:``s and the
aliases of ``router_settings.model_group_alias``."""

from pathlib import Path
from typing import Any

from flowgate_lint.plumbing.errors import SpecError
from flowgate_lint.spec.derive import _show
from flowgate_lint.spec.settings import display
from flowgate_lint.spec.model import Located
from flowgate_lint.spec.yamlnodes import _expect_mapping, _item_line, _key_line, _model_list, _plain, _yaml_load, model_aliases


def read_litellm(path: Path, data: Any, root: Path | None = None) -> tuple[Located, list[Path]]:
    """The served models, and the included files read (as written and resolved: spec inputs).

    LiteLLM reads ``include:`` files relative to the config and adds their ``model_list`` to its own;
    an include must stay inside ``root`` (the repository), symlinks resolved."""
    shown = display(path)
    data = _expect_mapping(data, "the LiteLLM config", shown, 1)
    models = _model_list(data["model_list"], shown, "model_list") if "model_list" in data \
        else Located([], shown, _key_line(data, "include"))
    names = list(models.value)
    read: list[Path] = []
    top = path.resolve().parent
    if root is not None and (root.resolve() == top or root.resolve() in top.parents):
        top = root.resolve()  # a config inside the repository may include from anywhere in it
    for ref, ref_line in _includes(data, shown):
        written = path.parent / ref
        resolved = written.resolve()
        read += [written, resolved]
        if resolved != top and top not in resolved.parents:
            raise SpecError(f"include '{ref}' leads outside the repository (to {resolved}); not read", shown, ref_line)
        if not resolved.is_file():
            raise SpecError(f"include '{ref}' not found (looked at {display(written)})", shown, ref_line)
        included = _expect_mapping(_yaml_load(resolved), "an included LiteLLM config", display(resolved), 1)
        if "model_list" in included:
            names += _model_list(included["model_list"], display(resolved), "model_list").value
    names += model_aliases(data, names)
    return Located(names, models.path, models.line), read


def _includes(data: dict, shown: str) -> list[tuple[str, int | None]]:
    """The ``include:`` entries (paths relative to the config), with their lines."""
    if "include" not in data:
        return []
    node = data["include"]
    line = _key_line(data, "include")
    if isinstance(node, str):
        node, lines = [node], [line]
    elif isinstance(node, list):
        lines = [_item_line(node, i) for i in range(len(node))]
    else:
        raise SpecError(f"include must be a list of file names, got {_show(_plain(node))}", shown, line)
    out = []
    for ref, ref_line in zip(node, lines):
        if not isinstance(ref, str) or not ref.strip():
            raise SpecError(f"include entries must be file names, got {_show(_plain(ref))}", shown, ref_line)
        out.append((ref.strip(), ref_line))
    return out


def is_litellm(data: Any) -> bool:
    return isinstance(data, dict) and ("model_list" in data or isinstance(data.get("include"), list))
