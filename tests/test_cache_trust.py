"""The caches are data others may have written: never executed, used only when the user alone could write them."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import flowgate_lint.plumbing.cachefile as cachefile
import flowgate_lint.lint.engine as engine
import flowgate_lint.lint.resultcache as resultcache
import flowgate_lint.spec.cache as speccache
from flowgate_lint.cli import main
from flowgate_lint.spec.settings import load_settings
from test_speccache import FLOWGATE, settle

DRIFT = "Claude Code: `export ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1`\n"
# A run with the racy window closed, so files written by the test are cached at once.
RUN = ("import sys\nimport flowgate_lint.lint.resultcache as r, flowgate_lint.spec.cache as s\nr.RACY_NS = s.RACY_NS = 0\n"
       "from flowgate_lint.cli import main\nsys.exit(main(sys.argv[1:]))")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("FLOWGATE_LINT_CACHE_DIR", str(cache))
    monkeypatch.delenv("FLOWGATE_LINT_NO_CACHE", raising=False)
    monkeypatch.setattr(resultcache, "RACY_NS", 0)
    monkeypatch.setattr(speccache, "RACY_NS", 0)
    monkeypatch.setattr(cachefile, "_noted", False)
    root = tmp_path / "repo"
    (root / "config").mkdir(parents=True)
    (root / "config" / "flowgate.yaml").write_text(FLOWGATE.replace("PORT", "4000"))
    (root / "docs").mkdir()
    (root / "docs" / "drift.md").write_text(DRIFT)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)
    return root, cache


def cli(root: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FLOWGATE_LINT_CACHE_DIR": str(cache)}
    env.pop("FLOWGATE_LINT_NO_CACHE", None)
    return subprocess.run([sys.executable, "-c", RUN, *args], cwd=root, capture_output=True, text=True, env=env)


def cache_files(cache: Path) -> list[Path]:
    return sorted(p for p in cache.iterdir() if not p.name.startswith("."))


def count_lints(monkeypatch) -> list[str]:
    linted: list[str] = []
    real = engine.lint_candidate

    def spy(cand, ctx):
        linted.append(cand.rel)
        return real(cand, ctx)

    monkeypatch.setattr(engine, "lint_candidate", spy)
    return linted


class _Payload:
    """Unpickling this runs a shell command: what a planted cache file would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_planted_pickle_in_the_cache_never_runs(repo, tmp_path):
    root, cache = repo
    first = cli(root, cache, ".")
    assert first.returncode == 1 and "docs/drift.md:1:" in first.stdout, first.stderr
    names = {p.name for p in cache_files(cache)}
    assert any(n.startswith("results-") for n in names) and any(n.startswith("spec-") for n in names)
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(marker))
    for name in names | {n.rsplit(".", 1)[0] + ".pickle" for n in names}:  # every cache name, in any format
        (cache / name).write_bytes(payload)
    again = cli(root, cache, ".")
    assert not marker.exists(), "a cache file was executed"
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout), again.stderr


def test_a_cache_directory_others_can_write_is_not_used(repo, capsys, monkeypatch):
    root, cache = repo
    assert main(["."]) == 1
    stored = {p: p.read_bytes() for p in cache_files(cache)}
    out = capsys.readouterr().out
    os.chmod(cache, 0o777)
    (root / "docs" / "new.md").write_text(DRIFT)
    linted = count_lints(monkeypatch)
    assert main(["-v", "."]) == 1
    captured = capsys.readouterr()
    assert "docs/drift.md" in linted, "answered from a world-writable cache"
    assert {p: p.read_bytes() for p in cache_files(cache)} == stored, "wrote into a world-writable cache"
    notes = [line for line in captured.err.splitlines() if "cache not used" in line]
    assert len(notes) == 1 and str(cache) in notes[0] and "writable by others" in notes[0], captured.err
    assert captured.out.replace("docs/new.md", "docs/drift.md").count("docs/drift.md") == 2 * out.count("docs/drift.md")
    os.chmod(cache, 0o700)
    linted.clear()
    assert main(["."]) == 1
    assert linted == ["docs/new.md"]  # a safe directory is used again


def test_cache_files_of_another_user_or_writable_by_others_are_a_miss(repo, capsys, monkeypatch):
    root, cache = repo
    assert main(["."]) == 1
    linted = count_lints(monkeypatch)
    assert main(["."]) == 1 and linted == []  # the cache answers
    (results,) = cache.glob("results-*")
    os.chmod(results, 0o666)
    assert main(["."]) == 1 and "docs/drift.md" in linted
    os.chmod(results, 0o600)
    linted.clear()
    assert main(["."]) == 1 and linted == []
    real_uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real_uid + 4242)  # everything in the cache is someone else's now
    monkeypatch.setattr(cachefile, "_noted", False)
    assert main(["-v", "."]) == 1 and "docs/drift.md" in linted
    err = capsys.readouterr().err
    assert err.count("cache not used") == 1 and f"owned by uid {real_uid}" in err, err


def test_symlinked_cache_files_are_neither_read_nor_written_through(repo, tmp_path):
    root, cache = repo
    first = cli(root, cache, ".")
    assert first.returncode == 1, first.stderr
    victims = {}
    for path in cache_files(cache):
        victim = tmp_path / f"victim-{path.name}"
        victim.write_bytes(path.read_bytes())  # a valid cache: reading it through the link would answer
        victims[victim] = victim.read_bytes()
        path.unlink()
        path.symlink_to(victim)
    (root / "docs" / "drift.md").write_text(DRIFT + "\nAnd `ANTHROPIC_BASE_URL=http://localhost:4000/v1` too.\n")
    (root / "config" / "flowgate.yaml").write_text(FLOWGATE.replace("PORT", "4000") + "# edited\n")
    again = cli(root, cache, ".")
    assert again.returncode == 1 and "docs/drift.md:3:" in again.stdout, again.stderr
    assert {v: v.read_bytes() for v in victims} == victims, "a symlinked cache file was written through"
    assert all(not p.is_symlink() for p in cache_files(cache))  # the links were replaced by the user's own files
    third = cli(root, cache, ".")
    assert third.stdout == again.stdout


def test_a_symlinked_cache_file_is_not_read(repo, capsys, monkeypatch):
    root, cache = repo
    assert main(["."]) == 1
    capsys.readouterr()
    (results,) = cache.glob("results-*")
    elsewhere = results.with_name("elsewhere")
    results.rename(elsewhere)
    results.symlink_to(elsewhere)
    linted = count_lints(monkeypatch)
    monkeypatch.setattr(cachefile, "_noted", False)
    assert main(["-v", "."]) == 1 and "docs/drift.md" in linted
    assert "cache not used" in capsys.readouterr().err


def test_the_spec_round_trips_through_the_json_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWGATE_LINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(speccache, "RACY_NS", 0)
    root = tmp_path / "repo"
    (root / "config").mkdir(parents=True)
    (root / "config" / "flowgate.yaml").write_text(
        "config_version: 2\nservices:\n  litellm: {host: 127.0.0.1, port: 4010}\n  cliproxyapi_plus: {host: 127.0.0.1, port: 8317}\n"
        "integration:\n  default_model: router-default\n  fast_model: router-cheap\n"
        "  claude_code: {subagent_model: router-cheap}\n"
        "litellm_base:\n  model_list:\n    - model_name: router-default\n    - model_name: router-cheap\n")
    (root / "flowgate-lint.toml").write_text('token-env = "GW_TOKEN"\n')
    settle(root / "config" / "flowgate.yaml", root / "flowgate-lint.toml")
    settings = load_settings(None, root)
    fresh = speccache.load_spec_cached(settings, use_cache=False)
    assert fresh.services and fresh.models and fresh.settings_path is not None and fresh.inputs
    assert fresh.claude.subagent_model == "router-cheap" and len(fresh.claude.pinned) >= 2  # a frozenset
    decoded = speccache.decode(json.loads(json.dumps(speccache.encode(fresh))))
    assert decoded == fresh and repr(decoded) == repr(fresh)  # same values, same types (Path, tuples, NamedTuples)
    speccache.load_spec_cached(settings)
    import flowgate_lint.spec.load as spec_module

    monkeypatch.setattr(spec_module, "load_spec", lambda *a, **k: pytest.fail("derived again"))
    cached = speccache.load_spec_cached(settings)
    assert cached == fresh and repr(cached) == repr(fresh)
    assert cached.gateway.root_url == "http://127.0.0.1:4010" and cached.other_ports() == fresh.other_ports()


@pytest.mark.parametrize("forged", [
    {"t": "system", "v": ["touch /tmp/x"]},  # no class outside the spec's own values
    {"t": "Gateway", "v": ["litellm", "127.0.0.1"]},  # wrong arity
    {"t": "path", "v": 3},
    ["a bare list"],
])
def test_forged_spec_values_are_refused(forged):
    with pytest.raises(ValueError):
        speccache.decode({"t": "tuple", "v": [forged]})


def test_forged_result_entries_are_a_miss(tmp_path):
    cache = tmp_path / "c"
    cache.mkdir(mode=0o700)
    path = str(cache / "results.json")
    good = resultcache.ResultCache(path, "fp")

    class Cand:
        rel, sig = "a.md", (1, 2, 3, 4)

    from flowgate_lint.documents.findings import Edit, Finding, Fix

    f = Finding("FG302", "n", "a.md", 1, 1, 1, 5, "m", "error", Fix((Edit(0, 4, "x", 1, 1, 1, 5),), "safe", "fix"), 0, 4, "ab")
    good.put(Cand, [f])
    good.save()
    assert resultcache.ResultCache(path, "fp").get(Cand) == [f]
    data = json.loads((cache / "results.json").read_text())
    for forged in (["FG302"], [*data["entries"]["a.md"][1][0][:9], {"t": "system"}, 0, 4, "ab"],
                   [*data["entries"]["a.md"][1][0][:3], [1], *data["entries"]["a.md"][1][0][4:]]):
        data["entries"]["a.md"][1] = [forged]
        (cache / "results.json").write_text(json.dumps(data))
        assert resultcache.ResultCache(path, "fp").get(Cand) is None
