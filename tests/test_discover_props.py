"""Discovery's fast per-directory decisions give exactly the answers of the plain per-path ones."""

from __future__ import annotations

import re

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, example, given, settings

from flowgate_lint.lint.discover import DEFAULT_EXCLUDE, Excluder, kind_of, name_kind

SETTINGS = settings(suppress_health_check=list(HealthCheck), deadline=None)

# Components built from the characters globs treat specially, plus the names DEFAULT_EXCLUDE lists.
_chars = st.sampled_from(list("ab.-_*?[]!/\\ \n") + ["é", "\udcff"])
_words = st.sampled_from(["a", "b", ".", "..", "x.md", ".env", "venv", ".git", "node_modules", "pkg.egg-info",
                          "f.flowgate-tmp", "f.md.flowgate-backup.1", "build", "docs", "**", "*", "?", "[ab]",
                          "[!a]", "[", "]", "a*b", "*.md", "docs/*.md", "/", "\n"])
_parts = st.one_of(_words, st.text(_chars, min_size=1, max_size=6))
paths = st.lists(_parts, min_size=1, max_size=5).map("/".join)
globs = st.lists(st.one_of(_words, st.text(_chars, min_size=1, max_size=8)), min_size=1, max_size=5).map("".join)


def _compiles(patterns: list[str]) -> bool:
    try:
        Excluder(patterns).pattern
    except re.error:
        return False
    return True


@pytest.mark.filterwarnings("ignore::FutureWarning")  # generated globs like "[[" ask for a nested set
@SETTINGS
@given(st.lists(paths, min_size=1, max_size=8), st.lists(globs, max_size=4), st.booleans())
@example(["node_modules/we\nird.md", "a\nb/node_modules/x.md", "x.flowgate-tmp\n"], [], True)
@example(["/a.md", "a.md", "nested/", "/x/.git/y"], ["**", "*"], False)
def test_excludes_file_matches_the_combined_regex(rels, extra, defaults):
    patterns = (list(DEFAULT_EXCLUDE) if defaults else []) + extra
    if not _compiles(patterns):
        return
    slow, fast, dirs = Excluder(patterns), Excluder(patterns), Excluder(patterns)
    for rel in rels:
        assert fast.excludes_file(rel) == slow(rel), (rel, patterns)
        assert dirs.excludes_dir(rel) == slow(rel), (rel, patterns)


@SETTINGS
@given(st.text(st.sampled_from(list("aAbB.eEnNvVmMdDsShHyYlL-_ İ")), max_size=10))
@example("..md")
@example(".ENV.local")
@example("x.Env")
def test_name_kind_matches_kind_of(name):
    kind = kind_of(name, b"")
    expected = kind if kind is not None else None if "." in name.lstrip(".") else ""
    assert name_kind(name) == expected
