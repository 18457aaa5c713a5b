"""Bad input, killed processes, planted secrets, and no network: never crash, never corrupt, never leak."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomlkit

from flowgate_lint.cli import main
from rulekit import SPEC_PATH

ROOT = Path(__file__).resolve().parent.parent


def project(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "config").mkdir(parents=True)
    shutil.copy(SPEC_PATH, repo / "config" / "flowgate.yaml")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "ok.md").write_text("Set `ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1`.\n")
    return repo


def run(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def one_line_errors(stderr: str) -> list[str]:
    assert "Traceback" not in stderr
    return [line for line in stderr.splitlines() if line]


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("name,content,where", [
    ("bad.toml", b'[model_providers.flowgate\nbase_url = "http://127.0.0.1:4000"\n', "bad.toml:1:"),
    ("bad.json", b'{"env": {"ANTHROPIC_BASE_URL": "http://127.0.0.1:4000/v1",}}\n', "bad.json:1:"),
    ("bad.yaml", b"services:\n  litellm: [127.0.0.1\n  port: 4000\n", "bad.yaml:"),
    ("block.md", b"# x\n\nSave this file as `~/.claude/settings.json`:\n\n```json\n{\"ANTHROPIC_BASE_URL\": }\n```\n",
     "block.md:6:"),
])
def test_malformed_configs_are_findings_and_the_run_goes_on(tmp_path, name, content, where):
    repo = project(tmp_path)
    (repo / name).write_bytes(content)
    res = run(repo, ".")
    assert res.returncode == 1
    assert where in res.stdout and "FG001" in res.stdout
    assert "ok.md:1:" in res.stdout  # the other file was still checked
    one_line_errors(res.stderr)


@pytest.mark.parametrize("name,content,message", [
    ("latin1.md", "Claude Code ne peut pas se connecter: caf\xe9 ANTHROPIC_BASE_URL\n".encode("latin-1"), "not valid UTF-8"),
    ("blob.json", b'{"a": "ANTHROPIC_BASE_URL\x00\x01\x02"}', "binary file"),
])
def test_undecodable_files_are_one_line_exit_2_and_the_run_goes_on(tmp_path, name, content, message):
    repo = project(tmp_path)
    (repo / name).write_bytes(content)
    res = run(repo, ".")
    assert res.returncode == 2
    errors = one_line_errors(res.stderr)
    assert any(e.startswith(name) and message in e for e in errors), errors
    assert "ok.md:1:" in res.stdout


def test_huge_file_is_skipped_with_one_line(tmp_path):
    repo = project(tmp_path)
    (repo / "huge.md").write_bytes(b"ANTHROPIC_BASE_URL " * (9 * 1024 * 1024 // 19 + 10))
    res = run(repo, ".")
    assert res.returncode == 2
    assert any(e.startswith("huge.md: file too large") for e in one_line_errors(res.stderr))
    assert "ok.md:1:" in res.stdout


def test_unreadable_file(tmp_path, monkeypatch, capsys):
    repo = project(tmp_path)
    target = repo / "secret.md"
    target.write_text("ANTHROPIC_BASE_URL=x\n")
    real = os.open

    def deny(path, *args, **kwargs):  # chmod cannot deny root, so refuse the open itself
        if os.fspath(path).endswith("secret.md"):
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    monkeypatch.chdir(repo)
    assert main(["."]) == 2
    captured = capsys.readouterr()
    assert "secret.md: permission denied" in captured.err and "ok.md:1:" in captured.out


def test_symlinks_dangling_looping_and_outside_the_repository(tmp_path):
    repo = project(tmp_path)
    outside = tmp_path / "outside.md"
    outside.write_text("ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1\n")
    (repo / "escape.md").symlink_to(outside)
    (repo / "dangling.md").symlink_to(repo / "nope.md")
    (repo / "loop.md").symlink_to(repo / "loop.md")
    res = run(repo, "escape.md", "dangling.md", "loop.md", "ok.md")
    errors = one_line_errors(res.stderr)
    assert res.returncode == 2
    assert any(e.startswith("escape.md: symlink points outside the repository") for e in errors), errors
    assert any(e.startswith("dangling.md: broken or looping symlink") for e in errors), errors
    assert any(e.startswith("loop.md: broken or looping symlink") for e in errors), errors
    assert "outside.md" not in res.stdout and "ok.md:1:" in res.stdout


def test_a_toml_file_with_100k_plain_keys_is_linted(tmp_path):
    repo = project(tmp_path)
    (repo / "big.toml").write_text('[model_providers.flowgate]\nbase_url = "http://127.0.0.1:4001/v1"\n' +
                                   "".join(f"k{i} = {i}\n" for i in range(100_000)))
    res = run(repo, "--no-cache", "big.toml")  # finished in 300 s before spans were found in one pass
    assert res.returncode == 1, res.stderr
    assert "big.toml:2:" in res.stdout
    one_line_errors(res.stderr)


@pytest.mark.parametrize("body,message", [
    ("".join(f"k{i} = {i}\n" for i in range(200_000)), "TOML too large to check (3.0 MiB > 2.0 MiB), skipped"),
    ("".join(f'[t{i}]\nk = "v"\nf = 1.5\n' for i in range(4000)), "TOML too large to locate its values (92 KiB > 64 KiB"),
])
def test_toml_beyond_what_its_parsers_check_quickly_is_skipped_with_one_line(tmp_path, body, message):
    repo = project(tmp_path)
    (repo / "big.toml").write_text('[model_providers.flowgate]\nbase_url = "http://127.0.0.1:4001/v1"\n' + body)
    res = run(repo, "--no-cache", "big.toml", "ok.md")
    assert res.returncode == 2
    assert any(e.startswith("big.toml: " + message) for e in one_line_errors(res.stderr)), res.stderr
    assert "ok.md:1:" in res.stdout


def test_invalid_toml_too_large_for_tomlkit_gets_tomllibs_message(tmp_path):
    repo = project(tmp_path)
    (repo / "big.toml").write_text('base_url = "http://127.0.0.1:4001/v1"\n' + "".join(f"k{i} = {i}.5\n" for i in range(8000))
                                   + "broken = \n")
    res = run(repo, "--no-cache", "big.toml")
    assert res.returncode == 1
    assert "big.toml:8002:10: FG001 TOML file does not parse: invalid TOML: invalid value" in res.stdout, res.stdout


@pytest.mark.parametrize("args,message", [
    (["--spec", "config"], "config: is a directory"),
    (["apply", "codex", "--target", "config", "--spec", "config/flowgate.yaml"], "config: is a directory"),
    (["--baseline", "config", "."], "config: cannot read baseline"),
    (["missing.md"], "missing.md: no such file or directory"),
])
def test_a_directory_or_missing_path_where_a_file_is_expected(tmp_path, args, message):
    repo = project(tmp_path)
    res = run(repo, *args)
    assert res.returncode == 2
    assert any(message in e for e in one_line_errors(res.stderr)), res.stderr


# ----------------------------------------------------------------------------- fault injection


def _kill_trials(tmp_path: Path, trials: int, prepare, command, check) -> dict:
    rng = random.Random(1234)
    outcomes = {"old": 0, "new": 0}
    for i in range(trials):
        work = tmp_path / f"t{i}"
        prepare(work)
        proc = subprocess.Popen([sys.executable, "-m", "flowgate_lint", *command(work)], cwd=work,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        outcomes[check(work)] += 1
        shutil.rmtree(work)
    return outcomes


FIX_DOC = "# Doc\n\n" + "".join(f"Use `ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1` here.\n" for _ in range(40))
FIXED_DOC = "# Doc\n\n" + "".join("Use `ANTHROPIC_BASE_URL=http://127.0.0.1:4000` here.\n" for _ in range(40))


def test_sigkill_during_fix_leaves_old_or_new_files(tmp_path):
    def prepare(work: Path) -> None:
        (work / "config").mkdir(parents=True)
        shutil.copy(SPEC_PATH, work / "config" / "flowgate.yaml")
        for n in range(30):
            (work / f"doc{n}.md").write_text(FIX_DOC)

    def check(work: Path) -> str:
        states = set()
        for n in range(30):
            text = (work / f"doc{n}.md").read_text()
            assert text in (FIX_DOC, FIXED_DOC), f"torn file doc{n}.md"
            states.add("new" if text == FIXED_DOC else "old")
        if list(work.glob(".*.flowgate-tmp")):  # killed mid-write: the next run removes what it left
            subprocess.run([sys.executable, "-m", "flowgate_lint", "--fix", "."], cwd=work, capture_output=True, timeout=120)
            assert not list(work.glob(".*.flowgate-tmp")), "a killed run's temp file outlived the next --fix"
        return "new" if states == {"new"} else "old"

    outcomes = _kill_trials(tmp_path, 60, prepare, lambda w: ["--fix", "."], check)
    assert sum(outcomes.values()) == 60


SETTINGS = '{\n  "permissions": {"allow": ["Bash(ls)"]},\n  "env": {"ANTHROPIC_BASE_URL": "http://127.0.0.1:4000/v1", "KEEP": 1}\n}\n'


def test_sigkill_during_apply_leaves_old_or_new_and_complete_backups(tmp_path):
    def prepare(work: Path) -> None:
        work.mkdir(parents=True)
        (work / "settings.json").write_text(SETTINGS)

    def check(work: Path) -> str:
        data = json.loads((work / "settings.json").read_text())  # complete and parseable
        assert data["permissions"] == {"allow": ["Bash(ls)"]} and data["env"]["KEEP"] == 1
        for backup in work.glob("settings.json.flowgate-backup.*"):
            assert backup.read_text() == SETTINGS, "torn or empty backup"  # written whole, then linked into place
        return "new" if data["env"]["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:4000" else "old"

    outcomes = _kill_trials(tmp_path, 60, prepare,
                            lambda w: ["apply", "claude-code", "--target", str(w / "settings.json"), "--spec", str(SPEC_PATH)],
                            check)
    assert sum(outcomes.values()) == 60


# ----------------------------------------------------------------------------- secrets

SECRETS = {
    "openai": "sk-PLANTEDopenai0123456789abcdefABCDEF",
    "anthropic": "sk-ant-api03-PLANTEDanthropic0123456789-abcdef",
    "bearer": "PLANTEDbearerTok3n9xQ2vL7mR4kP8",
    "env": "sk-PLANTEDfromEnvironment0123456789xyz",
}


def test_no_output_ever_contains_a_planted_secret(tmp_path):
    repo = project(tmp_path)
    (repo / "docs").mkdir()
    (repo / "docs" / "setup.md").write_text(
        f"# Setup\n\nexport `OPENAI_API_KEY={SECRETS['openai']}`\n\n```sh\nexport ANTHROPIC_AUTH_TOKEN={SECRETS['anthropic']}\n"
        f"curl -H 'Authorization: Bearer {SECRETS['bearer']}' http://127.0.0.1:4001/v1/models\n```\n")
    (repo / ".env.example").write_text(f"ANTHROPIC_AUTH_TOKEN={SECRETS['anthropic']}\nANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1\n")
    (repo / "settings.json").write_text(json.dumps({"env": {"ANTHROPIC_API_KEY": SECRETS["openai"]}}))
    (repo / "config" / "flowgate.yaml").write_text((repo / "config" / "flowgate.yaml").read_text() +
                                                   f"  master_key_note: {SECRETS['openai']}\n")
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    (home / ".claude" / "settings.json").write_text(json.dumps({"env": {"ANTHROPIC_AUTH_TOKEN": SECRETS["anthropic"]}}))
    env = {"HOME": str(home), "ANTHROPIC_AUTH_TOKEN": SECRETS["env"], "OPENAI_API_KEY": SECRETS["env"],
           "PLANTED": SECRETS["env"], "GW_TOKEN": SECRETS["env"]}
    port = _closed_port()
    commands = [[".", "--output-format", f] for f in ("text", "json", "github", "sarif", "concise")]
    commands += [[".", "--diff"], [".", "--check"], [".", "--write-baseline", "b.json"], ["rule", "FG701"],
                 ["print", "claude-code", "--format", "env"], ["print", "codex"],
                 ["apply", "claude-code", "--dry-run", "--token-env", "PLANTED"], ["apply", "claude-code", "--dry-run"],
                 ["apply", "claude-code", "--token-env", "PLANTED"], ["doctor"], ["restore", "claude-code", "--list"],
                 ["probe", "--url", f"http://127.0.0.1:{port}", "--token-env", "PLANTED", "--timeout", "2"],
                 ["probe", "--output-format", "json", "--url", f"http://127.0.0.1:{port}", "--timeout", "2"],
                 ["--select", "FG9"], ["apply", "codex", "--target", str(repo / "settings.json")]]
    outputs = []
    for cmd in commands:
        res = run(repo, *cmd, env=env)
        outputs.append(res.stdout + res.stderr)
        outputs.append((repo / "b.json").read_text() if (repo / "b.json").exists() else "")
    leaked = [(name, i) for name, secret in SECRETS.items() for i, out in enumerate(outputs) if secret in out]
    assert leaked == [], leaked
    assert len(commands) >= 20 and len(SECRETS) == 4
    # The files that hold a planted secret on disk (the settings apply --token-env wrote, its backups) are the user's alone.
    holders = [p for p in (home / ".claude").iterdir() if any(s.encode() in p.read_bytes() for s in SECRETS.values())]
    assert len(holders) >= 2, holders
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in holders} == {p.name: "0o600" for p in holders}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------- no network


def test_lint_and_fix_never_touch_the_network(tmp_path, monkeypatch, capsys):
    repo = tmp_path / "demo"
    shutil.copytree(ROOT / "examples" / "demo", repo)

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.chdir(repo)
    assert main(["."]) == 1
    assert main(["--output-format", "sarif", "."]) == 1
    assert main(["--fix", "--unsafe-fixes", "."]) == 1
    assert "Fixed" in capsys.readouterr().out
    assert main(["--diff", "."]) == 0


# Credentials that have no key shape: found only by where they stand (URL userinfo, query parameters,
# credential-named fields) or by looking generated (a key pasted into env_key or a model field).
CREDENTIALS = {
    "url-password": "PLANTEDurlPassw0rd",
    "query-key": "PLANTEDqueryKey42",
    "env-key-field": "Zq8Lm2Xv7Pk4Rt9Wb3Nc6Hd1",
    "model-field": "Jx7Qm2Vb9Lk4Wp8Rz3Tn6Yc",
    "old-auth-token": "gw-old-pass-PLANTED",
    "doctor-url": "PLANTEDenvUrlPass",
    "probe-url": "PLANTEDprobePass",
    "apply-old-url": "PLANTEDoldUrlPass",
}


def test_no_output_file_or_cache_ever_contains_a_planted_credential(tmp_path):
    from flowgate_lint.report import FORMATS

    c = CREDENTIALS
    repo = project(tmp_path)
    (repo / "docs").mkdir()
    (repo / "docs" / "setup.md").write_text(
        f"# Setup\n\nClaude Code: `export ANTHROPIC_BASE_URL=http://alice:{c['url-password']}@127.0.0.1:4000/v1`\n\n"
        f"List the models: `curl \"http://127.0.0.1:4001/v1/models?api_key={c['query-key']}\"`\n")
    (repo / "codex.toml").write_text(
        f'model_provider = "flowgate"\nmodel = "{c["model-field"]}"\n\n[model_providers.flowgate]\nname = "FlowGate Local"\n'
        f'base_url = "http://alice:{c["url-password"]}@127.0.0.1:4000"\nenv_key = "{c["env-key-field"]}"\nwire_api = "responses"\n')
    (repo / ".env.example").write_text(f"ANTHROPIC_MODEL={c['model-field']}\n")
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    (home / ".claude" / "settings.json").write_text(json.dumps(
        {"env": {"ANTHROPIC_AUTH_TOKEN": c["old-auth-token"],
                 "ANTHROPIC_BASE_URL": f"http://dave:{c['apply-old-url']}@127.0.0.1:4000/v1"}}, indent=2))
    cache = tmp_path / "cache"
    env = {"HOME": str(home), "FLOWGATE_LINT_CACHE_DIR": str(cache), "CODEX_HOME": str(home / ".codex"),
           "ANTHROPIC_BASE_URL": f"http://bob:{c['doctor-url']}@127.0.0.1:4000", "GW_TOKEN": "x"}
    env.pop("FLOWGATE_LINT_NO_CACHE", None)
    time.sleep(2.1)  # past the racy window: the result cache stores these files
    port = _closed_port()
    commands = [[".", "--output-format", f] for f in sorted(FORMATS)]
    commands += [[".", "--output-format", f, "--output-file", f"out.{f}"] for f in sorted(FORMATS)]
    commands += [[".", "--diff", "--unsafe-fixes"], [".", "--check"], [".", "--write-baseline", "b.json"], ["-v", "."],
                 ["doctor"], ["apply", "claude-code", "--dry-run"], ["print", "claude-code"],
                 ["probe", "--url", f"http://carol:{c['probe-url']}@127.0.0.1:{port}", "--timeout", "2"],
                 ["probe", "--output-format", "json", "--url", f"http://carol:{c['probe-url']}@127.0.0.1:{port}"],
                 ["apply", "claude-code"], ["restore", "claude-code", "--list"],
                 [".", "--fix", "--unsafe-fixes"], [".", "--output-format", "json"]]
    outputs = {}
    for cmd in commands:
        res = run(repo, *cmd, env=env)
        assert "Traceback" not in res.stderr and "internal error" not in res.stderr, (cmd, res.stderr)
        outputs[" ".join(cmd)] = res.stdout + res.stderr
    for path in [*repo.glob("out.*"), repo / "b.json", *cache.iterdir()]:
        outputs[str(path)] = path.read_text(errors="replace")
    assert any(p.name.startswith("results-") for p in cache.iterdir())
    leaked = sorted({(name, where) for name, secret in c.items() for where, out in outputs.items() if secret in out})
    assert leaked == [], leaked
    # The redacted places still say what is wrong, and where.
    assert "http://alice:<redacted>@127.0.0.1:4000/v1" in outputs[". --output-format text"]
    assert "api_key=<redacted>" in outputs[". --output-format text"]
    assert "env_key = '<redacted>'" in outputs[". --output-format text"]
    assert "Codex model is '<redacted>'" in outputs[". --output-format text"]
    assert "http://bob:<redacted>@127.0.0.1:4000" in outputs["doctor"]
    assert "http://dave:<redacted>@127.0.0.1:4000/v1" in outputs["apply claude-code"]  # the old value it replaced


def test_a_safe_fix_never_drops_the_credentials_of_a_url(tmp_path):
    repo = project(tmp_path)
    url = f"http://alice:{CREDENTIALS['url-password']}@127.0.0.1:4000/v1"
    (repo / "ok.md").write_text(f"Set `ANTHROPIC_BASE_URL={url}`.\n")
    (repo / "codex.toml").write_text(f'[model_providers.flowgate]\nname = "FlowGate Local"\nbase_url = "{url[:-3]}"\n')
    before = {p: p.read_bytes() for p in (repo / "ok.md", repo / "codex.toml")}
    res = run(repo, ".", "--fix")
    assert {p: p.read_bytes() for p in before} == before, "a safe fix dropped the URL's credentials"
    assert res.stdout.count("[unsafe fix]") == 2 and "FG302" in res.stdout and "FG303" in res.stdout
    run(repo, ".", "--fix", "--unsafe-fixes")  # asked for: the spec's URL, without the credentials
    assert "ANTHROPIC_BASE_URL=http://127.0.0.1:4000`" in (repo / "ok.md").read_text()


# ----------------------------------------------------------------------------- hostile names and values

HOSTILE_NAMES = ["evil\n::error file=x.md,line=1::injected from a name.md", "::add-mask::PLANTEDmask.md",
                 "##[set-output name=x;]y.md", "  ::warning title=lead::spaced.md", "bidi\u202etxt.md"]


def _workflow_commands(out: str) -> list[str]:
    """The lines GitHub's runner would read as workflow commands (it trims leading whitespace first,
    and reads the legacy ##[...] form anywhere in a line)."""
    return [line for line in out.splitlines() if line.lstrip().startswith("::") or "##[" in line]


def test_hostile_file_names_and_values_cannot_inject_workflow_commands_or_terminal_escapes(tmp_path):
    from flowgate_lint.report import FORMATS, MACHINE

    repo = project(tmp_path)
    drift = "Set `ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1`.\n"
    for name in HOSTILE_NAMES:
        (repo / name).write_text(drift)
    (repo / "values.md").write_text("Claude Code: `export ANTHROPIC_BASE_URL=http://127.0.0.1:4001/v1\x1b]0;owned\x07\x1b[2J`\n"
                                    "Codex: `codex -c model_providers.flowgate.base_url=http://127.0.0.1:4001/x\r::error::cr`\n")
    (repo / "bad.json").write_bytes(b'{"ANTHROPIC_BASE_URL": "\x1b[31m::error::in a parse error\n')
    res = run(repo, ".", "--output-format", "github")
    assert res.returncode == 1, res.stderr
    commands = _workflow_commands(res.stdout) + _workflow_commands(res.stderr)
    ours = re.compile(r"^::(error|warning|notice) (file=[^,:\n]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[^:]+"
                      r"|file=[^,:\n]+(,line=\d+)?,title=flowgate-lint|title=flowgate-lint)::[^\n]+$")
    assert commands and all(ours.match(line) for line in commands), [c for c in commands if not ours.match(c)]
    annotated = {m.group(1) for m in re.finditer(r"^::(?:error|warning) file=([^,]+),", res.stdout, re.M)}
    assert len(annotated) == len(HOSTILE_NAMES) + 3, annotated  # one per file (and ok.md, values.md, bad.json)
    assert "PLANTEDmask" not in "".join(c.partition("::")[2].partition("::")[2] for c in commands if "add-mask" in c)
    for fmt in sorted(set(FORMATS) - MACHINE):
        out = run(repo, ".", "--output-format", fmt, "--color", "always", "--show-fixes")
        text = out.stdout + out.stderr
        escapes = set(re.findall(r"\x1b\[[0-9;]*[A-Za-z]|\x1b[^\[]", text))
        assert escapes <= {f"\x1b[{n}m" for n in (0, 1, 2, 31, 32, 33, 34, 36)}, (fmt, escapes)  # our colours only
        assert "\r" not in text and "\x07" not in text and "\u202e" not in text, fmt
        assert "/v1\\u001b]0" in out.stdout  # shown, visibly
    for fmt in sorted(MACHINE):
        out = run(repo, ".", "--output-format", fmt)
        assert "\x1b" not in out.stdout and "\r" not in out.stdout
        json.loads(out.stdout)


def test_a_failed_write_is_not_reported_as_fixed(tmp_path, monkeypatch, capsys):
    import errno

    repo = project(tmp_path)
    doc = repo / "doc.md"
    doc.write_text(FIX_DOC)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    monkeypatch.chdir(repo)
    assert main(["--fix", "--no-cache", "doc.md"]) == 2
    captured = capsys.readouterr()
    assert "Fixed" not in captured.out and "No findings remain" not in captured.out
    assert "Found 40 findings" in captured.out
    assert "doc.md: cannot write: No space left on device; left as is" in captured.err
    assert doc.read_text() == FIX_DOC
