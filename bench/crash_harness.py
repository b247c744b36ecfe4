"""Kill readinglist with SIGKILL in the middle of its work, then check nothing was lost.

Each round starts a real ``python -m readinglist`` process on a shared library doing one
of: importing a large listing, tagging every paper, editing a note, exporting a .bib file
(auto-export), and kills it after a random delay. Then the library is opened and checked:

- it opens and ``PRAGMA integrity_check`` is ok;
- an import is whole or absent: the papers from the big file number 0 or all of them
  (one transaction per file);
- a bulk tag is on every paper or on none;
- the note holds its old text or its new text, never something else;
- the exported .bib is the old file or the complete new one (parsed, entry count right);
- everything committed before the round is still there;
- the search index agrees with SQLite after the next search (it is caught up or rebuilt).

Usage: python bench/crash_harness.py [--kills 50] [--papers 3000] [--seed 1]
``tests/crash/test_crash.py`` runs a short version in CI.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readinglist.library import Library  # noqa: E402

OPERATIONS = ("import", "tag", "note", "export")


@dataclass
class Tally:
    kills: int = 0
    interrupted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OPERATIONS, 0))
    completed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OPERATIONS, 0))
    problems: list[str] = field(default_factory=list)


def write_listing(path: Path, papers: int, salt: str) -> None:
    rng = random.Random(salt)
    words = ["model", "data", "training", "sparse", "attention", "memory", "latency", "reward"]
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(papers):
            body = " ".join(rng.choice(words) for _ in range(40))
            handle.write(f"Abstract: Paper {salt}-{n} studies {body}.\n")


def command(folder: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "readinglist", "--library", str(folder), *args]


def run_and_kill(argv: list[str], delay: float) -> bool:
    """True if the process was killed before it finished."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT
    )
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def papers_from(db: sqlite3.Connection, name: str) -> int:
    return db.execute(
        "SELECT count(*) FROM papers WHERE source_file LIKE ?", [f"%{name}"]
    ).fetchone()[0]


def check(folder: Path, state: dict, tally: Tally, operation: str) -> None:
    def problem(text: str) -> None:
        tally.problems.append(f"after {operation} (kill {tally.kills}): {text}")

    raw = sqlite3.connect(folder / "library.sqlite3")
    verdict = raw.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        problem(f"integrity_check: {verdict}")
    for name, expected in state["imports"].items():
        count = papers_from(raw, name)
        if count not in (0, expected):
            problem(f"{name}: {count} of {expected} papers (half an import)")
        state["present"][name] = count
    tagged = raw.execute(
        "SELECT count(*) FROM paper_tags JOIN tags ON tags.id = tag_id WHERE tags.name = ?",
        [state["tag"]],
    ).fetchone()[0]
    total = raw.execute("SELECT count(*) FROM papers WHERE deleted IS NULL").fetchone()[0]
    if state["tag_expected"] is not None and tagged not in (0, state["tag_expected"]):
        problem(f"bulk tag on {tagged} of {state['tag_expected']} papers")
    notes = [row[0] for row in raw.execute("SELECT body FROM notes WHERE paper_id = 1")]
    if notes and notes[0] not in state["note_texts"]:
        problem(f"note holds {notes[0][:40]!r}")
    if total < state["committed_total"]:
        problem(f"{state['committed_total'] - total} committed papers lost")
    raw.close()
    with Library(folder) as library:
        hits = library.search("studies", limit=None, highlight=False).total
        live = library.count()
        if hits != live:
            problem(f"search finds {hits} papers, the database holds {live}")
        state["committed_total"] = live
        state["totals_seen"].add(live)
    bib = folder / "export.bib"
    if bib.exists():
        # Written atomically: a complete export of the library as it was at some commit.
        text = bib.read_text(encoding="utf-8")
        entries = text.count("\n@") + text.startswith("@")
        if entries not in state["totals_seen"] or not text.rstrip().endswith("}"):
            problem(f"export.bib holds {entries} entries, not a complete export")


def main(kills: int = 50, papers: int = 3000, seed: int = 1, quiet: bool = False) -> Tally:
    rng = random.Random(seed)
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "library"
        base = Path(tmp) / "base.txt"
        write_listing(base, 50, "base")
        subprocess.run(command(folder, "import", str(base)), check=True, capture_output=True)
        subprocess.run(
            command(folder, "note", "add", "1", "first text"), check=True, capture_output=True
        )
        subprocess.run(
            command(folder, "autoexport", "add", str(folder / "export.bib")),
            check=True,
            capture_output=True,
        )
        state = {
            "imports": {},
            "present": {},
            "tag": "crash/bulk",
            "tag_expected": None,
            "note_texts": {"first text"},
            "committed_total": 50,
            "totals_seen": {50},
        }
        round_number = 0
        while tally.kills < kills:
            round_number += 1
            operation = OPERATIONS[round_number % len(OPERATIONS)]
            if operation == "import":
                name = f"big-{round_number}.txt"
                path = Path(tmp) / name
                write_listing(path, papers, f"r{round_number}")
                state["imports"][name] = papers
                argv = command(folder, "import", str(path))
            elif operation == "tag":
                state["tag"] = f"crash/bulk{round_number}"
                with Library(folder) as library:
                    ids = library.paper_ids()
                state["tag_expected"] = len(ids)
                argv = command(folder, "tag", "add", *map(str, ids), "--tag", state["tag"])
            elif operation == "note":
                text = f"text of round {round_number} " * 50
                state["note_texts"].add(text)
                argv = command(folder, "note", "edit", "1", text)
            else:
                argv = command(folder, "export", "-o", str(folder / "export.bib"))
            killed = run_and_kill(argv, rng.uniform(0.2, 1.5))
            if killed:
                tally.kills += 1
                tally.interrupted[operation] += 1
            else:
                tally.completed[operation] += 1
            check(folder, state, tally, operation)
            if not quiet:
                print(
                    f"round {round_number:3d} {operation:6s} "
                    f"{'killed' if killed else 'finished'}; problems so far: {len(tally.problems)}",
                    flush=True,
                )
    return tally


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--papers", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    result = main(args.kills, args.papers, args.seed)
    print(f"\n{result.kills} kills in {time.perf_counter() - started:.0f} s")
    print(f"interrupted: {result.interrupted}")
    print(f"finished:    {result.completed}")
    print(f"papers/notes lost or half-written: {len(result.problems)}")
    for line in result.problems:
        print("  " + line)
    sys.exit(1 if result.problems else 0)
