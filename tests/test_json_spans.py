"""JSON leaf spans come from the stdlib decoder and must be exactly json_source_map's."""

from __future__ import annotations

import json

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings
from json_source_map import calculate

from flowgate_lint.documents.json_spans import _json_leaves, _json_spans

SETTINGS = settings(suppress_health_check=list(HealthCheck), deadline=None, max_examples=300)
spaces = st.sampled_from(["", " ", "\n  ", "\t", "\r\n"])
keys = st.sampled_from(["a", "b", "a/b", "x~0", "é", "\\u0062", "sp ace", "", '\\"q', "\\n", "env"])
scalars = st.sampled_from(["1", "-2.5e3", "0", "true", "false", "null", '"s"', '"x\\"y"', '"\\u00e9\\ud83d\\ude00"',
                           "NaN", "-Infinity", "123456789012345678901234567890", '"http://127.0.0.1:4000"'])


def _array(items: list[tuple[str, str, str]]) -> str:
    return "[" + ",".join(f"{a}{v}{b}" for a, v, b in items) + "]"


def _object(members: list[tuple[str, str, str, str, str]]) -> str:
    return "{" + ",".join(f'{a}"{k}"{b}:{c}{v}{d}' for a, k, b, c, v, d in members) + "}"


values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(st.tuples(spaces, inner, spaces), max_size=4).map(_array),
    st.lists(st.tuples(spaces, keys, spaces, spaces, inner, spaces), max_size=4).map(_object)), max_leaves=12)
documents = st.tuples(spaces, values, spaces).map("".join)


def reference(text: str) -> list:
    return [(pointer, (e.value_start.position, e.value_end.position, e.key_start.position if e.key_start else -1,
                       e.key_end.position if e.key_end else -1)) for pointer, e in calculate(text).items()]


@SETTINGS
@given(text=documents)
def test_spans_match_json_source_map(text):
    json.loads(text)  # every generated document is valid JSON (repeated keys included)
    assert list(_json_spans(text).items()) == reference(text)


def test_repeated_keys_and_raw_pointers():
    text = '{"a": [1], "a\\u0062": 2, "a": {"x/y": [true]}}'
    assert list(_json_spans(text).items()) == reference(text)


def test_deeper_than_the_stdlib_decoder_still_maps():
    text = "[" * 400 + '{"k": 1}' + "]" * 400
    leaves = _json_leaves(text, json.loads(text))
    assert [(leaf.path, leaf.value, text[leaf.start:leaf.end]) for leaf in leaves] == [((0,) * 400 + ("k",), 1, "1")]
