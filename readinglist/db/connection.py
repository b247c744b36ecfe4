"""Open a library database: WAL, foreign keys, a busy timeout, and the schema up to date.

A library this user cannot write (a read-only mount, a colleague's folder, a 0444 file) is
opened read-only: it can be listed, shown, searched and exported, and every write is
refused with ``LibraryReadOnly`` before it starts.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import sqlite3
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from readinglist.db import backup, schema_check
from readinglist.db.migrations import migrate, migrations
from readinglist.errors import LibraryBusy, LibraryError, LibraryReadOnly, UserError

log = logging.getLogger(__name__)

# How long a write waits for another program's write to finish before "the library is
# busy". The longest write is one imported file: it is read, parsed and given keys before
# its transaction (import_stage.staged), so the lock is held only while its records meet the
# library. A 20,000-paper, 37 MB listing holds it 7-14 s on an overloaded two-core machine
# (load 7), against 21-23 s with that work inside; 30 s leaves room for bigger files.
BUSY_TIMEOUT_MS = 30_000

READ_ONLY_MESSAGE = (
    "this library is read-only (its folder or database file cannot be written): nothing "
    "was changed; you can still list, show, search and export it"
)

# SQLite's primary result codes that mean "you may not write here".
_SQLITE_READONLY, _SQLITE_CANTOPEN = 8, 14


class LibraryDatabase(sqlite_utils.Database):
    """A library's database; ``read_only`` when this user cannot write the library.

    On a read-only library every write that reaches SQLite fails with ``LibraryReadOnly``
    (writes through ``write_transaction`` are refused before they start)."""

    read_only = False

    def execute(self, sql: str, parameters=None) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.OperationalError as error:
            if self.read_only and _cannot_write(error):
                raise LibraryReadOnly(READ_ONLY_MESSAGE) from error
            raise


def is_read_only(db: sqlite_utils.Database) -> bool:
    return getattr(db, "read_only", False)


def database_writable(path: Path) -> bool:
    """Whether this user may write the database at ``path`` and create files beside it
    (SQLite's -wal and -shm). The kernel answers: file modes and ACLs, read-only mounts
    and immutable files (the last two even for root)."""
    if not os.access(path.parent, os.W_OK):
        return False
    return not path.exists() or os.access(path, os.W_OK)


def open_database(path: Path, *, read_only: bool | None = None) -> LibraryDatabase:
    """Open (creating if needed) the library database at ``path`` and migrate it.

    ``read_only`` None decides from the file system; a database SQLite then refuses to
    write after all is reopened read-only. A read-only database is never migrated or
    backed up: one that needs a migration is refused with a message saying so."""
    if read_only is None:
        read_only = not database_writable(path)
    if not read_only:
        try:
            return _open_for_writing(path)
        except _CannotWrite as error:
            log.info("reopening %s read-only: %s", path, error)
    return _open_read_only(path)


class _CannotWrite(Exception):
    """SQLite cannot write a database the file system seemed to allow writing."""


def _cannot_write(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_SQLITE_READONLY, _SQLITE_CANTOPEN)


def _open_for_writing(path: Path) -> LibraryDatabase:
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.DatabaseError as error:
        raise LibraryError(f"cannot open the library database {path}: {error}") from error
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        _distrust_schema(conn)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        # NORMAL is durable in WAL mode except for the last commits on power loss.
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as error:
        conn.close()
        if _cannot_write(error) and path.is_file():
            raise _CannotWrite(str(error)) from error
        raise LibraryError(f"cannot open the library database {path}: {error}") from error
    if mode.lower() != "wal":
        conn.close()
        raise LibraryError(f"cannot use write-ahead logging for {path} (journal mode {mode})")
    db = LibraryDatabase(conn)
    try:
        # Before anything writes: a received library's own triggers must not run.
        schema_check.check_tables(db)
        schema_check.remove_foreign_code(db)
        if migrations.applied(db) and migrations.pending(db):
            backup.make_backup(db, path.parent, "before-migration")
        migrate(db)
    except sqlite3.DatabaseError as error:
        conn.close()
        if _cannot_write(error):
            raise _CannotWrite(str(error)) from error
        raise LibraryError(damaged_message(path, str(error))) from error
    except OSError as error:  # the backup before a migration could not be written
        conn.close()
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise _CannotWrite(str(error)) from error
        raise LibraryError(
            f"cannot back the library up before upgrading it ({error}); nothing was changed"
        ) from error
    except LibraryError:
        conn.close()
        raise
    return db


def _open_read_only(path: Path) -> LibraryDatabase:
    if not path.is_file():
        raise LibraryError(
            f"there is no library in {path.parent}, and a new one cannot be made there: "
            "the folder is read-only"
        )
    conn, private_copy = _connect_read_only(path, "mode=ro"), None
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        conn.close()
        if not _cannot_write(error):
            raise LibraryError(damaged_message(path, str(error))) from error
        # A WAL database needs its -shm file, which cannot be created here.
        conn, private_copy = _open_without_shm(path)
    db = LibraryDatabase(conn)
    db.read_only = True
    if private_copy is not None:
        weakref.finalize(db, shutil.rmtree, private_copy, True)
    try:
        _check_schema_read_only(db, path)
    except sqlite3.DatabaseError as error:
        conn.close()
        raise LibraryError(damaged_message(path, str(error))) from error
    except LibraryError:
        conn.close()
        raise
    return db


def _connect_read_only(path: Path, flags: str) -> sqlite3.Connection:
    uri = f"{path.absolute().as_uri()}?{flags}"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        _distrust_schema(conn)
    except sqlite3.DatabaseError as error:
        raise LibraryError(f"cannot open the library database {path}: {error}") from error
    return conn


def _distrust_schema(conn: sqlite3.Connection) -> None:
    """A library database may come from anyone: its triggers and views may not call
    functions with side effects (``trusted_schema``), and damaged pages are caught when
    read rather than trusted (``cell_size_check``). Extensions stay unloadable."""
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA cell_size_check = ON")


def _open_without_shm(path: Path) -> tuple[sqlite3.Connection, Path | None]:
    """A read-only WAL database whose folder cannot hold its -shm file.

    Without a -wal file (or with an empty one) the database file holds everything: SQLite
    reads it as immutable. Otherwise the last commits are in the -wal file, which
    ``immutable`` would ignore: read a private copy of both instead (returned, to be
    removed once the database is closed)."""
    wal = Path(f"{path}-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        conn = _connect_read_only(path, "mode=ro&immutable=1")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as error:
            conn.close()
            raise LibraryError(damaged_message(path, str(error))) from error
        return conn, None
    folder = Path(tempfile.mkdtemp(prefix="readinglist-read-only-"))
    try:
        shutil.copyfile(path, folder / path.name)
        shutil.copyfile(wal, folder / wal.name)
        conn = _connect_read_only(folder / path.name, "mode=ro")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except (OSError, sqlite3.DatabaseError, LibraryError) as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise LibraryError(
            f"cannot read the library database {path} without write access to its "
            f"folder ({error}); copy the library folder somewhere writable"
        ) from error
    return conn, folder


def _check_schema_read_only(db: LibraryDatabase, path: Path) -> None:
    schema_check.check_tables(db)  # foreign triggers cannot fire: nothing writes here
    known = {m.name for m in migrations._migrations}
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        migrate(db)  # raises the "newer version" message without writing
    if migrations.pending(db):
        raise LibraryError(
            f"the library in {path.parent} was made by an older version of readinglist and "
            "must be upgraded before this version can read it, but it is read-only here: "
            "copy the library folder somewhere writable (or open it with its own version)"
        )


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
    if is_read_only(db):
        raise LibraryReadOnly(READ_ONLY_MESSAGE)
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
        return LibraryReadOnly(READ_ONLY_MESSAGE)
    return error
