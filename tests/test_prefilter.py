"""The byte prefilter is a superset test: whenever a trigger matches, the file must pass."""

from __future__ import annotations

import re
import sys

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from flowgate_lint.plumbing._triggers import TRIGGERS
from gateway import unavailable
from flowgate_lint.fastpath import GENERIC
from flowgate_lint.plumbing.prefilter import compile_prefilter, needles_for

FRAGMENTS = (*TRIGGERS, *GENERIC)
SETTINGS = settings(suppress_health_check=list(HealthCheck), deadline=None)
# Pieces that sit on or near trigger boundaries, mixed with noise.
pieces = st.sampled_from(["codex", "-p", " -m ", "\t-m\n", "-m", "gh", "ghp_", "GHU_", "gha_", "127.", "127.0", "0.0.0",
                          "::", "::1", "host", ":8080", "a:4", "]:443", "ANTHROPIC_", "anthropic_x_MODEL", "Model",
                          "\"model\"", "sk", "-", "KEY", "tok", "en", "://", " ", "\n", "\r\n", "é", "x"])
texts = st.lists(st.one_of(pieces, st.text(max_size=6)), max_size=30).map("".join)


@pytest.fixture(params=["automaton", "fallback"])
def engine(request, monkeypatch):
    if request.param == "fallback":
        monkeypatch.setitem(sys.modules, "ahocorasick_rs", None)  # import raises ImportError
    else:
        try:
            import ahocorasick_rs  # noqa: F401  (a runtime dependency: missing is a skip locally, a failure in CI)
        except ImportError:
            unavailable("ahocorasick", "ahocorasick_rs is not installed (a runtime dependency: pip install -e '.[test]')")
    return request.param


@SETTINGS
@given(text=texts)
def test_every_trigger_match_passes_the_prefilter(text):
    data = text.encode("utf-8")
    for fragment in FRAGMENTS:
        if re.search(fragment.encode(), data, re.I):
            assert compile_prefilter([fragment])(data), (fragment, text)


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_each_fragment_alone_on_both_engines(engine, fragment):
    check = compile_prefilter([fragment])
    hits = [t for t in ("codex -p dev", "x -m y", "GHP_abc", "http://h:4000", "Anthropic_Foo_Model",
                        "model_list:", "127.0.0.1", "[::1]", "AKIA123", "\"model\": 1") if re.search(fragment, t, re.I)]
    for text in hits:
        assert check(text.encode()), (fragment, text)
    assert not check(b"plain prose about release notes")


def test_all_triggers_reject_plain_prose_and_accept_each_trigger(engine):
    check = compile_prefilter(FRAGMENTS)
    assert not check(b"# Release notes\n\nThe team shipped the dashboard.\n")
    assert check(b"Set ANTHROPIC_BASE_URL now")
    assert check(b"run `python -m pytest`")  # \s-m\s
    assert check(b"ghs_0123")


def test_small_fragments_are_expanded_and_large_ones_reduced():
    assert needles_for(r"gh[pousr]_") == [b"gho_", b"ghp_", b"ghr_", b"ghs_", b"ghu_"]
    assert needles_for("A|Bcd|efg") is None  # "a" is too short to be a needle
    assert needles_for("abc|DEF") == [b"abc", b"def"]
    assert len(needles_for(r"\s-m\s")) == 36
    assert needles_for(r"ANTHROPIC_\w*MODEL") == [b"anthropic_"]
    assert needles_for(r"[\w\]]:\d{2,5}\b") is None  # stays a regular expression
    assert len(needles_for(r":\d\d")) == 100
    assert needles_for(r"codex\s+-p\b") == [b"codex"]


def test_leftover_regex_keeps_its_case_classes():
    check = compile_prefilter([r"\S:\d\d"])  # must not be lowercased into \s
    assert check(b"host:80")
    assert not check(b" :80")


from flowgate_lint.plumbing.prefilter import fold, required_groups  # noqa: E402
from flowgate_lint.rules.claims import phrase_tables  # noqa: E402

PHRASES = [p for phrases in phrase_tables().values() for p in phrases]
words = st.sampled_from(["Claude", "CLAUDE Code", "claude-code", "cannot", "can't", "can not", "connect", "directly",
                         "gateway", "LiteLLM", "needs", "a", "separate", "adapter", "only", "Codex", "OpenAI-compatible",
                         "clients", "are", "supported", "isn't", "is not", "不能", "直接", "接入", "需要", "额外的", "适配层",
                         "仅支持", "dırectly", "dİrectly", "CLAUDE CODE CANNOT CONNECT DİRECTLY", "ſupported", "\u212aey", " ", ", ", ". ", "。"])
claim_texts = st.lists(words, max_size=14).map(" ".join)


@SETTINGS
@given(text=claim_texts)
def test_required_groups_never_hide_a_claim_match(text):
    folded = fold(text)
    for phrase in PHRASES:
        if re.search(phrase.source, text, re.I):
            assert phrase.possible(folded), (phrase.source, text)


def test_required_groups_examples():
    assert required_groups(r"claude\b[^.]{0,9}(?:cannot|won't)\s+connect") == [("claude",), ("cannot", "won't"), ("connect",)]
    assert required_groups(r"\s\d{2}") == []  # \s and \d match non-ASCII text: never expanded
    phrase = next(p for p in PHRASES if p.groups and "cannot" in p.groups[0])
    assert not phrase.possible(fold("The gateway release notes."))
    assert phrase.possible(fold("Claude Code cannot connect."))


def test_fold_matches_what_ignorecase_matches():
    text = "Claude Code cannot connect dırectly."  # re.I matches dotless ı to i; casefold alone does not
    hits = [p for p in PHRASES if re.search(p.source, text, re.I)]
    assert hits and all(p.possible(fold(text)) for p in hits)


def test_required_groups_of_alternations_too_large_to_expand():
    # each branch's strongest group joins one group: every match holds one of its strings
    assert required_groups(r"\b(?:is|are) not\s*(?:yet\s+)?supported\b|\bnot supported (?:yet|now)\b") == \
        [("not supported ", "supported")]
    assert required_groups(r"(?P<obj>the\s+gateway\s+proxy)\s+is down") == [("the",), ("gateway",), ("proxy",), ("is down",)]
    assert required_groups(r"claude\s+\w+|\bx") == []  # a branch with no literal: no group


def test_phrase_table_matches_the_derived_groups():
    for phrase in PHRASES:
        assert phrase.groups == required_groups(phrase.source), phrase.where


def test_claim_data_regexes_compile():
    from flowgate_lint.rules.claims import check_tables

    check_tables()


def test_bad_claim_regex_is_reported_with_its_file_and_line(tmp_path, monkeypatch):
    from flowgate_lint.rules import claims

    (tmp_path / "xx.txt").write_text("# comment\nadapter: \\bneeds an? adapter\\b\ndirect: (?<=a+)cannot\n")
    monkeypatch.setattr(claims, "DATA", tmp_path)
    for name in ("_RAW", "_TABLES", "_TERMS"):
        monkeypatch.setattr(claims, name, None)
    with pytest.raises(ValueError, match=r"^xx\.txt:3: invalid regex"):
        claims.check_tables()
    with pytest.raises(ValueError, match=r"^xx\.txt:3: invalid regex"):
        for phrases in claims.phrase_tables().values():
            for phrase in phrases:
                phrase.search("cannot")


def _gated_patterns() -> list:
    """Every module-level lazy pattern of the lint path: the literal gates may stand before any of them."""
    import importlib

    from flowgate_lint.plumbing.lazyre import LazyPattern

    out = []
    for name in ("judgement.urls", "judgement.services", "judgement.sections", "judgement.blocks", "judgement.judge",
                 "judgement.clientmodels", "rules.claims", "rules.urls", "rules.models", "rules.codex", "rules.secrets",
                 "rules.smoke", "rules.excerpts", "documents.scan"):
        module = importlib.import_module(f"flowgate_lint.{name}")
        out += [(f"{name}.{k}", v) for k, v in vars(module).items() if isinstance(v, LazyPattern)]
    return out


GATED = _gated_patterns()
gate_words = st.sampled_from(["history", "HİSTORY", "İncorrect", "ıncorrect", "point", "POİNT", "claude", "CLAUDE", "anthropic",
                              "gemini", "GEMİNİ", "ſet", "\u212aey", "port", "PORT", "listen", "old", "wrong", "provider",
                              "instead of", "changelog", "release notes", "do not", "use", " ", ": ", "`", "\n", "# ",
                              "http://127.0.0.1:4001", "端口", "不要", "之前"])


@SETTINGS
@given(text=st.lists(gate_words, max_size=12).map("".join))
def test_a_literal_gate_never_hides_a_match(text):
    """A gate (context._gate_of) says False only for text the pattern cannot match, whatever the case folding:
    re.I matches İ and ı to i, which casefold alone does not."""
    from flowgate_lint.plumbing.gates import _gate_of

    for where, lazy_rx in GATED:
        rx = lazy_rx.compiled()
        if rx.search(text):
            gate = _gate_of(rx.pattern)
            assert gate is True or gate(text), (where, text)


def test_a_dotted_capital_i_does_not_hide_a_history_heading():
    from flowgate_lint.plumbing.gates import _gate_of

    text = "## HİSTORY"
    rx = re.compile(r"\bhistory\b", re.I)
    assert rx.search(text) and _gate_of(rx.pattern)(text)
