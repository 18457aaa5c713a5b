"""Redaction tells a credential from a word: what it must now catch (curl -u, --api-key VALUE, Slack tokens, PEM
keys) and what it must leave whole (rule messages, prose, digests, commit SHAs, data URIs)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from flowgate_lint.plumbing.redact import REDACTED, redact
from rulekit import RULE_FIXTURES, lint_path

ROOT = Path(__file__).resolve().parent.parent
PEM_BODY = "MIIEowIBAAKCAQEA7bq9aZxY3kLmN2pQ8rT5uVwX1yZ0aB4cD6eF8gH0iJ2kL4mN"
PEM_SHORT_RUNS = "Abc4+Xyz9/Qw3eRt5y/Ui7o+Pa1sDf3g+Hj5k/Lz7xCv9b+Nm2QwE4rT/5yU8iO0p"  # no run of 20 between + and /

HIDDEN = [  # (text, the secret that must disappear)
    ("curl -u admin:hunter2 http://127.0.0.1:4000/health", "hunter2"),
    ("curl -sS --user admin:Gw-pass_77 http://127.0.0.1:4000/v1/models", "Gw-pass_77"),
    ("curl --user=admin:hunter2 http://127.0.0.1:4000", "hunter2"),
    ('curl -u "admin:hunter2" "$URL"', "hunter2"),
    ("+  -u ops:s3cr3tpass \\", "s3cr3tpass"),  # a diff line of a continued curl command
    ("litellm --api_key hunter2abc --port 4000", "hunter2abc"),
    ("python smoke.py --api-key hunter2abc", "hunter2abc"),
    ('curl --api-key plainkeyvalue "$URL/v1/models"', "plainkeyvalue"),
    ("password: hunter http://127.0.0.1:4000", "hunter"),
    ('python smoke.py --API-KEY "plainpassword"', "plainpassword"),
    ("SLACK=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "AbCdEfGhIjKlMnOpQrStUvWx"),
    ("notify xoxp-2222222222-3333333333-4444444444-abcdefabcdef0123 done", "4444444444-abcdef"),
    (f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\nq+/b3Kz=\n-----END RSA PRIVATE KEY-----\n", PEM_BODY),
    (f"key: |\n  -----BEGIN OPENSSH PRIVATE KEY-----\n  {PEM_BODY}\n", PEM_BODY),  # cut before its footer
    (f"+{PEM_BODY}", PEM_BODY),  # a body line alone, in a diff
    (f"-----BEGIN PRIVATE KEY-----\n{PEM_SHORT_RUNS}\n-----END PRIVATE KEY-----", PEM_SHORT_RUNS),
    (f"+{PEM_SHORT_RUNS}", PEM_SHORT_RUNS),
]

KEPT = [
    "env_key = 'OPENAI_API_KEY', but this document exports FLOWGATE_API_KEY and never OPENAI_API_KEY: Codex reads it",
    "never OPENAI_API_KEY: Codex reads the gateway key from FLOWGATE_API_KEY",
    "see https://github.com/org/repo/commit/3f2a9c81d7e64b05a1c2b3c4d5e6f7a8b9c0d1e2 for the change",
    "https://gitlab.com/org/repo/-/commit/3f2a9c81d7e64b05a1c2b3c4d5e6f7a8b9c0d1e2",
    "https://github.com/org/repo/blob/3f2a9c81d7e64b05a1c2b3c4d5e6f7a8b9c0d1e2/config.yaml#L3",
    "image: ghcr.io/berriai/litellm@sha256:9b3c1f0e8a7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3",
    "the password: is required",
    "token: string",
    "  api_key: str | None",
    "![logo](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)",
    "The finding never prints the secret: only a known prefix and its length.",
    "default UI password = the documented default master key",
    "ANTHROPIC_AUTH_TOKEN: 0.0.0.0 is a bind address",
    "docker run -u 1000:1000 ghcr.io/berriai/litellm",
    "docker run --user app:app img",
    "git push -u origin main",
    'curl -u "$GW_USER:$GW_PASS" "$URL"',
    "curl -u user:password https://host  # the shape, as curl's manual writes it",
    "flowgate-lint probe --token-env GW_TOKEN",
    "litellm --api-key VALUE   the key, from --api-key KEY or $LITELLM_API_KEY",
    "use --password with care",
    "xoxb-your-token-here",
    "--api-key sk-...: placeholder",
    "OPENAI_API_KEY=sk-or-v1-...: placeholder",
    "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
]


@pytest.mark.parametrize("text,secret", HIDDEN)
def test_command_line_credentials_slack_tokens_and_pem_keys_are_redacted(text, secret):
    shown, count = redact(text)
    assert secret not in shown and REDACTED in shown and count >= 1, shown
    assert redact(shown) == (shown, 0)


@pytest.mark.parametrize("text", KEPT)
def test_words_digests_and_data_uris_stay_whole(text):
    assert redact(text) == (text, 0)


def test_redacted_json_stays_json():
    import json

    values = [t for t, _ in HIDDEN] + KEPT + ["-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----\n" + PEM_BODY]
    for dumped in (json.dumps(values), json.dumps({"a": values}, indent=2)):
        shown = redact(dumped)[0]
        assert all(secret not in shown for _, secret in HIDDEN)
        assert json.loads(shown)


def test_a_pem_header_alone_counts_as_a_credential():
    # a diff or a stream shows the key line by line: the header says a key follows (its body lines are redacted too)
    assert redact("+-----BEGIN EC PRIVATE KEY-----")[1] == 1


def test_a_value_in_yaml_or_shell_is_still_a_value():
    # the sentence rule is for prose: a value alone on its line, quoted, or attached to its name is redacted
    for text, secret in [("password: hunter", "hunter"), ("password: hunter # old", "hunter"),
                         ('password: "Codex reads"', "Codex reads"), ("ANTHROPIC_AUTH_TOKEN=ollama claude", "ollama")]:
        shown = redact(text)[0]
        assert secret not in shown, shown


def test_a_smoke_script_with_curl_credentials_prints_none_of_them(tmp_path):
    import subprocess
    import sys

    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "smoke.sh").write_text(
        "#!/bin/sh\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1; curl -u admin:hunter2pw --api-key plainkeyvalue "
        '"$ANTHROPIC_BASE_URL/v1/messages"\n')
    (tmp_path / "pyproject.toml").write_text("[tool.flowgate-lint]\ngateway-port = 4000\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for fmt in ("full", "github", "json", "sarif"):
        res = subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", "--output-format", fmt, "scripts/smoke.sh"],
                             cwd=tmp_path, capture_output=True, text=True)
        out = res.stdout + res.stderr
        assert res.returncode == 1 and "FG20" in out, out
        assert "hunter2pw" not in out and "plainkeyvalue" not in out, out


def _removed(message: str, shown: str) -> list[str]:
    """The pieces of ``message`` that redaction replaced in ``shown``."""
    parts = [re.escape(p) for p in shown.split(REDACTED)]
    m = re.fullmatch("(.+?)".join(parts), message, re.S)
    assert m, (message, shown)
    return list(m.groups())


def _fixtures():
    return [p for d in sorted(RULE_FIXTURES.iterdir()) if d.is_dir() for p in sorted(d.iterdir())
            if p.name.startswith(("bad", "good")) and not p.name.endswith((".snap", ".fixed"))]


def test_rule_messages_lose_nothing_but_the_credentials_their_fixture_planted():
    checked = 0
    for path in _fixtures():
        text = path.read_text(encoding="utf-8", errors="replace")
        planted = redact(text)[0]
        for f in lint_path(path):
            for message in (f.message, f.fix.message if f.fix else ""):
                shown, count = redact(message)
                checked += 1
                for piece in _removed(message, shown) if count else ():
                    # only a credential the fixture itself holds (and that redaction hides there) may go
                    assert piece in text and piece not in planted, f"{path.name}: {f.code} {message!r} -> {shown!r}"
    assert checked > 200


# What the slots of a message hold: variable names (bare and quoted), a model, a URL, a path, a port, a client.
_SAMPLES = ["OPENAI_API_KEY", "ANTHROPIC_AUTH_TOKEN", "'FLOWGATE_API_KEY'", "router-default", "'gpt-4o'",
            "http://127.0.0.1:4000/v1", "docs/setup.md", "4000", "Codex", "0.0.0.0"]


def _templates():
    """Every f-string in the rules whose literal parts hold prose (a message, a fix title, a hint)."""
    for path in sorted((ROOT / "flowgate_lint" / "rules").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
                if " " in literal:
                    yield f"{path.name}:{node.lineno}", node


def test_every_rule_message_template_survives_redaction_with_names_and_values_in_its_slots():
    eaten = []
    for where, node in _templates():
        for sample in _SAMPLES:
            message = "".join(v.value if isinstance(v, ast.Constant) else sample for v in node.values)
            shown, count = redact(message)
            if count:
                eaten.append(f"{where}: {message!r} -> {shown!r}")
    assert not eaten, "\n".join(eaten)


def _prose_lines():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        fenced = False
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            elif not fenced and line.strip():
                yield f"{path.relative_to(ROOT)}:{n}", line


def test_the_prose_of_the_docs_survives_redaction():
    eaten = [f"{where}: {redact(line)[0]!r}" for where, line in _prose_lines() if redact(line)[1]]
    assert not eaten, "\n".join(eaten)
