"""TOML spans found from tomllib's data must be exactly the spans tomlkit gives, or not be used at all."""

from __future__ import annotations

import re
from pathlib import Path

import hypothesis.strategies as st
import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings

from flowgate_lint.documents import toml_spans as S
from flowgate_lint.documents.leaves import Leaf, ParseError
from flowgate_lint.documents.source import HostFile, Source

ROOT = Path(__file__).resolve().parent.parent


def by_tomlkit(text: str) -> list[Leaf]:
    return sorted(S._toml_leaves(text, S._tomlkit_parse(text)), key=lambda leaf: leaf.start)


def plain(text: str) -> list[Leaf] | None:
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
        except ParseError:
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


# ----------------------------------------------------------------------------- the tomlkit path, linear

def reference_tomlkit_leaves(text: str) -> list[Leaf]:
    """Spans the way they were found one value at a time (a deep copy and a render per value): the
    definition the batched locator must agree with. Quadratic, so small texts only."""
    import copy

    doc = S._tomlkit_parse(text)
    found = []

    def walk(container, path):
        items = container.items() if hasattr(container, "items") else enumerate(container)
        for k, v in items:
            if isinstance(v, (dict, list)) and not isinstance(v, str):
                walk(v, path + (k,))
            else:
                found.append((path + (k,), v, v.as_string() if hasattr(v, "as_string") else str(v)))

    def locate(path, token):
        if token and text.count(token) == 1:
            return text.index(token), text.index(token) + len(token)
        sentinel = "\x00flowgate-locate\x00"
        try:
            probe = copy.deepcopy(doc)
            node = probe
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = sentinel
            rendered = tomlkit.dumps(probe)
        except Exception:
            return None
        quoted = tomlkit.string(sentinel).as_string()
        at = rendered.find(quoted)
        if at < 0:
            return None
        suffix = rendered[at + len(quoted):]
        end = len(text) - len(suffix)
        if text[:at] != rendered[:at] or end < at or not text.endswith(suffix):
            return None
        return at, end

    walk(doc, ())
    leaves = []
    for path, item, token in found:
        span = locate(path, token)
        if span is None:
            continue
        key_start = key_end = -1
        if isinstance(path[-1], str):
            line_start = text.rfind("\n", 0, span[0]) + 1
            m = None
            for m in re.finditer(r'(?:"[^"\n]*"|\'[^\'\n]*\'|[A-Za-z0-9_-]+)\s*=\s*$', text[line_start:span[0]]):
                pass
            if m is not None:
                key_start = line_start + m.start()
                key_end = key_start + len(m.group(0).split("=")[0].rstrip())
        leaves.append(Leaf(path, item.unwrap() if hasattr(item, "unwrap") else item, *span, key_start, key_end))
    return sorted(leaves, key=lambda leaf: leaf.start)


UNUSUAL = [
    'a = "\\u0076"\n# b, a = "v"\n', '[x]\nk = "v"\n[y]\nk = "\\u0076"\n', 'k = """v"""\n',
    'k = "v" # note\nj = "v, k = \\"v\\""\n', 'port = 4_000\n', 'f = 1.5\ng = 1.5\n', 'd = 1979-05-27\n',
    'args = [\n  "a", # one\n  "b",\n  "a",\n]\n', '[a]\nk = "v"\n[b]\nk = "v"\n', 'on = true\n[t]\non = true\n',
    'x = [1, 1, [1, 2], {a = 1}]\n', 't = {a = 1.0, b = 1.0}\n[[arr]]\nv = 2.5\n[[arr]]\nv = 2.5\n',
]


def test_the_batched_tomlkit_spans_equal_one_value_at_a_time():
    texts = [text for _, text in repo_toml_texts()] + UNUSUAL
    compared = 0
    for text in texts:
        try:
            S._tomlkit_parse(text)
        except ParseError:
            continue
        assert by_tomlkit(text) == reference_tomlkit_leaves(text), text
        compared += 1
    assert compared >= 30


@st.composite
def tomlkit_shaped(draw) -> str:
    """Documents the plain locator declines: repeated lines across tables, floats, dates, escapes."""
    keys = st.sampled_from(["model", "base_url", "trust_level", "k", "quoted key"])
    scalars = st.one_of(st.sampled_from(["trusted", "v", "a\\b", "x\ty"]), st.integers(0, 3), st.booleans(),
                        st.sampled_from([1.5, 2.0]))
    doc = tomlkit.document()
    for table in draw(st.lists(st.sampled_from(["p", "q", "r.s", 'projects."/a"', 'projects."/b"']), unique=True, max_size=4)):
        t = tomlkit.table()
        for key in draw(st.lists(keys, unique=True, max_size=3)):
            t[key] = draw(st.one_of(scalars, st.lists(scalars, max_size=3)))
        doc[table] = t
    return tomlkit.dumps(doc)


@settings(suppress_health_check=list(HealthCheck), deadline=None)
@given(tomlkit_shaped())
def test_batched_spans_equal_one_value_at_a_time_on_generated_documents(text):
    assert by_tomlkit(text) == reference_tomlkit_leaves(text)


def _plain_keys(n: int) -> str:
    return '[model_providers.flowgate]\nbase_url = "http://127.0.0.1:4001/v1"\n' + "".join(f"k{i} = {i}\n" for i in range(n))


def test_plain_spans_are_linear_in_the_number_of_keys():
    import time

    text = _plain_keys(100_000)
    parsed = S._toml_parse(text)
    started = time.process_time()
    leaves = S._toml_plain_leaves(text, parsed.data)
    elapsed = time.process_time() - started
    assert leaves is not None and len(leaves) == 100_001
    assert leaves[-1] == Leaf(("model_providers", "flowgate", "k99999"), 99999, len(text) - 6, len(text) - 1,
                                len(text) - 15, len(text) - 9)
    assert elapsed < 30, f"{elapsed:.1f} s of CPU"  # generous: about 1 s; one search per key took over 300 s


def test_tomlkit_spans_are_linear_in_the_number_of_values():
    import time

    text = '[model_providers.flowgate]\nbase_url = "http://127.0.0.1:4001/v1"\n' + "".join(
        f'[projects."/p{i}"]\ntrust_level = "trusted"\nweight = {i}.5\n' for i in range(1000))  # 60 KiB
    assert len(text) <= S.TOMLKIT_MAX_CHARS
    started = time.process_time()
    leaves = Source(HostFile("c.toml", text, "toml"), "toml", text).leaves()
    elapsed = time.process_time() - started
    assert len(leaves) == 2001
    trust = [leaf for leaf in leaves if leaf.key == "trust_level"]
    assert len({leaf.start for leaf in trust}) == 1000 and all(text[leaf.start:leaf.end] == '"trusted"' for leaf in trust)
    assert elapsed < 30, f"{elapsed:.1f} s of CPU"  # generous: about 1.5 s; a copy and a render per value took minutes
