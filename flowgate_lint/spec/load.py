"""Finding the gateway config (settings, an explicit path, well-known locations) and loading the spec."""

import os
from pathlib import Path
from typing import Any

from flowgate_lint.plumbing.errors import SpecError
from flowgate_lint.spec.settings import Settings, display, env_name_problem
from flowgate_lint.spec import arch, ccr, cliproxyapi, compose
from flowgate_lint.spec.derive import derive_spec
from flowgate_lint.spec.flowgate import is_flowgate, read_flowgate
from flowgate_lint.spec.litellm import is_litellm, read_litellm
from flowgate_lint.spec.model import FLOWGATE_PATHS, LITELLM_PATHS, Located, Spec
from flowgate_lint.spec.yamlnodes import _yaml_load

# Gateway configs recognised by their content at any tracked path: kind -> (what it is, test, reader, byte markers
# one of which the file must hold before it is parsed).
CONTENT_KINDS = {
    cliproxyapi.KIND: ("a CLIProxyAPI config", cliproxyapi.is_cliproxyapi, cliproxyapi.read_cliproxyapi, cliproxyapi.MARKERS),
    ccr.KIND: ("a claude-code-router config", ccr.is_ccr, ccr.read_ccr, ccr.MARKERS),
    arch.KIND: ("an Arch/Plano config", arch.is_arch, arch.read_arch, arch.MARKERS),
}
# Kinds whose port docker compose may publish on another host port (a FlowGate config states the host ports itself).
COMPOSED_KINDS = ("litellm", cliproxyapi.KIND, ccr.KIND, arch.KIND)
SCAN_SUFFIXES = (".yaml", ".yml", ".json")
SCAN_MAX_BYTES = 256 * 1024  # a gateway config is small; anything bigger is data
SCAN_MAX_FILES = 2000  # tracked YAML/JSON files looked at, at most
SCAN_MAX_PARSED = 100  # files that hold a marker and are parsed, at most
# Directories whose configs are not the repository's own gateway (vendored code, test data).
SCAN_SKIP_DIRS = frozenset({"node_modules", "vendor", "third_party", "testdata", "fixtures", "__snapshots__"})


def find_spec_file(settings: Settings, explicit: str | None = None,
                   probes: list[Path] | None = None, notes: list[str] | None = None,
                   scan: dict | None = None) -> tuple[Path | None, Any]:
    """The gateway config to use, and its parsed data (None if there is none).

    Order: ``--spec``, the ``spec`` setting, then well-known paths under the
    settings root (the current directory when there are no settings), then the tracked YAML/JSON files whose content
    is a CLIProxyAPI, claude-code-router or Arch/Plano config, then a LiteLLM proxy config (a ``model_list`` with
    ``litellm_params``), then a docker compose file running a gateway image. When
    several well-known paths exist, one git ignores (a personal copy of a tracked example) is passed over for a
    tracked or untracked one: CI never sees the ignored file. Every path looked at, present or not, is appended to
    ``probes`` (the spec cache's dependencies); why a file was passed over, to ``notes``. ``scan`` memoizes the
    content scan for the caller.
    """
    probes = [] if probes is None else probes
    scan = {} if scan is None else scan
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
    for directory in search_dirs(settings):
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
    return _by_content(settings, probes, notes, scan)


def _by_content(settings: Settings, probes: list[Path], notes: list[str], scan: dict) -> tuple[Path | None, Any]:
    """The one gateway config among the tracked files (a compose file running a gateway when there is none); when
    configs of two kinds are tracked, a one-line error asking for the ``spec`` setting."""
    found = scan_tracked(settings.root, probes, scan)
    kinds = {kind: hits for kind, hits in found.items() if kind in CONTENT_KINDS and hits}
    both = [(path, k) for path, k in found.get("ambiguous", [])]
    if len(kinds) > 1 or both:
        if both:
            path, ks = both[0]
            what = f"{display(path)} reads as {' and as '.join(CONTENT_KINDS[k][0] for k in ks)}"
        else:
            what = "found " + " and ".join(f"{CONTENT_KINDS[k][0]} ({display(hits[0][0])})" for k, hits in kinds.items())
        if any(k in settings.values for k in ("gateway-port", "default-model", "models")):
            notes.append(f"{what}; used the settings alone (set 'spec' to use one of them)")
            return None, None
        raise SpecError(f"{what}: set 'spec' in [tool.flowgate-lint] to the gateway config the clients use",
                        settings.display_path() or display(settings.root))
    if kinds:
        (kind, hits), = kinds.items()
        path, data = hits[0]
        if len(hits) > 1:
            notes.append(f"gateway config: {display(path)} ({kind}), the first of {len(hits)} tracked "
                         f"({', '.join(display(p) for p, _ in hits[1:4])}{', ...' if len(hits) > 4 else ''} "
                         "also match; set 'spec' to choose)")
        else:
            notes.append(f"gateway config: {display(path)}, recognised by its content ({kind})")
        return path, data
    litellm = found.get("litellm") or []
    if litellm:  # after the other kinds: a model_list may also be another tool's, or an example's, file
        path, data = litellm[0]
        more = f" (the first of {len(litellm)} tracked; set 'spec' to choose)" if len(litellm) > 1 else ""
        notes.append(f"gateway config: {display(path)}, recognised by its content (a LiteLLM model_list){more}")
        return path, data
    composed = found.get(compose.KIND) or []
    if composed:
        path, data = composed[0]
        notes.append(f"gateway config: none; the compose file {display(path)} runs a gateway image")
        return path, data
    return None, None


LITELLM_MARKER = b"litellm_params"


def _litellm_proxy(data: Any) -> bool:
    """A LiteLLM proxy config at a path nobody names: a ``model_list`` whose entries have ``litellm_params``."""
    entries = data.get("model_list") if isinstance(data, dict) else None
    return isinstance(entries, list) and bool(entries) and all(
        isinstance(e, dict) and isinstance(e.get("model_name"), str) and isinstance(e.get("litellm_params"), dict)
        for e in entries)


def scan_tracked(root: Path, probes: list[Path], scan: dict) -> dict[str, list]:
    """The tracked YAML/JSON files under ``root`` by what their content is: kind -> [(path, data)], shallowest
    first, plus ``compose`` (compose files that publish a gateway's port) and ``ambiguous`` ([(path, kinds)]).
    Bounded: only files git tracks, with a YAML/JSON suffix, under SCAN_MAX_BYTES, holding a kind's marker
    bytes; at most SCAN_MAX_FILES looked at and SCAN_MAX_PARSED parsed. Every file looked at and git's index are
    appended to ``probes``, so adding, editing or removing one is a spec-cache miss."""
    if "found" in scan:
        return scan["found"]
    found: dict[str, list] = {}
    scan["found"] = found
    names, index = _tracked(root)
    if index is not None:
        probes.append(index)
    candidates = [n for n in names if n.lower().endswith(SCAN_SUFFIXES)
                  and not SCAN_SKIP_DIRS.intersection(n.split("/")[:-1])]
    candidates.sort(key=lambda n: (n.count("/"), n))
    parsed = 0
    for rel in candidates[:SCAN_MAX_FILES]:
        path = root / rel
        probes.append(path)
        try:
            if not path.is_file() or path.stat().st_size > SCAN_MAX_BYTES:
                continue
            raw = path.read_bytes()
        except OSError:
            continue
        maybe = [k for k, (_, _, _, markers) in CONTENT_KINDS.items() if any(m in raw for m in markers)]
        if LITELLM_MARKER in raw and b"model_list" in raw:
            maybe.append("litellm")
        if all(m in raw for m in compose.MARKERS) and b"ports" in raw:
            maybe.append(compose.KIND)
        if not maybe or parsed >= SCAN_MAX_PARSED:
            continue
        parsed += 1
        try:
            data = _yaml_load(path)
        except SpecError:
            continue  # a file that is not valid YAML is nobody's gateway config
        kinds = [k for k in maybe if k in CONTENT_KINDS and CONTENT_KINDS[k][1](data)]
        if len(kinds) > 1:
            found.setdefault("ambiguous", []).append((path, kinds))
        elif kinds:
            found.setdefault(kinds[0], []).append((path, data))
        elif "litellm" in maybe and _litellm_proxy(data):
            found.setdefault("litellm", []).append((path, data))
        elif compose.KIND in maybe and compose.is_compose(data) and compose.gateway_mappings(data):
            found.setdefault(compose.KIND, []).append((path, data))
    return found


def _tracked(root: Path) -> tuple[list[str], Path | None]:
    """The files git tracks under ``root`` (relative, "/"-separated) and git's index file; ([], None) outside a work
    tree or when git is missing."""
    import subprocess

    try:
        index = subprocess.run(["git", "-C", str(root), "rev-parse", "--git-path", "index"], capture_output=True,
                               timeout=30)
        if index.returncode != 0:
            return [], None
        listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached"], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return [], None
    if listed.returncode != 0:
        return [], None
    where = Path(os.fsdecode(index.stdout.strip()))
    return [os.fsdecode(n) for n in listed.stdout.split(b"\0") if n], where if where.is_absolute() else root / where


def search_dirs(settings: Settings) -> list[Path]:
    """The directories the well-known config paths are tried in: the settings file's, else from the start
    directory up to the project root."""
    if settings.path is None and settings.start is not None:
        start = settings.start.resolve()
        return [start, *[p for p in start.parents if settings.root.resolve() in (p, *p.parents)]]
    return [settings.root]


def _looked_in(settings: Settings) -> str:
    shown = [display(d) for d in search_dirs(settings)]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}" if len(shown) <= 3 \
        else f"{shown[0]} and the directories above it up to {shown[-1]}"


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


def load_spec(settings: Settings, explicit: str | None = None, probes: list[Path] | None = None,
              sources: dict | None = None) -> Spec:
    """Load and validate the spec from its sources; settings override the config file.

    ``probes`` collects every file path the result depends on (see ``find_spec_file``); ``sources``, when
    given, the located values the spec was derived from (``fields``, ``services``, ``models``: --show-settings)."""
    found_notes: list[str] = []
    probes = [] if probes is None else probes
    scan: dict = {}
    path, data = find_spec_file(settings, explicit, probes, found_notes, scan)
    fields: dict[str, Located] = {}
    services: dict[str, tuple[Located, Located, Located]] = {}
    models: Located | None = None
    kind = "settings"
    included: list[Path] = []
    if path is not None:
        if compose.is_compose(data):
            fields, services, models, kind = compose.read_compose(path, data, found_notes)
        elif is_flowgate(data):
            fields, services, models, kind = read_flowgate(path, data)
        elif is_litellm(data):
            models, included = read_litellm(path, data, settings.root)
            kind = "litellm"
        else:
            for _, is_kind, read, _ in CONTENT_KINDS.values():
                if is_kind(data):
                    fields, services, models, kind = read(path, data, found_notes)
                    break
            else:
                raise SpecError(
                    "not a FlowGate config (services/integration) or a LiteLLM config (model_list)"
                    + ("; nor a CLIProxyAPI, claude-code-router, Arch/Plano or docker compose config"
                       if isinstance(data, dict) else ""), display(path), 1
                )
        if kind in COMPOSED_KINDS:
            included += _published(settings, path, fields, services, probes, found_notes, scan)
    elif not any(k in settings.values for k in ("gateway-port", "default-model", "models")):
        raise SpecError(
            f"no gateway config found (looked in {_looked_in(settings)} for config/flowgate.yaml and the other "
            "well-known names): pass --spec PATH, set 'spec' in [tool.flowgate-lint], or describe the gateway in "
            "the settings alone: gateway-port and models (or default-model) in [tool.flowgate-lint]",
            settings.display_path(),
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
    if "gateway-port" in settings.values and "container-port" in fields:
        found_notes.append(f"gateway port: {settings.values['gateway-port']} from the settings, not the host port "
                           "docker compose publishes")
    if sources is not None:
        sources.update(fields=fields, services=services, models=models)
    spec = derive_spec(fields, services, models, kind, path.resolve() if path else None, settings.path)
    inputs = [p for p in (spec.source_path, settings.path) if p is not None] + included
    for key in ("cliproxyapi-config", "cliproxyapi-config-written"):
        if key in fields:
            inputs.append(Path(fields[key].value))
    return spec._replace(inputs=tuple(inputs), notes=tuple(found_notes) + spec.notes)


def _published(settings: Settings, path: Path, fields: dict[str, Located], services: dict, probes: list[Path],
               notes: list[str], scan: dict) -> list[Path]:
    """When a tracked compose file publishes the gateway's port on another host port: the host port becomes the
    gateway port (the container port is kept as ``container-port``). Returns the compose file (a spec input)."""
    svc = fields.get("gateway-service")
    entry = services.get(svc.value) if svc is not None else None
    port = entry[2].value if entry is not None else (fields["gateway-port"].value if "gateway-port" in fields else 4000)
    kind = "litellm" if entry is None else next((k for k, (_, _, name) in compose.GATEWAY_IMAGES.items()
                                                 if name == svc.value), None)
    if kind is None or not isinstance(port, int):
        return []
    for cpath, data in scan_tracked(settings.root, probes, scan).get(compose.KIND, []):
        m = compose.pick(compose.gateway_mappings(data), kind, port)
        if m is None:
            continue
        shown = display(cpath)
        loc = Located(m.host_port, shown, m.line)
        fields["container-port"] = Located(m.container_port, shown, m.line)
        if entry is None:
            fields["gateway-port"] = loc
        else:
            host = entry[1] if m.host == "127.0.0.1" else Located(m.host, shown, m.line)
            services[svc.value] = (entry[0], host, loc)
        if m.host_port != m.container_port:
            notes.append(compose.describe(m, shown))
        return [cpath]
    return []
