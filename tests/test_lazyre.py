"""Module-level patterns are compiled on first use, and then behave as compiled patterns."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from flowgate_lint.lazyre import lazy

# Modules on the lint path whose patterns are lazy: importing them compiles nothing.
LAZY_MODULES = ("context", "redact", "source", "markdown", "scan", "suppress", "spec", "report.full", "rules.urls",
                "rules.smoke", "rules.claims", "rules.codex", "rules.models", "rules.secrets", "rules.snippets",
                "rules.excerpts", "rules.engine_rules")


def test_lazy_pattern_behaves_as_the_compiled_one():
    rx = lazy(r"(?P<k>\w+)=(\d+)", re.I)
    real = re.compile(r"(?P<k>\w+)=(\d+)", re.I)
    assert rx.pattern == real.pattern
    text = "a=1, B=22 c=x"
    assert rx.search(text).span() == real.search(text).span()
    assert [m.group("k") for m in rx.finditer(text)] == [m.group("k") for m in real.finditer(text)]
    assert rx.sub("-", text) == real.sub("-", text)
    assert rx.findall(text) == real.findall(text)
    assert rx.fullmatch("x=9").groups() == ("x", "9")
    assert rx.groupindex == real.groupindex and rx.flags == real.flags and rx.groups == 2
    assert rx.compiled() is rx.compiled()
    assert rx.search.__self__ is rx.compiled()  # after the first use: the compiled pattern's own methods


def test_importing_the_lint_modules_compiles_no_pattern():
    code = f"""
import re, sys
seen = []
orig = re._compile
def spy(pattern, flags):
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.endswith(("re/__init__.py", "lazyre.py")):
        frame = frame.f_back
    if frame is not None and frame.f_code.co_name == "<module>" and "flowgate_lint" in frame.f_code.co_filename:
        seen.append((frame.f_code.co_filename.rsplit("flowgate_lint", 1)[-1], str(pattern)[:40]))
    return orig(pattern, flags)
re._compile = spy
import importlib
for name in {LAZY_MODULES!r}:
    importlib.import_module("flowgate_lint." + name)
wanted = {{"/" + n.replace(".", "/") + ".py" for n in {LAZY_MODULES!r}}}
print([s for s in seen if s[0] in wanted])
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


PATTERNS = [(r"(?P<k>\w+)=(\d+)", re.I), (r"(?m)^\s*#\s*(.*)$", 0), (r"(?<![\w-])sk-[A-Za-z0-9_-]{20,}|端口", 0),
            (r"(?x) a  b # comment", 0), (r"\bcodex\b[^\n`|;&]*?\s(?:--profile|-p)[ =]['\"]?([A-Za-z0-9_-]+)", 0)]


def test_kept_programs_build_the_same_patterns_without_the_parser(tmp_path, monkeypatch):
    from re import _parser

    from flowgate_lint import lazyre

    cache = tmp_path / "cache"
    lazyre.keep_programs(str(cache))
    try:
        first = [lazy(p, f).compiled() for p, f in PATTERNS]
        lazyre.save_programs()
        assert [p.name for p in cache.iterdir()] and all(p.name.startswith("regex-") for p in cache.iterdir())
        lazyre.keep_programs(str(cache))  # a later run: built from the stored programs
        monkeypatch.setattr(_parser, "parse", lambda *a: (_ for _ in ()).throw(AssertionError("parsed again")))
        again = [lazy(p, f).compiled() for p, f in PATTERNS]
    finally:
        lazyre.keep_programs(None)
    for rx, real, (p, f) in zip(again, first, PATTERNS):
        assert rx == real == re.compile(p, f) and rx.groupindex == real.groupindex and rx.groups == real.groups
        assert rx.flags == real.flags and rx.pattern == p
    assert again[0].sub("-", "a=1, B=22 c=x") == "-, - c=x"


def test_a_corrupt_or_foreign_program_is_compiled_afresh(tmp_path):
    import json

    from flowgate_lint import lazyre

    cache = tmp_path / "cache"
    lazyre.keep_programs(str(cache))
    try:
        lazy(r"a(b+)c").compiled()
        lazyre.save_programs()
        (entry,) = cache.iterdir()
        data = json.loads(entry.read_text())
        data["programs"]["0:a(b+)c"][1] = "01000000020000000300000099999900"  # invalid: the regex engine refuses it
        data["programs"]["0:x+"] = ["not", "a", "program"]
        data["programs"]["0:y+"] = data["programs"]["0:a(b+)c"][:1] + ["0g"] + data["programs"]["0:a(b+)c"][2:]
        entry.write_text(json.dumps(data))
        lazyre.keep_programs(str(cache))
        assert lazy(r"a(b+)c").search("xabbc").group(1) == "bb"
        assert lazy(r"x+").compiled() == re.compile(r"x+") and lazy(r"y+").compiled() == re.compile(r"y+")
    finally:
        lazyre.keep_programs(None)


def test_the_lint_command_keeps_programs_unless_caching_is_off(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "flowgate.yaml").write_text(
        "config_version: 2\nservices:\n  litellm: {host: 127.0.0.1, port: 4000}\nintegration: {default_model: m}\n"
        "litellm_base:\n  model_list:\n    - model_name: m\n")
    (tmp_path / "a.md").write_text("Set `ANTHROPIC_BASE_URL=http://127.0.0.1:4001/v1`.\n")
    code = "import sys\nfrom flowgate_lint.cli import main\nsys.exit(main(sys.argv[1:]))"
    outputs = []
    for args, cache in ((["--no-cache"], "off"), ([], "on"), ([], "on")):
        env = {k: v for k, v in os.environ.items() if k != "FLOWGATE_LINT_NO_CACHE"}
        env["FLOWGATE_LINT_CACHE_DIR"] = str(tmp_path / cache)
        res = subprocess.run([sys.executable, "-c", code, *args, "a.md"], cwd=tmp_path, capture_output=True,
                             text=True, env=env)
        outputs.append((res.returncode, res.stdout))
    assert outputs[0] == outputs[1] == outputs[2] and outputs[0][0] == 1, outputs
    assert not (tmp_path / "off").exists()
    assert [p.name.startswith("regex-") for p in (tmp_path / "on").iterdir()].count(True) == 1


def test_past_the_bounds_only_the_programs_of_the_run_are_kept(tmp_path, monkeypatch):
    import json

    from flowgate_lint import lazyre

    cache = tmp_path / "cache"
    lazyre.keep_programs(str(cache))
    try:
        for i in range(4):
            lazy(f"old{i}+").compiled()
        lazyre.save_programs()
        monkeypatch.setattr(lazyre, "MAX_PROGRAMS", 4)
        lazyre.keep_programs(str(cache))
        lazy("old0+").compiled()
        lazy("new+").compiled()
        lazyre.save_programs()
    finally:
        lazyre.keep_programs(None)
    (entry,) = cache.iterdir()
    assert sorted(json.loads(entry.read_text())["programs"]) == ["0:new+", "0:old0+"]
