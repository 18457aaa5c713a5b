"""The shared redaction path: what it hides, what it must leave readable, and that it never breaks JSON."""

from __future__ import annotations

import io
import json

import pytest

from flowgate_lint.plumbing.redact import SafeStream, clean, clean_block, neutralise, redact

HIDDEN = [  # (text, the secret that must disappear)
    ("ANTHROPIC_BASE_URL http://alice:hunter2@127.0.0.1:4000/v1 ends in /v1", "hunter2"),
    ("curl http://127.0.0.1:4000/v1/models?api_key=abc123&x=1", "abc123"),
    ("https://gw.example/v1?X-Api-Key=k3y", "k3y"),
    ("https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
    ("env_key = 'a8Fk2Lq9Zx0pW3vB6n7Mq1Rt', the spec says 'OPENAI_API_KEY'", "a8Fk2Lq9Zx0pW3vB6n7Mq1Rt"),
    ("model 'Xk29fLq8Wm3Np7Rz2Tb5Vc1Y' is not served", "Xk29fLq8Wm3Np7Rz2Tb5Vc1Y"),
    ("env.ANTHROPIC_AUTH_TOKEN: 'hunter2' -> 'x'", "hunter2"),
    ('"ANTHROPIC_AUTH_TOKEN": "my-gateway-pass",', "my-gateway-pass"),
    ("DB_PASSWORD=s3cret!", "s3cret!"),
    ("Authorization: Bearer abc.def-123", "abc.def-123"),
    ("x-api-key: sk-ant-api03-PLANTEDanthropic0123456789-abcdef", "PLANTEDanthropic"),
    ('{\\"token\\": \\"abc123\\"}', "abc123"),  # inside a JSON string
]
KEPT = [  # text that must come out unchanged
    "env_key = 'OPENAI_API_KEY'",
    'export ANTHROPIC_AUTH_TOKEN="$GW_TOKEN"',
    "token_env = GW_TOKEN; password: <your-password>; password=changeme",
    "gpt-4o-mini-2024-07-18 us.anthropic.claude-sonnet-4-20250514-v1:0 Qwen2.5-Coder-32B-Instruct",
    "claude-sonnet-4-5-20250929 meta-llama-3.1-405b-instruct-turbo FlowGateLocalProvider2024",
    "ssh://git@github.com/org/repo.git",
    "Bearer authentication and Bearer tokens",
    "max_tokens: 8",
    "-H \"Authorization: Bearer ${OPENAI_API_KEY:-}\"",
    "FG701 literal-secret::FG701 ANTHROPIC_AUTH_TOKEN holds a literal credential sk-…(redacted, 36 chars)",
    "docs/3f2a9c81-d7e6-4b05-a1c2-b3c4d5e6f7a8.md",
    "ANTHROPIC_AUTH_TOKEN (env)  ok  set",
]


@pytest.mark.parametrize("text,secret", HIDDEN)
def test_credentials_are_redacted(text, secret):
    shown, count = redact(text)
    assert secret not in shown and "<redacted>" in shown and count >= 1, shown
    assert redact(shown) == (shown, 0)  # idempotent


@pytest.mark.parametrize("text", KEPT)
def test_what_is_not_a_credential_stays_readable(text):
    assert redact(text) == (text, 0)


def test_redacting_json_text_keeps_it_valid_json():
    values = [t for t, _ in HIDDEN] + KEPT + ["a\nXk29fLq8Wm3Np7Rz2Tb5Vc1Y", 'quote " and \\ backslash token="v4lue"']
    for dumped in (json.dumps(values), json.dumps(values, indent=2, ensure_ascii=False)):
        shown = redact(dumped)[0]
        assert all(secret not in shown for _, secret in HIDDEN)
        assert len(json.loads(shown)) == len(values)


def test_control_characters_become_visible():
    assert clean("a\x1b[31mb\rc\nd\u202ee\x7f\x9bf\tg") == "a\\u001b[31mb\\u000dc\\u000ad\\u202ee\\u007f\\u009bf\tg"
    assert clean_block("a\r\nb\rc\n\x1b[2J\td") == "a\r\nb\\u000dc\n\\u001b[2J\td"


def test_no_line_can_start_a_workflow_command():
    text = "ok\n::error file=x::y\n  ::add-mask::s\nfoo ##[set-output name=a]x\na::b"
    assert neutralise(text) == "ok\n./::error file=x::y\n  ./::add-mask::s\nfoo ## [set-output name=a]x\na::b"


def test_the_stream_keeps_its_own_colours_and_knows_where_lines_start():
    out = io.StringIO()
    stream = SafeStream(out)
    stream.write("\x1b[1mbold\x1b[0m \x1b[8mhidden\x1b[0m\n")
    stream.write("x ")
    stream.write("::not at a line start\n")  # print("x", "::...") writes the pieces separately
    stream.write("::at a line start http://u:pw@h\n")
    assert out.getvalue() == ("\x1b[1mbold\x1b[0m \\u001b[8mhidden\x1b[0m\nx ::not at a line start\n"
                              "./::at a line start http://u:<redacted>@h\n")


def test_a_finding_message_that_names_a_key_variable_is_not_redacted(tmp_path):
    # "... never OPENAI_API_KEY; Codex reads ..." must print whole: the message names variables, not values
    import subprocess
    import sys

    (tmp_path / "codex.md").write_text("```toml\nmodel_provider = \"flowgate\"\n[model_providers.flowgate]\nname = \"F\"\n"
                                       "base_url = \"http://127.0.0.1:4000/v1\"\nenv_key = \"OPENAI_API_KEY\"\n```\n\n"
                                       "```sh\nexport FLOWGATE_API_KEY=<your-gateway-key>\ncodex\n```\n")
    (tmp_path / "pyproject.toml").write_text("[tool.flowgate-lint]\ngateway-port = 4000\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", "--preview", "--output-format", "concise",
                          "codex.md"],
                         cwd=tmp_path, capture_output=True, text=True)
    line = next(x for x in res.stdout.splitlines() if "FG508" in x)
    assert "<redacted>" not in line and "Codex reads the gateway key from OPENAI_API_KEY" in line, line
