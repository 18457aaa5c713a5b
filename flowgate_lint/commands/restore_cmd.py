"""``flowgate-lint restore CLIENT``: put a client config back from a backup, byte for byte."""

from __future__ import annotations

import argparse
from pathlib import Path

from flowgate_lint.plumbing.errors import UsageError

HELP = "list or restore the backups `apply` made of a client config"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from flowgate_lint.clients.catalog import CLIENTS

    parser.add_argument("client", choices=list(CLIENTS))
    parser.add_argument("--target", metavar="PATH", help="the config file (default as for apply; for gemini-cli, "
                        "~/.gemini/settings.json, or name the .env beside it)")
    parser.add_argument("--list", action="store_true", help="list the backups, oldest first")
    parser.add_argument("--backup", metavar="FILE", help="restore this backup (default: the newest)")
    parser.add_argument("--force", action="store_true", help="restore a backup even if it is empty or does not parse "
                        "as the client's config, or over a read-only file (a symlinked backup is refused all the same)")


def run(args: argparse.Namespace) -> int:
    import os
    import stat

    from flowgate_lint.clients import safewrite
    from flowgate_lint.clients.catalog import CLIENTS
    from flowgate_lint.commands.apply_cmd import default_target

    client = CLIENTS[args.client]
    if args.target:
        target = Path(args.target).expanduser()
        files = [(target, client.part_for(target))]
    else:  # every file apply edits (Gemini CLI: settings.json and the .env beside it)
        files = client.files(default_target(args.client))
    if args.backup and len(files) > 1:
        raise UsageError(f"--backup: name the file it belongs to with --target ({', '.join(str(p) for p, _ in files)})")
    if args.list:
        for target, _ in files:
            found = safewrite.backups(target)
            if not found:
                print(f"{target}: no backups")
            for b in found:
                st = os.lstat(b)
                if not stat.S_ISREG(st.st_mode):
                    what = "not a regular file: refused"
                else:
                    what = "file did not exist" if b.name.endswith(safewrite.ABSENT) else f"{st.st_size} bytes"
                print(f"{b}  ({what})")
        return 0
    todo = []
    for target, part in files:
        found = safewrite.backups(target)
        if args.backup:
            source = Path(args.backup).expanduser()
            if not os.path.lexists(source) or not source.name.startswith(target.name + safewrite.BACKUP_TAG):
                raise UsageError(f"{args.backup}: not a backup of {target}")
        elif found:
            source = found[-1]
        elif len(files) > 1:
            print(f"{target}: no backups; left as it is")
            continue
        else:
            raise UsageError(f"{target}: no backups to restore")
        todo.append((target, part, source))
    if not todo:
        raise UsageError(f"{args.client}: no backups to restore")
    for target, part, source in todo:
        _restore(target, part.kind, source, args.force)
    return 0


def _restore(target: Path, kind: str, source: Path, force: bool) -> None:
    from flowgate_lint.clients import safewrite
    from flowgate_lint.clients.config import check_config

    def check(data: bytes) -> None:
        anyway = "not restoring it (use --force to restore it anyway)"
        if not data.strip():  # TOML would take it: an empty backup is more likely cut short than meant
            raise safewrite.WriteError(f"is empty (an interrupted backup?); {anyway}", str(source))
        check_config(kind, data, str(source), anyway)

    saved = safewrite.restore(target, source, check, force=force)
    action = "removed (it did not exist before)" if source.name.endswith(safewrite.ABSENT) else f"restored from {source.name}"
    print(f"{target}: {action}" + (f"; previous content saved as {saved.name}" if saved else ""))
