"""The vendored Codex config schema: its record, the rule that reads it, and the real Codex binary's
--strict-config agreeing with it key for key."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from gateway import ROOT, offline_env, unavailable
from rulekit import lint_text

DATA = ROOT / "flowgate_lint" / "data" / "codex"
CODEX = ROOT / ".tools" / "node" / "node_modules" / ".bin" / "codex"
PROVIDER = ('model_provider = "flowgate"\nmodel = "router-default"\n\n[model_providers.flowgate]\nname = "FlowGate Local"\n'
            'base_url = "http://127.0.0.1:9/v1"\nenv_key = "OPENAI_API_KEY"\nwire_api = "responses"\n')
# (config, the one key Codex does not know, as --strict-config names it); None: a config Codex accepts
CONFIGS = [
    (PROVIDER, None),
    (PROVIDER.replace("base_url", "base_uri"), "model_providers.flowgate.base_uri"),
    ("modle = \"router-default\"\n" + PROVIDER, "modle"),
    (PROVIDER + "\n[mcp_servers.docs]\ncommand = \"npx\"\nargz = [\"-y\"]\n", "mcp_servers.docs.argz"),
]


def test_the_record_names_the_codex_version_the_tests_run_and_the_schemas_hash():
    version = json.loads((DATA / "schema-version.json").read_text())
    pins = (ROOT / "scripts" / "test").read_text()
    assert f"@openai/codex@{version['codex']}" in pins, version
    assert hashlib.sha256((DATA / "config.schema.json").read_bytes()).hexdigest() == version["sha256"]
    assert "openai/codex" in version["source"]


@pytest.mark.parametrize("config,unknown", CONFIGS, ids=["valid", "provider-typo", "top-level-typo", "mcp-typo"])
def test_the_rule_reports_the_key_codex_rejects_where_it_stands(config, unknown):
    found = [f for f in lint_text(config, "codex/config.toml") if f.code == "FG510"]
    if unknown is None:
        assert found == []
        return
    key = unknown.rsplit(".", 1)[-1]
    assert len(found) == 1 and f"`{key}`" in found[0].message, found
    line = next(i for i, text in enumerate(config.splitlines(), 1) if text.startswith(key))
    assert found[0].line == line


def test_a_snippet_in_a_doc_is_checked_and_a_quoted_one_is_not():
    doc = "# Codex\n\n```toml\n" + PROVIDER.replace("base_url", "base_uri") + "```\n"
    assert [f.line for f in lint_text(doc, "docs/codex.md") if f.code == "FG510"] == [9]
    old = "# Codex\n\nDo not write this:\n\n```toml\n" + PROVIDER.replace("base_url", "base_uri") + "```\n"
    assert [f for f in lint_text(old, "docs/codex.md") if f.code == "FG510"] == []


@pytest.mark.clients
@pytest.mark.parametrize("config,unknown", CONFIGS, ids=["valid", "provider-typo", "top-level-typo", "mcp-typo"])
def test_codex_strict_config_agrees_with_the_vendored_schema(config, unknown, tmp_path):
    if not CODEX.exists():
        unavailable("clients", f"codex not installed at {CODEX} (./scripts/test installs it)")
    (tmp_path / ".codex").mkdir()
    (tmp_path / ".codex" / "config.toml").write_text(config)
    env = offline_env(HOME=str(tmp_path), CODEX_HOME=str(tmp_path / ".codex"), OPENAI_API_KEY="x")
    # `exec --strict-config` loads the config first: an unknown key stops it at once. A config it accepts goes on
    # to the provider (127.0.0.1:9, where nothing listens), so it is stopped after its banner.
    proc = subprocess.Popen([str(CODEX), "exec", "--strict-config", "--skip-git-repo-check", "hi"], env=env,
                            cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        out = proc.communicate(timeout=20)[0]
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the node wrapper and the native binary it started
        out = proc.communicate()[0]
    named = re.findall(r"unknown configuration field `([^`]+)`", out)
    assert named == ([unknown] if unknown else []), out
    if unknown is None:
        assert "model: router-default" in out, out  # it loaded the config
