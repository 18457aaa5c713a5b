"""pyproject.toml is ready to publish (issue 29, item 7): the built wheel's metadata (read with importlib.metadata)
has the fields a package index shows, and the version comes from the git tags, with a fallback for a tree
without git metadata; flowgate_lint.__version__ is the installed version."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import PathDistribution
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@localhost", "-c", "commit.gpgsign=false"]


def _tree(dest: Path, git: bool, tag: str | None = None) -> Path:
    """This working tree's tracked and untracked files (not ignored ones) in ``dest``, optionally a git repository."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        if (ROOT / rel).is_file() and not (ROOT / rel).is_symlink() and not rel.startswith(("tests/", "eval/", "bench/")):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)
    if git:
        subprocess.run(GIT + ["init", "-q"], cwd=dest, check=True)
        subprocess.run(GIT + ["add", "-A"], cwd=dest, check=True)
        subprocess.run(GIT + ["commit", "-qm", "snapshot"], cwd=dest, check=True)
        if tag:
            subprocess.run(GIT + ["tag", tag], cwd=dest, check=True)
    return dest


def _build(src: Path, out: Path) -> Path:
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--disable-pip-version-check",
                          "-w", str(out), str(src)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    [wheel] = out.glob("flowgate_lint-*.whl")
    return wheel


def _installed(wheel: Path, target: Path) -> PathDistribution:
    with zipfile.ZipFile(wheel) as z:
        z.extractall(target)
    [info] = target.glob("flowgate_lint-*.dist-info")
    return PathDistribution(info)


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    base = tmp_path_factory.mktemp("tagged")
    wheel = _build(_tree(base / "src", git=True, tag="v1.2.3"), base / "dist")
    return _installed(wheel, base / "site"), base / "site"


def test_the_built_metadata_has_what_a_package_index_shows(tagged):
    meta = tagged[0].metadata
    assert meta["Name"] == "flowgate-lint"
    assert meta["Summary"] and meta["Description-Content-Type"] == "text/markdown"
    assert "flowgate-lint" in (meta["Description"] or tagged[0].read_text("METADATA"))  # the README is the long description
    assert meta["License-Expression"] == "MIT" and "LICENSE" in meta.get_all("License-File")
    assert meta["Author"] and meta["Maintainer"] and meta["Keywords"]
    assert meta["Requires-Python"] == ">=3.10"
    classifiers = meta.get_all("Classifier")
    assert "Programming Language :: Python :: 3 :: Only" in classifiers and "Typing :: Typed" in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {"Homepage", "Documentation", "Source", "Issues"} <= set(urls)
    assert all(u.startswith("https://github.com/flowgate/flowgate-lint") for u in urls.values())
    assert [e.value for e in tagged[0].entry_points if e.name == "flowgate-lint"] == ["flowgate_lint.cli:main"]


def test_the_version_comes_from_the_git_tag_and_is_the_modules_version(tagged):
    dist, site = tagged
    assert dist.version == "1.2.3"
    res = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import flowgate_lint, "
                          "importlib.metadata as m; print(flowgate_lint.__file__); print(flowgate_lint.__version__, "
                          "m.version('flowgate-lint'))", str(site)], capture_output=True, text=True, cwd=site)
    where, versions = res.stdout.splitlines()
    assert where.startswith(str(site)) and versions == "1.2.3 1.2.3", res.stdout + res.stderr


def test_a_tree_without_git_metadata_builds_as_the_fallback_version(tmp_path):
    wheel = _build(_tree(tmp_path / "src", git=False), tmp_path / "dist")
    assert _installed(wheel, tmp_path / "site").version == "0.1.0"


def test_the_version_is_read_lazily_and_never_hard_coded():
    init = (ROOT / "flowgate_lint" / "__init__.py").read_text()
    assert "__version__ =" not in init
    assert "flowgate_lint/_version.py" in (ROOT / ".gitignore").read_text().splitlines()
