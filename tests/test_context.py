"""The shared context model: what a URL targets, section facts, history files."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowgate_lint import judgement as cm
from flowgate_lint.lint.engine import decode_host, sources_of
from flowgate_lint.lint.discover import kind_of
from flowgate_lint.spec.settings import Settings
from flowgate_lint.spec.load import load_spec
from rulekit import context, fixture_spec, lint_text


def v3_spec(tmp_path: Path):
    """CLIProxyAPIPlus is the gateway (8317); LiteLLM, the previous gateway, is still declared on 4000."""
    (tmp_path / "cpa.yaml").write_text("port: 8317\nhost: ''\n", encoding="utf-8")
    (tmp_path / "flowgate.yaml").write_text(
        "config_version: 3\nservices:\n  litellm: {host: 127.0.0.1, port: 4000}\n"
        "  cliproxyapi_plus: {host: 127.0.0.1, port: 8317, config_file: cpa.yaml}\n"
        "integration:\n  default_model: m1\n", encoding="utf-8")
    return load_spec(Settings({}, None, tmp_path), str(tmp_path / "flowgate.yaml"))


def sources(text: str, name: str = "doc.md"):
    kind = kind_of(Path(name), text.encode()[:128]) or "markdown"
    return sources_of(decode_host(text.encode(), name, kind))


def judge_first(text: str, needle: str, name: str = "doc.md", spec=None, settings=None):
    """Judge the first URL starting at ``needle`` in whichever source holds it."""
    ctx = context(spec=spec)
    if settings is not None:
        ctx.settings = settings
    for src in sorted(sources(text, name), key=lambda s: s.embedded, reverse=True):
        at = src.text.find(needle)
        if at >= 0:
            url = cm.parse_url(src.text[at:])
            return cm.judge(src, ctx, at, at + url.end, url=url._replace(start=at, end=at + url.end))
    raise AssertionError(needle)


@pytest.mark.parametrize("line,kind,certainty", [
    ("export ANTHROPIC_BASE_URL=http://localhost:4001", cm.GATEWAY, cm.CERTAIN),
    ("curl http://127.0.0.1:4100/v1/models", cm.GATEWAY, cm.CERTAIN),
    ("curl http://[::1]:4000/v1/messages", cm.GATEWAY, cm.CERTAIN),
    ("Open http://localhost:3000 in a browser.", cm.UNKNOWN, ""),
    ("The gateway listens on http://127.0.0.1:4001.", cm.GATEWAY, cm.PROBABLE),
    ("Codex signs in through the OAuth callback on http://localhost:1455/auth/callback.", cm.LOCAL, ""),
    ("Ollama: curl http://localhost:11434/v1/chat/completions", cm.LOCAL, ""),
    ("llama.cpp serves curl http://127.0.0.1:8080/v1/chat/completions", cm.LOCAL, ""),
    ("export ANTHROPIC_BASE_URL=https://api.deepseek.com/anthropic", cm.UPSTREAM, ""),
    ("CLIProxyAPIPlus: http://127.0.0.1:5000", cm.SERVICE, ""),
    ("curl http://127.0.0.1:8317/v1/models", cm.SERVICE, ""),  # the upstream LiteLLM forwards to
])
def test_judge_signals(line, kind, certainty):
    target = judge_first(f"# Setup\n\n{line}\n", "http")
    assert (target.kind, target.certainty) == (kind, certainty), target


def test_client_call_on_a_previous_gateway_port_is_probably_the_gateway(tmp_path):
    spec = v3_spec(tmp_path)
    target = judge_first("# Use\n\n`curl http://127.0.0.1:4000/v1/models`\n", "http", spec=spec)
    assert target.kind == cm.GATEWAY and target.certainty == cm.PROBABLE and target.expected_port == 8317
    described = judge_first("# Status\n\nLiteLLM: http://127.0.0.1:4000 (healthy)\n", "http", spec=spec)
    assert described.kind == cm.SERVICE and described.service == "litellm"


def test_section_that_brings_its_own_config_sets_the_expected_port():
    doc = ("# Tutorial\n\n## Start the proxy\n\n```sh\nlitellm --config config.yaml --port 8000\n```\n\n"
           "## Use it\n\n```sh\nexport ANTHROPIC_BASE_URL=http://0.0.0.0:8000\n```\n")
    target = judge_first(doc, "http://0.0.0.0", )
    assert target.is_gateway and target.local and target.expected_port == 8000 and target.host_class == "any"


def test_sections_and_facts():
    doc = ("# Guide\n\n## Switching providers\n\n### DeepSeek\n\ntext\n\n## Ollama\n\nmore\n\n"
           "## Changelog\n\nold\n")
    src = sources(doc)[0]
    ctx = context()
    secs = cm.sections(src, ctx)
    assert [s.title for s in secs] == ["", "Guide", "Switching providers", "DeepSeek", "Ollama", "Changelog"]
    deep = cm.section_at(src, ctx, doc.index("text"))
    assert deep.chain == ("Guide", "Switching providers", "DeepSeek") and deep.provider_guide and not deep.history
    assert cm.section_at(src, ctx, doc.index("more")).describes == "Ollama"
    assert cm.section_at(src, ctx, doc.index("old")).history
    assert secs[1].end_line == len(doc.splitlines()) and secs[2].end_line == doc[:doc.index("## Ollama")].count("\n")


def test_local_model_list_and_block_facts():
    doc = ("# Own config\n\nSave this as `config.yaml`:\n\n```yaml\nmodel_list:\n  - model_name: alpha\n"
           "    litellm_params: {model: openai/x, api_base: http://localhost:8080/v1}\n```\n\n"
           "```json\n{\"env\": {\n  // comment\n  ...\n}}\n```\n")
    srcs = sources(doc)
    ctx = context()
    yaml_src = next(s for s in srcs if s.kind == "yaml")
    facts = cm.block_facts(yaml_src, ctx)
    assert facts.names_file == "config.yaml" and facts.complete and not facts.repo_config
    assert facts.local is not None and facts.local.models == ("alpha",)
    assert cm.section_at(srcs[0], ctx, doc.index("Own")).local.models == ("alpha",)
    json_src = next(s for s in srcs if s.kind == "json")
    assert cm.block_facts(json_src, ctx).elided and not cm.block_facts(json_src, ctx).complete
    api_base = judge_first(doc, "http://localhost:8080")
    assert api_base.kind == cm.LOCAL  # an api_base is what the gateway calls


def test_repo_config_excerpt_is_not_a_local_config():
    doc = "# Config\n\nFrom `config/flowgate.yaml`:\n\n```yaml\nservices:\n  litellm:\n    port: 4001\n```\n"
    srcs = sources(doc)
    ctx = context()
    ctx.spec_rel = "config/flowgate.yaml"
    facts = cm.block_facts(next(s for s in srcs if s.kind == "yaml"), ctx)
    assert facts.repo_config and facts.local is None


@pytest.mark.parametrize("path,history", [
    ("CHANGELOG.md", True), ("docs/changelog.md", True), ("HISTORY.rst", True), ("NEWS", True),
    ("docs/release-notes/v2.md", True), ("docs/archive/old.md", True), ("docs/plans/q3.md", True),
    ("docs/adr/0001-use-litellm.md", True), ("docs/decisions/0002-x.md", True), ("adr-0003-ports.md", True),
    ("architecture/adr/0004-x.md", True), ("README.md", False), ("docs/newsletter.md", False), ("docs/setup.md", False),
])
def test_history_defaults(path, history):
    assert cm.is_history(path, context()) is history


def test_history_setting_replaces_and_extends():
    ctx = context()
    ctx.settings = Settings({"history": ["old/**"], "extend-history": ["*.bak.md"]}, None, Path("."))
    assert cm.is_history("old/x.md", ctx) and cm.is_history("docs/y.bak.md", ctx)
    assert not cm.is_history("CHANGELOG.md", ctx)


def test_value_rules_skip_history_files_claims_do_not():
    from rulekit import lint_text

    text = "# 1.2\n\n- ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1 is set here\n"
    assert any(f.code == "FG302" for f in lint_text(text, "docs/setup.md"))
    assert not any(f.code.startswith("FG3") for f in lint_text(text, "CHANGELOG.md"))


def test_service_near_needs_only_filler_words_between():
    ctx = context()
    text = "LiteLLM forwards to http://127.0.0.1:8317 and CLIProxyAPIPlus is on port 8317"
    at = text.index("http")
    assert cm.service_near(text, at, at + 21, ctx) is None
    at = text.rindex("8317")
    assert cm.service_near(text, at, at + 4, ctx).name == "cliproxyapi_plus"
    assert cm.service_near("port 4000 (LiteLLM)", 5, 9, ctx).name == "litellm"


def test_fixture_spec_is_the_default():
    assert fixture_spec().gateway.port == 4000


@pytest.mark.parametrize("doc,needle,kind", [
    ("# A\n\n```text\nCodex CLI → http://127.0.0.1:4009/v1\n```\n", "http", cm.GATEWAY),
    ("# A\n\n```text\nClaude Code ──► Ollama http://localhost:4009\n```\n", "http", cm.LOCAL),
    ("# A\n\nDo not add `/v1`:\n\n```sh\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4009/v1\n```\n", "http", cm.UNKNOWN),
    ("# A\n\nIf your profile still has `ANTHROPIC_BASE_URL=http://127.0.0.1:4009`, change it to the new port.\n", "http", cm.UNKNOWN),
    ("# MCP servers\n\n```sh\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4009\n```\n", "http", cm.GATEWAY),
    ("# Ollama\n\n```sh\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4009\n```\n", "http", cm.LOCAL),
    ("# A\n\n```\nLiteLLM proxy starting\nUvicorn running on http://0.0.0.0:4009\n```\n", "http", cm.GATEWAY),
])
def test_judge_reads_diagrams_counter_examples_and_sections(doc, needle, kind):
    target = judge_first(doc, needle)
    assert target.kind == kind, target
    assert target.quoted == (kind == cm.UNKNOWN)


def test_a_section_config_merges_its_model_list_and_the_port_its_command_starts():
    doc = ("# Recipe\n\n```yaml\nmodel_list:\n  - model_name: q\n    litellm_params: {model: ollama/q}\n```\n\n"
           "```bash\nlitellm --config q.yaml --port 4100\n```\n\n```bash\ncurl http://localhost:4101/v1/models\n```\n")
    target = judge_first(doc, "http://localhost:4101")
    assert target.is_gateway and target.local and target.expected_port == 4100


def test_the_docs_own_server_is_the_gateway_when_the_spec_says_its_port(tmp_path):
    settings = Settings({"gateway-port": 11434, "gateway-host": "localhost"}, None, tmp_path)
    spec = load_spec(settings)
    target = judge_first("# Claude Code with Ollama\n\n`ANTHROPIC_BASE_URL=http://localhost:11435 claude`\n", "http",
                         spec=spec, settings=settings)
    assert target.is_gateway and target.expected_port == 11434


def test_a_sections_own_config_reaches_later_sections_but_not_earlier_ones():
    doc = ("# Guide\n\n## Repo gateway\n\n```sh\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4000\n```\n\n"
           "## Example\n\n### Config\n\n```yaml\nmodel_list:\n  - model_name: team\n```\n\n"
           "### Clients\n\nclients here\n\n## Later\n\nlater text\n")
    src = sources(doc)[0]
    ctx = context()
    assert cm.section_at(src, ctx, doc.index("Repo gateway")).local is None
    assert cm.section_at(src, ctx, doc.index("clients here")).local.models == ("team",)
    assert cm.section_at(src, ctx, doc.index("later text")).local.models == ("team",)
    repo = judge_first(doc, "http://127.0.0.1:4000")
    assert repo.certain and not repo.local


def test_client_models_follow_the_block_the_section_and_its_own_config():
    doc = ("# Models\n\n```sh\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4000\nexport ANTHROPIC_MODEL=a\n```\n\n"
           "## DeepSeek directly\n\n```sh\nexport ANTHROPIC_BASE_URL=https://api.deepseek.com/anthropic\n"
           "export ANTHROPIC_MODEL=deepseek-chat\n```\n\n## Changelog\n\n`export ANTHROPIC_MODEL=old`\n")
    srcs = sources(doc)
    ctx = context()
    gw, deep = [s for s in srcs if s.embedded]
    assert cm.client_models(gw, ctx, gw.text.index("ANTHROPIC_MODEL"), "claude") == ctx.spec.models
    assert cm.client_models(deep, ctx, deep.text.index("ANTHROPIC_MODEL"), "claude") is None
    assert cm.client_models(srcs[0], ctx, doc.index("=old"), "claude") is None


@pytest.mark.parametrize("block,quoted", [
    ("# Before (LiteLLM):\nbase_url: \"http://localhost:4001\"\n# After:\nbase_url: \"http://localhost:4000\"\n", True),
    ("# The gateway\nbase_url: \"http://localhost:4001\"\n", False),
    ("# 修改前\nbase_url: \"http://localhost:4001\"\n", True),
])
def test_a_before_comment_in_a_migration_block_quotes_the_old_value(block, quoted):
    target = judge_first(f"# Setup\n\n```yaml\n{block}```\n", "http://localhost:4001")
    assert target.quoted == quoted, target


def test_the_gateways_other_ports_are_the_gateway(tmp_path):
    settings = Settings({"gateway-port": 8081, "gateway-ports": [8083, 8084]}, None, tmp_path)
    spec = load_spec(settings)
    assert spec.gateway.also == (8083, 8084) and spec.gateway.listens_on(8084)
    target = judge_first("# Gemini\n\nThe gateway's Gemini API: `curl http://localhost:8084/v1beta/models`\n", "http",
                         spec=spec, settings=settings)
    assert target.certain and target.expected_port == 8084
    found = lint_text("# Ports\n\n- Tokligence gateway: http://localhost:8083/v1/messages\n- the gateway: port 8085\n",
                      "doc.md", ["FG301"], spec=spec)
    assert [f.line for f in found] == [4]


def test_a_port_the_text_offers_as_the_readers_choice_is_not_judged():
    doc = "# Run\n\nIf running the gateway on a different port:\n\n```bash\nGATEWAY_URL=http://localhost:9000 ./smoke.sh\n```\n"
    target = judge_first(doc, "http://localhost:9000")
    assert target.kind == cm.UNKNOWN


@pytest.mark.parametrize("port,similar", [(4001, True), (4100, True), (4040, True), (40000, True), (400, True),
                                          (4141, False), (8082, False), (3000, False)])
def test_similar_port(port, similar):
    assert cm.similar_port(port, 4000) == similar


def test_a_client_on_a_far_port_in_a_provider_guide_or_a_sub_project_is_not_judged_the_gateway():
    block = "```sh\nexport ANTHROPIC_BASE_URL=http://localhost:8082\n```\n"
    assert judge_first("# Switching providers\n\n" + block, "http").kind == cm.UNKNOWN
    assert judge_first("# Proxy\n\n" + block, "http", name="llm-proxy/README.md").kind == cm.UNKNOWN
    assert judge_first("# Proxy\n\n" + block, "http", name="docs/setup.md").certain  # the repository's own docs
    named = judge_first("# Switching providers\n\nPoint Claude Code at the gateway: `ANTHROPIC_BASE_URL=http://localhost:8082`\n",
                        "http")
    assert named.is_gateway
    assert judge_first("# Copilot\n\n```sh\nexport ANTHROPIC_BASE_URL=http://localhost:4141\n```\n", "http").kind == cm.LOCAL


def test_a_smoke_script_of_the_gateways_other_listener_needs_no_claude_probes(tmp_path):
    settings = Settings({"gateway-port": 3457, "gateway-ports": [3456]}, None, tmp_path)
    spec = load_spec(settings)
    script = '#!/bin/bash\nBASE_URL="${BASE_URL:-http://localhost:3456}"\ncurl -fsS "${BASE_URL}/health"\n'
    assert [f.code for f in lint_text(script, "scripts/smoke.sh", ["FG201", "FG202"], spec=spec)] == []
    main = script.replace("3456", "3457")
    assert sorted(f.code for f in lint_text(main, "scripts/smoke.sh", ["FG201", "FG202"], spec=spec)) == ["FG201", "FG202"]
