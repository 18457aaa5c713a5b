"""How a doc's excerpt of each gateway kind's config is compared (FG601), by the spec's ``source_kind``.

FlowGate and LiteLLM excerpts are compared key by key (rules/excerpts.py); the other kinds only on what clients
depend on, as each kind's module declares in its ``EXCERPT``."""

from flowgate_lint.spec import arch, ccr, cliproxyapi
from flowgate_lint.spec.model import ExcerptShape

EXCERPT_SHAPES: dict[str, ExcerptShape] = {cliproxyapi.KIND: cliproxyapi.EXCERPT, ccr.KIND: ccr.EXCERPT, arch.KIND: arch.EXCERPT}


def excerpt_shape(source_kind: str | None) -> ExcerptShape | None:
    return EXCERPT_SHAPES.get(source_kind or "")
