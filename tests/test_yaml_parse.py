"""The one-pass YAML read (scalars with spans, and data) against ruamel's public API, on tricky streams.

``source._yaml_parse_one_pass`` is built from ruamel's loader steps; ``_yaml_parse_public`` composes and loads
with the public API (and serves older ruamel releases). A ruamel release that changes those steps fails here."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowgate_lint.documents import yaml_spans as source
from flowgate_lint.documents.leaves import ParseError

docinfo = pytest.importorskip("ruamel.yaml.docinfo")

TRICKY = [
    "url: http://127.0.0.1:4000/v1\n",
    "a: 1\n---\nb: [x, {c: 'd'}]\n",
    "base: &b {port: 4000, host: localhost}\nsvc:\n  <<: *b\n  port: 4100\n",
    "%YAML 1.1\n---\non: yes\nport: 0o17\n",
    "a: 1\na: 2\n",  # duplicate key: composes, does not construct
    "x: !!binary notbase64@@\n",
    "x: !custom tag\n",
    "a: [1, 2\n",  # does not compose
    "- a\n- b: c\n  d: [e, f]\n",
    "",
    "---\n...\n---\nk: v\n",
    "key: |\n  ANTHROPIC_BASE_URL=http://127.0.0.1:4000\n  more\n",
    "a: 1\n---\nb: 2\n---\n[unclosed\n",  # an error in a later document
    "\ufeffk: v\n",
    "[" * 300 + "]" * 300 + "\n",
]


def outcome(parse, text):
    try:
        got = parse(text)
    except ParseError as exc:
        return ("error", str(exc), exc.offset if hasattr(exc, "offset") else None)
    leaves = got.leaves if isinstance(got.leaves, ParseError) else [tuple(leaf) for leaf in got.leaves]
    return (str(leaves) if isinstance(leaves, ParseError) else leaves, repr(got.data), got.constructed)


def one_pass(text):
    return source._yaml_parse_one_pass(text, docinfo.DocInfo, docinfo.version)


@pytest.mark.parametrize("text", TRICKY)
def test_one_pass_matches_the_public_api(text):
    assert outcome(one_pass, text) == outcome(source._yaml_parse_public, text)


scalars = st.sampled_from(["4000", "localhost", "'quoted'", '"dq"', "http://127.0.0.1:4000/v1", "yes", "~", "1.5",
                           "&a x", "*a", "!!str 3", "[a, b]", "{k: v}", "|\n    block"])
keys = st.sampled_from(["url", "port", "model", "a", "b", "<<", "'k q'"])


@pytest.mark.filterwarnings("ignore::ruamel.yaml.error.ReusedAnchorWarning")  # generated streams reuse anchors
@settings(suppress_health_check=list(HealthCheck), deadline=None, max_examples=150)
@given(st.lists(st.tuples(st.integers(0, 2), keys, scalars), max_size=8), st.booleans())
def test_generated_streams_read_the_same_both_ways(items, two_docs):
    lines = [f"{'  ' * depth}{key}: {value}" for depth, key, value in items]
    text = "\n".join(lines) + "\n"
    if two_docs:
        text = text + "---\n" + text
    assert outcome(one_pass, text) == outcome(source._yaml_parse_public, text)


def test_every_document_of_a_long_stream_gives_its_scalars():
    """Nodes of a document read earlier are freed; a later document's nodes must not be taken for them."""
    text = "".join(f"---\nurl: http://127.0.0.1:{4000 + i}/v1\nname: svc{i}\n" for i in range(60))
    leaves = source._yaml_parse(text).leaves
    assert sorted(leaf.value for leaf in leaves if str(leaf.value).startswith("http")) == \
        sorted(f"http://127.0.0.1:{4000 + i}/v1" for i in range(60))
