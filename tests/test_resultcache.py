"""The result cache answers for a file only while the file and everything its findings depend on are unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

import flowgate_lint.lint.engine as engine
import flowgate_lint.lint.resultcache as resultcache
from flowgate_lint.cli import main
from test_speccache import FLOWGATE as SPEC  # a gateway config with a PORT placeholder

DRIFT = "Claude Code: `export ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1`\n"
CLEAN = "# Notes\n\nNothing about the gateway here, just words.\n"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("FLOWGATE_LINT_CACHE_DIR", str(cache))
    monkeypatch.delenv("FLOWGATE_LINT_NO_CACHE", raising=False)
    monkeypatch.setattr(resultcache, "RACY_NS", 0)  # files written before a run count as settled
    root = tmp_path / "repo"
    (root / "config").mkdir(parents=True)
    (root / "config" / "flowgate.yaml").write_text(SPEC.replace("PORT", "4000"))
    (root / "docs").mkdir()
    (root / "docs" / "drift.md").write_text(DRIFT)
    (root / "docs" / "clean.md").write_text(CLEAN)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)
    return root, cache


class Cand(NamedTuple):
    rel: str
    sig: tuple | None


def lint(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def entries(cache: Path) -> dict:
    (path,) = cache.glob("results-*.json")
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    return json.loads(path.read_bytes())["entries"]


def forbid_linting(monkeypatch) -> None:
    def fail(cand, ctx):
        raise AssertionError(f"{cand.rel} linted again: the cache should have answered")

    monkeypatch.setattr(engine, "lint_candidate", fail)


def test_unchanged_files_are_answered_from_the_cache(repo, capsys, monkeypatch):
    root, cache = repo
    first = lint(capsys, ".")
    assert first[0] == 1 and "docs/drift.md:1:" in first[1] and "FG" in first[1]
    assert {"docs/drift.md", "docs/clean.md", "config/flowgate.yaml"} <= set(entries(cache))
    forbid_linting(monkeypatch)
    assert lint(capsys, ".") == first
    assert lint(capsys, "docs/drift.md")[1] == first[1]  # explicit paths share the entries


def test_a_run_answered_from_the_cache_imports_no_rule_module(repo, capsys):
    first = lint(capsys, ".")
    probe = ("import sys\nfrom flowgate_lint.cli import main\ncode = main(['.'])\n"
             "print(code, sorted(m for m in sys.modules if m.startswith('flowgate_lint.rules.')))")
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert res.stdout.endswith(f"{first[0]} []\n") and res.stdout.startswith(first[1])


def test_an_edited_file_is_linted_again(repo, capsys):
    root, _ = repo
    assert lint(capsys, ".")[0] == 1
    (root / "docs" / "drift.md").write_text(DRIFT.replace("/v1`", "`"))
    code, out = lint(capsys, ".")
    assert code == 0, out
    (root / "docs" / "clean.md").write_text(CLEAN + DRIFT)
    code, out = lint(capsys, ".")
    assert code == 1 and "docs/clean.md:4:" in out


def test_a_changed_spec_or_selection_invalidates_every_entry(repo, capsys, monkeypatch):
    root, cache = repo
    (root / "docs" / "clean.md").write_text(CLEAN + "Codex: `base_url = \"http://127.0.0.1:4000/v1\"`\n")
    assert lint(capsys, ".")[0] == 1
    (root / "config" / "flowgate.yaml").write_text(SPEC.replace("PORT", "4555"))
    code, out = lint(capsys, ".")
    assert "docs/clean.md" in out and "4555" in out  # same doc bytes, new spec: new findings
    code, out = lint(capsys, "--ignore", "FG", ".")
    assert code == 0 and "docs/" not in out
    (root / "flowgate-lint.toml").write_text('ignore = ["FG"]\n')
    assert lint(capsys, ".")[0] == 0


def test_racy_files_are_not_stored(repo, capsys, monkeypatch):
    root, cache = repo
    monkeypatch.setattr(resultcache, "RACY_NS", 3600 * 10**9)  # everything counts as just written
    lint(capsys, ".")
    assert not list(cache.glob("results-*.json"))


def test_opt_outs_and_a_corrupt_cache(repo, capsys, monkeypatch):
    root, cache = repo
    first = lint(capsys, "--no-cache", ".")
    assert not list(cache.glob("results-*.json"))
    monkeypatch.setenv("FLOWGATE_LINT_NO_CACHE", "1")
    assert lint(capsys, ".") == first
    assert not cache.exists() or not list(cache.glob("*.json"))
    monkeypatch.delenv("FLOWGATE_LINT_NO_CACHE")
    assert lint(capsys, ".") == first
    (path,) = cache.glob("results-*.json")
    path.write_bytes(b"\x80\x05garbage")
    assert lint(capsys, ".") == first  # a corrupt cache is a silent miss...
    assert "docs/drift.md" in entries(cache)  # ...and is rewritten


def test_fix_uses_cached_findings_and_stays_idempotent(repo, capsys, monkeypatch):
    root, cache = repo
    assert lint(capsys, ".")[0] == 1  # fills the cache, fixes included
    before_clean = (root / "docs" / "clean.md").read_bytes()
    code, out = lint(capsys, "--fix", ".")
    assert code == 0, out
    fixed = (root / "docs" / "drift.md").read_text()
    assert "ANTHROPIC_BASE_URL=http://127.0.0.1:4000`" in fixed
    assert (root / "docs" / "clean.md").read_bytes() == before_clean
    assert lint(capsys, "--fix", ".")[0] == 0
    assert (root / "docs" / "drift.md").read_text() == fixed
    assert lint(capsys, ".")[0] == 0


def test_parallel_runs_fill_the_cache(repo, capsys, monkeypatch):
    root, cache = repo
    for i in range(6):
        (root / "docs" / f"more{i}.md").write_text(DRIFT if i % 2 else CLEAN)
    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setenv("FLOWGATE_LINT_JOBS", "2")
    first = lint(capsys, ".")
    assert first[1].count("docs/more") == 3
    assert {f"docs/more{i}.md" for i in range(6)} <= set(entries(cache))
    forbid_linting(monkeypatch)
    assert lint(capsys, ".") == first


def test_concurrent_saves_merge(tmp_path):
    path = str(tmp_path / "results.json")
    shards = [resultcache.ResultCache(path, "fp"), resultcache.ResultCache(path, "fp")]  # opened before either saves
    for i, shard in enumerate(shards):
        shard.put(Cand(f"doc{i}.md", (10, 1, 1, i)), [])
    for shard in shards:
        shard.save()
    assert set(resultcache.ResultCache(path, "fp").entries) == {"doc0.md", "doc1.md"}
    assert resultcache.ResultCache(path, "other fingerprint").entries == {}
    reader = resultcache.ResultCache(path, "fp")
    assert reader.get(Cand("doc1.md", (10, 1, 1, 1))) == []
    assert reader.get(Cand("doc1.md", (11, 1, 1, 1))) is None  # size differs
    assert reader.get(Cand("doc1.md", None)) is None  # no signature (not a regular file)


def test_unwritable_cache_location(repo, capsys, tmp_path):
    root, cache = repo
    cache.write_text("a file where the cache directory should be")
    first = lint(capsys, ".")
    assert first[0] == 1 and lint(capsys, ".") == first


def test_warm_run_imports_no_parser(repo):
    root, cache = repo
    code = ("import sys\nimport flowgate_lint.lint.resultcache as r, flowgate_lint.spec.cache as s\n"
            "r.RACY_NS = s.RACY_NS = 0\nfrom flowgate_lint.cli import main\n"
            "rc = main(['docs/drift.md'])\n"
            "print(sorted(m for m in ('markdown_it', 'pyromark', 'tomlkit', 'ruamel.yaml') if m in sys.modules), rc)")
    env = {**os.environ, "FLOWGATE_LINT_CACHE_DIR": str(cache)}
    runs = [subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, env=env)
            for _ in range(2)]
    from flowgate_lint.documents.mdtokens import available

    markdown_parser = "pyromark" if available() else "markdown_it"  # markdown_it only where pyromark is missing
    assert runs[0].stdout.splitlines()[-1] == f"['{markdown_parser}', 'ruamel.yaml'] 1", runs[0].stderr
    assert runs[1].stdout.splitlines()[-1] == "[] 1", runs[1].stderr
    assert runs[0].stdout.splitlines()[:-1] == runs[1].stdout.splitlines()[:-1]


def test_the_package_signature_covers_every_package_and_the_data():
    """An edited module anywhere in flowgate-lint (a rule, the judgement, a parser) or its data is a different
    fingerprint: the signature stats every package's modules, the claim data and the vendored Codex schema."""
    from flowgate_lint.lint.resultcache import _package_signature

    signed = {(sub, name) for sub, name, *_ in _package_signature()}
    for sub, name in (("", "cli.py"), ("rules", "smoke.py"), ("documents", "heredocs.py"), ("judgement", "judge.py"),
                      ("spec", "load.py"), ("lint", "engine.py"), ("data/codex", "config.schema.json")):
        assert (sub.replace("/", __import__("os").sep), name) in signed, (sub, name)
    assert any(sub.endswith("claims") for sub, _ in signed)
