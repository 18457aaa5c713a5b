"""Here-documents that write a config file are checked as that file: found in scripts and shell blocks, mapped back
to their host lines, never reported twice (as shell text and as the file), never FG001 when the shell would expand
what makes them parse, and read in linear time."""

from __future__ import annotations

import time

from flowgate_lint.documents.heredocs import heredoc_sources
from flowgate_lint.documents.source import HostFile
from flowgate_lint.lint.engine import decode_host
from flowgate_lint.lint.fixes import eligible_filter, fix_host
from rulekit import context, lint_text

SCRIPT = "\n".join([
    "#!/bin/sh",
    "set -e",
    'cat <<-EOF > "$HOME/.codex/config.toml"',
    '\tmodel_provider = "flowgate"',
    '\tmodel = "router-default"',
    "\t[model_providers.flowgate]",
    '\tname = "FlowGate"',
    '\tbase_url = "http://127.0.0.1:4001/v1"',
    '\tenv_key = "FLOWGATE_API_KEY"',
    "\tEOF",
    "mkdir -p ~/.claude && cat > ~/.claude/settings.json <<JSON",
    '{"env": {"ANTHROPIC_BASE_URL": "http://127.0.0.1:4000/v1", "ANTHROPIC_MODEL": "$MODEL"}}',
    "JSON",
    "cat > notes.txt <<EOF",
    "model = router-large",
    "EOF",
    "tee -a ~/.codex/config.toml <<'X' >/dev/null",
    "model = $MODEL",
    "X",
    "echo done",
    "",
])


def sources(text: str):
    return list(heredoc_sources(HostFile("setup.sh", text, "shell").whole()))


def test_heredocs_with_a_config_target_are_sources_of_its_kind():
    found = sources(SCRIPT)
    # the tee -a at the end appends a fragment to a file that has more in it: not read as the file
    assert [(s.kind, s.target) for s in found] == [("toml", "$HOME/.codex/config.toml"), ("json", "~/.claude/settings.json")]
    first = found[0]
    assert first.text.startswith('\tmodel_provider = "flowgate"\n') and "EOF" not in first.text
    assert first.position(first.text.index("base_url")) == (8, 2)  # host line and column


def test_an_unterminated_heredoc_or_one_without_a_config_target_is_not_read():
    assert sources("cat > a.toml <<EOF\nmodel = 'x'\n") == []
    assert sources("cat <<EOF\nmodel = 'x'\nEOF\n") == []
    assert sources("cat > run.sh <<EOF\nmodel = 'x'\nEOF\n") == []
    # a here-string is not a here-document, and does not hide the one after it
    assert [s.target for s in sources("cat <<< \"$x\" > a.json\ncat > b.json <<E\n{}\nE\n")] == ["b.json"]
    # a program's input, not the file: python writes out.json; a cat piped elsewhere writes nothing itself
    got = sources("python - <<'PY' > out.json\nprint(1)\nPY\ncat <<E | jq . > c.json\n{}\nE\n"
                  "python3 - <<'PY' | tee o.json\nprint(2)\nPY\n"
                  "sudo tee /etc/gw/b.yaml >/dev/null <<E\nport: 1\nE\ncat <<'E' >> 'd.json'\n{}\nE\n"
                  "cat <<E | tee 'e.json'\n{}\nE\n")
    assert [(s.target, s.text) for s in got] == [("/etc/gw/b.yaml", "port: 1\n"), ("e.json", "{}\n")]
    # a << in a comment or an arithmetic shift does not start one, nor hide the next
    got = sources("# write it with cat <<EOF\necho $((1 << BITS))\ncat > f.json <<EOF\n{}\nEOF\n")
    assert [(s.target, s.text) for s in got] == [("f.json", "{}\n")]


def test_a_finding_in_a_heredoc_is_reported_once_at_its_host_line():
    got = [(f.code, f.line) for f in lint_text(SCRIPT, "setup.sh", ["FG301", "FG302", "FG303", "FG001"])]
    assert got == [("FG303", 8), ("FG302", 12)]  # not FG301 on the shell text too


def test_a_heredoc_the_shell_must_expand_to_parse_is_not_invalid_syntax():
    assert lint_text("cat > ~/.codex/config.toml <<X\nmodel = $MODEL\nX\n", "s.sh", ["FG001"]) == []


def test_a_heredoc_in_a_shell_block_follows_the_blocks_frame():
    block = ('```bash\ncat > ~/.claude/settings.json <<EOF\n{"env": {"ANTHROPIC_BASE_URL": '
             '"http://127.0.0.1:4000/v1"}}\nEOF\n```\n')
    doc = "# Setup\n\n" + block + "\n**Before (version 1):**\n\n" + block
    assert [(f.code, f.line) for f in lint_text(doc, "README.md", ["FG302"])] == [("FG302", 5)]


def test_the_fix_of_a_heredoc_value_edits_only_that_value_and_is_idempotent():
    fixed = fix_host(decode_host(SCRIPT.encode(), "setup.sh", "shell"), context(["FG302"]), eligible_filter(False)).text
    assert fixed == SCRIPT.replace('"http://127.0.0.1:4000/v1"', '"http://127.0.0.1:4000"')
    again = fix_host(decode_host(fixed.encode(), "setup.sh", "shell"), context(["FG302"]), eligible_filter(False)).text
    assert again == fixed


def test_reading_heredocs_is_linear():
    def took(n: int) -> float:
        text = "cat > a.toml <<EOF\nmodel = 'x'\nEOF\ncat <<EOF\nplain\nEOF\n" * n
        start = time.perf_counter()
        list(heredoc_sources(HostFile("big.sh", text, "shell").whole()))
        return time.perf_counter() - start

    small = min(took(2000) for _ in range(3))
    big = min(took(16000) for _ in range(3))
    assert big < small * 8 * 3, (small, big)  # 8 times the input: far from quadratic


def test_a_heredoc_in_an_untagged_block_is_read_and_reported_once():
    doc = ("# Codex\n\n```\ncat << __EOF__ > ~/.codex/config.toml\nmodel_provider = \"flowgate\"\n"
           "[model_providers.flowgate]\nname = \"FlowGate\"\nbase_url = \"http://127.0.0.1:4001/v1\"\n"
           "wire_api = \"chat\"\n__EOF__\ncodex\n```\n")
    got = [(f.code, f.line) for f in lint_text(doc, "README.md", ["FG301", "FG303", "FG503"])]
    assert got == [("FG303", 8), ("FG503", 9)]


def test_a_rule_that_reads_heredocs_from_the_document_keeps_its_findings_in_them():
    doc = ("# Codex\n\n```bash\nexport OPENAI_API_KEY=sk-your-key\n```\n\n```bash\n"
           "cat > ~/.codex/config.toml <<EOF\nopenai_base_url = \"http://127.0.0.1:4000/v1\"\nEOF\n```\n")
    assert [(f.code, f.line) for f in lint_text(doc, "README.md", ["FG509"])] == [("FG509", 9)]
