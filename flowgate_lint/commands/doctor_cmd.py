"""``flowgate-lint doctor``: compare the user's client configs and environment with the spec (read-only)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HELP = "check your own Codex and Claude Code configs and environment against the spec (read-only)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from flowgate_lint.cli import add_spec_arguments

    parser.add_argument("--codex-target", metavar="PATH", help="Codex config (default: $CODEX_HOME/config.toml)")
    parser.add_argument("--claude-target", metavar="PATH", help="Claude Code settings (default: $CLAUDE_CONFIG_DIR/settings.json)")
    add_spec_arguments(parser)


def checks(spec, codex_path: Path, claude_path: Path) -> list[tuple[str, str, str, str]]:
    """(check, status, detail, fix) rows; status is ok, drift, missing or warn. Never includes a secret."""
    from flowgate_lint import safewrite
    from flowgate_lint.clientconfig import apply_claude, apply_codex
    from flowgate_lint.errors import FlowgateError

    rows = []
    for label, path, fn, client in (("Codex config", codex_path, apply_codex, "codex"),
                                    ("Claude Code settings", claude_path, apply_claude, "claude-code")):
        fix = f"flowgate-lint apply {client}" + (f" --target {path}" if path != _default(client) else "")
        try:
            data = safewrite.read(path)
        except FlowgateError as exc:
            rows.append((label, "drift", str(exc), fix))
            continue
        if data is None:
            rows.append((label, "missing", f"{path} does not exist", fix))
            continue
        try:
            text = data.decode("utf-8-sig")
            edited = fn(text, spec, where=str(path)) if client == "codex" else fn(text, spec, None, str(path))
        except (FlowgateError, UnicodeDecodeError) as exc:
            rows.append((label, "drift", f"cannot read it: {exc}", "fix the file by hand"))
            continue
        if edited.changes:
            rows.append((label, "drift", "; ".join(edited.changes), fix))
        else:
            rows.append((label, "ok", f"{path} matches the spec", ""))
    env = os.environ
    base = env.get("ANTHROPIC_BASE_URL")
    if base is None:
        rows.append(("ANTHROPIC_BASE_URL (env)", "ok", "not set (settings.json provides it)", ""))
    elif base.rstrip("/") == spec.claude.base_url:
        rows.append(("ANTHROPIC_BASE_URL (env)", "ok", base, ""))
    else:
        rows.append(("ANTHROPIC_BASE_URL (env)", "drift", f"{base} (spec: {spec.claude.base_url}); it overrides settings.json",
                     f"export ANTHROPIC_BASE_URL={spec.claude.base_url}"))
    token_set = bool(env.get("ANTHROPIC_AUTH_TOKEN"))
    rows.append(("ANTHROPIC_AUTH_TOKEN (env)", "ok" if token_set else "warn",
                 "set" if token_set else "not set (needed unless settings.json or apiKeyHelper provides it)",
                 "" if token_set else f'export ANTHROPIC_AUTH_TOKEN="${spec.claude.token_env}"'))
    key = spec.codex.env_key
    rows.append((f"{key} (env, Codex env_key)", "ok" if env.get(key) else "missing",
                 "set" if env.get(key) else "not set: Codex requests will fail", "" if env.get(key) else f"export {key}=<gateway key>"))
    if env.get("OPENAI_BASE_URL") is not None:
        rows.append(("OPENAI_BASE_URL (env)", "drift", "set; deprecated in Codex (ignored when openai_base_url is set)",
                     "unset OPENAI_BASE_URL"))
    return rows


def _default(client: str) -> Path:
    from flowgate_lint.commands.apply_cmd import default_target

    return default_target(client)


def run(args: argparse.Namespace) -> int:
    from flowgate_lint.cli import load_spec_for

    _, spec = load_spec_for(args, Path.cwd())
    codex = Path(args.codex_target).expanduser() if args.codex_target else _default("codex")
    claude = Path(args.claude_target).expanduser() if args.claude_target else _default("claude-code")
    rows = checks(spec, codex, claude)
    widths = [max(len(r[i]) for r in rows + [("check", "status", "detail", "fix")]) for i in range(2)]
    print(f"gateway: {spec.gateway.root_url} ({spec.gateway.service}), spec from {spec.source}")
    print(f"{'check':<{widths[0]}}  {'status':<{widths[1]}}  detail")
    for check, status, detail, fix in rows:
        print(f"{check:<{widths[0]}}  {status:<{widths[1]}}  {detail}")
        if fix:
            print(f"{'':<{widths[0]}}  {'':<{widths[1]}}  fix: {fix}")
    bad = [r for r in rows if r[1] in ("drift", "missing")]
    print(f"{len(bad)} problem{'s' if len(bad) != 1 else ''} found." if bad else "Everything matches the spec.",
          file=sys.stdout)
    return 1 if bad else 0
