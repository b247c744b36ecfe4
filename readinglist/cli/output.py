"""Printing for the command line: JSON for scripts, short readable lines for people."""

from __future__ import annotations

import json
import sys

from readinglist.models import Changes, Paper

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# Catching up with more papers than this takes seconds: say so, with progress.
QUIET_INDEX_PAPERS = 1000


def print_json(data: object) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def changes_dict(changes: Changes) -> dict:
    return {
        "label": changes.label,
        "added": sorted(changes.added),
        "modified": sorted(changes.modified),
        "removed": sorted(changes.removed),
    }


def report_changes(args, changes: Changes, message: str) -> int:
    if args.json:
        print_json(changes_dict(changes))
    else:
        print(message)
    return EXIT_OK


def paper_line(paper: Paper) -> str:
    mark = " (inferred title)" if paper.title_inferred else ""
    return f"{paper.id:>6}  {paper.key:<28}  {paper.title}{mark}"


def read_text_argument(text: str) -> str:
    """The argument itself, or standard input when it is ``-``."""
    return sys.stdin.read() if text == "-" else text


def catch_up_index(library) -> bool:
    """Bring the search index up to date, with progress on stderr when it takes a while
    (a rebuild, or a big import's queue): never a silent minute inside a search."""
    pending = library.index_pending() if library.index_ready else library.count()
    if pending <= QUIET_INDEX_PAPERS:
        return library.sync_index()
    verb = "updating" if library.index_ready else "building"
    live = sys.stderr.isatty()
    print(f"readinglist: {verb} the search index ({pending:,} papers)…", file=sys.stderr)
    shown = {"step": 0}

    def progress(done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if live:
            print(f"\r  {percent}%", end="", file=sys.stderr, flush=True)
        elif percent // 10 > shown["step"]:  # a log: one line every 10%
            shown["step"] = percent // 10
            print(f"  {percent}%", file=sys.stderr, flush=True)

    finished = library.sync_index(progress=progress)
    if live:
        print("\r  done" if finished else "", file=sys.stderr)
    return finished
