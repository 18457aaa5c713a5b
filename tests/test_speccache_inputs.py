"""What the spec cache records and stores (issue 28, items 4, 10, 11 and 17): never a pasted key, every path
the derivation went through (symlinks as written, LiteLLM include files), no temp file left by a killed write."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flowgate_lint.spec.cache import load_spec_cached
from flowgate_lint.spec.settings import load_settings
from test_speccache import FLOWGATE, settle

KEY = "sk-proj-Zq8xV2mN4bT7yR1kL9wE3uH6pA0sD5fG"


@pytest.fixture
def project(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("FLOWGATE_LINT_CACHE_DIR", str(cache))
    monkeypatch.delenv("FLOWGATE_LINT_NO_CACHE", raising=False)
    root = tmp_path / "repo"
    (root / "config").mkdir(parents=True)
    spec = root / "config" / "flowgate.yaml"
    spec.write_text(FLOWGATE.replace("PORT", "4000"))
    settle(spec, root / "config", root)
    monkeypatch.chdir(root)
    return root, cache


def run(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args], cwd=root, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def cache_bytes(cache: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(cache.rglob("*")) if p.is_file()) if cache.exists() else b""


# ----------------------------------------------------------------------- item 4: a key pasted for a name


@pytest.mark.parametrize("where, text, shown", [
    ("pyproject.toml", f'[tool.flowgate-lint]\nspec = "config/flowgate.yaml"\ntoken-env = "{KEY}"\n',
     "pyproject.toml:3: token-env must name an environment variable, not hold a key"),
    ("pyproject.toml", f'[tool.flowgate-lint]\nspec = "config/flowgate.yaml"\ncodex-env-key = "{KEY}"\n',
     "pyproject.toml:3: codex-env-key must name an environment variable, not hold a key"),
    ("config/flowgate.yaml", FLOWGATE.replace("PORT", "4000").replace(
        "integration: {default_model: router-default}", f"integration:\n  default_model: router-default\n  token_env: {KEY}"),
     "config/flowgate.yaml:6: integration.token_env must name an environment variable, not hold a key"),
    ("config/flowgate.yaml", FLOWGATE.replace("PORT", "4000").replace(
        "integration: {default_model: router-default}",
        f"integration:\n  default_model: router-default\n  codex:\n    env_key: '{KEY}'"),
     "config/flowgate.yaml:7: integration.codex.env_key must name an environment variable, not hold a key"),
])
def test_a_key_pasted_for_a_variable_name_is_reported_and_never_stored(project, where, text, shown):
    root, cache = project
    (root / where).write_text(text)
    settle(root / where)
    for args in (["."], ["print", "codex"], ["print", "claude-code"]):
        res = run(root, *args)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        assert shown in res.stderr.splitlines(), res.stderr
        assert KEY not in res.stdout + res.stderr
        assert KEY[8:].encode() not in cache_bytes(cache)


def test_a_name_is_still_a_name(project):
    root, cache = project
    (root / "pyproject.toml").write_text('[tool.flowgate-lint]\nspec = "config/flowgate.yaml"\ntoken-env = "GATEWAY_TOKEN"\n'
                                         'codex-env-key = "FLOWGATE_API_KEY"\n')
    settle(root / "pyproject.toml", root)
    spec = load_spec_cached(load_settings(None, root))
    assert spec.claude.token_env == "GATEWAY_TOKEN" and spec.codex.env_key == "FLOWGATE_API_KEY"
    assert any(p.name.startswith("spec-") for p in cache.iterdir())  # stored: a name is no credential


def test_a_reference_is_named_without_its_syntax(project):
    root, _ = project
    (root / "pyproject.toml").write_text('[tool.flowgate-lint]\nspec = "config/flowgate.yaml"\ntoken-env = "${GATEWAY_TOKEN}"\n')
    res = run(root, ".")
    assert res.returncode == 2
    assert "pyproject.toml:3: token-env must name an environment variable ('GATEWAY_TOKEN', without the reference syntax)" \
        in res.stderr


def test_a_cache_directory_inside_the_repository_is_not_linted(project):
    root, _ = project
    inside = root / ".flowgate-cache"
    drift = '{"env": {"ANTHROPIC_BASE_URL": "http://127.0.0.1:4000/v1"}}\n'
    (root / "settings.json").write_text(drift)
    env = {"FLOWGATE_LINT_CACHE_DIR": str(inside)}
    first = run(root, "--output-format", "concise", ".", env=env)
    assert "settings.json:1:" in first.stdout, first.stdout + first.stderr
    inside.mkdir(exist_ok=True)
    (inside / "planted.json").write_text(drift)  # whatever lies there is the cache's, not source
    for extra in ([], ["--no-cache"], ["--exclude", "nothing"]):
        res = run(root, "--output-format", "concise", *extra, ".", env=env)
        assert ".flowgate-cache" not in res.stdout + res.stderr, (extra, res.stdout, res.stderr)
        assert "settings.json:1:" in res.stdout


# ----------------------------------------------------------------------- item 10: symlinks on the way

V3 = """config_version: 3
services:
  cliproxyapi_plus:
    config_file: CPA
integration:
  default_model: gpt-5-codex
  models: [gpt-5-codex]
"""


def _cpa(path: Path, port: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'host: ""\nport: {port}\n')


def _repoint(link: Path, target: str) -> None:
    tmp = link.with_name(link.name + ".new")
    os.symlink(target, tmp)
    os.replace(tmp, link)
    settle(link, link.parent)


@pytest.mark.parametrize("layout", ["linked file", "linked directory"])
def test_repointing_a_symlink_on_the_way_to_an_input_is_a_miss(project, layout, monkeypatch):
    import flowgate_lint.spec.load as spec_module

    root, _ = project
    derived = []
    real_load = spec_module.load_spec
    monkeypatch.setattr(spec_module, "load_spec", lambda *a, **k: derived.append(1) or real_load(*a, **k))
    _cpa(root / "envs" / "staging" / "cliproxyapi.yaml", 8317)
    _cpa(root / "envs" / "prod" / "cliproxyapi.yaml", 9317)
    if layout == "linked file":
        ref, link, old, new = "cliproxyapi.yaml", root / "config" / "cliproxyapi.yaml", \
            "../envs/staging/cliproxyapi.yaml", "../envs/prod/cliproxyapi.yaml"
    else:
        ref, link, old, new = "env/cliproxyapi.yaml", root / "config" / "env", "../envs/staging", "../envs/prod"
    (root / "config" / "flowgate.yaml").write_text(V3.replace("CPA", ref))
    os.symlink(old, link)
    settle(*(root / "envs").rglob("*"), root / "config" / "flowgate.yaml", link, root / "config", root)
    assert load_spec_cached(load_settings(None, root)).gateway.port == 8317
    assert load_spec_cached(load_settings(None, root)).gateway.port == 8317
    assert len(derived) == 1  # the second answered from the cache
    _repoint(link, new)
    assert load_spec_cached(load_settings(None, root)).gateway.port == 9317
    _repoint(link, old)
    assert load_spec_cached(load_settings(None, root)).gateway.port == 8317


# ----------------------------------------------------------------------- item 11: temp files of killed writes


def test_a_write_sweeps_the_temp_files_killed_writers_left(tmp_path):
    from flowgate_lint.plumbing.cachefile import read_json, write_json

    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    left = cache / f".spec-0badc0de.json.{dead.pid}.0123abcd.tmp"
    left.write_bytes(b"{" * 1000)
    old = cache / f".results-1.json.{os.getppid()}.89abcdef.tmp"  # its writer may live on: older than any write
    old.write_bytes(b"{")
    past = time.time() - 3600
    os.utime(old, (past, past))
    live = cache / f".spec-1.json.{os.getppid()}.00000000.tmp"  # a write under way in a live process
    live.write_bytes(b"{")
    link = cache / f".spec-2.json.{dead.pid}.11111111.tmp"
    link.symlink_to(outside)
    others = [cache / "notes.tmp", cache / f"spec-3.json.{dead.pid}.22222222.tmp", cache / "sub" / left.name]
    others[2].parent.mkdir()
    for p in others:
        p.write_text("not ours")
    write_json(str(cache), "spec-4.json", {"a": 1})
    assert read_json(str(cache), "spec-4.json") == {"a": 1}
    assert not left.exists() and not old.exists() and not os.path.lexists(link)
    assert live.exists() and outside.read_text() == "keep me" and all(p.exists() for p in others)


# ----------------------------------------------------------------------- item 17: LiteLLM include files

LITELLM = "include:\n  - models/extra.yaml\nmodel_list:\n  - model_name: lite-main\n    litellm_params: {model: openai/x}\n"
EXTRA = "model_list:\n  - model_name: NAME\n    litellm_params: {model: openai/y}\n"


def _litellm_project(root: Path, cache: Path) -> Path:
    (root / "config" / "flowgate.yaml").unlink()
    (root / "models").mkdir()
    (root / "litellm_config.yaml").write_text(LITELLM)
    (root / "models" / "extra.yaml").write_text(EXTRA.replace("NAME", "lite-extra"))
    settle(root / "litellm_config.yaml", root / "models" / "extra.yaml", root / "models", root / "config", root)
    return root


def test_models_of_an_included_file_are_served_and_editing_it_is_a_miss(project):
    root, cache = project
    _litellm_project(root, cache)
    assert load_spec_cached(load_settings(None, root)).models == ("lite-main", "lite-extra")
    (root / "models" / "extra.yaml").write_text(EXTRA.replace("NAME", "lite-other"))
    settle(root / "models" / "extra.yaml")
    assert load_spec_cached(load_settings(None, root)).models == ("lite-main", "lite-other")
    (root / "doc.md").write_text("```sh\nexport ANTHROPIC_MODEL=lite-other\n```\n")
    res = run(root, "--output-format", "concise", "doc.md")
    assert res.returncode == 0 and "not served" not in res.stdout, res.stdout + res.stderr


def test_an_include_that_leaves_the_repository_is_refused(project, tmp_path):
    root, cache = project
    _litellm_project(root, cache)
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(EXTRA.replace("NAME", "secret-model"))
    (root / "models" / "extra.yaml").unlink()
    (root / "models" / "extra.yaml").symlink_to(outside)
    res = run(root, ".")
    assert res.returncode == 2
    assert res.stderr.startswith("litellm_config.yaml:2: include 'models/extra.yaml' leads outside the repository"), res.stderr
    (root / "litellm_config.yaml").write_text(LITELLM.replace("models/extra.yaml", "../elsewhere.yaml"))
    res = run(root, ".")
    assert res.returncode == 2 and "include '../elsewhere.yaml' leads outside the repository" in res.stderr
