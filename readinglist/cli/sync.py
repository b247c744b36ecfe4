"""Commands that share a library through PostgreSQL: share, join, sync (docs/sync.md)."""

from __future__ import annotations

import argparse
import sys

from readinglist.cli.output import EXIT_FAILED, EXIT_OK, print_json
from readinglist.library import Library
from readinglist.sync import SyncOffline


def register(commands, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "share",
        parents=[common],
        help="publish this library to a PostgreSQL database (postgresql://user@host/db); "
        "passwords come from ~/.pgpass, a service file or the system keyring",
    )
    p.add_argument("url", metavar="URL", help="postgresql://user@host[:port]/db[?sslmode=...]")
    p.add_argument("--name", default="", help="the shared library's name (default: the folder)")
    p.set_defaults(handler=cmd_share)
    p = commands.add_parser(
        "join", parents=[common], help="make a new library (--library DIR) follow a shared one"
    )
    p.add_argument("url", metavar="URL")
    p.set_defaults(handler=cmd_join)
    p = commands.add_parser(
        "sync", parents=[common], help="exchange changes with the shared library now"
    )
    p.add_argument("--status", action="store_true", help="say what is pending instead of syncing")
    p.add_argument(
        "--confirm",
        action="store_true",
        help="sync a library folder copied from elsewhere from this installation",
    )
    p.set_defaults(handler=cmd_sync)


def cmd_share(library: Library, args) -> int:
    note = library.sync.share(args.url, name=args.name)
    status = library.sync.status()
    if args.json:
        print_json({**status.as_dict(), "papers": library.count(), "note": note})
        return EXIT_OK
    print(f"shared {library.count()} papers as {status.name!r} through {status.url}")
    if note:
        print(note)
    return EXIT_OK


def cmd_join(library: Library, args) -> int:
    note = library.sync.join(args.url)
    status = library.sync.status()
    if args.json:
        print_json({**status.as_dict(), "papers": library.count(), "note": note})
        return EXIT_OK
    print(f"joined {status.name!r}: {library.count()} papers in {library.folder}")
    if note:
        print(note)
    return EXIT_OK


def cmd_sync(library: Library, args) -> int:
    if args.status:
        status = library.sync.status(ask_server=library.sync.shared)
        if args.json:
            print_json(status.as_dict())
        else:
            print(_status_line(status))
        return EXIT_OK if status.shared else EXIT_FAILED
    if args.confirm and library.sync.shared:
        library.sync.confirm()
    try:
        result = library.sync.run()
    except SyncOffline as error:
        if args.json:
            print_json({**library.sync.status().as_dict(), "online": False, "error": str(error)})
        print(f"readinglist: {error}", file=sys.stderr)
        return EXIT_FAILED
    status = library.sync.status()
    if args.json:
        print_json({**result.as_dict(), **status.as_dict()})
        return EXIT_OK
    line = f"sent {result.pushed} changes, received {result.pulled}"
    if status.conflicts:
        line += f"; {status.conflicts} conflicts to look at (the window lists them)"
    if status.read_only:
        line += "; read-only shared library"
    print(line)
    return EXIT_OK


def _status_line(status) -> str:
    if not status.shared:
        return "this library is not shared ('readinglist share URL' publishes it)"
    parts = {
        "offline": f"offline: {status.pending} changes pending",
        "conflict": f"{status.conflicts} conflicts",
        "pending": f"pending: {status.pending} to send, {status.behind} to receive",
        "synced": "synced",
        "unconfirmed": "set up elsewhere: 'readinglist sync --confirm' to sync from here",
    }
    line = f"{status.name or 'shared library'} at {status.url}: {parts[status.state]}"
    if status.read_only:
        line += " (read-only shared library)"
    if status.last_sync:
        line += f"; last sync {status.last_sync}"
    return line
