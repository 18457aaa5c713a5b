"""``flowgate-lint apply codex|claude-code``: point a client config at the gateway, keeping everything else."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from flowgate_lint.plumbing.errors import UsageError

HELP = "write the spec's settings into ~/.codex/config.toml or ~/.claude/settings.json (backup first)"
EPILOG = """Only managed keys change. Codex: model_provider, model and [model_providers.<id>] name, base_url,
env_key, wire_api. Claude Code: env.ANTHROPIC_BASE_URL and the model slots; stale model overrides
(ANTHROPIC_SMALL_FAST_MODEL, ...) are removed and listed. Everything else (MCP servers, projects,
permissions, hooks, comments, key order, indentation) stays byte for byte.

Before any write, a backup <file>.flowgate-backup.<UTC timestamp> is made; `flowgate-lint restore`
puts it back. An unparsable target is refused and left untouched (exit 2)."""


def default_target(client: str) -> Path:
    if client == "codex":
        home = os.environ.get("CODEX_HOME")
        return Path(home) / "config.toml" if home else Path.home() / ".codex" / "config.toml"
    home = os.environ.get("CLAUDE_CONFIG_DIR")
    return Path(home) / "settings.json" if home else Path.home() / ".claude" / "settings.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from flowgate_lint.commands.specargs import add_spec_arguments

    parser.add_argument("client", choices=["codex", "claude-code"])
    parser.add_argument("--target", metavar="PATH", help="the config file (default: $CODEX_HOME/config.toml or "
                        "~/.codex/config.toml; $CLAUDE_CONFIG_DIR/settings.json or ~/.claude/settings.json)")
    parser.add_argument("--dry-run", action="store_true", help="print a unified diff of the change; write nothing")
    parser.add_argument("--token-env", metavar="VAR", help="claude-code: set ANTHROPIC_AUTH_TOKEN from this environment "
                        "variable (the value is never printed)")
    add_spec_arguments(parser)


def compute(client: str, spec, token: str | None, where: str):
    """A function old bytes -> new bytes (or None when nothing changes), and the list it fills with changes."""
    from flowgate_lint.clients.config import ConfigError, apply_claude, apply_codex

    changes: list[str] = []

    def step(old: bytes | None) -> bytes | None:
        changes.clear()
        bom = old is not None and old.startswith(b"\xef\xbb\xbf")
        try:
            text = "" if old is None else old[3 if bom else 0:].decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError("not valid UTF-8; refusing to edit it", where) from None
        edited = apply_codex(text, spec, where) if client == "codex" else apply_claude(text, spec, token, where)
        changes.extend(edited.changes)
        if not edited.changes:
            return None
        return (b"\xef\xbb\xbf" if bom else b"") + edited.text.encode("utf-8")

    return step, changes


def masked(text: str, token: str | None) -> str:
    return text.replace(token, "<redacted>") if token else text


def run(args: argparse.Namespace) -> int:
    from flowgate_lint.clients import safewrite
    from flowgate_lint.commands.specargs import load_spec_for
    from flowgate_lint.lint.fixes import unified_diff

    if args.token_env and args.client != "claude-code":
        raise UsageError("--token-env applies to claude-code only (Codex reads the key from env_key at run time)")
    token = None
    if args.token_env:
        token = os.environ.get(args.token_env)
        if not token:
            raise UsageError(f"--token-env {args.token_env}: the variable is not set or empty")
    from flowgate_lint.spec.derive import missing_model_error

    _, spec = load_spec_for(args, Path.cwd())
    missing = missing_model_error(spec, args.client)
    if missing is not None:
        raise missing
    target = Path(args.target).expanduser() if args.target else default_target(args.client)
    shown = str(target)
    step, changes = compute(args.client, spec, token, shown)
    if args.dry_run:
        old = safewrite.read(target)
        new = step(old)
        if new is None:
            print(f"{shown}: already matches the spec; nothing to change")
            return 0
        old_text = (old or b"").decode("utf-8", "replace")
        from flowgate_lint.plumbing.redact import clean_block

        diff = unified_diff(shown, old_text, new.decode("utf-8"), (f"{shown} (current)", f"{shown} (after apply)"))
        sys.stdout.write(clean_block(masked(diff, token)))
        for change in changes:
            print(f"  {change}", file=sys.stderr)
        return 0
    done = safewrite.update_file(target, step, private=token is not None)
    tightened = done.mode_before is not None and done.mode_after != done.mode_before
    private = (f"mode {done.mode_before:04o} -> {done.mode_after:04o}: the file holds the token, so only you may read it"
               if tightened else "")
    if done.backup is None:
        print(f"{shown}: already matches the spec; {private or 'nothing changed'}")
        return 0
    print(f"{shown}: updated ({'created' if done.old is None else 'backup ' + done.backup.name})")
    for change in changes:
        print(f"  {change}")
    if private:
        print(f"  {private}")
    return 0
