"""The command line: a thin, stable layer over ``Library``.

Exit codes are part of the contract: 0 success, 1 when an input could not be read or a
paper was not found (one line per problem on stderr), 2 for usage errors. No traceback
ever reaches the terminal; a bug's traceback goes to the log file instead.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import platformdirs

from readinglist import __version__
from readinglist.cli import cite, lookup, organise, papers, safety, search, sync
from readinglist.cli.output import EXIT_FAILED
from readinglist.errors import LibraryError, UserError
from readinglist.library import Library, restore_damaged_library
from readinglist.paths import APP_NAME, LIBRARY_ENV, default_library_dir

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    # Options shared by every command, accepted before or after the command name.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--library",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="library folder (default: $READINGLIST_HOME or the user data folder)",
    )
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    parser = argparse.ArgumentParser(
        prog="readinglist",
        description="Manage a reading list of paper abstracts.",
        epilog=(
            "ID_OR_KEY is a paper's id (shown by list) or its citation key. A number is "
            "read as an id first, then as a key, so an all-digit key such as JabRef's "
            "1102917 works unless a paper has that id."
        ),
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"readinglist {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    papers.register(commands, common)
    organise.register(commands, common)
    search.register(commands, common)
    cite.register(commands, common)
    safety.register(commands, common)
    lookup.register(commands, common)
    sync.register(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with 2 on usage errors
    _check_arguments(parser, args)
    args.json = getattr(args, "json", False)
    _log_to_file()
    try:
        backup_file = _backup_to_restore(args)
        if backup_file is not None:
            # Restoring must work on a library too damaged to open.
            return _restore_without_opening(args, backup_file)
        with Library(getattr(args, "library", None)) as library:
            before = library.db.conn.total_changes
            code = args.handler(library, args)
            if library.db.conn.total_changes != before:
                library.refresh_auto_exports()  # bound .bib files follow every change
            return code
    except BrokenPipeError:
        # The reader went away (`readinglist list | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except UserError as error:
        print(f"readinglist: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("readinglist: interrupted", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:
        log_file = _log_bug()
        print(
            f"readinglist: internal error ({type(error).__name__}: {error}); "
            f"details are in {log_file}",
            file=sys.stderr,
        )
        return EXIT_FAILED


# Arguments naming files or folders: any bytes the file system allows are fine there.
_PATH_ARGUMENTS = frozenset({"library", "paths", "output", "file"})


def _check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage errors argparse cannot see (it exits with 2).

    An empty library folder would silently mean the current directory. Text that is not
    UTF-8 (arrived as bytes in argv) cannot be stored or compared; file names may be."""
    library = getattr(args, "library", None)
    if library is not None and not library.strip():
        parser.error("--library: give a folder (an empty name would mean the current folder)")
    if library is None and LIBRARY_ENV in os.environ and not os.environ[LIBRARY_ENV].strip():
        parser.error(f"${LIBRARY_ENV} is set but empty: unset it or name a library folder")
    for name, value in vars(args).items():
        if name in _PATH_ARGUMENTS or callable(value):
            continue
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and not _is_unicode(text):
                parser.error(f"{name.replace('_', '-')}: {_as_bytes(text)} is not UTF-8 text")


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _as_bytes(text: str) -> str:
    """The argument as the bytes that arrived, e.g. 'caf\\xe9' for Latin-1 "café"."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "backslashreplace")
    return repr(raw)[1:]


def _backup_to_restore(args) -> str | None:
    """The backup file a command restores: `backup restore FILE --yes`, or `restore FILE`
    (`restore` with paper ids takes papers out of the trash)."""
    if args.command == "backup" and args.action == "restore" and args.yes and args.file:
        return args.file
    if args.command == "restore" and len(args.papers) == 1:
        candidate = Path(args.papers[0])
        if candidate.suffix == ".sqlite3" and candidate.is_file():
            return str(candidate)
    return None


def _restore_without_opening(args, backup_file: str) -> int:
    folder = Path(args.library) if getattr(args, "library", None) else default_library_dir()
    try:
        with Library(folder) as library:
            safety = library.restore_backup(backup_file)
    except LibraryError:
        safety = restore_damaged_library(folder, backup_file)
    print(f"restored {Path(backup_file).name}; the previous state is in {safety}")
    return 0


def _log_to_file() -> None:
    """Warnings and tracebacks go to the log file, never to the terminal (without any
    handler, Python would print them to stderr)."""
    root = logging.getLogger()
    if root.handlers:
        return
    folder = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(
            folder / "readinglist.log", encoding="utf-8", delay=True
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def _log_bug() -> str:
    """Write the current exception's traceback to the log file and say where it is."""
    folder = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(folder / "readinglist.log", encoding="utf-8")
        where = str(folder / "readinglist.log")
    except OSError:
        handler, where = logging.NullHandler(), "(no writable log folder)"
    logging.getLogger().addHandler(handler)
    try:
        log.exception("unexpected error")
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    return where
