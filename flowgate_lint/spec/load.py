"""Finding the gateway config (settings, an explicit path, well-known locations) and loading the spec."""

import os
from pathlib import Path
from typing import Any

from flowgate_lint.plumbing.errors import SpecError
from flowgate_lint.spec.settings import Settings, display, env_name_problem
from flowgate_lint.spec.derive import derive_spec
from flowgate_lint.spec.flowgate import is_flowgate, read_flowgate
from flowgate_lint.spec.litellm import is_litellm, read_litellm
from flowgate_lint.spec.model import FLOWGATE_PATHS, LITELLM_PATHS, Located, Spec
from flowgate_lint.spec.yamlnodes import _yaml_load


def find_spec_file(settings: Settings, explicit: str | None = None,
                   probes: list[Path] | None = None, notes: list[str] | None = None) -> tuple[Path | None, Any]:
    """The gateway config to use, and its parsed data (None if there is none).

    Order: ``--spec``, the ``spec`` setting, then well-known paths under the
    settings root (the current directory when there are no settings). When several well-known paths
    exist, one git ignores (a personal copy of a tracked example) is passed over for a tracked or
    untracked one: CI never sees the ignored file. Every path looked at, present or not, is appended to
    ``probes`` (the spec cache's dependencies); why a file was passed over, to ``notes``.
    """
    probes = [] if probes is None else probes
    notes = [] if notes is None else notes
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
        candidates = [(directory / rel, rel) for rel in FLOWGATE_PATHS + LITELLM_PATHS]
        probes.extend(path for path, _ in candidates)
        existing = [(path, rel) for path, rel in candidates if path.is_file()]
        if len(existing) > 1:
            ignored = _git_ignored(settings.root, [path for path, _ in existing])
            probes.extend({settings.root / ".gitignore", settings.root / ".git" / "info" / "exclude",
                           *(path.parent / ".gitignore" for path, _ in existing)})
            kept = [(path, rel) for path, rel in existing if path not in ignored]
            if kept and len(kept) < len(existing):
                notes.append(f"passed over {', '.join(rel for path, rel in existing if path in ignored)}: git ignores it "
                             "(a personal copy; CI never sees it)")
                existing = kept
        for path, rel in existing:
            data = _yaml_load(path)
            if rel in FLOWGATE_PATHS:
                return path, data  # a FlowGate path that holds something else is an error, not a skip
            if is_litellm(data):
                return path, data
    return None, None


def _git_ignored(root: Path, paths: list[Path]) -> set[Path]:
    """Those of ``paths`` git ignores in the work tree holding ``root`` (none outside a work tree: git fails)."""
    import subprocess  # only when several well-known configs exist

    try:
        proc = subprocess.run(["git", "-C", str(root), "check-ignore", "-z", "--stdin"],
                              input=b"\0".join(os.fsencode(p) for p in paths), capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return set()
    listed = {Path(p) if Path(p).is_absolute() else root / p for p in os.fsdecode(proc.stdout).split("\0") if p}
    return {path for path in paths if path in listed or path.resolve() in {q.resolve() for q in listed}}


def load_spec(settings: Settings, explicit: str | None = None, probes: list[Path] | None = None) -> Spec:
    """Load and validate the spec from its sources; settings override the config file.

    ``probes`` collects every file path the result depends on (see ``find_spec_file``)."""
    found_notes: list[str] = []
    path, data = find_spec_file(settings, explicit, probes, found_notes)
    fields: dict[str, Located] = {}
    services: dict[str, tuple[Located, Located, Located]] = {}
    models: Located | None = None
    kind = "settings"
    included: list[Path] = []
    if path is not None:
        if is_flowgate(data):
            fields, services, models, kind = read_flowgate(path, data)
        elif is_litellm(data):
            models, included = read_litellm(path, data, settings.root)
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
    for key, written in (("token-env", "integration.token_env"), ("codex-env-key", "integration.codex.env_key")):
        loc = fields.get(key)
        problem = env_name_problem(loc.value) if loc is not None else None
        if problem is not None:  # a key pasted for its variable's name: refused before anything stores or prints it
            raise SpecError(f"{key if key in settings.values else written} {problem}", loc.path, loc.line)
    spec = derive_spec(fields, services, models, kind, path.resolve() if path else None, settings.path)
    inputs = [p for p in (spec.source_path, settings.path) if p is not None] + included
    for key in ("cliproxyapi-config", "cliproxyapi-config-written"):
        if key in fields:
            inputs.append(Path(fields[key].value))
    return spec._replace(inputs=tuple(inputs), notes=tuple(found_notes) + spec.notes)
