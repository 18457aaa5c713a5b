"""Blocks: the gateway configs a section or fenced block brings itself, what a fenced block is presented as,
and what is read as prose."""

import re
from typing import Any, Iterator

from flowgate_lint.judgement.services import real_config, service_by_port
from flowgate_lint.judgement.urls import find_urls
from flowgate_lint.judgement.values import Block, LocalConfig, Url, _file_cache, _main_markdown, _run_cache
from flowgate_lint.plumbing.gates import search
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.spec.model import model_served
from flowgate_lint.spec.shapes import excerpt_shape
from flowgate_lint.documents.markdown import markdown_doc


# ---------------------------------------------------------------------------- local configs and blocks

_PORT_FLAG = lazy(r"--port[ =](\d{2,5})\b")
_DOCKER_PORT = lazy(r"(?:-p|--publish)[ =](?:[\d.]+:)?(\d{2,5}):(\d{2,5})\b")
_GATEWAY_CMD = lazy(r"\blitellm\b(?![-_.])|cli-?proxy-?api|\bflowgate\b(?![-_.])", re.I)


def model_names(data: Any) -> tuple[str, ...]:
    """The ``model_name`` of every entry of a config's ``model_list`` (top level, or a FlowGate ``litellm_base``)."""
    if not isinstance(data, dict):
        return ()
    base = data.get("litellm_base")
    lists = (data.get("model_list"), base.get("model_list") if isinstance(base, dict) else None)
    return tuple(str(e["model_name"]) for ml in lists if isinstance(ml, list) for e in ml
                 if isinstance(e, dict) and "model_name" in e)


def _local_config_of(text: str, kind: str, ctx: Any, line: int) -> LocalConfig | None:
    """The gateway config a block (or a whole example file) brings, if it is one."""
    if kind in ("yaml", "json"):
        try:
            data = _load_data(text, kind, ctx)
        except Exception:  # noqa: BLE001 - a block that does not parse brings nothing we can read
            return None
        if not isinstance(data, dict):
            return None
        if isinstance(data.get("model_list"), list) or isinstance(data.get("litellm_settings"), dict):
            names = model_names(data)
            port = data.get("port") if isinstance(data.get("port"), int) else None
            return LocalConfig("litellm", port, names or None, line)
        base = data.get("litellm_base")
        if not isinstance(data.get("services"), dict) and isinstance(base, dict) and isinstance(base.get("model_list"), list):
            # A FlowGate config shown only by its litellm_base (and integration): an example with its own models
            return LocalConfig("flowgate", None, model_names(data) or None, line)
        services = data.get("services")
        if isinstance(services, dict) and ("config_version" in data or "litellm_base" in data):
            gw = services.get(ctx.spec.gateway.service)
            port = gw.get("port") if isinstance(gw, dict) and isinstance(gw.get("port"), int) else None
            return LocalConfig("flowgate", port, model_names(data) or None, line)
        if isinstance(data.get("port"), int) and any(k in data for k in ("api-keys", "auth-dir", "openai-compatibility", "remote-management")):
            return LocalConfig("cliproxyapi", data["port"], None, line)
        return None
    if kind == "shell":
        spec_rel = getattr(ctx, "spec_rel", None) or ""
        spec_base = spec_rel.rsplit("/", 1)[-1]
        for raw in text.splitlines():
            if not _GATEWAY_CMD.search(raw) or raw.lstrip().startswith("#"):
                continue
            if spec_base and re.search(rf"(?<![\w.-]){re.escape(spec_base)}\b", raw):
                continue  # starts the repository's own gateway: not a self-contained example
            m = _PORT_FLAG.search(raw)
            if m:
                return LocalConfig("command", int(m.group(1)), None, line)
            d = _DOCKER_PORT.search(raw)
            if d:
                return LocalConfig("command", int(d.group(1)), None, line)
    return None


def _load_data(text: str, kind: str, ctx: Any = None) -> Any:
    """The parsed block (raises on a block that does not parse); with ``ctx``, parsed once per run (callers
    only read it)."""
    if ctx is None:
        return _parse_data(text, kind)
    parsed = _run_cache(ctx).setdefault("data", {})
    key = (kind, text)
    if key not in parsed:
        if len(parsed) > 256:
            parsed.clear()
        try:
            parsed[key] = (True, _parse_data(text, kind))
        except Exception as exc:  # noqa: BLE001 - re-raised to every caller, as a fresh parse would
            parsed[key] = (False, exc)
    ok, value = parsed[key]
    if not ok:
        raise value.with_traceback(None)
    return value


def _parse_data(text: str, kind: str) -> Any:
    if kind == "json":
        import json

        from flowgate_lint.documents.json_spans import strip_jsonc

        return json.loads(strip_jsonc(text))
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(text)


def _fence_local(fence: Any, ctx: Any) -> LocalConfig | None:
    if fence.source is None or fence.source.kind not in ("yaml", "json", "shell"):
        return None
    if fence.source.kind != "shell" and _presents_repo_config(fence, ctx):
        return None  # an excerpt of the repository's own config is not a self-contained example
    local = _local_config_of(fence.source.text, fence.source.kind, ctx, fence.open_line)
    if local is not None and local.port is not None:
        svc = service_by_port(ctx, local.port)
        if svc is not None and svc.name != ctx.spec.gateway.service:
            return None  # starts another declared service (the previous gateway, an upstream)
    return local


FILE_NAME = _FILE_NAME = lazy(r"""(?:~/|\./|/)?(?:[\w.-]+/)*[\w.-]+\.(?:ya?ml|json5?|jsonc|toml|env|sh|conf|ini)\b|\.env\b""")
_ELLIPSIS = lazy(r"^\s*(?:#|//)?\s*(?:\.\.\.|…)\s*$|(?<![\w.])\.\.\.(?![\w.])", re.M)


def _fence_of(src: Any) -> Any:
    if src.host.kind != "markdown":
        return None
    md = _main_markdown(src)
    start = src.to_host(0)
    for f in markdown_doc(md).fences:
        if f.source is not None and f.content_start == start or f.source is src:
            return f
    return None


def _intro(src_host: Any, fence: Any) -> str:
    """The fence info, the first content line, and the two host lines before the fence."""
    host = src_host
    before = " ".join(host.line_text(n) for n in range(max(1, fence.open_line - 2), fence.open_line))
    first = host.line_text(fence.open_line + 1)
    return f"{fence.info} || {first} || {before}"


_GENERIC_NAMES = frozenset({"config.yaml", "config.yml", "config.json", "config.toml", "settings.yaml", "settings.json"})


def names_spec(name: str, ctx: Any) -> bool:
    """Whether a file name written in a doc is the repository's gateway config (its path, or its base name when
    that is distinctive: "flowgate.yaml", not "config.yaml")."""
    spec_rel = getattr(ctx, "spec_rel", None)
    if not spec_rel:
        return False
    name = name.lstrip("./")
    base = spec_rel.rsplit("/", 1)[-1]
    return name == spec_rel or spec_rel.endswith("/" + name) and (name != base or base not in _GENERIC_NAMES)


# Words that introduce a block as an illustration rather than the repository's own file.
ILLUSTRATIVE = lazy(r"\b(?:looks? like|for example|for instance|e\.g\.|such as|examples?|samples?|like this|something like|"
                    r"minimal|template|a config with|hypothetical)\b|例如|示例|比如|类似|样例|模板", re.I)


def _own_models(data: Any, ctx: Any) -> bool:
    """Whether a block's model list names models and none of them is one the gateway serves."""
    served = ctx.spec.models
    names = model_names(data)
    return served is not None and bool(names) and not any(model_served(n, served) for n in names)


def _presents_repo_config(fence: Any, ctx: Any) -> bool:
    src = fence.source
    spec_rel = getattr(ctx, "spec_rel", None)
    intro = _intro(src.host, fence)
    if search(ILLUSTRATIVE, intro):
        try:
            if _own_models(_load_data(src.text, src.kind, ctx), ctx):
                return False  # "`config/flowgate.yaml` excerpt (example)" with models of its own: an example setup
        except Exception:  # noqa: BLE001 - a block that does not parse is read below as before
            pass
    if spec_rel:
        base = spec_rel.rsplit("/", 1)[-1]
        if spec_rel in intro or (base not in _GENERIC_NAMES and base in intro
                                 and re.search(rf"(?<![\w.-/]){re.escape(base)}\b", intro)):
            return True  # a generic name ("config.yaml") alone may be any tool's, or another setup's, config
    try:
        data = _load_data(src.text, src.kind, ctx)
    except Exception:  # noqa: BLE001
        return False
    if not isinstance(data, dict) or not data:
        return False
    keys = set(data)
    shape = excerpt_shape(getattr(ctx.spec, "source_kind", None))
    if not {"config_version", "services", "litellm_base"} & keys and not (shape is not None and shape.markers & keys):
        return False  # decided without loading the real config (which imports ruamel.yaml)
    real = real_config(ctx)
    return isinstance(real, dict) and keys <= set(real)


def block_facts(src: Any, ctx: Any) -> Block:
    """Facts about a fenced block's Source (see the module docstring)."""
    fc = _file_cache(src, ctx)
    key = ("block", src.to_host(0))
    if key in fc:
        return fc[key]
    fence = _fence_of(src) if src.embedded and src.target is None else None
    if src.target is not None:
        b = Block(src.target, False, True, False, None)  # a here-document: the file it writes
    elif fence is None:
        b = Block(src.host.path, False, True, bool(src.host.is_spec), None)
    else:
        intro = _intro(src.host, fence)
        m = _FILE_NAME.search(intro)
        names = m.group(0) if m else None
        elided = bool(_ELLIPSIS.search(src.text))
        repo = src.kind in ("yaml", "json") and _presents_repo_config(fence, ctx)
        local = None if repo else _local_config_of(src.text, src.kind, ctx, fence.open_line)
        b = Block(names, elided, names is not None and not elided, repo, local)
    fc[key] = b
    return b


# ---------------------------------------------------------------------------- prose pieces

PROSE_FENCES = frozenset({
    "", "text", "txt", "plain", "plaintext", "log", "output", "ascii", "diagram", "mermaid", "http", "none",
    # client code and other shells: read for their URLs and NAME=value settings, never parsed
    "python", "py", "javascript", "js", "typescript", "ts", "go", "rust", "java", "ruby",
    "bat", "cmd", "batch", "powershell", "ps1", "pwsh", "fish", "ini", "cfg", "conf", "dockerfile", "makefile",
})


def prose_pieces(src: Any) -> Iterator[tuple[str, Any]]:
    if src.kind != "markdown":
        yield src.text, None
        return
    cache = getattr(src, "_cache", None)
    pieces = cache.get("prose_pieces") if cache is not None else None
    if pieces is None:
        pieces = tuple(_markdown_prose_pieces(src))  # several rules read the same pieces
        if cache is not None:
            cache["prose_pieces"] = pieces
    yield from pieces


def prose_urls(src: Any) -> tuple[tuple[Url, ...], ...]:
    """``find_urls`` of each of ``prose_pieces(src)``, in the same order (cached per source: several rules read them)."""
    cache = getattr(src, "_cache", None)
    urls = cache.get("prose_urls") if cache is not None else None
    if urls is None:
        urls = tuple(tuple(find_urls(text)) for text, _ in prose_pieces(src))
        if cache is not None:
            cache["prose_urls"] = urls
    return urls


def _markdown_prose_pieces(src: Any) -> Iterator[tuple[str, Any]]:
    doc = markdown_doc(src)
    for seg in doc.segments:
        yield seg.text, seg.to_host
    text = src.host.text
    for f in doc.fences:
        if f.source is None and f.lang in PROSE_FENCES:
            yield _without_removed_lines(text[f.content_start:f.content_end]), (lambda i, base=f.content_start: base + i)
    for a, b in doc.code_blocks:
        yield text[a:b], (lambda i, base=a: base + i)


_DIFF = lazy(r"^(?:@@ |\+\+\+ |--- a/)", re.M)
_REMOVED = lazy(r"^-(?!--).*$", re.M)


def _without_removed_lines(text: str) -> str:
    """A unified diff's removed lines are the old text: blanked (offsets kept) so nothing reads them."""
    if not _DIFF.search(text):
        return text
    return _REMOVED.sub(lambda m: " " * len(m.group(0)), text)
