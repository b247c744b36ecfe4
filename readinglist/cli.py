"""The command line: a thin, stable layer over ``Library``.

Exit codes are part of the contract: 0 success, 1 when an input could not be read or a
paper was not found (one line per problem on stderr), 2 for usage errors. No traceback
ever reaches the terminal; a bug's traceback goes to the log file instead.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

import platformdirs

from readinglist import __version__
from readinglist.errors import UserError
from readinglist.library import Library
from readinglist.models import ImportReport, Paper
from readinglist.paths import APP_NAME

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    # Options shared by every command, accepted before or after the command name.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--library",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="library folder (default: $READINGLIST_HOME or the user data folder)",
    )
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )

    parser = argparse.ArgumentParser(
        prog="readinglist",
        description="Manage a reading list of paper abstracts.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"readinglist {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    p = commands.add_parser(
        "import", parents=[common, output], help="import abstract files or folders"
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(handler=cmd_import)

    p = commands.add_parser("list", parents=[common, output], help="list the papers")
    p.add_argument(
        "--sort", choices=["id", "added", "title", "year", "key"], default="id", help="order"
    )
    p.set_defaults(handler=cmd_list)

    p = commands.add_parser("show", parents=[common, output], help="show one paper")
    p.add_argument("paper", metavar="ID_OR_KEY")
    p.set_defaults(handler=cmd_show)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with 2 on usage errors
    args.json = getattr(args, "json", False)
    try:
        with Library(getattr(args, "library", None)) as library:
            return args.handler(library, args)
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


def _log_bug() -> str:
    folder = platformdirs.user_log_path(APP_NAME, appauthor=False)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(folder / "readinglist.log", encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler(open("/dev/null", "w"))  # noqa: SIM115
        folder = "(no log folder)"
    logging.getLogger().addHandler(handler)
    log.exception("unexpected error")
    handler.close()
    return str(folder) if isinstance(folder, str) else str(folder / "readinglist.log")


def print_json(data: object) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_import(library: Library, args: argparse.Namespace) -> int:
    report = library.import_files(args.paths)
    if args.json:
        print_json(report.to_dict())
    else:
        _print_import_report(report)
    for failed in report.failed:
        print(f"readinglist: {failed.path}: {failed.error}", file=sys.stderr)
    return EXIT_FAILED if report.failed else EXIT_OK


def _print_import_report(report: ImportReport) -> None:
    for file in report.files:
        if not file.ok:
            continue
        print(
            f"{file.path}: {file.format}, {file.added} added, {file.merged} merged, "
            f"{file.duplicates} duplicates, {len(file.skipped)} skipped"
        )
        for skipped in file.skipped:
            print(f"  line {skipped.line}: skipped {skipped.reason}: {skipped.text[:60]!r}")
        for warning in file.warnings:
            print(f"  note: {warning}")
    print(
        f"{report.added} added, {report.merged} merged, {report.duplicates} duplicates, "
        f"{report.skipped} skipped, {len(report.failed)} file(s) failed"
    )


def cmd_list(library: Library, args: argparse.Namespace) -> int:
    papers = library.papers(order_by=args.sort)
    if args.json:
        print_json([paper.to_dict() for paper in papers])
        return EXIT_OK
    for paper in papers:
        mark = " (inferred title)" if paper.title_inferred else ""
        print(f"{paper.id:>6}  {paper.key:<28}  {paper.title}{mark}")
    return EXIT_OK


def cmd_show(library: Library, args: argparse.Namespace) -> int:
    paper = library.paper(args.paper)
    if args.json:
        print_json(paper.to_dict())
    else:
        _print_paper(paper)
    return EXIT_OK


def _print_paper(paper: Paper) -> None:
    title = paper.title + ("  [inferred title: please review]" if paper.title_inferred else "")
    fields = [
        ("Title", title),
        ("Key", paper.key),
        ("Id", str(paper.id)),
        ("Authors", "; ".join(paper.authors)),
        ("Year", str(paper.year or "")),
        ("Venue", paper.venue),
        ("URL", paper.url),
        ("Code", paper.code_url),
        ("arXiv", paper.arxiv_id),
        ("DOI", paper.doi),
        ("Status", str(paper.status)),
        ("Rating", str(paper.rating) if paper.rating else ""),
        ("Tags", ", ".join(paper.tags)),
        ("Listed", paper.date_listed),
        ("Added", paper.added),
        ("Source", f"{paper.source_file} ({paper.source_format})"),
    ]
    for name, value in fields:
        if value:
            print(f"{name + ':':<9} {value}")
    print()
    print(paper.abstract)
