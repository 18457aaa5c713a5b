"""The credential battery: 40+ credential spellings planted in every value source a run reads (the gateway config,
docs' prose and blocks, scripts, dotenv, JSON/YAML/TOML configs, client configs, the environment) must never come
out: not in any output format, `--diff`, `--show-fixes`, `--statistics`, a fix's replacement text, any cache file,
`doctor`'s report, or `apply`'s messages and backups."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Each credential ends in a unique tail; a tail found anywhere it was not planted is a leak. Shapes: provider keys,
# tokens of code hosts and chat apps, cloud keys, JWTs, Bearer tokens, passwords in URLs, flags and fields.
TAILS = [f"Lk{n:02d}Qz7Wm9Xp" for n in range(48)]
CREDS = [
    "sk-proj-A1b2C3d4E5f6G7h8I9j0" + TAILS[0],
    "sk-ant-api03-Zy9Xw8Vu7Ts6Rq5Po4Nm" + TAILS[1],
    "sk-or-v1-9f8e7d6c5b4a39281706" + TAILS[2],
    "sk-A1b2C3d4E5f6G7h8I9j0K1l2" + TAILS[3],
    "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6" + TAILS[4],
    "gho_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4" + TAILS[5],
    "xoxb-1234567890-0987654321-" + TAILS[6],
    "xoxp-1234567890-0987654321-" + TAILS[7],
    "xapp-1-A0B1C2D3E4F5-" + TAILS[8],
    "AKIAZ7Q2M4W6X8Y0P3R5",  # AWS: its shape has no room for a tail; checked whole
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0." + TAILS[10],
    "Xk29fLq8Wm3Np7Rz2Tb5Vc1Y" + TAILS[11],
    "a8Fk2Lq9Zx0pW3vB6n7Mq1Rt" + TAILS[12],
    "hunter2-" + TAILS[13],
    "Pa55w0rd!" + TAILS[14],
    "corp-gateway-" + TAILS[15],
]
CREDS += [f"sk-live{n:02d}Abc{n}Def{n}Ghi{n}Jkl" + TAILS[n] for n in range(16, 48)]
AWS = CREDS[9]
MARKERS = [t for i, t in enumerate(TAILS) if i != 9] + [AWS]


def _c(i: int) -> str:
    return CREDS[i]


def _repo(root: Path) -> None:
    files = {
        "config/flowgate.yaml": f"""config_version: 2
services:
  litellm: {{host: 127.0.0.1, port: 4000}}
integration: {{default_model: router-default, fast_model: router-cheap}}
litellm_base:
  model_list:
    - model_name: router-default
      litellm_params: {{model: openai/x, api_key: {_c(16)}}}
    - model_name: router-cheap
      litellm_params: {{model: openai/y, api_key: "{_c(17)}"}}
  general_settings:
    master_key: {_c(18)}
""",
        "README.md": f"""# Gateway

Set `ANTHROPIC_AUTH_TOKEN={_c(0)}` and point Claude Code at http://admin:{_c(13)}@127.0.0.1:4001/v1 for now.

Check it: `curl -u admin:{_c(14)} http://127.0.0.1:4001/v1/models` or
`curl http://127.0.0.1:4001/v1/models?api_key={_c(19)}` or with `-H "Authorization: Bearer {_c(10)}"`.
The CLI takes `--api-key {_c(20)}` and the Slack bot `{_c(6)}` posts results.

```bash
export ANTHROPIC_BASE_URL=http://127.0.0.1:4001
export ANTHROPIC_AUTH_TOKEN={_c(1)}
export OPENAI_API_KEY="{_c(3)}"
export GITHUB_TOKEN={_c(4)}
export AWS_ACCESS_KEY_ID={AWS}
curl -s -H "x-api-key: {_c(21)}" http://localhost:4001/v1/messages
```

```json
{{"env": {{"ANTHROPIC_BASE_URL": "http://127.0.0.1:4001/v1", "ANTHROPIC_AUTH_TOKEN": "{_c(22)}",
          "ANTHROPIC_MODEL": "claude-sonnet-4-5"}}, "apiKeyHelper": "echo {_c(23)}"}}
```

```yaml
litellm_base:
  model_list:
    - model_name: router-default
      litellm_params: {{model: openai/x, api_key: {_c(24)}}}
  general_settings:
    master_key: {_c(25)}
```

```toml
model_provider = "flowgate"
[model_providers.flowgate]
name = "FlowGate Local"
base_url = "http://127.0.0.1:4001/v1"
experimental_bearer_token = "{_c(26)}"
```

```env
LITELLM_MASTER_KEY={_c(27)}
SLACK_TOKEN={_c(7)}
```
""",
        "scripts/smoke.sh": f"""#!/bin/sh
TOKEN={_c(28)}
curl -sf -u ops:{_c(29)} http://127.0.0.1:4001/health/liveliness
curl -sf http://127.0.0.1:4001/v1/models -H "Authorization: Bearer {_c(30)}"
curl -sf http://127.0.0.1:4001/v1/messages -H "x-api-key: {_c(31)}" --api_key {_c(32)}
""",
        ".env.example": f"ANTHROPIC_BASE_URL=http://127.0.0.1:4001/v1\nANTHROPIC_AUTH_TOKEN={_c(33)}\n"
                        f"OPENAI_API_KEY={_c(34)}\nGEMINI_API_KEY={_c(35)}\nAPP_SECRET={_c(11)}\n",
        "clients/claude/settings.json": f"""{{
  "env": {{
    "ANTHROPIC_BASE_URL": "http://127.0.0.1:4001",
    "ANTHROPIC_AUTH_TOKEN": "{_c(36)}",
    "ANTHROPIC_API_KEY": "{_c(2)}",
    "ANTHROPIC_SMALL_FAST_MODEL": "router-cheap"
  }}
}}
""",
        "clients/codex/config.toml": f"""model_provider = "flowgate"
model = "router-default"

[model_providers.flowgate]
name = "FlowGate Local"
base_url = "http://localhost:4001/v1"
env_key = "{_c(37)}"
wire_api = "chat"
experimental_bearer_token = "{_c(38)}"
""",
        "clients/opencode/opencode.json": f"""{{"provider": {{"gw": {{"npm": "@ai-sdk/anthropic",
  "options": {{"baseURL": "http://127.0.0.1:4000", "apiKey": "{_c(39)}"}}}}}},
 "model": "gw/not-served"}}
""",
        "deploy/compose.yaml": f"""services:
  litellm:
    image: ghcr.io/berriai/litellm:main
    environment:
      LITELLM_MASTER_KEY: {_c(40)}
      DATABASE_URL: postgres://llm:{_c(41)}@db:5432/llm
    ports: ["4001:4000"]
""",
        "docs/keys.md": f"""# Keys

- GitHub: {_c(5)}
- Slack app: {_c(8)}
- Password: `{_c(15)}`
- Token: {_c(42)}

| client | key |
|---|---|
| Codex | `{_c(43)}` |
| Claude Code | `{_c(12)}` |
""",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)


def _env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OPENAI_", "GEMINI_", "FLOWGATE_"))}
    env.update(XDG_CACHE_HOME=str(tmp / "cache"), HOME=str(tmp / "home"), NO_COLOR="1",
               # the environment doctor reads: planted too
               ANTHROPIC_AUTH_TOKEN=_c(44), OPENAI_API_KEY=_c(45), GEMINI_API_KEY=_c(46), GW_KEY=_c(47),
               ANTHROPIC_BASE_URL=f"http://user:{_c(44)}@127.0.0.1:4001/v1")
    return env


def _run(args: list[str], cwd: Path, env: dict) -> str:
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", *args], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode in (0, 1, 2), res.stderr
    return res.stdout + "\n" + res.stderr


def _leaks(text: str) -> list[str]:
    return [m for m in MARKERS if m in text]


def _planted(root: Path) -> dict[str, set[str]]:
    return {str(p.relative_to(root)): set(_leaks(p.read_text(errors="replace")))
            for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}


RUNS = [
    ["--preview"],
    ["--preview", "--output-format", "full"],
    ["--preview", "--output-format", "concise"],
    ["--preview", "--output-format", "json"],
    ["--preview", "--output-format", "sarif"],
    ["--preview", "--output-format", "github"],
    ["--preview", "--statistics"],
    ["--preview", "--show-fixes"],
    ["--preview", "--diff"],
    ["--preview", "--diff", "--unsafe-fixes"],
    ["--preview", "--check"],
    ["--preview", "--verbose"],
]


def test_there_are_at_least_forty_distinct_credentials():
    assert len(set(CREDS)) == len(CREDS) >= 40 and len(MARKERS) == len(CREDS)
    assert all(sum(m in c for c in CREDS) == 1 for m in MARKERS)


@pytest.mark.parametrize("args", RUNS, ids=lambda a: " ".join(a[1:]) or "default")
def test_no_output_format_prints_a_planted_credential(tmp_path, args):
    root = tmp_path / "repo"
    _repo(root)
    out = _run(args, root, _env(tmp_path))
    assert "FG" in out or "redacted" in out  # the run had things to say, credentials among them
    assert _leaks(out) == []


def test_fixing_writes_no_credential_anywhere_it_was_not_and_caches_hold_none(tmp_path):
    root = tmp_path / "repo"
    _repo(root)
    env = _env(tmp_path)
    before = _planted(root)
    out = _run(["--preview", "--fix", "--unsafe-fixes", "--show-fixes"], root, env)
    assert _leaks(out) == []
    after = _planted(root)
    assert any((root / rel).read_text() != "" for rel in after)
    for rel, found in after.items():
        assert found <= before.get(rel, set()), f"{rel} gained {found - before.get(rel, set())}"
    out = _run(["--preview"], root, env)  # a second, cached run
    assert _leaks(out) == []
    cache = tmp_path / "cache"
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files, "the runs wrote no cache"
    for p in files:
        assert _leaks(p.read_bytes().decode("utf-8", "replace")) == [], p


def test_doctor_apply_and_their_backups_never_hold_a_credential_they_were_not_given(tmp_path):
    root = tmp_path / "repo"
    _repo(root)
    env = _env(tmp_path)
    home = Path(env["HOME"])
    (home / ".claude").mkdir(parents=True)
    (home / ".claude" / "settings.json").write_text(
        '{"env": {"ANTHROPIC_BASE_URL": "http://127.0.0.1:4001/v1", "ANTHROPIC_SMALL_FAST_MODEL": "x"}}\n')
    outputs = [
        _run(["doctor", "--preview"], root, env),
        _run(["apply", "claude-code", "--token-env", "GW_KEY", "--dry-run"], root, env),
        _run(["apply", "claude-code", "--token-env", "GW_KEY"], root, env),
        _run(["apply", "gemini-cli", "--token-env", "GW_KEY"], root, env),
        _run(["apply", "codex"], root, env),
        _run(["apply", "opencode"], root, env),
        _run(["doctor", "--preview"], root, env),
        _run(["restore", "claude-code", "--list"], root, env),
    ]
    for out in outputs:
        assert _leaks(out) == [], out
    # The key is where --token-env put it, and nowhere else: not in a backup, not in another client's file.
    given = TAILS[47]
    holders = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file()
                     and given in p.read_bytes().decode("utf-8", "replace"))
    assert holders == [".claude/settings.json", ".gemini/.env"]
    for p in home.rglob("*"):
        if p.is_file():
            assert [m for m in _leaks(p.read_bytes().decode("utf-8", "replace")) if m != given] == [], p
