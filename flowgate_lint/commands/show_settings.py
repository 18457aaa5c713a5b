"""``flowgate-lint --show-settings [PATH]``: the settings and spec a run on PATH would use, each value with
where it came from (``file:line``, or ``default``), as ruff's ``--show-settings`` does.

Read afresh (no cache is read or written). Settings never hold a credential (a key pasted where a variable's
name belongs is refused when the spec is loaded), but every value still goes through the shared redactor."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

# Spec values: (name shown, settings key whose value or fallback it is).
_SPEC_ROWS = (
    ("gateway.service", "gateway-service"), ("gateway.host", "gateway-host"), ("gateway.port", "gateway-port"),
    ("gateway.ports", "gateway-ports"), ("gateway.routes", "gateway-routes"), ("models", "models"),
    ("codex.base_url", None), ("codex.model", "codex-model"), ("codex.provider_id", "codex-provider-id"),
    ("codex.provider_name", "codex-provider-name"), ("codex.env_key", "codex-env-key"),
    ("claude.base_url", None), ("claude.model", "claude-model"), ("claude.opus_model", "opus-model"),
    ("claude.sonnet_model", "sonnet-model"), ("claude.haiku_model", "haiku-model"),
    ("claude.subagent_model", "subagent-model"), ("claude.token_env", "token-env"),
)
# Where a spec value comes from when its own key is not set.
_FALLBACK = {"codex-model": "default-model", "claude-model": "default-model", "opus-model": "default-model",
             "sonnet-model": "default-model", "haiku-model": "fast-model", "fast-model": "default-model",
             "token-env": "codex-env-key"}


def _value(value: Any) -> str:
    from flowgate_lint.plumbing.redact import clean

    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, frozenset):
        value = sorted(value)
    return clean(json.dumps(value, ensure_ascii=False))


def _where(loc) -> str:
    if loc is None or loc.path is None:
        return "default"
    return f"{loc.path}:{loc.line}" if loc.line else str(loc.path)


def _rows(title: str, rows: list[tuple[str, Any, str]]) -> list[str]:
    width = max((len(name) + 3 + len(_value(value)) for name, value, _ in rows), default=0)
    lines = [f"[{title}]"]
    for name, value, where in rows:
        text = f"{name} = {_value(value)}"
        lines.append(f"{text:<{min(width, 72)}}  # {where}")
    return lines


def _spec_value(spec, name: str) -> Any:
    head, _, attr = name.partition(".")
    if not attr:
        return getattr(spec, head)
    obj = {"gateway": spec.gateway, "codex": spec.codex, "claude": spec.claude}[head]
    return getattr(obj, {"ports": "also"}.get(attr, attr))


def _spec_where(key: str | None, fields: dict, services: dict, models, spec) -> str:
    if key is None:
        return "from gateway.host and gateway.port"
    if key == "models":
        return _where(models) if models is not None else "unknown (no model list)"
    seen = key
    while seen not in fields and seen in _FALLBACK:
        seen = _FALLBACK[seen]
    if seen in fields:
        return _where(fields[seen]) + ("" if seen == key else f" ({seen})")
    if key in ("gateway-host", "gateway-port") and spec.gateway.service in services:
        loc = services[spec.gateway.service][1 if key == "gateway-host" else 2]
        return _where(loc) + f" (service {spec.gateway.service})"
    return "default" if seen == key or seen != "default-model" else "unknown"


def show_settings(args: argparse.Namespace) -> int:
    from flowgate_lint.judgement.sections import HISTORY_DEFAULT
    from flowgate_lint.lint.discover import DEFAULT_EXCLUDE
    from flowgate_lint.spec.load import load_spec
    from flowgate_lint.spec.settings import LINT_KEYS, SPEC_KEYS, display, load_settings

    first = Path(args.paths[0] if args.paths else ".")
    settings = load_settings(args.config, first if first.exists() else Path.cwd(), args.isolated)
    sources: dict = {}
    spec = load_spec(settings, args.spec, sources=sources)
    where_file = settings.display_path()
    defaults = {"select": ["ALL"], "extend-select": [], "preview": False, "ignore": [], "per-file-ignores": {},
                "exclude": list(DEFAULT_EXCLUDE), "extend-exclude": [], "fixable": ["ALL"], "unfixable": [],
                "history": list(HISTORY_DEFAULT), "extend-history": []}
    out = [f"settings file: {where_file + (' [' + settings.table + ']' if settings.table else '') if where_file else 'none'}",
           f"project root: {display(settings.root)}",
           f"gateway config: {display(spec.source_path) + ' (' + spec.source_kind + ')' if spec.source_path else 'none (the settings alone)'}",
           ""]
    rows = []
    for key in LINT_KEYS:
        if key in settings.values:
            rows.append((key, settings.values[key], f"{where_file}:{settings.line_of(key) or '?'}"))
        else:
            rows.append((key, defaults.get(key), "default"))
    for key in SPEC_KEYS:
        if key in settings.values:
            rows.append((key, settings.values[key], f"{where_file}:{settings.line_of(key) or '?'}"))
    out += _rows("settings", rows) + [""]
    fields, services, models = sources.get("fields", {}), sources.get("services", {}), sources.get("models")
    out += _rows("spec", [(name, _spec_value(spec, name), _spec_where(key, fields, services, models, spec))
                          for name, key in _SPEC_ROWS])
    for note in spec.notes:
        out.append(f"# {note}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0
