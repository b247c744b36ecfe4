"""Backups of the library database with SQLite's online backup API (never a file copy:
a copy taken while another program writes can be torn; the backup API cannot).

Backups live in ``backups/`` inside the library folder, named by time and reason, and
rotate: the newest ``keep`` are kept.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from readinglist.errors import UserError

BACKUP_FOLDER = "backups"
SUFFIX = ".sqlite3"
DEFAULT_KEEP = 10
DAILY = timedelta(days=1)


def backup_folder(library_folder: Path) -> Path:
    return library_folder / BACKUP_FOLDER


def list_backups(library_folder: Path) -> list[Path]:
    """Newest first."""
    folder = backup_folder(library_folder)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"library-*{SUFFIX}"), key=lambda p: p.name, reverse=True)


def make_backup(db: sqlite_utils.Database, library_folder: Path, reason: str) -> Path:
    """Copy the live database into a new backup file, atomically (temp file + rename)."""
    folder = backup_folder(library_folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"library-{stamp}-{reason}{SUFFIX}"
    partial = target.with_suffix(".partial")
    destination = sqlite3.connect(partial)
    try:
        db.conn.backup(destination)
    finally:
        destination.close()
    os.replace(partial, target)
    return target


def rotate(library_folder: Path, keep: int = DEFAULT_KEEP) -> list[Path]:
    """Remove all but the newest ``keep`` backups; returns the removed ones."""
    removed = list_backups(library_folder)[max(keep, 1) :]
    for old in removed:
        old.unlink(missing_ok=True)
    return removed


def daily_backup_due(library_folder: Path, now: datetime | None = None) -> bool:
    backups = list_backups(library_folder)
    if not backups:
        return True
    newest = datetime.fromtimestamp(backups[0].stat().st_mtime, UTC)
    return (now or datetime.now(UTC)) - newest >= DAILY


def check(conn: sqlite3.Connection) -> str:
    """'ok', or what SQLite's quick check found wrong."""
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    result = "; ".join(row[0] for row in rows)
    return result


def restore_into(db: sqlite_utils.Database, backup: Path) -> None:
    """Replace the live database's content with the backup's, in one step."""
    if not backup.is_file():
        raise UserError(f"no such backup: {backup}")
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        verdict = check(source)
        if verdict != "ok":
            raise UserError(f"the backup {backup.name} is damaged ({verdict}); pick another")
        source.backup(db.conn)
    finally:
        source.close()
