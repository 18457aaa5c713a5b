"""What every spec-using command shares: its spec and settings options, and loading both for a run."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing costs start-up time; type checkers special-case this name

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

PROG = "flowgate-lint"


def add_spec_arguments(parser: argparse.ArgumentParser, lint: bool = False, writes_cache: bool = True) -> None:
    """Options every spec-using command shares, worded for the command: ``lint`` also has the result
    cache and paths to find settings from; a command that never ``writes_cache`` says so."""
    group = parser.add_argument_group("spec and settings")
    group.add_argument("--spec", metavar="PATH", help="gateway config to derive the spec from (default: the 'spec' setting, "
                       "else config/flowgate.yaml, config/examples/flowgate.yaml, then common LiteLLM config names)")
    above = "the paths" if lint else "the current directory"
    group.add_argument("--config", metavar="FILE", help=f"settings file (pyproject.toml or flowgate-lint.toml; default: the closest one above {above})")
    group.add_argument("--isolated", action="store_true", help="ignore settings files")
    if lint:
        no_cache = "derive the spec afresh and lint every file, instead of using the spec and result caches"
    elif writes_cache:
        no_cache = "derive the spec afresh instead of using the spec cache"
    else:
        no_cache = "derive the spec afresh without reading the spec cache (this command never writes it)"
    group.add_argument("--no-cache", action="store_true", help=f"{no_cache} (also: FLOWGATE_LINT_NO_CACHE=1)")
    group.add_argument("-v", "--verbose", action="store_true", help="say which settings and gateway config were used (on stderr)")


def load_spec_for(args: argparse.Namespace, start: Path, write_cache: bool = True):
    """Settings and spec for a command, reporting the sources with --verbose. With ``write_cache``
    False the spec cache is only read (read-only commands)."""
    from flowgate_lint.plumbing import cachefile
    from flowgate_lint.spec.cache import load_settings_cached, load_spec_cached

    cachefile.VERBOSE, cachefile._noted = bool(getattr(args, "verbose", False)), False  # one note per run
    use_cache = not getattr(args, "no_cache", False)
    settings = load_settings_cached(getattr(args, "config", None), start, getattr(args, "isolated", False), use_cache,
                                    write_cache)
    spec = load_spec_cached(settings, getattr(args, "spec", None), use_cache, write_cache)
    if getattr(args, "verbose", False):
        print(f"{PROG}: spec from {spec.source}", file=sys.stderr)
        for note in spec.notes:
            print(f"{PROG}: spec: {note}", file=sys.stderr)
    return settings, spec


def preview_enabled(args: argparse.Namespace, settings) -> bool:
    """Whether the preview rules run: --preview / --no-preview, else the ``preview`` setting, else
    ``FLOWGATE_LINT_PREVIEW=1`` in the environment (a CI job that wants them everywhere)."""
    if getattr(args, "preview", None) is not None:
        return args.preview
    if settings.get("preview") is not None:
        return bool(settings.get("preview"))
    return os.environ.get("FLOWGATE_LINT_PREVIEW", "") == "1"
