"""Module-level patterns are compiled on first use, and then behave as compiled patterns."""

from __future__ import annotations

import re
import subprocess
import sys

from flowgate_lint.plumbing.lazyre import lazy

# Modules on the lint path whose patterns are lazy: importing them compiles nothing.
LAZY_MODULES = ("judgement.values", "judgement.urls", "judgement.services", "judgement.sections", "judgement.blocks",
                "judgement.judge", "judgement.clientmodels", "plumbing.redact", "documents.source", "documents.json_spans",
                "documents.yaml_spans", "documents.toml_spans", "documents.markdown", "documents.scan", "lint.suppress",
                "spec.model", "spec.derive", "spec.load", "spec.flowgate", "report.full", "report.fixview", "rules.urls",
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
