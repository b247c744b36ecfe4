"""Only readinglist's own code runs inside a library database.

A library database travels (a colleague's library, a synced folder), and SQL can hide in
its schema: a trigger runs on every write, a view on every read. ``trusted_schema = OFF``
keeps functions with side effects out of them, but not an unbounded recursive query or a
join of a table with itself a dozen times, which hangs the program on the next edit. So
before anything writes, every trigger and view in the database must be one that
readinglist itself creates, word for word: the migrations' and the registered ones (the
sync package's). Others are dropped, unread and unrun, in a library we may write (in a
read-only one nothing can fire them); a core table that is not a table is refused.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

import sqlite_utils

from readinglist.db.migrations import migrate
from readinglist.errors import LibraryError

log = logging.getLogger(__name__)

CORE_TABLES = (
    "papers",
    "tags",
    "paper_tags",
    "notes",
    "highlights",
    "lists",
    "list_items",
    "settings",
    "undolog",
    "index_queue",
    "library_info",
)

_registered: set[str] = set()


def register_known_code(statements: Iterable[str]) -> None:
    """Triggers or views readinglist creates outside the migrations (e.g. when a library
    is shared): their CREATE statements, exactly as executed."""
    _registered.update(s for s in statements if s.lstrip().upper().startswith("CREATE"))


@functools.cache
def _migration_code() -> frozenset[str]:
    fresh = sqlite_utils.Database(memory=True)
    migrate(fresh)
    rows = fresh.execute("SELECT sql FROM sqlite_master WHERE type IN ('trigger', 'view')")
    return frozenset(sql for (sql,) in rows)


def check_tables(db: sqlite_utils.Database) -> None:
    """A core table that is something else (a view that never ends, say): refused."""
    for name, kind in db.execute(
        f"SELECT name, type FROM sqlite_master WHERE name IN ({','.join('?' * len(CORE_TABLES))})",
        CORE_TABLES,
    ).fetchall():
        if kind != "table":
            raise LibraryError(
                f"this is not a readinglist library: its {name!r} is a {kind}, not a table"
            )


def remove_foreign_code(db: sqlite_utils.Database) -> list[str]:
    """Drop every trigger and view readinglist did not write; returns their names."""
    known = _migration_code() | _registered
    removed = []
    for kind, name, sql in db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'view')"
    ).fetchall():
        if sql in known:
            continue
        quoted = '"' + name.replace('"', '""') + '"'
        db.execute(f"DROP {kind.upper()} IF EXISTS main.{quoted}")
        removed.append(name)
    if removed:
        log.warning("removed database code readinglist did not write: %s", ", ".join(removed))
    return removed
