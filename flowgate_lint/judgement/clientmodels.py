"""Models a client names: the model slots of a block or file whose base URL targets this gateway."""

from typing import Any

from flowgate_lint.judgement.frames import frame_at
from flowgate_lint.judgement.judge import _selected_provider, judge
from flowgate_lint.judgement.sections import section_at
from flowgate_lint.judgement.values import LOCAL, LocalConfig, SERVICE, Section, Target, UPSTREAM, _file_cache, _main_markdown
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.documents.markdown import markdown_doc


# ---------------------------------------------------------------------------- models a client names

_ELSEWHERE = frozenset({UPSTREAM, SERVICE, LOCAL})


def _base_url_targets(s: Any, ctx: Any, client: str) -> list[tuple[int, Target]]:
    """The client base URLs set in one source (a file or a block): host line and judgement of each."""
    from flowgate_lint.documents.scan import assignments, is_reference

    names = ("ANTHROPIC_BASE_URL",) if client == "claude" else ("OPENAI_BASE_URL", "OPENAI_API_BASE")
    spans = [(a.start, a.end, a.name) for a in assignments(s) if a.name in names and not is_reference(a.value)]
    if client == "codex" and s.kind == "toml":
        try:
            leaves = s.leaves()
        except Exception:  # noqa: BLE001 - an unparsable block names no provider
            leaves = []
        spans += [(leaf.start, leaf.end, "base_url") for leaf in leaves if isinstance(leaf.value, str)
                  and (leaf.path == ("openai_base_url",) or (leaf.key == "base_url" and _selected_provider(s, leaf.path)))]
    return [(s.host.position(s.to_host(a))[0], judge(s, ctx, a, b, key=k)) for a, b, k in spans]


_DIRECT = frozenset({"CLAUDE_CODE_USE_VERTEX", "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_FOUNDRY"})
# Model ids in a cloud provider's own format (Vertex "claude-opus-4-5@20251101", Bedrock "us.anthropic.claude-…").
NATIVE_MODEL_ID = lazy(r"^[\w.-]+@\d{8}$|^(?:(?:us|eu|apac|global)\.)?anthropic\.[\w.-]+(?::\d+)?$|^arn:aws:bedrock:")


def _direct_provider(s: Any) -> bool:
    """Whether a source switches Claude Code to a cloud provider directly (Vertex, Bedrock, Foundry)."""
    from flowgate_lint.documents.scan import assignments

    return any(a.name in _DIRECT and a.value.strip().lower() in ("1", "true", "yes") for a in assignments(s))


def _verdict(targets: list[Target]) -> str | None:
    """"gateway" when a base URL targets the gateway, "elsewhere" when they all go elsewhere, None: no evidence."""
    if any(t.is_gateway and not t.quoted for t in targets):
        return "gateway"
    if any(t.kind in _ELSEWHERE or t.quoted for t in targets):
        return "elsewhere"
    return None


def client_models(src: Any, ctx: Any, offset: int, client: str) -> tuple[str, ...] | None:
    """The models a model name at ``src.text[offset]`` (for ``client``: "claude" or "codex") must be among.

    That is the section's own model list in a self-contained example, else the gateway's. None when that is
    unknown, or when the value is not sent to the gateway: its block or section points the client at an upstream
    provider or another service, or the section is history, a provider guide or about another service."""
    section = section_at(src, ctx, offset)
    if frame_at(src, ctx, offset).quoted:
        return None
    verdict = None
    if src.kind != "markdown" or src.embedded:
        if client == "claude" and _direct_provider(src):
            return None
        verdict = _verdict([t for _, t in _base_url_targets(src, ctx, client)])
    if verdict is None and src.host.kind == "markdown":
        fc = _file_cache(src, ctx)
        key = ("section-clients", section.start_line, section.end_line, client)
        if key not in fc:
            md = _main_markdown(src)
            lo, hi = section.start_line, section.end_line
            targets = [t for line, t in _base_url_targets(md, ctx, client) if lo <= line <= hi]
            for f in markdown_doc(md).fences:
                if f.source is not None and lo <= f.open_line <= hi:
                    targets.extend(t for _, t in _base_url_targets(f.source, ctx, client))
            fc[key] = _verdict(targets)
        verdict = fc[key]
    if verdict == "elsewhere":
        return None
    if verdict is None and (section.provider_guide or section.describes is not None):
        return None
    local = own_example(section, ctx)
    return local.models if local is not None else ctx.spec.models


def own_example(section: Section, ctx: Any) -> LocalConfig | None:
    """The gateway config a section brings as a self-contained example, if any (a bare command that starts a
    gateway on the configured port, with no model list of its own, starts this one)."""
    local = section.local
    if local is None or (local.models is None and local.kind == "command" and local.port == ctx.spec.gateway.port):
        return None
    return local
