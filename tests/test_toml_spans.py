"""TOML spans found from tomllib's data must be exactly the spans tomlkit gives, or not be used at all."""

from __future__ import annotations

import re
from pathlib import Path

import hypothesis.strategies as st
import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings

from flowgate_lint import source as S

ROOT = Path(__file__).resolve().parent.parent


def by_tomlkit(text: str) -> list[S.Leaf]:
    return sorted(S._toml_leaves(text, S._tomlkit_parse(text)), key=lambda leaf: leaf.start)


def plain(text: str) -> list[S.Leaf] | None:
    parsed = S._toml_parse(text)
    assert parsed.doc is None
    leaves = S._toml_plain_leaves(text, parsed.data)
    return None if leaves is None else sorted(leaves, key=lambda leaf: leaf.start)


def repo_toml_texts() -> list[tuple[str, str]]:
    out = []
    for path in sorted([*ROOT.glob("tests/**/*.toml"), *ROOT.glob("examples/**/*.toml")]):
        out.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    for path in sorted([*ROOT.glob("tests/**/*.md"), *ROOT.glob("examples/**/*.md"), *ROOT.glob("docs/**/*.md")]):
        for m in re.finditer(r"```toml\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
            out.append((str(path.relative_to(ROOT)), m.group(1)))
    return out


def test_every_toml_text_in_the_repo_gets_tomlkits_spans():
    answered = 0
    for where, text in repo_toml_texts():
        try:
            parsed = S._toml_parse(text)
        except S.ParseError:
            continue
        if parsed.doc is not None:
            continue
        leaves = S._toml_plain_leaves(text, parsed.data)
        if leaves is not None:
            answered += 1
            assert sorted(leaves, key=lambda leaf: leaf.start) == by_tomlkit(text), where
    assert answered >= 20  # the plain path serves the usual client config snippets


CODEX = '''model_provider = "flowgate"  # the gateway
model = "router-default"

[model_providers.flowgate]
name = "FlowGate Local"
base_url = 'http://127.0.0.1:4000/v1'
env_key = "OPENAI_API_KEY"
stream_idle_timeout_ms = 300000
requires_openai_auth = false

[mcp_servers.docs]
command = "npx"
args = ["-y", "docs-server", "--port", "7000"]
env = { DOCS_TOKEN = "x1", MODE = "ro" }
profiles.fast.model = "router-cheap"
"quoted key" = 3
'''


def test_a_typical_codex_config_is_answered_and_matches():
    leaves = plain(CODEX)
    assert leaves is not None and leaves == by_tomlkit(CODEX)
    assert {leaf.path for leaf in leaves} >= {("model_providers", "flowgate", "base_url"), ("mcp_servers", "docs", "args", 3),
                                              ("mcp_servers", "docs", "env", "MODE"), ("mcp_servers", "docs", "profiles", "fast", "model"),
                                              ("mcp_servers", "docs", "quoted key")}


@pytest.mark.parametrize("text", [
    'a = "\\u0076"\n# b, a = "v"\n',  # the real token is escaped; a lookalike sits in a comment
    '[x]\nk = "v"\n[y]\nk = "\\u0076"\n',  # two leaves would share one token
    'k = """v"""\n',  # multi-line form of a plain value
    'k = "v" # note\nj = "v, k = \\"v\\""\n',  # a value holding a lookalike
    'port = 4_000\n', 'port = +4000\n', 'port = 0x0fa0\n', 'f = 1.5\n', 'd = 1979-05-27\n',
    'args = [\n  "a", # one\n  "b",\n]\n',  # array items behind comments
    'k = "it\'s"\n', "k = 'a#b'\n",
    '[a]\nk = "v"\n[b]\nk = "v"\n',  # the same line twice
])
def test_unusual_shapes_fall_back_to_tomlkit(text):
    assert plain(text) is None
    by_tomlkit(text)  # and tomlkit still locates them


@st.composite
def codex_like(draw) -> str:
    keys = st.sampled_from(["model", "base_url", "name", "env_key", "a-b", "x_1", "quoted key", "k"])
    scalars = st.one_of(st.text(alphabet="abc-/:.# =,'\"\\é", max_size=8), st.integers(-5, 70000), st.booleans())
    doc = tomlkit.document()
    for key in draw(st.lists(keys, unique=True, max_size=3)):
        doc[key] = draw(scalars)
    for table in draw(st.lists(st.sampled_from(["p", "q.r", "model_providers"]), unique=True, max_size=3)):
        t = tomlkit.table()
        for key in draw(st.lists(keys, unique=True, max_size=4)):
            t[key] = draw(st.one_of(scalars, st.lists(scalars, max_size=3)))
        if draw(st.booleans()):
            t["inline"] = draw(st.dictionaries(keys, scalars, max_size=2))
        doc[table] = t
    text = tomlkit.dumps(doc)
    if draw(st.booleans()):  # comments that repeat a line of the document
        lines = text.splitlines(keepends=True)
        if lines:
            i = draw(st.integers(0, len(lines) - 1))
            text += "# " + draw(st.sampled_from(lines))
    return text


@settings(suppress_health_check=list(HealthCheck), deadline=None)
@given(codex_like())
def test_plain_spans_equal_tomlkit_spans_whenever_given(text):
    leaves = plain(text)
    if leaves is not None:
        assert leaves == by_tomlkit(text)
