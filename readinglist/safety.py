"""Keeping the library safe, as part of ``Library``: integrity checks, backups, restores.

Kept apart from library.py to keep modules small; ``Library`` mixes it in. The two
functions at the end work on a library folder that cannot be opened any more.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from readinglist.db import backup
from readinglist.db.connection import READ_ONLY_MESSAGE, damaged_message, is_read_only
from readinglist.errors import LibraryError, LibraryReadOnly, UserError
from readinglist.index_location import indexes_of_folder
from readinglist.paths import DATABASE_NAME

MAX_KEEP = 1000  # backups kept at most, whatever a (received) library says


class SafetyMixin:
    # Provided by Library.
    db: object
    folder: Path
    index: object
    index_ready: bool

    @property
    def read_only(self) -> bool:
        """True when this user cannot write the library (a read-only folder, mount or
        database file): it reads, searches and exports; every write raises
        ``LibraryReadOnly``."""
        return is_read_only(self.db)

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise LibraryReadOnly(READ_ONLY_MESSAGE)

    def _daily_backup(self) -> None:
        """Once a day, check the database and back it up (never a damaged one). A read-only
        library is skipped: its backups folder cannot be written either."""
        if self.read_only:
            return
        if not backup.daily_backup_due(self.folder) or self.count() == 0:
            return
        self._check_integrity()
        self.backup("daily")

    def _check_integrity(self) -> None:
        verdict = backup.check(self.db.conn)
        if verdict != "ok":
            raise LibraryError(damaged_message(self.folder / DATABASE_NAME, verdict))

    def backup(self, reason: str = "manual") -> Path:
        """A backup of the database now (SQLite's online backup API); old ones rotate."""
        self._refuse_if_read_only()
        try:
            made = backup.make_backup(self.db, self.folder, reason)
        except (OSError, sqlite3.Error) as error:
            raise LibraryError(f"cannot write a backup: {error}") from error
        backup.rotate(self.folder, self.backups_to_keep())
        return made

    def backups(self) -> list[Path]:
        """Newest first."""
        return backup.list_backups(self.folder)

    def backups_to_keep(self) -> int:
        """The setting, within 1..MAX_KEEP; the default when it is no whole number (the
        library may come from anyone: a bad value must not stop it from opening)."""
        row = self.db.execute("SELECT value FROM settings WHERE name = 'backups_keep'").fetchone()
        try:
            keep = int(str(row[0]).strip()) if row else backup.DEFAULT_KEEP
        except ValueError:
            return backup.DEFAULT_KEEP
        return min(max(keep, 1), MAX_KEEP)

    def set_backups_to_keep(self, keep: int) -> None:
        if keep < 1:
            raise UserError("keep at least one backup")
        if keep > MAX_KEEP:
            raise UserError(f"keep at most {MAX_KEEP} backups")
        self._refuse_if_read_only()
        self.db.execute(
            "INSERT INTO settings (name, value) VALUES ('backups_keep', ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            [str(keep)],
        )
        backup.rotate(self.folder, keep)

    def restore_backup(self, backup_path: str | os.PathLike) -> Path:
        """Replace the library with a backup; the current state is backed up first.
        Returns that safety copy. The search index is rebuilt from the restored data."""
        self._refuse_if_read_only()
        safety = self.backup("before-restore")
        backup.restore_into(self.db, Path(backup_path))
        self.index.close()
        shutil.rmtree(self.index.folder, ignore_errors=True)
        self.index_ready = False
        return safety


def list_backups(folder: str | os.PathLike) -> list[Path]:
    """The backups of the library in ``folder``, newest first (without opening it)."""
    return backup.list_backups(Path(folder))


def restore_damaged_library(folder: str | os.PathLike, backup_path: str | os.PathLike) -> Path:
    """Restore a library that cannot be opened any more (a damaged database).

    The damaged files are kept beside the backups first (a plain copy: the backup API
    cannot read a damaged database); returns where they went."""
    folder = Path(folder)
    database = folder / DATABASE_NAME
    kept = backup.backup_folder(folder) / f"damaged-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    kept.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{database}{suffix}")
        if source.exists():
            shutil.copy2(source, kept / source.name)
    source = Path(backup_path)
    if not source.is_file():
        raise UserError(f"no such backup: {source}")
    probe = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        verdict = backup.check(probe)
    finally:
        probe.close()
    if verdict != "ok":
        raise UserError(f"the backup {source.name} is damaged too ({verdict}); pick another")
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    partial = database.with_suffix(".restoring")
    shutil.copy2(source, partial)
    os.replace(partial, database)
    for index in indexes_of_folder(folder):
        shutil.rmtree(index, ignore_errors=True)
    return kept
