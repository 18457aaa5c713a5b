"""``flowgate-lint print CLIENT``: print a client config snippet from the spec."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flowgate_lint.plumbing.errors import UsageError

HELP = "print a client config (Codex, Claude Code, OpenCode, Gemini CLI, Qwen Code) derived from the spec"
EPILOG = """formats:
  codex        toml (default: ~/.codex/config.toml), json
  claude-code  json (default: a settings.json "env" block without a token), env (export lines)
  opencode     json (opencode.json: a provider whose apiKey is {env:VAR})
  gemini-cli   env (default: export lines), dotenv (~/.gemini/.env, without the key)
  qwen-code    json (default: ~/.qwen/settings.json, envKey names the key's variable), env (export lines)

The gateway token is never printed: env output references it as "$VAR"."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from flowgate_lint.commands.specargs import add_spec_arguments

    from flowgate_lint.clients.catalog import CLIENTS

    formats = sorted({f for c in CLIENTS.values() for f in c.formats})
    parser.add_argument("client", choices=list(CLIENTS), help="which client's config to print")
    parser.add_argument("--format", dest="fmt", choices=formats, help="output format (default per client)")
    add_spec_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from flowgate_lint.commands.specargs import load_spec_for
    from flowgate_lint.clients.catalog import CLIENTS

    formats = CLIENTS[args.client].formats
    if args.fmt and args.fmt not in formats:
        raise UsageError(f"{args.client} has no '{args.fmt}' format (choose: {', '.join(formats)})")
    from flowgate_lint.spec.derive import missing_model_error

    _, spec = load_spec_for(args, Path.cwd())
    missing = missing_model_error(spec, args.client)
    if missing is not None:
        # Printing is advice, so print what is known and leave the model out rather than invent one
        # (``apply`` refuses instead: it would write a config that names no served model).
        sys.stderr.write(f"flowgate-lint print: {missing}; the model is left out\n")
    sys.stdout.write(formats[args.fmt or next(iter(formats))](spec))
    return 0
