"""Commands about papers: import, list, show, edit, status, rate, trash, undo."""

from __future__ import annotations

import argparse
import sys

from readinglist.candidates import CONFIRM_FILES
from readinglist.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    catch_up_index,
    paper_line,
    print_json,
    read_text_argument,
    report_changes,
)
from readinglist.errors import TooManyFiles
from readinglist.library import Library
from readinglist.models import ImportReport, Paper, PaperFilter, SmartList, Status


def register(commands, common: argparse.ArgumentParser) -> None:
    def add(name: str, handler, help: str) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, parents=[common], help=help)
        parser.set_defaults(handler=handler)
        return parser

    p = add("import", cmd_import, "import abstract files or folders")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument(
        "--yes",
        action="store_true",
        help=f"import more than {CONFIRM_FILES:,} files from folders without asking",
    )

    p = add("list", cmd_list, "list papers (all, or those matching the options)")
    p.add_argument(
        "--sort",
        choices=["id", "added", "title", "year", "key", "list"],
        help="order (default: a reading list's own order with --list, else id)",
    )
    p.add_argument("--tag", help="papers with this tag (or one of its sub-tags)")
    p.add_argument("--status", choices=[s.value for s in Status])
    p.add_argument("--list", dest="reading_list", metavar="LIST", help="papers in a reading list")
    p.add_argument("--trash", action="store_true", help="papers in the trash")
    p.add_argument("--untagged", action="store_true", help="papers without tags")
    p.add_argument("--needs-review", action="store_true", help="papers with inferred titles")

    p = add("show", cmd_show, "show one paper")
    p.add_argument("paper", metavar="ID_OR_KEY")

    p = add("edit", cmd_edit, "edit a paper's metadata")
    p.add_argument("paper", metavar="ID_OR_KEY")
    p.add_argument("--title")
    p.add_argument("--abstract", help="new abstract text, or - to read it from standard input")
    p.add_argument("--authors", help='authors separated by " and " or ";"')
    p.add_argument("--year")
    p.add_argument("--venue")
    p.add_argument("--url")
    p.add_argument("--code-url")
    p.add_argument("--arxiv-id")
    p.add_argument("--doi")
    p.add_argument("--key", help="change the citation key (refused if another paper has it)")

    p = add("status", cmd_status, "set the reading status: status ID_OR_KEY... STATUS")
    p.add_argument("papers", nargs="+", metavar="ID_OR_KEY")
    p.add_argument("status", choices=[s.value for s in Status])

    p = add("rate", cmd_rate, "rate papers from 0 (no rating) to 5: rate ID_OR_KEY... N")
    p.add_argument("papers", nargs="+", metavar="ID_OR_KEY")
    p.add_argument("rating", type=int, choices=range(6))

    p = add("trash", cmd_trash, "move papers to the trash")
    p.add_argument("papers", nargs="+", metavar="ID_OR_KEY")
    p = add(
        "restore",
        cmd_restore,
        "bring papers back from the trash; with a backup file, restore the library from it",
    )
    p.add_argument("papers", nargs="+", metavar="ID_OR_KEY")
    p = add("empty-trash", cmd_empty_trash, "destroy the papers in the trash (can be undone)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    add("undo", cmd_undo, "undo the last change (from the command line or the window)")
    add("redo", cmd_redo, "redo the last undone change")


def cmd_import(library: Library, args: argparse.Namespace) -> int:
    try:
        report = library.import_files(args.paths, max_files=None if args.yes else CONFIRM_FILES)
    except TooManyFiles as error:
        if not (sys.stdin.isatty() and _confirm(f"{error}. Import them all?")):
            print(
                f"readinglist: import: {error}; nothing was imported. Check the folder, "
                "or add --yes to import them all",
                file=sys.stderr,
            )
            return EXIT_USAGE
        report = library.import_files(args.paths)
    if report.added or report.merged:
        catch_up_index(library)  # here, with progress: not inside the next search
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
            + (f", completed {file.completed} papers" if file.completed else "")
        )
        for skipped in file.skipped:
            print(f"  line {skipped.line}: skipped {skipped.reason}: {skipped.text[:60]!r}")
        for warning in file.warnings:
            print(f"  note: {warning}")
    for skipped in report.skipped_files:
        print(f"{skipped.path}: left out: {skipped.reason}")
    print(
        f"{report.added} added, {report.merged} merged, {report.duplicates} duplicates, "
        f"{report.skipped} skipped, {len(report.failed)} file(s) failed"
        + (f"; completed {report.completed} papers from BibTeX" if report.completed else "")
    )


def _confirm(question: str) -> bool:
    answer = input(f"{question} [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def cmd_list(library: Library, args: argparse.Namespace) -> int:
    smart = SmartList.ALL
    if args.trash:
        smart = SmartList.TRASH
    elif args.untagged:
        smart = SmartList.UNTAGGED
    elif args.needs_review:
        smart = SmartList.NEEDS_REVIEW
    view = PaperFilter(
        smart=smart,
        tag=args.tag,
        status=Status(args.status) if args.status else None,
        list_id=library.find_list(args.reading_list) if args.reading_list else None,
    )
    order = args.sort or ("list" if view.list_id is not None else "id")
    papers = library.papers(view, order_by=order)
    if args.json:
        print_json([paper.to_dict() for paper in papers])
    else:
        for paper in papers:
            print(paper_line(paper))
    return EXIT_OK


def cmd_show(library: Library, args: argparse.Namespace) -> int:
    paper = library.paper(args.paper)
    notes = library.notes(paper.id)
    highlights = library.highlights(paper.id)
    lists = library.lists_of(paper.id)
    if args.json:
        data = paper.to_dict()
        data["notes"] = [note.to_dict() for note in notes]
        data["highlights"] = [h.to_dict() for h in highlights]
        data["lists"] = lists
        print_json(data)
        return EXIT_OK
    _print_paper(paper, lists)
    for note in notes:
        print(f"\n--- note {note.id} ({note.modified[:10]}) ---\n{note.body}")
    for h in highlights:
        where = f"{h.start}-{h.end}" if h.anchored else "no longer in the abstract"
        comment = f" — {h.comment}" if h.comment else ""
        print(f"\nhighlight {h.id} [{h.color}, {where}]: “{h.quote}”{comment}")
    return EXIT_OK


def _print_paper(paper: Paper, lists: list[str]) -> None:
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
        ("Rating", "★" * paper.rating if paper.rating else ""),
        ("Tags", ", ".join(paper.tags)),
        ("Lists", ", ".join(lists)),
        ("Listed", paper.date_listed),
        ("Added", paper.added),
        ("Source", f"{paper.source_file} ({paper.source_format})"),
    ]
    for name, value in fields:
        if value:
            print(f"{name + ':':<9} {value}")
    print()
    print(paper.abstract)


def cmd_edit(library: Library, args: argparse.Namespace) -> int:
    fields = {
        name: getattr(args, name)
        for name in ("title", "abstract", "year", "venue", "url", "code_url", "arxiv_id", "doi")
        if getattr(args, name) is not None
    }
    if fields.get("abstract") == "-":
        fields["abstract"] = read_text_argument("-").strip()
    if args.authors is not None:
        separator = ";" if ";" in args.authors else " and "
        fields["authors"] = [a.strip() for a in args.authors.split(separator) if a.strip()]
    if not fields and args.key is None:
        print("readinglist: edit: nothing to change (see readinglist edit --help)", file=sys.stderr)
        return 2
    paper_id = library.resolve(args.paper)
    changes = None
    if args.key is not None:  # first: a refused key leaves the other fields untouched
        changes = library.set_key(paper_id, args.key)
    if fields:
        changes = library.edit(paper_id, **fields)
    paper = library.paper(paper_id)
    return report_changes(args, changes, f"edited {paper.key}: {paper.title}")


def cmd_status(library: Library, args: argparse.Namespace) -> int:
    changes = library.set_status(args.papers, args.status)
    return report_changes(args, changes, f"{len(changes.modified)} paper(s) now {args.status}")


def cmd_rate(library: Library, args: argparse.Namespace) -> int:
    changes = library.set_rating(args.papers, args.rating)
    return report_changes(args, changes, f"{len(changes.modified)} paper(s) rated {args.rating}")


def cmd_trash(library: Library, args: argparse.Namespace) -> int:
    changes = library.trash(args.papers)
    return report_changes(args, changes, f"{len(changes.removed)} paper(s) moved to the trash")


def cmd_restore(library: Library, args: argparse.Namespace) -> int:
    changes = library.restore(args.papers)
    return report_changes(args, changes, f"{len(changes.added)} paper(s) restored")


def cmd_empty_trash(library: Library, args: argparse.Namespace) -> int:
    count = library.smart_counts()[SmartList.TRASH]
    if not args.yes:
        if not sys.stdin.isatty():
            print("readinglist: empty-trash: add --yes to confirm", file=sys.stderr)
            return 2
        answer = input(f"Destroy the {count} paper(s) in the trash? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            return EXIT_OK
    changes = library.empty_trash()
    return report_changes(args, changes, f"{len(changes.removed)} paper(s) destroyed")


def cmd_undo(library: Library, args: argparse.Namespace) -> int:
    changes = library.undo()
    message = f"undid: {changes.label}" if changes else "nothing to undo"
    return report_changes(args, changes, message)


def cmd_redo(library: Library, args: argparse.Namespace) -> int:
    changes = library.redo()
    message = f"redid: {changes.label}" if changes else "nothing to redo"
    return report_changes(args, changes, message)
