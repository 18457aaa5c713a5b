"""The spec cache answers only when nothing the spec was derived from has changed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import flowgate_lint.spec.load as spec_module
from flowgate_lint.spec.settings import load_settings
from flowgate_lint.spec.cache import load_spec_cached

FLOWGATE = """config_version: 2
services:
  litellm: {host: 127.0.0.1, port: PORT}
integration: {default_model: router-default}
litellm_base:
  model_list:
    - model_name: router-default
"""
LITELLM = "model_list:\n  - model_name: lite-model\n    litellm_params: {model: openai/x}\n"


def settle(*paths: Path) -> None:
    """Backdate mtimes past the racy window (a just-written file is never cached)."""
    past = time.time() - 60
    for p in paths:
        os.utime(p, (past, past), follow_symlinks=False)  # a symlink's own time, never its target's


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


def load(root: Path):
    return load_spec_cached(load_settings(None, root))


def forbid_derivation(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("spec derived again: the cache should have answered")

    monkeypatch.setattr(spec_module, "load_spec", fail)


def test_second_load_is_answered_from_the_cache(project, monkeypatch):
    root, cache = project
    first = load(root)
    assert len(list(cache.glob("spec-*.json"))) == 1
    assert oct(os.stat(next(cache.glob("spec-*.json"))).st_mode & 0o777) == "0o600"
    forbid_derivation(monkeypatch)
    assert load(root) == first and first.gateway.port == 4000


def test_editing_the_config_is_a_miss(project):
    root, _ = project
    assert load(root).gateway.port == 4000
    spec = root / "config" / "flowgate.yaml"
    spec.write_text(FLOWGATE.replace("PORT", "4001"))  # same size, new content
    assert load(root).gateway.port == 4001


def test_a_new_higher_priority_config_is_a_miss(project):
    root, _ = project
    (root / "config" / "flowgate.yaml").unlink()
    (root / "litellm_config.yaml").write_text(LITELLM)
    settle(root / "litellm_config.yaml", root / "config", root)
    assert load(root).models == ("lite-model",)
    (root / "config" / "flowgate.yaml").write_text(FLOWGATE.replace("PORT", "4002"))  # tried before litellm_config.yaml
    assert load(root).gateway.port == 4002


def test_settings_are_part_of_the_key(project):
    root, _ = project
    assert load(root).gateway.port == 4000
    (root / "flowgate-lint.toml").write_text("gateway-port = 4100\n")
    assert load(root).gateway.port == 4100


def test_racy_files_corrupt_entries_and_opt_outs(project, monkeypatch):
    root, cache = project
    (root / "config" / "flowgate.yaml").write_text(FLOWGATE.replace("PORT", "4000"))  # modified just now
    load(root)
    assert not list(cache.glob("*.json"))  # racy: not cached
    settle(root / "config" / "flowgate.yaml")
    load(root)
    (entry,) = cache.glob("spec-*.json")
    entry.write_bytes(b"not a pickle")
    assert load(root).gateway.port == 4000  # a corrupt entry is a silent miss
    entry.unlink()
    monkeypatch.setenv("FLOWGATE_LINT_NO_CACHE", "1")
    load(root)
    assert not list(cache.glob("*.json"))
    monkeypatch.delenv("FLOWGATE_LINT_NO_CACHE")
    assert load_spec_cached(load_settings(None, root), use_cache=False).gateway.port == 4000
    assert not list(cache.glob("*.json"))


def test_unwritable_cache_and_errors_are_not_cached(project, monkeypatch):
    root, cache = project
    cache.write_text("a file where the cache directory should be")
    assert load(root).gateway.port == 4000
    (root / "config" / "flowgate.yaml").write_text("services: [\n")
    settle(root / "config" / "flowgate.yaml")
    for _ in range(2):
        with pytest.raises(spec_module.SpecError):
            load(root)


def test_cli_warm_run_skips_the_yaml_parser(project):
    root, cache = project
    (root / "a.md").write_text("Set `ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1`.\n")
    code = ("import sys\nfrom flowgate_lint.cli import main\nrc = main(['a.md'])\n"
            "print('ruamel' if 'ruamel.yaml' in sys.modules else 'no-ruamel', rc)")
    env = {**os.environ, "FLOWGATE_LINT_CACHE_DIR": str(cache)}
    runs = [subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, env=env)
            for _ in range(2)]
    assert runs[0].stdout.splitlines()[-1] == "ruamel 1"
    assert runs[1].stdout.splitlines()[-1] == "no-ruamel 1"
    assert runs[0].stdout.splitlines()[:-1] == runs[1].stdout.splitlines()[:-1]
    assert "FG302" in runs[1].stdout


def load_settings_twice(start: Path, monkeypatch) -> tuple:
    """Settings uncached, then through the cache twice (the second must not parse TOML)."""
    import flowgate_lint.spec.settings as settings_module
    from flowgate_lint.spec.cache import load_settings_cached

    plain = load_settings(None, start)
    first = load_settings_cached(None, start)
    with monkeypatch.context() as m:
        m.setattr(settings_module, "_load_toml", lambda path: pytest.fail(f"{path} parsed again"))
        second = load_settings_cached(None, start)
    return plain, first, second


def test_settings_are_answered_from_the_cache_until_a_settings_file_changes(project, monkeypatch):
    from flowgate_lint.spec.cache import load_settings_cached

    root, cache = project
    sub = root / "docs" / "deep"
    sub.mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.flowgate-lint]\ngateway-port = 4100\n'
                                         'per-file-ignores = {"docs/*.md" = ["FG1"]}\n')
    (root / "docs" / "pyproject.toml").write_text('[project]\nname = "docs"\n')  # no table: looked past
    settle(root / "pyproject.toml", root / "docs" / "pyproject.toml")
    plain, first, second = load_settings_twice(sub / "a.md", monkeypatch)
    assert plain == first == second and second.values["gateway-port"] == 4100 and second.table == "tool.flowgate-lint"
    assert len(list(cache.glob("settings-*.json"))) == 1
    (root / "docs" / "pyproject.toml").write_text('[tool.flowgate-lint]\ngateway-port = 4200\n')  # now it has one
    settle(root / "docs" / "pyproject.toml")
    assert load_settings_cached(None, sub / "a.md").values == {"gateway-port": 4200}
    (sub / "flowgate-lint.toml").write_text("gateway-port = 4300\n")  # a closer file: a miss even while racy
    assert load_settings_cached(None, sub / "a.md").values == {"gateway-port": 4300}
    (sub / "flowgate-lint.toml").write_text("gateway-port = 4301\n")  # racy, so never stored: read again
    assert load_settings_cached(None, sub / "a.md").values == {"gateway-port": 4301}
    assert load_settings_cached(None, sub / "a.md").path == (sub / "flowgate-lint.toml").resolve()


def test_without_settings_the_cached_root_follows_git(project, monkeypatch):
    from flowgate_lint.spec.cache import load_settings_cached

    root, cache = project
    sub = root / "pkg"
    sub.mkdir()
    plain, first, second = load_settings_twice(sub, monkeypatch)
    assert plain == first == second and second.path is None
    (sub / ".git").mkdir()
    assert load_settings_cached(None, sub) == load_settings(None, sub) and load_settings(None, sub).root == sub


def test_a_planted_entry_cannot_move_the_root_of_a_project_without_settings(project, monkeypatch, tmp_path):
    """Without a settings file every probe is predictable (names missing, .git present or not): an entry
    restored from elsewhere must not decide where paths resolve."""
    import json

    from flowgate_lint.spec.cache import load_settings_cached

    root, cache = project
    sub = root / "pkg"
    sub.mkdir()
    plain, first, _ = load_settings_twice(sub, monkeypatch)
    (entry,) = cache.glob("settings-*.json")
    data = json.loads(entry.read_text())
    data["settings"].update(root=str(tmp_path / "elsewhere"), start=str(tmp_path / "elsewhere"))
    entry.write_text(json.dumps(data))
    got = load_settings_cached(None, sub)
    assert (got.root, got.start) == (plain.root, plain.start) and got.start == sub


def test_settings_errors_secrets_and_opt_outs_are_not_cached(project, monkeypatch):
    from flowgate_lint.plumbing.errors import SettingsError
    from flowgate_lint.spec.cache import load_settings_cached

    root, cache = project
    (root / "flowgate-lint.toml").write_text("gateway-port = [\n")
    settle(root / "flowgate-lint.toml")
    for _ in range(2):
        with pytest.raises(SettingsError):
            load_settings_cached(None, root)
    (root / "flowgate-lint.toml").write_text('token-env = "sk-ant-api03-Zk3Q9vR2mX7pL4tW8yB1nC6dF0hJ5sA2gE9uK3oI7"\n')
    settle(root / "flowgate-lint.toml")
    load_settings_cached(None, root)
    load_settings_cached(None, root, use_cache=False)
    load_settings_cached(None, root, write=False)
    assert not list(cache.glob("settings-*.json"))  # a credential never goes into the cache
    (root / "flowgate-lint.toml").write_text('gateway-port = 4000\n')
    settle(root / "flowgate-lint.toml")
    load_settings_cached(None, root, write=False)
    load_settings_cached(None, root, isolated=True)
    load_settings_cached(None, root, use_cache=False)
    assert not list(cache.glob("settings-*.json"))
    load_settings_cached(None, root)
    (entry,) = cache.glob("settings-*.json")
    entry.write_text(entry.read_text().replace('"gateway-port":4000', '"gateway-port":"x"'))
    assert load_settings_cached(None, root).values == {"gateway-port": 4000}  # an invalid entry is a miss
