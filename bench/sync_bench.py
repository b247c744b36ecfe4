"""Sharing a library through PostgreSQL: join, catch-up and steady cost, next to bare SQL
on the same rows in the same run.

Starts a private PostgreSQL (as the sync tests do: initdb into a temporary folder, a unix
socket, run as an unprivileged user when we are root) unless ``--url`` names a server.
Builds a synthetic library (bench/organise_bench.py's rows), shares it, then measures:

- join of the whole library (first download)  vs  bare COPY out of the same rows from
  PostgreSQL + one executemany INSERT of them into SQLite
- catch-up of 1,000 remote changes            vs  bare SELECT of 1,000 rows + 1,000 UPDATEs
- steady cost of one change (edit, push, pull) vs  one bare INSERT committed on the server

Usage: python bench/sync_bench.py [--papers 100000] [--changes 1000] [--url postgresql://...]
"""

from __future__ import annotations

import argparse
import contextlib
import pwd
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.organise_bench import build
from readinglist.library import Library
from readinglist.paths import DATABASE_NAME
from readinglist.sync import server


@contextlib.contextmanager
def private_server():
    import os

    from tests.sync.conftest import PostgresServer, _binaries

    bindir = _binaries()
    if bindir is None:
        raise SystemExit("PostgreSQL binaries not found: install Debian's postgresql package")
    user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="readinglist-pg-bench-"))
    pg = PostgresServer(bindir, folder, user)
    try:
        pg.init()
        pg.start()
        yield pg
    finally:
        pg.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def bare_download(url: str, folder: Path) -> float:
    """COPY the shared rows out of PostgreSQL and INSERT them into a bare SQLite table."""
    started = time.perf_counter()
    with server.connect(url) as conn:
        rows = []
        with conn.cursor().copy(
            "COPY (SELECT gid, data::text FROM rl_rows WHERE kind = 'paper') TO STDOUT"
        ) as copy:
            rows.extend(copy.rows())
    db = sqlite3.connect(folder / "bare.sqlite3")
    with db:
        db.execute("CREATE TABLE bare (gid TEXT PRIMARY KEY, data TEXT)")
        db.executemany("INSERT INTO bare VALUES (?, ?)", rows)
    db.close()
    return time.perf_counter() - started


def bare_catch_up(url: str, folder: Path, after: int, count: int) -> float:
    started = time.perf_counter()
    with server.connect(url) as conn:
        rows = conn.execute(
            "SELECT gid, data->>'status' FROM rl_changes WHERE seq > %s ORDER BY seq LIMIT %s",
            [after, count],
        ).fetchall()
    db = sqlite3.connect(folder / "bare.sqlite3")
    with db:
        db.executemany("UPDATE bare SET data = ? WHERE gid = ?", [(s, g) for g, s in rows])
    db.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--steady", type=int, default=50)
    parser.add_argument("--url", help="an empty database on an existing server")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="readinglist-sync-bench-"))
    try:
        with contextlib.ExitStack() as stack:
            if args.url:
                url = args.url
            else:
                pg = stack.enter_context(private_server())
                url = pg.url(pg.new_database())
            owner_dir = folder / "owner"
            t_build, _ = timed(build, owner_dir, args.papers)
            print(f"built {args.papers:,} papers in {t_build:.1f} s")
            owner = stack.enter_context(Library(owner_dir))
            t_share, _ = timed(owner.sync.share, url)
            print(f"share (publish with COPY):          {t_share:7.2f} s")

            t_bare = bare_download(url, folder)
            member = stack.enter_context(Library(folder / "member"))
            t_join, _ = timed(member.sync.join, url)
            assert member.count() == args.papers, member.count()
            print(
                f"join {args.papers:,} papers:              {t_join:7.2f} s   "
                f"(bare COPY out + INSERT: {t_bare:.2f} s, x{t_join / t_bare:.1f})"
            )

            ids = owner.paper_ids()[: args.changes]
            for number, paper in enumerate(ids):
                owner.set_status([paper], ("reading", "read")[number % 2])
            position = int(member.sync._state["pulled"])
            t_push, pushed = timed(owner.sync.run)
            t_bare_catch = bare_catch_up(url, folder, position, args.changes)
            t_catch, result = timed(member.sync.run)
            print(
                f"push of {pushed.pushed:,} changes:           {t_push:7.2f} s"
                f"\ncatch-up of {result.pulled:,} changes:       {t_catch:7.2f} s   "
                f"(bare SELECT + UPDATEs: {t_bare_catch:.3f} s)"
            )

            rounds = []
            bare = []
            with server.connect(url) as conn:
                conn.execute("CREATE TABLE bare_changes (n int, data jsonb)")
                conn.commit()
                for n in range(args.steady):
                    started = time.perf_counter()
                    owner.set_rating([ids[n]], n % 6)
                    owner.sync.run()
                    member.sync.run()
                    rounds.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    conn.execute("INSERT INTO bare_changes VALUES (%s, '{}')", [n])
                    conn.commit()
                    bare.append(time.perf_counter() - started)
            print(
                f"steady: edit + push + pull of one change: median "
                f"{statistics.median(rounds) * 1000:.1f} ms (bare INSERT + COMMIT: "
                f"{statistics.median(bare) * 1000:.2f} ms)"
            )
            db = sqlite3.connect(folder / "member" / DATABASE_NAME)
            print(f"member database: {(folder / 'member' / DATABASE_NAME).stat().st_size >> 20} MB")
            db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
