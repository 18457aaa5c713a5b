"""Inputs that used to take minutes or unbounded memory (issue 28, items 13 and 14): a YAML alias bomb in the
gateway config, and standard input of any size."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rulekit import context

from flowgate_lint.spec.load import load_spec
from flowgate_lint.spec.settings import Settings


def alias_bomb(depth: int, fan: int = 9, itself: bool = True) -> str:
    """A FlowGate config whose ``x_bomb`` expands to ``fan ** depth`` copies of a mapping holding an api_base."""
    lines = ["config_version: 2", "services:", "  litellm: {host: 127.0.0.1, port: 4000}",
             "  cliproxyapi_plus: {host: 127.0.0.1, port: 8317}", "integration: {default_model: router-default}",
             "litellm_base:", "  model_list:", "    - model_name: router-default",
             "      litellm_params: {model: openai/x, api_base: 'http://127.0.0.1:8317/v1'}",
             "x_self: &self {api_base: 'http://127.0.0.1:9001/v1', again: [*self]}" if itself else "x_self: 1",
             "x_bomb:", "  a0: &a0 [{api_base: 'http://127.0.0.1:9000/v1', k: v}, x, y]"]
    for i in range(1, depth + 1):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("itself", [False, True], ids=["nested aliases", "and a node that holds itself"])
def test_the_upstream_port_walk_visits_each_shared_node_once(tmp_path, monkeypatch, itself):
    from flowgate_lint.judgement import services

    cfg = tmp_path / "flowgate.yaml"
    cfg.write_text(alias_bomb(5, itself=itself))
    spec = load_spec(Settings({}, None, tmp_path), str(cfg))
    parsed = []
    real_parse = services.parse_url
    monkeypatch.setattr(services, "parse_url", lambda v: parsed.append(v) or real_parse(v))
    ports = services.upstream_ports(context(["FG301"], spec))
    assert ports == ({8317, 9000, 9001} if itself else {8317, 9000})
    assert len(parsed) <= 3, f"{len(parsed)} api_base values read: the walk expands aliases"


def test_an_alias_bomb_in_the_gateway_config_is_linted_in_seconds(tmp_path):
    repo = tmp_path / "repo"
    (repo / "config").mkdir(parents=True)
    (repo / "config" / "flowgate.yaml").write_text(alias_bomb(9))
    assert len(alias_bomb(9)) < 1200
    (repo / "README.md").write_text("```sh\ncurl http://127.0.0.1:8317/v1/models\n```\n")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", "."], cwd=repo, capture_output=True,
                         text=True, timeout=120, env={**os.environ, "FLOWGATE_LINT_PREVIEW": "1"})
    assert res.returncode in (0, 1), res.stderr
    assert "Traceback" not in res.stderr


# ----------------------------------------------------------------------- standard input


def _stdin_run(repo: Path, data_size: int, *args: str) -> subprocess.CompletedProcess:
    """Lint ``data_size`` bytes of Markdown prose given on stdin as docs/big.md."""
    line = b"Some prose about the gateway, nothing more.\n"
    data = (line * (data_size // len(line) + 1))[:data_size]
    stdin = repo.parent / "stdin.md"
    stdin.write_bytes(data)
    with stdin.open("rb") as fh:
        return subprocess.run([sys.executable, "-m", "flowgate_lint", *args, "--stdin-filename", "docs/big.md", "-"],
                              cwd=repo, stdin=fh, capture_output=True, timeout=120)


def _repo(tmp_path: Path) -> Path:
    from rulekit import SPEC_PATH

    repo = tmp_path / "repo"
    (repo / "config").mkdir(parents=True)
    (repo / "config" / "flowgate.yaml").write_text(SPEC_PATH.read_text())
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def test_stdin_over_the_file_size_cap_is_a_one_line_error(tmp_path):
    from flowgate_lint.lint.engine import MAX_FILE_BYTES

    repo = _repo(tmp_path)
    res = _stdin_run(repo, MAX_FILE_BYTES + 1)
    assert res.returncode == 2
    assert res.stderr.decode().splitlines() == [
        "docs/big.md: standard input too large (over 8 MiB, the cap for a file), not checked"]
    assert res.stdout == b""
    at_cap = _stdin_run(repo, MAX_FILE_BYTES)
    assert at_cap.returncode == 0, at_cap.stderr[-500:]


def test_stdin_fix_over_the_cap_echoes_the_input_and_fails(tmp_path):
    from flowgate_lint.lint.engine import MAX_FILE_BYTES

    repo = _repo(tmp_path)
    res = _stdin_run(repo, MAX_FILE_BYTES + 5000, "--fix")
    assert res.returncode == 2 and b"standard input too large" in res.stderr
    assert res.stdout == (repo.parent / "stdin.md").read_bytes()  # an editor never loses the buffer


def test_stdin_is_read_only_up_to_the_cap(monkeypatch):
    """Reading stops one byte past the cap: a stream with no end is refused, not read into memory."""
    import io

    from flowgate_lint.commands import lint
    from flowgate_lint.lint.engine import MAX_FILE_BYTES
    from flowgate_lint.plumbing.errors import FlowgateError

    class Endless(io.RawIOBase):
        read_total = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buf) -> int:
            n = len(buf)
            buf[:n] = b"x" * n
            Endless.read_total += n
            if Endless.read_total > 4 * MAX_FILE_BYTES:
                raise AssertionError("read far past the cap")
            return n

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Endless())))
    with pytest.raises(FlowgateError, match="standard input too large"):
        lint._read_stdin("docs/big.md", False)
    assert Endless.read_total <= MAX_FILE_BYTES + 1 + (1 << 16)
