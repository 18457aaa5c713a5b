"""The transcripts of lint runs in README.md and docs/ are real output: re-run, they print what the page shows
(scripts/gen_doc_output.py regenerates them)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import gen_doc_output  # noqa: E402


def test_every_transcript_in_the_docs_is_what_the_command_prints():
    stale = []
    for page in gen_doc_output.PAGES:
        _, changed = gen_doc_output.regenerate(page.read_text(encoding="utf-8"))
        stale += [f"{page.name}: {head}" for head in changed]
    assert not stale, "stale transcripts (run python scripts/gen_doc_output.py): " + "; ".join(stale)


def test_a_drifted_transcript_is_found_and_rewritten_and_a_writing_command_is_left_alone():
    block = "```text\n$ cd examples/demo && flowgate-lint --output-format concise scripts/smoke.sh\n{}```\n"
    drifted = block.format("scripts/smoke.sh:4:6: FG301 an old message\n(exit 1)\n")
    new, changed = gen_doc_output.regenerate(drifted)
    assert changed == ["$ cd examples/demo && flowgate-lint --output-format concise scripts/smoke.sh"]
    assert "an old message" not in new and "FG202" in new and new.endswith("(exit 1)\n```\n")
    assert gen_doc_output.regenerate(new) == (new, [])  # regenerating is idempotent
    fixing = "```text\n$ cd examples/demo && flowgate-lint --fix .\nwhatever\n```\n"
    assert gen_doc_output.regenerate(fixing) == (fixing, [])


def test_a_drifted_session_is_found_and_its_backup_timestamps_are_not_compared():
    page = (ROOT / "docs" / "apply.md").read_text(encoding="utf-8")
    assert "<!-- transcript: a session in a copy of examples/clean" in page
    _, changed = gen_doc_output.regenerate(page.replace("flowgate-backup.2026", "flowgate-backup.2031"))
    assert changed == []  # another run's timestamps are the same transcript
    _, changed = gen_doc_output.regenerate(page.replace("Everything matches the spec.", "All good."))
    assert len(changed) == 1 and "a session of 7 commands" in changed[0]
