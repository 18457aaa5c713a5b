"""Helpers for rule tests: lint a file or a string against the fixture spec with chosen rules."""

from __future__ import annotations

from pathlib import Path

from flowgate_lint.lint.discover import kind_of
from flowgate_lint.lint.engine import Context, decode_host, lint_host
from flowgate_lint.rules import rule_classes, select_codes
from flowgate_lint.spec.settings import Settings
from flowgate_lint.spec.load import load_spec

FIXTURES = Path(__file__).parent / "fixtures"
RULE_FIXTURES = FIXTURES / "rules"
SPEC_PATH = FIXTURES / "spec" / "flowgate.yaml"


def fixture_spec():
    return load_spec(Settings({}, None, SPEC_PATH.parent), str(SPEC_PATH))


def context(codes: list[str] | None = None, spec=None) -> Context:
    # Rule tests check every rule, the preview rules included.
    return Context(spec or fixture_spec(), rule_classes(select_codes(codes or ["ALL"], preview=True)), RULE_FIXTURES,
                   preview=True)


def lint_text(text: str, name: str, codes: list[str] | None = None, spec=None) -> list:
    """Findings for ``text`` as if it were a file called ``name`` (kind from the name)."""
    kind = kind_of(Path(name), text.encode()[:128]) or "markdown"
    host = decode_host(text.encode("utf-8"), name, kind)
    assert not hasattr(host, "message"), host
    return lint_host(host, context(codes, spec))


def variant_spec(path: Path):
    """The spec for a fixture: ``<variant>.flowgate.yaml`` (or ``<variant>.gateway.yaml``/``.json``, a gateway config
    of another kind) beside a fixture named ``...-<variant>...`` (for rules that depend on what the gateway config sets), or ``<variant>.settings.toml`` (settings on top of the
    shared fixture config, for what only settings declare), else None (the shared fixture spec)."""
    for suffix in (".flowgate.yaml", ".gateway.yaml", ".gateway.json"):  # a gateway config of any kind
        for cfg in sorted(path.parent.glob("*" + suffix)):
            variant = cfg.name[: -len(suffix)]
            if f"-{variant}" in path.name:
                return load_spec(Settings({}, None, cfg.parent), str(cfg))
    for cfg in sorted(path.parent.glob("*.settings.toml")):
        variant = cfg.name[: -len(".settings.toml")]
        if f"-{variant}" in path.name:
            import tomllib

            values = tomllib.loads(cfg.read_text(encoding="utf-8"))
            return load_spec(Settings(values, None, SPEC_PATH.parent), str(SPEC_PATH))
    return None


def lint_path(path: Path, codes: list[str] | None = None, spec=None) -> list:
    spec = spec or variant_spec(path)
    kind = kind_of(path)
    assert kind, f"no kind for {path}"
    host = decode_host(path.read_bytes(), path.name, kind)
    assert not hasattr(host, "message"), host
    return lint_host(host, context(codes, spec))


def snapshot_lines(findings) -> str:
    """The snapshot format: ``line:col-end_line:end_col CODE message [fix]`` per finding."""
    out = []
    for f in findings:
        fix = f" [fix:{f.fix.applicability}]" if f.fix else ""
        out.append(f"{f.line}:{f.column}-{f.end_line}:{f.end_column} {f.code} {f.message}{fix}")
    return "\n".join(out) + "\n"


def check_snapshot(snap: Path, got: str) -> None:
    """Compare ``got`` with the snapshot file. ``FLOWGATE_UPDATE_SNAPSHOTS=1`` rewrites it (review the
    diff); a missing snapshot is written locally for review, and is a failure in CI (``CI=true``), where
    nothing would review it."""
    import os

    import pytest

    if not snap.exists() and os.environ.get("CI") and not os.environ.get("FLOWGATE_UPDATE_SNAPSHOTS"):
        pytest.fail(f"{snap.name}: snapshot missing (write it with FLOWGATE_UPDATE_SNAPSHOTS=1, review and commit it)")
    if os.environ.get("FLOWGATE_UPDATE_SNAPSHOTS") or not snap.exists():
        snap.write_text(got, encoding="utf-8")
    assert got == snap.read_text(encoding="utf-8")
