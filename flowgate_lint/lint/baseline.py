"""Baselines: record today's findings, report only new ones.

Entries are keyed by file, code and a fingerprint of the offending text (not the
line number), so inserting lines above a recorded finding keeps it recorded.
Identical findings in one file are counted. Entries that match nothing any more
are stale: they are reported so the baseline shrinks as drift is fixed.

File format (JSON, sorted, one entry per key)::

    {"version": 1, "tool": "flowgate-lint",
     "entries": [{"path": "docs/a.md", "code": "FG302", "fingerprint": "…", "count": 1, "message": "…"}]}
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterable, NamedTuple

from flowgate_lint.plumbing.errors import FlowgateError

VERSION = 1


class Entry(NamedTuple):
    path: str
    code: str
    fingerprint: str


class Baseline(NamedTuple):
    counts: dict[Entry, int]
    messages: dict[Entry, str]


def key(finding) -> Entry:
    return Entry(finding.path, finding.code, finding.fingerprint)


def build(findings: Iterable) -> Baseline:
    counts: Counter[Entry] = Counter()
    messages: dict[Entry, str] = {}
    for f in findings:
        k = key(f)
        counts[k] += 1
        messages.setdefault(k, f.message)
    return Baseline(dict(counts), messages)


def dumps(baseline: Baseline) -> str:
    from flowgate_lint.plumbing.redact import redact

    entries = [
        {"path": k.path, "code": k.code, "fingerprint": k.fingerprint, "count": n,
         "message": redact(baseline.messages.get(k, ""))[0]}
        for k, n in sorted(baseline.counts.items())
    ]
    return json.dumps({"version": VERSION, "tool": "flowgate-lint", "entries": entries}, indent=2, ensure_ascii=False) + "\n"


def load(path: str) -> Baseline:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FlowgateError("baseline file not found", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FlowgateError(f"cannot read baseline: {exc}", path) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise FlowgateError(f"invalid baseline JSON: {exc.msg}", path, exc.lineno) from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("entries"), list):
        raise FlowgateError(f"not a flowgate-lint baseline (version {VERSION})", path)
    counts: dict[Entry, int] = {}
    messages: dict[Entry, str] = {}
    for i, e in enumerate(data["entries"]):
        try:
            k = Entry(str(e["path"]), str(e["code"]), str(e["fingerprint"]))
            n = int(e.get("count", 1))
        except (KeyError, TypeError, ValueError):
            raise FlowgateError(f"baseline entry {i} needs path, code and fingerprint", path) from None
        counts[k] = counts.get(k, 0) + max(n, 1)
        messages[k] = str(e.get("message", ""))
    return Baseline(counts, messages)


def apply(findings: list, baseline: Baseline, checked_paths: set[str] | None = None) -> tuple[list, list[tuple[Entry, int, str]]]:
    """Findings not covered by the baseline, and the stale entries ``(entry, unmatched count, message)``.

    Entries for files outside ``checked_paths`` (when given) are neither matched nor stale:
    a run over part of the tree says nothing about the rest.
    """
    remaining = dict(baseline.counts)
    new = []
    for f in findings:
        k = key(f)
        if remaining.get(k, 0) > 0:
            remaining[k] -= 1
        else:
            new.append(f)
    stale = [
        (k, n, baseline.messages.get(k, ""))
        for k, n in sorted(remaining.items())
        if n > 0 and (checked_paths is None or k.path in checked_paths)
    ]
    return new, stale
