"""The pyromark path gives exactly what markdown-it-py (the reference) gives, or steps aside.

``markdown.parse_markdown`` derives segments, fences, comments and code blocks from a token
stream. ``mdtokens.tokens`` rebuilds that stream from pyromark's events; these tests compare the
derived documents of both paths field by field.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from flowgate_lint.documents import markdown
from flowgate_lint.documents import mdtokens
from flowgate_lint.documents.source import HostFile

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIRS = ("tests", "examples", "docs", "tests/realworld")


def _require_pyromark() -> None:
    if not mdtokens.available():
        if os.environ.get("CI") == "true":
            pytest.fail("pyromark is not installed (it is a runtime dependency on CPython >= 3.11)")
        pytest.skip("pyromark is not installed")


def derived(text: str, rebuilt: bool):
    """Everything parse_markdown derives, as plain values, from one of the two token streams."""
    old = markdown.USE_PYROMARK
    markdown.USE_PYROMARK = rebuilt
    try:
        doc = markdown.parse_markdown(HostFile("doc.md", text, "markdown"))
    finally:
        markdown.USE_PYROMARK = old
    segments = [(s.text, s.kind, s.quoted, s.heading, s.line, s.code_spans, s._starts, s._hosts,
                 {k: getattr(s, k) for k in s.__slots__ if not k.startswith("_")}) for s in doc.segments]
    fences = [(f.info, f.lang, f.open_line, f.close_line, f.content_start, f.content_end, f.quoted,
               None if f.source is None else (f.source.kind, f.source.text, f.source.lang,
                                              f.source._map_text, f.source._map_host)) for f in doc.fences]
    return segments, fences, list(doc.comments), list(doc.code_blocks)


def rebuilds(text: str) -> bool:
    return mdtokens.tokens(text, HostFile("doc.md", text, "markdown").line_starts) is not None


def corpus() -> list[Path]:
    files: set[Path] = {ROOT / "README.md"}
    for sub in CORPUS_DIRS:
        if (ROOT / sub).is_dir():
            files.update((ROOT / sub).rglob("*.md"))
    return sorted(files)


def test_every_markdown_file_of_the_project_derives_the_same_document():
    _require_pyromark()
    files = corpus()
    assert len(files) > 50
    taken = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
        if rebuilds(text):
            taken += 1
        assert derived(text, True) == derived(text, False), path
    # The fast path must actually serve: a guard that always stepped aside would pass the check above.
    assert taken >= 0.9 * len(files), f"pyromark path taken for only {taken} of {len(files)} files"


# Line shapes that exercise containers, laziness, tables, fences, HTML and escapes.
SHAPES = [
    "- item `a`", "  cont", "   cont3", "    cont4", "> quote", ">quote", "> - x", "> > deep", ">  two", "1. y", "10) z",
    "-", "- ", "", "", "```toml", "```", "~~~", "````", "# h `c`", "## h ##", "# \\# x #", "#", "Setext", "===", "---",
    "| a | b |", "|---|---|", "| `c\\|d` | e |", "a \\| b | c", "    code", "<!-- c -->", "text `code` <!-- x --> **b** _e_",
    "\\*esc", "&amp; é ü", "![i `c` <!-- z -->](u)", "<div>", "</div>", "  - nested", "     five", "para  ", "line\\",
    "[ref]: http://x", "* star", "+ plus", "2. two", "  > q in item", "text <!-- multi", "line -->", "``` sh",
    "export A=http://127.0.0.1:4000", "``x`` `` y ``", "* * *", "<span>x</span>", "  ```json", '  {"a": 1}', "  ```",
    "| x |", "|:-:|", "<!-- a -- b -->", "x <!--> y", "> <!-- q -->", "- <!-- li -->", "  [r2]: /u", "1. ```toml",
    "   k = 1", "   ```", "> ```", "> k", "- > q", "  > r", "- - a", "    - b", "***x***", "<https://a.b>", "x\\\\|y|z",
    "[link `c`](u)", "**bold `c`**", "中文 `代码`", "   - deep3",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=12), st.booleans())
def test_generated_documents_derive_the_same_document_whenever_rebuilt(lines, final_newline):
    _require_pyromark()
    text = "\n".join(lines) + ("\n" if final_newline else "")
    if rebuilds(text):
        assert derived(text, True) == derived(text, False)


@pytest.mark.parametrize("text", [
    "| x |\n---\nrow\n",  # markdown-it takes "---" as a one-column delimiter row; GFM a setext heading
    "| a | b |\na \\| b | c\n|---|---|\n",  # a table in the middle of a paragraph (markdown-it only)
    "[ref]: http://x\n2. two\n",  # after a reference definition markdown-it starts a new block
    "> text <!-- multi\n> line -->\n",  # a comment across blockquote lines
    "> > deep\n    - b\n",  # a lazy indented line in a quote
    "| a |\n|---|\n     five\n",  # an indented-code line ends markdown-it's table
    "| a | b |\n|---|---|\n| x \\\\| y |\n",  # a pipe after an escaped backslash
    "a\tb\n", "a\r\nb\r\n", "- x\n  ```sh\n  echo\n",  # tabs, CR line ends, an unclosed fence in a container
])
def test_known_divergences_are_left_to_markdown_it_py(text):
    _require_pyromark()
    assert not rebuilds(text)
    assert derived(text, True) == derived(text, False)


def test_rebuilt_stream_serves_containers_tables_and_fences():
    _require_pyromark()
    text = ("# Title `x`\n\n> quoted ``a`b``\n> line\n\n| a | `c\\|d` |\n|---|---|\n| 1 | 2 |\n\n"
            "1. first\n   cont <!-- note -->\n\n   ```toml\n   k = 1\n   ```\n\n~~~\nopen to the end\n")
    assert rebuilds(text)
    doc = derived(text, True)
    assert doc == derived(text, False)
    assert [s[0] for s in doc[0]] == ["Title `x`", "quoted ``a`b``\nline", "a", "`c|d`", "1", "2",
                                      "first\ncont <!-- note -->"]
    assert [(f[1], f[3]) for f in doc[1]] == [("toml", 15), ("", None)]


def test_without_pyromark_markdown_it_py_parses(monkeypatch):
    monkeypatch.setattr(mdtokens, "_PYROMARK", False)
    text = "# T\n\nSee `http://127.0.0.1:4000`.\n\n```toml\nk = 1\n```\n"
    assert mdtokens.tokens(text, HostFile("d.md", text, "markdown").line_starts) is None
    segments, fences, _, _ = derived(text, True)
    assert [s[0] for s in segments] == ["T", "See `http://127.0.0.1:4000`."]
    assert fences[0][1] == "toml" and fences[0][7][1] == "k = 1\n"


@pytest.mark.parametrize("backend, imported", [("", False), ("markdown-it-py", True)])
def test_a_markdown_run_imports_markdown_it_py_only_when_asked(tmp_path, backend, imported):
    _require_pyromark()
    from test_speccache import FLOWGATE  # a gateway config with a PORT placeholder

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "flowgate.yaml").write_text(FLOWGATE.replace("PORT", "4000"))
    doc = tmp_path / "doc.md"
    doc.write_text("# Gateway\n\nSet `ANTHROPIC_BASE_URL=http://127.0.0.1:4000`.\n\n```toml\nmodel = \"x\"\n```\n")
    code = ("import sys; from flowgate_lint.cli import main; rc = main(['--no-cache', sys.argv[1]]); "
            "print('MDIT' if 'markdown_it' in sys.modules else 'NOMDIT'); raise SystemExit(0 if rc in (0, 1) else rc)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWGATE_LINT_")}
    if backend:
        env["FLOWGATE_LINT_MARKDOWN"] = backend
    res = subprocess.run([sys.executable, "-c", code, str(doc)], capture_output=True, text=True, cwd=tmp_path,
                         env=env, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == ("MDIT" if imported else "NOMDIT")
