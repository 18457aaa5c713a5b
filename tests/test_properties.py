"""Property-based tests over generated docs, scripts and configs full of drift and noise.

Profiles (tests/conftest.py): "dev" runs a few hundred examples; "ci" (CI=true, run by .ci/run)
runs 2,600 per property, 10,400 in all.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import hypothesis.strategies as st
import tomlkit
from hypothesis import HealthCheck, given, settings

from flowgate_lint.clients.config import apply_claude, apply_codex
from flowgate_lint.lint.engine import decode_host, lint_host
from flowgate_lint.lint.fixes import eligible_filter, fix_host
from rulekit import context, fixture_spec

CTX = context()
SPEC = fixture_spec()
ELIGIBLE = eligible_filter(unsafe=True)
SETTINGS = settings(suppress_health_check=list(HealthCheck), deadline=None)

hosts = st.sampled_from(["127.0.0.1", "localhost", "0.0.0.0", "[::1]", "gateway.example.com"])
ports = st.sampled_from([4000, 4001, 8317, 80, 11434, 65535])
paths = st.sampled_from(["", "/", "/v1", "/v1/", "/v1/messages", "/v1/responses", "/chat/completions", "/anthropic"])
urls = st.builds(lambda h, p, s: f"http://{h}:{p}{s}", hosts, ports, paths)
models = st.sampled_from(["router-default", "router-cheap", "claude-3-5-haiku", "gpt-5", "", "ルーター"])
env_names = st.sampled_from(["ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL",
                             "ANTHROPIC_SMALL_FAST_MODEL", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY",
                             "OPENAI_BASE_URL", "CLAUDE_CODE_SUBAGENT_MODEL", "OPENAI_API_KEY", "X"])
noise = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
values = st.one_of(urls, models, noise, st.just("sk-FAKEfake0123456789abcdefGHIJ"), st.just("${GW_KEY}"))


@st.composite
def shell_docs(draw) -> str:
    lines = ["#!/bin/sh", "# smoke test"]
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            lines.append(f"export {draw(env_names)}={draw(values)!r}".replace("'", '"'))
        elif kind == 1:
            lines.append(f"curl -s {'-f ' if draw(st.booleans()) else ''}-X POST {draw(urls)} -H 'anthropic-version: 2023-06-01'"
                         + (" || true" if draw(st.booleans()) else ""))
        elif kind == 2:
            lines.append("# flowgate-lint: ignore[FG301]" if draw(st.booleans()) else "\t" + draw(noise))
        elif kind == 3:
            lines.append(draw(noise) * draw(st.integers(1, 50)))
        else:
            lines.append(f"{draw(env_names)}={draw(values)} cmd")
    return "\n".join(lines)


@st.composite
def toml_docs(draw) -> str:
    doc = tomlkit.document()
    if draw(st.booleans()):
        doc["model_provider"] = draw(st.sampled_from(["flowgate", "openai", "missing", "ollama-chat"]))
    if draw(st.booleans()):
        doc["model"] = draw(models)
    if draw(st.booleans()):
        doc["profile"] = "x"
    providers = tomlkit.table(is_super_table=True)
    for pid in draw(st.lists(st.sampled_from(["flowgate", "openai", "gw", "amazon-bedrock"]), unique=True, max_size=3)):
        t = tomlkit.table()
        if draw(st.booleans()):
            t["name"] = draw(st.sampled_from(["FlowGate Local", "", " "]))
        t["base_url"] = draw(urls)
        t["wire_api"] = draw(st.sampled_from(["responses", "chat", "completions"]))
        t["env_key"] = draw(st.sampled_from(["OPENAI_API_KEY", "FLOWGATE_KEY"]))
        providers[pid] = t
    if providers:
        doc["model_providers"] = providers
    if draw(st.booleans()):
        prof = tomlkit.table(is_super_table=True)
        prof["p"] = {"model": draw(models)}
        doc["profiles"] = prof
    nest = {}
    cur = nest
    for i in range(draw(st.integers(0, 30))):
        cur["k"] = {}
        cur = cur["k"]
    if nest:
        doc["deep"] = nest
    return tomlkit.dumps(doc)


@st.composite
def json_docs(draw) -> str:
    env = {draw(env_names): draw(st.one_of(values, st.integers(), st.booleans())) for _ in range(draw(st.integers(0, 6)))}
    data = {"env": env}
    if draw(st.booleans()):
        data["model"] = draw(models)
    if draw(st.booleans()):
        data["permissions"] = {"allow": ["Bash(ls)"]}
    indent = draw(st.sampled_from([None, 2, 4, "\t"]))
    return json.dumps(data, indent=indent, ensure_ascii=draw(st.booleans()))


@st.composite
def yaml_docs(draw) -> str:
    lines = ["services:", "  litellm:", f"    host: {draw(hosts).strip('[]')}", f"    port: {draw(ports)}",
             "integration:", f"  default_model: {draw(models) or 'x'}", "environment:"]
    for _ in range(draw(st.integers(0, 4))):
        lines.append(f"  - {draw(env_names)}={draw(urls)}")
    return "\n".join(lines) + "\n"


@st.composite
def markdown_docs(draw) -> str:
    parts = ["# Title"]
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 6))
        if kind == 0:
            parts.append(draw(st.sampled_from(["Claude Code cannot connect to the gateway directly.",
                                               "Claude Code 不能直接接入网关，需要额外的适配层。",
                                               "Only Codex clients are supported.", "> Claude Code needs an adapter."])))
        elif kind == 1:
            parts.append("```toml\n" + draw(toml_docs()) + "```")
        elif kind == 2:
            parts.append("```json\n" + draw(json_docs()) + "\n```")
        elif kind == 3:
            parts.append("```sh\n" + draw(shell_docs()) + "\n```")
        elif kind == 4:
            parts.append(f"Use `{draw(env_names)}={draw(urls)}` or {draw(urls)}.")
        elif kind == 5:
            parts.append("- item\n\n  ```yaml\n" + "".join("  " + l + "\n" for l in draw(yaml_docs()).splitlines()) + "  ```")
        else:
            parts.append(draw(noise))
    return "\n\n".join(parts) + ("\n" if draw(st.booleans()) else "")


DOCS = {"markdown": (markdown_docs(), "doc.md"), "shell": (shell_docs(), "smoke.sh"), "toml": (toml_docs(), "config.toml"),
        "json": (json_docs(), "settings.json"), "yaml": (yaml_docs(), "gateway.yaml")}
any_doc = st.sampled_from(sorted(DOCS)).flatmap(lambda k: st.tuples(st.just(k), DOCS[k][0]))


def _variants(text: str, crlf: bool, bom: bool) -> bytes:
    data = (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def _reparse(kind: str, text: str) -> None:
    if kind == "toml":
        tomlkit.parse(text)
    elif kind == "json":
        json.loads(text)
    elif kind == "yaml":
        from ruamel.yaml import YAML

        list(YAML(typ="safe", pure=True).load_all(text))


@SETTINGS
@given(any_doc, st.booleans(), st.booleans())
def test_lint_never_crashes_and_positions_lie_inside_the_file(doc, crlf, bom):
    kind, text = doc
    host = decode_host(_variants(text, crlf, bom), DOCS[kind][1], kind)
    findings = lint_host(host, CTX)
    n_lines = len(host.line_starts)
    for f in findings:
        assert 1 <= f.line <= n_lines and 1 <= f.end_line <= n_lines
        assert 1 <= f.column <= len(host.line_text(f.line)) + 1
        assert (f.line, f.column) <= (f.end_line, f.end_column)
        assert 0 <= f.start <= f.end <= len(host.text)


@SETTINGS
@given(any_doc, st.booleans(), st.booleans())
def test_fix_reparses_is_idempotent_and_touches_only_fixable_lines(doc, crlf, bom):
    kind, text = doc
    host = decode_host(_variants(text, crlf, bom), DOCS[kind][1], kind)
    first = lint_host(host, CTX)
    outcome = fix_host(host, CTX, ELIGIBLE)
    if outcome.text == host.text:
        return
    allowed = set()
    for f in first:
        if ELIGIBLE(f):
            for e in f.fix.edits:
                allowed.update(range(e.row, e.end_row + 1))
    old_lines = [host.line_text(i) for i in range(1, len(host.line_starts) + 1)]
    after = decode_host(host.encode(outcome.text), host.path, kind)
    new_lines = [after.line_text(i) for i in range(1, len(after.line_starts) + 1)]
    if len(old_lines) == len(new_lines):
        changed = {i + 1 for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b}
        assert changed <= allowed, (changed - allowed, text)
    assert outcome.text.startswith(host.text[:min(f.start for f in first if ELIGIBLE(f))])  # bytes before the first edit
    if kind in ("toml", "json", "yaml") and not any(f.code == "FG001" for f in first):
        _reparse(kind, outcome.text)
    again = decode_host(host.encode(outcome.text), host.path, kind)
    assert fix_host(again, CTX, ELIGIBLE).text == outcome.text  # a second run changes nothing
    assert again.bom == host.bom  # the BOM survives
    if crlf:  # line endings survive: a fix never introduces a bare LF into a CRLF file
        assert "\n" not in outcome.text.replace("\r\n", "")


@SETTINGS
@given(st.one_of(json_docs(), st.just(""), st.just("{}"), st.just('{"env": {}}')), st.booleans())
def test_apply_then_restore_returns_the_original_bytes(text, crlf):
    from flowgate_lint.clients import safewrite

    data = _variants(text, crlf, False)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "settings.json"
        target.write_bytes(data)

        def step(old):
            edited = apply_claude(old.decode("utf-8"), SPEC)
            return edited.text.encode("utf-8") if edited.changes else None

        old, new, saved = safewrite.update(target, step)
        json.loads(target.read_text())
        if saved is not None:
            safewrite.restore(target, saved)
        assert target.read_bytes() == data


@SETTINGS
@given(toml_docs(), st.booleans())
def test_codex_apply_keeps_every_unmanaged_value_and_is_idempotent(text, crlf):
    text = text.replace("\n", "\r\n") if crlf else text
    try:
        before = tomlkit.parse(text).unwrap()
    except Exception:
        return
    providers = before.get("model_providers")
    if providers is not None and not isinstance(providers, dict):
        return
    edited = apply_codex(text, SPEC)
    after = tomlkit.parse(edited.text).unwrap()
    for key, value in before.items():
        if key not in ("model", "model_provider", "model_providers"):
            assert after[key] == value
    for pid, table in (before.get("model_providers") or {}).items():
        if pid != SPEC.codex.provider_id:
            assert after["model_providers"][pid] == table
    assert apply_codex(edited.text, SPEC).changes == []
    assert ("\r\n" in edited.text) == (crlf and "\n" in text) or not edited.changes
