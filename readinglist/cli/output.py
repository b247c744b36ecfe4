"""Printing for the command line: JSON for scripts, short readable lines for people."""

from __future__ import annotations

import json
import sys

from readinglist.models import Changes, Paper

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


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
