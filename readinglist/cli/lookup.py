"""``readinglist lookup``: find each paper's real record and attach it.

``readinglist [--library DIR] lookup [ID_OR_KEY ...] [--all] [--dry-run] [--json]``.
Exit 0 when the lookup ran (even if some papers were not found), 1 when a service could
not be reached at all, 2 on usage errors. Running the command is the user's consent to
send identifiers, titles and short phrases of abstracts to arXiv and Crossref.
"""

from __future__ import annotations

import argparse
import sys

from readinglist.cli.output import EXIT_FAILED, EXIT_OK, EXIT_USAGE, print_json
from readinglist.library import Library

STATUS_WORDS = {
    "matched": "matched",
    "ambiguous": "ambiguous",
    "not_found": "not found",
    "error": "failed",
}


def register(commands, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "lookup",
        parents=[common],
        help="look up papers' records on arXiv and Crossref (title, authors, year, ids)",
        description=(
            "Find each paper's record on arXiv (by id, title, or phrases of its abstract) "
            "or Crossref (by DOI or a bibliographic query), attach it when the evidence is "
            "strong (the same id, or an abstract that agrees), and show what changed. "
            "One undoable step. Sends only ids, titles and short phrases of abstracts."
        ),
    )
    p.add_argument("papers", nargs="*", metavar="ID_OR_KEY", help="papers to look up")
    p.add_argument("--all", action="store_true", help="every paper without an arXiv id or DOI")
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    p.set_defaults(handler=cmd_lookup)


def cmd_lookup(library: Library, args: argparse.Namespace) -> int:
    if bool(args.papers) == bool(args.all):
        print("readinglist: lookup: give paper ids or keys, or --all (not both)", file=sys.stderr)
        return EXIT_USAGE
    papers = library.papers_needing_lookup() if args.all else library.resolve_many(args.papers)
    if not papers:
        if args.json:
            print_json([])
        print("readinglist: lookup: no paper needs a lookup", file=sys.stderr)
        return EXIT_OK
    progress = _Progress(len(papers))
    report = library.lookup(papers, dry_run=args.dry_run, progress=progress)
    progress.end()
    if args.json:
        print_json([result.to_json() for result in report.results])
    else:
        for result in report.results:
            _print_result(result)
    suffix = " (dry run: nothing changed)" if args.dry_run else ""
    print(f"readinglist: {report.message}{suffix}", file=sys.stderr)
    if report.unreachable:
        print(
            "readinglist: lookup: a service could not be reached; papers already looked up "
            "keep their results, run the command again to continue",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def _print_result(result) -> None:
    where = f" {result.source} {result.source_id}" if result.source_id else ""
    note = f" ({result.message})" if result.message and result.status != "matched" else ""
    print(f"{result.paper_id:>6}  {result.key:<28}  {STATUS_WORDS[result.status]}{where}{note}")
    for name, (old, new) in result.changed.items():
        print(f"        {name}: {_shown(old)} -> {_shown(new)}")
    if result.status == "ambiguous":
        for candidate in result.candidates:
            record = candidate.record
            print(f"        candidate {record.source_id} ({candidate.evidence}): {record.title}")


def _shown(value: object) -> str:
    if value in (None, "", [], ()):
        return "(empty)"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


class _Progress:
    """``looking up 12/83`` on stderr: one updating line on a terminal, a few lines else."""

    def __init__(self, total: int):
        self.tty = sys.stderr.isatty()
        self.step = max(1, total // 20)
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.tty:
            print(f"\rlooking up {done}/{total}", end="", file=sys.stderr, flush=True)
        elif done == total or done - self.shown >= self.step:
            print(f"looking up {done}/{total}", file=sys.stderr, flush=True)
            self.shown = done

    def end(self) -> None:
        if self.tty:
            print(file=sys.stderr)
