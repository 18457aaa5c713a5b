"""``flowgate-lint apply CLIENT``: point a client config at the gateway, keeping everything else."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from flowgate_lint.plumbing.errors import UsageError

HELP = "write the spec's settings into a client's config (Codex, Claude Code, OpenCode, Gemini CLI, Qwen Code; backup first)"
EPILOG = """Only managed keys change:
  codex        ~/.codex/config.toml: model_provider, model, [model_providers.<id>] name, base_url, env_key, wire_api
  claude-code  ~/.claude/settings.json: env.ANTHROPIC_BASE_URL and the model slots; stale model overrides
               (ANTHROPIC_SMALL_FAST_MODEL, ...) are removed and listed
  opencode     ~/.config/opencode/opencode.json: provider.<id> (npm, name, options.baseURL, options.apiKey as
               {env:VAR}, models) and the top-level model and small_model
  gemini-cli   ~/.gemini/settings.json: security.auth.selectedType and model.name; the .env beside it:
               GOOGLE_GEMINI_BASE_URL (and GEMINI_API_KEY with --token-env); each file backed up on its own
  qwen-code    ~/.qwen/settings.json: security.auth.selectedType, model.name and the modelProviders.openai
               entry for the model (baseUrl, envKey)
Everything else (MCP servers, projects, permissions, hooks, other providers, comments, key order,
indentation) stays byte for byte.

Before any write, a backup <file>.flowgate-backup.<UTC timestamp> is made; `flowgate-lint restore`
puts it back. An unparsable target, one over 8 MiB and a read-only one (unless --force) are refused and left
untouched (exit 2); the file's mode, owner and group are kept."""


def default_target(client: str) -> Path:
    from flowgate_lint.clients.catalog import target

    return target(client)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from flowgate_lint.commands.specargs import add_spec_arguments

    from flowgate_lint.clients.catalog import CLIENTS

    parser.add_argument("client", choices=list(CLIENTS))
    parser.add_argument("--target", metavar="PATH", help="the config file (default: $CODEX_HOME/config.toml or "
                        "~/.codex/config.toml; $CLAUDE_CONFIG_DIR/settings.json or ~/.claude/settings.json; "
                        "$XDG_CONFIG_HOME/opencode/opencode.json; ~/.gemini/settings.json and the .env beside it; "
                        "~/.qwen/settings.json)")
    parser.add_argument("--dry-run", action="store_true", help="print a unified diff of the change; write nothing")
    parser.add_argument("--force", action="store_true", help="write a read-only config all the same (its mode, "
                        "owner and group are kept)")
    parser.add_argument("--token-env", metavar="VAR", help="claude-code, gemini-cli: write the key (ANTHROPIC_AUTH_TOKEN, "
                        "GEMINI_API_KEY) from this environment variable (the value is never printed)")
    add_spec_arguments(parser)


def compute(part, spec, token: str | None, where: str):
    """A function old bytes -> new bytes (or None when nothing changes), and the list it fills with changes.
    Each result is parsed afresh and must hold every managed value where the client reads it."""
    from flowgate_lint.clients import verify
    from flowgate_lint.clients.config import ConfigError

    changes: list[str] = []

    def step(old: bytes | None) -> bytes | None:
        changes.clear()
        bom = old is not None and old.startswith(b"\xef\xbb\xbf")
        try:
            text = "" if old is None else old[3 if bom else 0:].decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError("not valid UTF-8; refusing to edit it", where) from None
        edited = part.apply(text, spec, token, where)
        if not edited.changes:
            return None
        verify.check(part.kind, edited.text, part.managed(spec, token), where)
        changes.extend(edited.changes)
        return (b"\xef\xbb\xbf" if bom else b"") + edited.text.encode("utf-8")

    return step, changes


def masked(text: str, token: str | None) -> str:
    return text.replace(token, "<redacted>") if token else text


def run(args: argparse.Namespace) -> int:
    from flowgate_lint.clients.catalog import CLIENTS
    from flowgate_lint.commands.specargs import load_spec_for

    if args.token_env and not CLIENTS[args.client].token:
        with_key = ", ".join(c.name for c in CLIENTS.values() if c.token)
        raise UsageError(f"--token-env applies to {with_key} only ({args.client} reads the key from a variable at run time)")
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
    client = CLIENTS[args.client]
    # A client with several files (Gemini CLI: settings.json and the .env beside it) has each edited, and backed
    # up, on its own; a --target naming one of the files beside the main one edits that file alone.
    part = client.part_for(target)
    files = client.files(target) if part is client.parts[0] else [(target, part)]
    steps = []
    for path, part in files:
        step, changes = compute(part, spec, token if part.token else None, str(path))
        steps.append((path, part, step, changes))
    if args.dry_run:
        return _dry_run(steps, token)
    for path, part, step, changes in steps:
        _write(path, step, changes, private=token is not None and part.token, force=args.force)
    return 0


def _dry_run(steps, token: str | None) -> int:
    from flowgate_lint.clients import safewrite
    from flowgate_lint.lint.fixes import unified_diff
    from flowgate_lint.plumbing.redact import clean_block

    for path, _, step, changes in steps:
        shown = str(path)
        old = safewrite.read(path)
        new = step(old)
        if new is None:
            print(f"{shown}: already matches the spec; nothing to change")
            continue
        old_text = (old or b"").decode("utf-8", "replace")
        diff = unified_diff(shown, old_text, new.decode("utf-8"), (f"{shown} (current)", f"{shown} (after apply)"))
        sys.stdout.write(clean_block(masked(diff, token)))
        sys.stdout.flush()
        for change in changes:
            print(f"  {change}", file=sys.stderr)
    return 0


def _write(target: Path, step, changes: list[str], private: bool, force: bool = False) -> None:
    from flowgate_lint.clients import safewrite

    shown = str(target)
    done = safewrite.update_file(target, step, private=private, force=force)
    tightened = done.mode_before is not None and done.mode_after != done.mode_before
    note = (f"mode {done.mode_before:04o} -> {done.mode_after:04o}: the file holds the token, so only you may read it"
            if tightened else "")
    if done.backup is None:
        print(f"{shown}: already matches the spec; {note or 'nothing changed'}")
        return
    print(f"{shown}: updated ({'created' if done.old is None else 'backup ' + done.backup.name})")
    for change in changes:
        print(f"  {change}")
    if note:
        print(f"  {note}")
