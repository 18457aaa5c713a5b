"""Subcommands. Each module exposes ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``."""
