"""``--statistics``: the number of findings per code, as ruff prints it (human formats), or as JSON."""

from __future__ import annotations

import json

from flowgate_lint.plumbing.errors import UsageError
from flowgate_lint.report import HUMAN, Report


def rows(report: Report) -> list[tuple[str, str, int, int]]:
    """(code, name, count, safely fixable count), most frequent first."""
    counts: dict[str, list] = {}
    for f in report.findings:
        row = counts.setdefault(f.code, [f.name, 0, 0])
        row[1] += 1
        row[2] += f.fix is not None and f.fix.applicability == "safe"
    return sorted(((code, name, n, k) for code, (name, n, k) in counts.items()), key=lambda r: (-r[2], r[0]))


def render(report: Report, fmt: str, quiet: bool = False) -> str:
    table = rows(report)
    if fmt == "json":
        return json.dumps([{"code": c, "name": name, "count": n, "fixable": k == n, "fixable_count": k}
                           for c, name, n, k in table], indent=2) + "\n"
    if fmt not in HUMAN:
        raise UsageError(f"--statistics prints full, concise or json output, not {fmt}")
    from flowgate_lint.report.text import closing

    width = max((len(str(n)) for _, _, n, _ in table), default=1)
    out = [f"{n:>{width}}  {code}  {'[*]' if k == n else '[-]' if k else '[ ]'} {name}" for code, name, n, k in table]
    if not quiet:
        out.extend(closing(report._replace(quiet=False)))
    return "".join(row + "\n" for row in out)
