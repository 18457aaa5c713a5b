#!/usr/bin/env python3
"""Print a command block from README.md exactly as written: the fenced block that follows
``<!-- readme-command: NAME -->``. CI runs these commands literally (.ci/run, tests/test_readme.py),
so the README cannot drift from what works.

    python scripts/readme_command.py tests      # -> ./scripts/test
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
MARKER = re.compile(r"<!--\s*readme-command:\s*([\w-]+)\s*-->")


def commands(text: str) -> dict[str, str | int]:
    """NAME -> the content of the fenced block right after its marker comment (or the marker's line
    number when no fenced block follows it)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    out: dict[str, str] = {}
    for i, tok in enumerate(tokens):
        if tok.type != "html_block":
            continue
        m = MARKER.fullmatch(tok.content.strip())
        if m is None:
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        out[m.group(1)] = nxt.content if nxt is not None and nxt.type == "fence" else (tok.map or [0])[0] + 1
    return out


def command(name: str, readme: Path = README) -> str:
    found = commands(readme.read_text(encoding="utf-8"))
    if name not in found:
        raise KeyError(f"{readme.name} has no <!-- readme-command: {name} --> block")
    if isinstance(found[name], int):
        raise ValueError(f"{readme.name}:{found[name]}: readme-command {name} has no fenced block after it")
    return found[name]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: readme_command.py NAME")
    try:
        sys.stdout.write(command(sys.argv[1]))
    except (KeyError, ValueError) as exc:
        sys.exit(str(exc))
