"""Organise speed on a large library: readinglist against bare SQL measured in the same run.

Builds a library of synthetic papers (fixed seed; distinct abstracts of 40-60 words). The
rows are inserted directly into the real schema with one ``executemany`` (importing
100,000 abstracts through the importer takes minutes; ``bench/import_bench.py`` times
that). Writes do not touch the search index (triggers queue the changed papers), so the
figures below are what each ``Library`` call costs, the undo log and the queue included.
With ``--index`` the index is rebuilt first, and the bulk tag is followed by the catch-up
the next search (or the window's worker) does: ``sync_index()``.

Every operation is compared with the bare statement doing the same row changes on a
second connection, in a transaction that is rolled back (no undo triggers, no Python):

- bulk tag of N papers          vs  INSERT INTO paper_tags ... SELECT of the same rows
- its undo                      vs  DELETE of those rows
- bulk status change of N       vs  one UPDATE ... WHERE id IN (...)
- trash + restore of N          vs  two UPDATEs
- paper_ids, All, by title/added/year  vs  the bare SELECT
- smart_counts()                vs  one SELECT count(*)

Usage: python bench/organise_bench.py [--papers 100000] [--bulk 10000] [--index]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readinglist.library import Library
from readinglist.paths import DATABASE_NAME

WORDS = (  # noqa: SIM905 (the words read better as one text)
    "model training language transformer attention sparse dense learning neural network data "
    "benchmark inference scaling reward policy gradient memory vision retrieval alignment "
    "tokens latency compute hardware robust evaluation agents planning search diffusion video "
    "speech graph kernel quantization pruning distillation curriculum reasoning optimizer"
).split()


def build(folder: Path, count: int, seed: int = 1) -> None:
    """A library whose ``papers`` table holds ``count`` synthetic rows."""
    Library(folder).close()  # creates the schema
    rng = random.Random(seed)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    rows = []
    for number in range(count):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).capitalize()
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 60)))
        added = (start + timedelta(minutes=number * 7)).isoformat(timespec="seconds")
        rows.append(
            (
                f"paper{number}",
                title,
                number % 10 == 0,
                f"Study {number}: {body}.",
                json.dumps([f"Author{rng.randint(1, 5000)}, A."]),
                rng.randint(1990, 2025),
                "synthetic.txt",
                "listing",
                added,
                added,
                f"fp{number}",
            )
        )
    conn = sqlite3.connect(folder / DATABASE_NAME)
    with conn:
        conn.executemany(
            "INSERT INTO papers (key, title, title_inferred, abstract, authors, year, "
            "source_file, source_format, added, modified, abstract_fingerprint) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    conn.execute("ANALYZE")
    conn.close()


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def bare(
    folder: Path, statements: list[tuple[str, list]], setup: list[tuple[str, list]] = ()
) -> float:
    """Run statements on a fresh connection in a transaction, timed, then roll back."""
    conn = sqlite3.connect(folder / DATABASE_NAME, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("BEGIN")
    for sql, params in setup:
        conn.execute(sql, params)
    began = time.perf_counter()
    for sql, params in statements:
        conn.execute(sql, params).fetchall()
    elapsed = time.perf_counter() - began
    conn.execute("ROLLBACK")
    conn.close()
    return elapsed


def id_list(ids: list[int]) -> str:
    return ",".join(map(str, ids))  # integers only: safe to inline, as a baseline would


def report(name: str, ours: float, base: float, target: float | None = None) -> None:
    ratio = ours / base if base > 0 else float("inf")
    goal = f"  (target < {target:.1f} s: {'met' if ours < target else 'MISSED'})" if target else ""
    print(f"{name:<34} {ours * 1000:9.1f} ms   bare {base * 1000:8.1f} ms   x{ratio:6.1f}{goal}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--bulk", type=int, default=10_000)
    parser.add_argument("--index", action="store_true", help="also time with the search index")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "library"
        began = time.perf_counter()
        build(folder, args.papers)
        print(
            f"built {args.papers:,} papers by direct insert in {time.perf_counter() - began:.1f} s"
        )

        library = Library(folder)
        library.index_ready = False  # no index yet: nothing below drains the queue
        all_ids = library.paper_ids(order_by="id")
        bulk = random.Random(2).sample(all_ids, args.bulk)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        marks = id_list(bulk)
        print(f"bulk operations on {len(bulk):,} papers; figures are wall time, one run each\n")

        insert = (
            "INSERT INTO paper_tags (paper_id, tag_id) "
            f"SELECT id, (SELECT id FROM tags WHERE folded = ?) FROM papers WHERE id IN ({marks})"
        )
        new_tag = [("INSERT INTO tags (name, folded) VALUES ('bare', 'bare')", [])]
        tag_base = bare(folder, [(insert, ["bare"])], setup=new_tag)
        tag = timed(lambda: library.add_tags(bulk, ["bench/bulk"]))
        report(f"tag {len(bulk):,}", tag, tag_base, 2.0)
        delete = ("DELETE FROM paper_tags WHERE tag_id = (SELECT id FROM tags WHERE folded = ?)",)
        untag_base = bare(folder, [(*delete, ["bench/bulk"])])
        report("  its undo (vs bare DELETE)", timed(library.undo), untag_base)
        report("  its redo (vs bare INSERT)", timed(library.redo), tag_base)
        library.undo()

        status = timed(lambda: library.set_status(bulk, "read"))
        status_base = bare(
            folder,
            [
                (
                    "UPDATE papers SET status = 'read', read_date = ?, modified = ? "
                    f"WHERE id IN ({marks})",
                    [now, now],
                )
            ],
        )
        report(f"status read {len(bulk):,}", status, status_base)
        report("  its undo", timed(library.undo), status_base)

        trash = timed(lambda: (library.trash(bulk), library.restore(bulk)))
        trash_base = bare(
            folder,
            [
                (f"UPDATE papers SET deleted = ?, modified = ? WHERE id IN ({marks})", [now, now]),
                (f"UPDATE papers SET deleted = NULL, modified = ? WHERE id IN ({marks})", [now]),
            ],
        )
        report(f"trash + restore {len(bulk):,}", trash, trash_base)

        for order, column in (
            ("title", "title COLLATE NOCASE"),
            ("added", "added"),
            ("year", "year"),
        ):
            ours = timed(lambda order=order: library.paper_ids(order_by=order))
            base = bare(
                folder, [(f"SELECT id FROM papers WHERE deleted IS NULL ORDER BY {column}, id", [])]
            )
            report(f"paper_ids All by {order}", ours, base)
        counts = timed(library.smart_counts)
        report(
            "smart_counts() (8 lists)", counts, bare(folder, [("SELECT count(*) FROM papers", [])])
        )
        steps = library.db.execute("SELECT count(*) FROM undolog").fetchone()[0]
        size = (folder / DATABASE_NAME).stat().st_size / 1e6
        print(f"\nundo log rows kept: {steps:,}; database {size:.0f} MB")

        if args.index:
            print("\nwith the search index caught up after each change (sync_index):")
            began = time.perf_counter()
            library.rebuild_index()
            print(f"index rebuild of {args.papers:,} papers: {time.perf_counter() - began:.1f} s")
            tag = timed(lambda: library.add_tags(bulk, ["bench/indexed"]))
            report(f"tag {len(bulk):,} (the command)", tag, tag_base, 2.0)
            report("  index catch-up before the next search", timed(library.sync_index), tag_base)
            report("  its undo", timed(library.undo), untag_base)
            report("  index catch-up", timed(library.sync_index), untag_base)
        library.close()


if __name__ == "__main__":
    main()
