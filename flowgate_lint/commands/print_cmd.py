"""``flowgate-lint print codex|claude-code``: print a client config snippet from the spec."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flowgate_lint.plumbing.errors import UsageError

HELP = "print a client config (Codex config.toml, Claude Code settings.json or env exports) derived from the spec"
EPILOG = """formats:
  codex        toml (default), json
  claude-code  json (default, a settings.json "env" block without a token), env (export lines)

The gateway token is never printed: env output references it as "$VAR"."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from flowgate_lint.commands.specargs import add_spec_arguments

    parser.add_argument("client", choices=["codex", "claude-code"], help="which client's config to print")
    parser.add_argument("--format", dest="fmt", choices=["toml", "json", "env"], help="output format (default per client)")
    add_spec_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from flowgate_lint.commands.specargs import load_spec_for
    from flowgate_lint.clients.render import RENDERERS, render

    formats = RENDERERS[args.client]
    if args.fmt and args.fmt not in formats:
        raise UsageError(f"{args.client} has no '{args.fmt}' format (choose: {', '.join(formats)})")
    from flowgate_lint.spec.derive import missing_model_error

    _, spec = load_spec_for(args, Path.cwd())
    missing = missing_model_error(spec, args.client)
    if missing is not None:
        # Printing is advice, so print what is known and leave the model out rather than invent one
        # (``apply`` refuses instead: it would write a config that names no served model).
        sys.stderr.write(f"flowgate-lint print: {missing}; the model is left out\n")
    sys.stdout.write(render(spec, args.client, args.fmt))
    return 0
