"""Commands that keep the library safe: backups and restoring them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from readinglist.cli.output import EXIT_OK, print_json
from readinglist.library import Library


def register(commands, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "backup",
        parents=[common],
        help="back the library up now; 'backup list' shows them, 'backup restore FILE' "
        "brings one back (the current state is backed up first)",
    )
    p.add_argument("action", nargs="?", choices=["create", "list", "restore"], default="create")
    p.add_argument("file", nargs="?", metavar="BACKUP", help="the backup to restore")
    p.add_argument("--yes", action="store_true", help="restore without asking")
    p.add_argument("--keep", type=int, metavar="N", help="from now on keep the newest N backups")
    p.set_defaults(handler=cmd_backup, opens_library=True)


def cmd_backup(library: Library, args) -> int:
    if args.keep is not None:
        library.set_backups_to_keep(args.keep)
    if args.action == "list":
        backups = library.backups()
        if args.json:
            print_json([{"path": str(b), "bytes": b.stat().st_size} for b in backups])
        for b in [] if args.json else backups:
            print(b)
        if not backups and not args.json:
            print("no backups yet", file=sys.stderr)
        return EXIT_OK
    if args.action == "restore":
        if not args.file:
            print("readinglist: backup restore: name the backup file", file=sys.stderr)
            return 2
        if not args.yes and not _confirmed(f"Replace the library with {args.file}?"):
            return EXIT_OK
        safety = library.restore_backup(args.file)
        print(f"restored {Path(args.file).name}; the previous state is in {safety}")
        return EXIT_OK
    made = library.backup("manual")
    if args.json:
        print_json({"path": str(made)})
    else:
        print(made)
    return EXIT_OK


def _confirmed(question: str) -> bool:
    if not sys.stdin.isatty():
        print("readinglist: add --yes to confirm", file=sys.stderr)
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
