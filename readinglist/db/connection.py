"""Open a library database: WAL, foreign keys, a busy timeout, and the schema up to date."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from readinglist.db import backup
from readinglist.db.migrations import migrate, migrations
from readinglist.errors import LibraryBusy, LibraryError, UserError

BUSY_TIMEOUT_MS = 10_000


def open_database(path: Path) -> sqlite_utils.Database:
    """Open (creating if needed) the library database at ``path`` and migrate it."""
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        # NORMAL is durable in WAL mode except for the last commits on power loss.
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as error:
        raise LibraryError(f"cannot open the library database {path}: {error}") from error
    if mode.lower() != "wal":
        conn.close()
        raise LibraryError(f"cannot use write-ahead logging for {path} (journal mode {mode})")
    db = sqlite_utils.Database(conn)
    try:
        if migrations.applied(db) and migrations.pending(db):
            backup.make_backup(db, path.parent, "before-migration")
        migrate(db)
    except sqlite3.DatabaseError as error:
        conn.close()
        raise LibraryError(damaged_message(path, str(error))) from error
    except LibraryError:
        conn.close()
        raise
    return db


def damaged_message(path: Path, problem: str) -> str:
    """What to tell a user whose library database is damaged, with the way back."""
    message = f"the library database {path} is damaged ({problem})."
    backups = backup.list_backups(path.parent)
    if backups:
        message += (
            f" Restore the newest backup with: readinglist --library {path.parent} "
            f"backup restore {backups[0]} --yes"
        )
    else:
        message += " No backup of it exists; keep the file and try the sqlite3 .recover command."
    return message


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """A transaction that takes the write lock at once (BEGIN IMMEDIATE).

    A deferred BEGIN that reads before it writes fails at once with "database is locked"
    when another program commits in between; an immediate one waits its turn (busy
    timeout). Nested use becomes a savepoint."""
    if db.conn.in_transaction:
        with db.atomic():
            yield
        return
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        raise as_user_error(error) from error
    try:
        yield
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    try:
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise


def busy_message(error: Exception) -> str:
    return (
        "the library is busy (another readinglist is writing to it, e.g. an import); "
        f"nothing was changed, try again in a moment ({error})"
    )


def as_user_error(error: sqlite3.OperationalError) -> Exception:
    """Environmental failures of a write, as messages a person can act on; the write was
    rolled back in every case."""
    text = str(error)
    if "locked" in text or "busy" in text:
        return LibraryBusy(busy_message(error))
    if "full" in text:
        return UserError("the disk is full: nothing was changed; free some space and retry")
    if "readonly" in text or "read-only" in text:
        return UserError(
            "the library is read-only (its folder or file cannot be written): nothing was "
            "changed; you can still read and search it"
        )
    return error
