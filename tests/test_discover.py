"""Discovery, selection and CLI behaviour around the engine: what gets checked, what gets reported, how."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from rulekit import SPEC_PATH

BAD = "ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1\n"


def repo(tmp_path: Path, git: bool = True) -> Path:
    root = tmp_path / "repo"
    (root / "config").mkdir(parents=True)
    shutil.copy(SPEC_PATH, root / "config" / "flowgate.yaml")
    if git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def run(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args], cwd=root, capture_output=True, text=True,
                          env={**full, **env})


def paths(res: subprocess.CompletedProcess) -> set[str]:
    return {line.split(":", 1)[0] for line in res.stdout.splitlines() if ": FG" in line}


def test_git_ignored_files_are_skipped_and_kinds_come_from_names_and_shebangs(tmp_path):
    root = repo(tmp_path)
    for name in ("a.env", ".env", ".env.example", "x.md", "ignored.md", "tool"):
        (root / name).write_text(BAD)
    (root / "tool").write_text("#!/bin/bash\nexport " + BAD)
    (root / "plain").write_text(BAD)  # no extension, no shebang: not ours
    (root / ".gitignore").write_text("ignored.md\n")
    assert paths(run(root, ".")) == {"a.env", ".env", ".env.example", "x.md", "tool"}


def test_walk_outside_git_prunes_junk_and_settings_excludes_apply(tmp_path):
    root = repo(tmp_path, git=False)
    for rel in ("node_modules/p/x.md", ".venv/x.md", "build/x.md", "docs/a.md", "docs/gen/b.md", "vendor/c.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(BAD)
    assert paths(run(root, ".")) == {"docs/a.md", "docs/gen/b.md", "vendor/c.md"}
    (root / "flowgate-lint.toml").write_text('spec = "config/flowgate.yaml"\nextend-exclude = ["vendor", "docs/**/b.md"]\n')
    assert paths(run(root, ".")) == {"docs/a.md"}
    assert paths(run(root, "vendor/c.md")) == {"vendor/c.md"}  # named explicitly: checked
    assert paths(run(root, "--force-exclude", "vendor/c.md")) == set()  # pre-commit's mode: excluded


def test_selection_prefixes_all_ignore_and_per_file_ignores(tmp_path):
    root = repo(tmp_path)
    (root / "a.env").write_text(BAD + "ANTHROPIC_MODEL=router-cheap\n")
    (root / "b.env").write_text(BAD)

    def codes(*args: str) -> set[str]:
        return {line.split(" ")[1] for line in run(root, *args).stdout.splitlines() if ": FG" in line}

    assert codes(".") == {"FG302", "FG401"}
    assert codes("--select", "FG3", ".") == {"FG302"}
    assert codes("--select", "ALL", "--ignore", "FG4", ".") == {"FG302"}
    assert codes("--ignore", "FG3", "--extend-select", "FG302", ".") == {"FG302", "FG401"}
    res = run(root, "--per-file-ignores", "a.env:FG302", ".")
    assert "a.env:1" not in res.stdout and "b.env:1:" in res.stdout
    (root / "flowgate-lint.toml").write_text('spec = "config/flowgate.yaml"\nignore = ["FG401"]\n'
                                             '[per-file-ignores]\n"b.env" = ["FG302"]\n')
    assert codes(".") == {"FG302"} and "b.env" not in run(root, ".").stdout
    typo = run(root, "--select", "FG9", ".")
    assert typo.returncode == 2 and typo.stderr.strip() == \
        "flowgate-lint: command line: 'FG9' matches no rule code (see 'flowgate-lint rule --all')"


def test_exit_codes_color_and_output_file(tmp_path):
    root = repo(tmp_path)
    (root / "a.env").write_text(BAD)
    assert run(root, ".").returncode == 1
    assert run(root, "--exit-zero", ".").returncode == 0
    assert "\x1b[" not in run(root, ".").stdout  # not a TTY
    assert "\x1b[" in run(root, "--color", "always", ".").stdout
    assert "\x1b[" not in run(root, "--color", "auto", ".", NO_COLOR="1").stdout
    res = run(root, "--output-file", "report.json", "--output-format", "json", ".")
    assert res.returncode == 1 and res.stdout == "" and '"code": "FG302"' in (root / "report.json").read_text()
    (root / "a.env").write_text("ANTHROPIC_BASE_URL=http://127.0.0.1:4000\n")
    clean = run(root, ".")
    assert clean.returncode == 0 and clean.stdout == "No findings.\n"


def test_fifo_is_reported_not_waited_on_and_deleted_tracked_files_are_skipped(tmp_path):
    root = repo(tmp_path)
    (root / "gone.md").write_text(BAD)
    (root / "kept.md").write_text(BAD)
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    (root / "gone.md").unlink()  # still in the index, no longer on disk
    os.mkfifo(root / "pipe.md")
    res = run(root, ".")
    assert paths(res) == {"kept.md"} and res.returncode == 1 and res.stderr == ""
    explicit = subprocess.run([sys.executable, "-m", "flowgate_lint", "pipe.md"], cwd=root, capture_output=True,
                              text=True, timeout=60)
    assert explicit.returncode == 2 and "pipe.md: not a regular file, skipped" in explicit.stderr


def test_directory_scans_and_per_file_stats_find_the_same_files(tmp_path):
    """Without signatures a directory with many listed files is scanned once; the answers must be the ones
    a stat per file gives: symlinks in and out, a FIFO, a directory, deleted and ignored files, leftovers."""
    from flowgate_lint.lint.discover import DEFAULT_EXCLUDE, OUT_THROUGH_DIR, SCAN_MIN_FILES, discover

    root = repo(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.md").write_text(BAD)
    for d in ("docs", "docs/sub", "build", "pkg.egg-info", "moved"):
        (root / d).mkdir(parents=True, exist_ok=True)
        for i in range(SCAN_MIN_FILES + 2):
            (root / d / f"f{i}.md").write_text(BAD)
    docs = root / "docs"
    (docs / "tool").write_text("#!/bin/sh\n" + BAD)
    (docs / "plain").write_text(BAD)
    (docs / "gone.md").write_text(BAD)
    (docs / "x.md.flowgate-tmp").write_text(BAD)
    (docs / "y.md.flowgate-backup.1").write_text(BAD)
    (docs / "in.md").symlink_to(docs / "f0.md")
    (docs / "out.md").symlink_to(outside / "o.md")
    (docs / "loop.md").symlink_to(docs / "loop.md")
    (docs / "img.png").write_bytes(b"\x89PNG")
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    (docs / "gone.md").unlink()
    os.mkfifo(docs / "pipe.md")
    (docs / "dir.md").mkdir()
    (docs / "dir.md" / "z.md").write_text(BAD)
    (root / "linked").symlink_to(outside, target_is_directory=True)
    subprocess.run(["git", "-C", str(root), "add", "linked"], check=True)
    shutil.rmtree(root / "moved")  # tracked files, now under a symlink that leads out
    (root / "moved").symlink_to(outside, target_is_directory=True)

    def found(signatures: bool):
        errors: list = []
        leftovers: list = []
        got = discover(["."], root, DEFAULT_EXCLUDE, errors=errors, leftovers=leftovers, signatures=signatures)
        assert all((c.sig is not None) == signatures for c in got)
        return [c[:4] for c in got], errors, leftovers

    cwd = os.getcwd()
    os.chdir(root)
    try:
        scanned, stated = found(False), found(True)
    finally:
        os.chdir(cwd)
    assert scanned == stated
    rels = {c[1] for c in scanned[0]}
    assert "docs/in.md" in rels and "docs/tool" in rels and "docs/dir.md/z.md" in rels
    assert not rels & {"docs/out.md", "docs/loop.md", "docs/pipe.md", "docs/gone.md", "docs/plain", "docs/dir.md",
                       "build/f0.md", "pkg.egg-info/f0.md", "docs/y.md.flowgate-backup.1"}
    assert ("docs/out.md", "symlink points outside the repository; not followed") in scanned[1]
    assert ("linked", "symlink points outside the repository; not followed") in scanned[1]
    assert ("moved/f0.md", OUT_THROUGH_DIR) in scanned[1]
    assert scanned[2] == [str(docs / "x.md.flowgate-tmp")]
