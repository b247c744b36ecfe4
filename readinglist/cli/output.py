"""Printing for the command line: JSON for scripts, short readable lines for people."""

from __future__ import annotations

import json
import sys

from readinglist.errors import UserError
from readinglist.models import Changes, Paper

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# Text read from standard input (a note, an abstract): more is not something typed.
MAX_STDIN_BYTES = 1_000_000
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


def read_text_argument(text: str, *, limit: int = MAX_STDIN_BYTES) -> str:
    """The argument itself, or standard input when it is ``-``: UTF-8 text of at most
    ``limit`` bytes, else a UserError (a binary file piped in by mistake, a runaway
    command)."""
    if text != "-":
        return text
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(limit + 1) if stream is not None else sys.stdin.read(limit + 1)
    if len(data) > limit:
        raise UserError(
            f"standard input holds more than {limit // 1_000_000} MB: more than a note or "
            "an abstract can hold"
        )
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UserError(
                f"standard input is not UTF-8 text (byte {error.start + 1} is "
                f"{data[error.start : error.start + 1]!r}); convert it first, e.g. with iconv"
            ) from None
    if "\x00" in data:
        raise UserError("standard input holds NUL bytes: it looks like binary data, not text")
    return data


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
