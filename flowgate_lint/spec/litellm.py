"""LiteLLM proxy configs: the served models of a ``model_list``."""

from pathlib import Path
from typing import Any

from flowgate_lint.spec.settings import display
from flowgate_lint.spec.model import Located
from flowgate_lint.spec.yamlnodes import _expect_mapping, _model_list


def read_litellm(path: Path, data: Any) -> Located:
    shown = display(path)
    data = _expect_mapping(data, "the LiteLLM config", shown, 1)
    return _model_list(data["model_list"], shown, "model_list")


def is_litellm(data: Any) -> bool:
    return isinstance(data, dict) and "model_list" in data
