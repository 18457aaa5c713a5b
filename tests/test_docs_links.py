"""Every relative link and anchor in README.md and docs/ resolves (a broken link fails)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)  # http:, https:, mailto:...


def _tokens(text: str):
    return MarkdownIt("commonmark").enable("table").parse(text)


def _plain(inline) -> str:
    """The rendered text of an inline token (what GitHub makes the anchor from)."""
    return "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline", "html_inline"))


def slug(heading: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped (letters, digits, '-', '_' and spaces
    kept), spaces to '-'."""
    out = []
    for ch in heading.strip().lower():
        if ch == " ":
            out.append("-")
        elif ch in "-_" or unicodedata.category(ch)[0] in ("L", "N") or unicodedata.category(ch) == "Mn":
            out.append(ch)
    return "".join(out)


def anchors(path: Path) -> set[str]:
    tokens = _tokens(path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    out = set()
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            base = slug(_plain(tokens[i + 1]))
            n = seen.get(base, 0)
            seen[base] = n + 1
            out.add(base if n == 0 else f"{base}-{n}")
    return out


def links(path: Path) -> list[tuple[int, str]]:
    """(line, href) of every link and image in a page."""
    out = []
    for tok in _tokens(path.read_text(encoding="utf-8")):
        if tok.type != "inline":
            continue
        for child in tok.children or []:
            href = child.attrs.get("href") if child.type == "link_open" else (
                child.attrs.get("src") if child.type == "image" else None)
            if href:
                out.append(((tok.map or [0])[0] + 1, str(href)))
    return out


def broken(page: Path, root: Path = ROOT) -> list[str]:
    problems = []
    for line, href in links(page):
        if EXTERNAL.match(href):
            continue
        target_s, _, anchor = href.partition("#")
        target = (page.parent / unquote(target_s)).resolve() if target_s else page
        where = f"{page.relative_to(root)}:{line}: {href}"
        if not target.exists():
            problems.append(f"{where}: no such file")
        elif anchor:
            if target.is_dir() or target.suffix != ".md":
                problems.append(f"{where}: an anchor into something that is not a Markdown page")
            elif unquote(anchor) not in anchors(target):
                problems.append(f"{where}: no heading with that anchor in {target.relative_to(root)}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_and_anchors_resolve(page):
    assert broken(page) == []


def unclosed_fences(text: str) -> list[int]:
    """Lines of fenced blocks that never close (they swallow the rest of the page, headings included)."""
    lines = text.split("\n")
    out = []
    for tok in _tokens(text):
        if tok.type == "fence" and tok.map:
            last = lines[tok.map[1] - 1].strip() if tok.map[1] - 1 < len(lines) else ""
            if tok.map[1] - tok.map[0] < 2 or not (last.startswith(tok.markup) and set(last) == {tok.markup[0]}):
                out.append(tok.map[0] + 1)
    return out


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_fenced_block_closes(page):
    assert unclosed_fences(page.read_text(encoding="utf-8")) == []


def test_an_unclosed_fence_is_found():
    assert unclosed_fences("# a\n\n~~~text\n ~~~sh\nx\n```\n\n## b\n") == [3]
    assert unclosed_fences("````text\n```sh\nx\n```\n````\n") == []


def test_the_checker_finds_broken_links_and_anchors(tmp_path):
    (tmp_path / "docs" / "rules").mkdir(parents=True)
    (tmp_path / "docs" / "rules" / "FG001.md").write_text("# FG001 invalid-syntax\n\n## What it does\n")
    page = tmp_path / "docs" / "guide.md"
    page.write_text("# Guide\n\n## Output formats and exit codes\n\n"
                    "[ok](rules/FG001.md) [ok](rules/FG001.md#what-it-does) [ok](#output-formats-and-exit-codes) "
                    "[ok](rules/) [ok](https://example.com/x.md)\n\n"
                    "| code |\n|---|\n| [bad](FG001.md) |\n\n[bad](#nowhere) [bad](rules/FG001.md#why)\n")
    assert [p.split(": ", 1)[0] for p in broken(page, tmp_path)] == ["docs/guide.md:9", "docs/guide.md:11",
                                                                     "docs/guide.md:11"]


def test_slugs_match_github():
    assert slug("Output formats and exit codes") == "output-formats-and-exit-codes"
    assert slug("Client configs: print, apply, restore, doctor") == "client-configs-print-apply-restore-doctor"
    assert slug("pre-commit and GitHub Actions") == "pre-commit-and-github-actions"
    assert slug("`--fix`, `--diff`") == "--fix---diff"
