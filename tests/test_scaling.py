"""Linting one file grows linearly with its size (issue 28, item 12): lookups at an offset use an index
built once per file, never a scan per URL. Not a timing test: the CPU time of a file twelve times larger
must stay far below the 144 times a quadratic lookup would take (linear is 12); bench/run.py has the figures."""

from __future__ import annotations

import gc
import random
import time

import pytest

from rulekit import lint_text

# The shapes issue 28 names: many fences, one fence with many URL lines, many prose lines with a client URL.
SHAPES = {
    "fences": lambda n: "".join(f"Step {i}:\n\n```sh\ncurl -fsS http://127.0.0.1:4000/v1/models\n```\n\n" for i in range(n)),
    "one fence": lambda n: "# Setup\n\n```sh\n" + "export ANTHROPIC_BASE_URL=http://127.0.0.1:4001/v1\n" * n + "```\n",
    "prose": lambda n: "# Setup\n\n" + "".join(f"Run `export ANTHROPIC_BASE_URL=http://127.0.0.1:4001` on line {i}.\n"
                                                for i in range(n)),
}


def _cpu(text: str) -> float:
    """The least CPU time of two lints of ``text`` (the least is the steadiest on a loaded machine)."""
    best = float("inf")
    for _ in range(2):
        gc.collect()
        gc.disable()  # a collection's cost grows with the heap, not with the work measured
        try:
            start = time.process_time()
            lint_text(text, "docs/setup.md")
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return best


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_linting_one_file_is_linear_in_its_size(shape):
    make = SHAPES[shape]
    findings = lint_text(make(3), "docs/setup.md")
    assert shape == "fences" or findings, "the shape must reach the URL checks"
    lint_text(make(50), "docs/setup.md")  # imports and compiled patterns out of the way
    small, large = _cpu(make(500)), _cpu(make(6000))  # linear: 12 times; quadratic: 144 times
    assert large < 36 * max(small, 0.01), f"{shape}: 500 units {small:.2f} s, 6000 units {large:.2f} s"


def _old_span_first(spans: list[tuple[int, int]], pos: int) -> int | None:
    return next((i for i, (a, b) in enumerate(spans) if a <= pos < b), None)


def test_span_index_answers_as_a_scan_does():
    from flowgate_lint.plumbing.spans import SpanIndex

    rng = random.Random(28)
    for _ in range(300):
        spans = []
        for _ in range(rng.randint(0, 12)):
            a = rng.randint(0, 60)
            spans.append((a, a + rng.randint(-2, 15)))
        index = SpanIndex(spans)
        for pos in range(-2, 80):
            assert index.first(pos) == _old_span_first(spans, pos), (spans, pos)
            assert index.covers(pos) == (_old_span_first(spans, pos) is not None), (spans, pos)


def _old_under_before_comment(text: str, start: int) -> bool:
    from flowgate_lint.judgement.frames import _AFTER, _BEFORE, _COMMENT_LINE

    end = text.rfind("\n", 0, start)
    while end > 0:
        begin = text.rfind("\n", 0, end) + 1
        m = _COMMENT_LINE.match(text[begin:end])
        if m:
            label = m.group(1)
            return bool(_BEFORE.search(label)) and not _AFTER.search(label)
        end = begin - 1
    return False


def test_the_comment_above_a_value_is_found_as_the_walk_back_found_it():
    from flowgate_lint.documents.source import Source
    from flowgate_lint.judgement.frames import _under_before_comment

    rng = random.Random(12)
    pieces = ["# Before (LiteLLM):", "# After:", "// old value", "-- new", "; was", "x=1", "", "  # previously", "\r",
              "url: http://127.0.0.1:4000", "# note"]
    for _ in range(200):
        text = "\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 10))) + rng.choice(["", "\n"])
        src = Source(None, "shell", text)
        for start in range(len(text) + 1):
            assert _under_before_comment(src, start) == _old_under_before_comment(text, start), (text, start)


def test_an_excerpt_of_a_long_model_list_is_compared_in_linear_time(tmp_path):
    """FG601 on a claude-code-router excerpt: each model is looked up in a set built once per real list."""
    import json

    from flowgate_lint.spec.load import load_spec
    from flowgate_lint.spec.settings import Settings

    def cpu(n: int) -> float:
        models = [f"model-{i}" for i in range(n)]
        config = tmp_path / f"ccr-{n}.json"
        config.write_text(json.dumps({"PORT": 3456, "Router": {"default": "p,model-0"},
                                      "Providers": [{"name": "p", "models": models}]}))
        spec = load_spec(Settings({}, None, tmp_path), str(config))
        excerpt = {"Providers": [{"name": "p", "models": models[:-1] + ["renamed"]}]}
        doc = "Our router config:\n\n```json\n" + json.dumps(excerpt, indent=1) + "\n```\n"
        assert [f.code for f in lint_text(doc, "docs/router.md", ["FG601"], spec=spec)] == ["FG601"]
        best = float("inf")
        for _ in range(2):
            start = time.process_time()
            lint_text(doc, "docs/router.md", ["FG601"], spec=spec)
            best = min(best, time.process_time() - start)
        return best

    cpu(50)
    small, large = cpu(500), cpu(6000)  # linear: 12 times; quadratic: 144 times
    assert large < 36 * max(small, 0.01), f"500 models {small:.2f} s, 6000 models {large:.2f} s"


def test_the_heredoc_body_lookup_answers_as_a_scan_does():
    """The engine drops a shell finding inside a here-document's body with one bisection, not a scan of the bodies."""
    from flowgate_lint.lint.engine import _in_body

    rng = random.Random(33)
    for _ in range(300):
        bodies, at = [], 0
        for _ in range(rng.randint(0, 10)):
            at += rng.randint(0, 8)
            end = at + rng.randint(1, 9)
            bodies.append((at, end))
            at = end
        starts = [a for a, _ in bodies]
        for pos in range(-2, at + 5):
            assert _in_body(pos, bodies, starts) == any(a <= pos < b for a, b in bodies), (bodies, pos)
