"""Undo and redo for every write, recorded by SQLite itself.

Temporary triggers on each user-data table write the inverse of every row change into the
persistent ``undolog`` table (the technique of sqlite.org's "Automatic Undo/Redo Using
SQLite"). A user action is a *step* in ``history``: undoing it replays the step's inverse
statements newest first, and the triggers record the inverse of *that* (the redo) under the
same step. Because the log lives in the database, the window's undo stack and the command
line's ``readinglist undo`` are the same stack, and an undone step survives a restart.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from readinglist.db.connection import write_transaction
from readinglist.errors import UserError

# Tables whose rows are user data. settings and the migration record are not undoable.
TRACKED_TABLES = (
    "papers",
    "imports",
    "tags",
    "paper_tags",
    "lists",
    "list_items",
    "notes",
    "highlights",
    "saved_searches",
    "paper_bibtex",
    "auto_exports",
    "field_sources",
)
KEEP_STEPS = 200


@dataclass(frozen=True, slots=True)
class StepResult:
    label: str
    paper_ids: frozenset[int]
    tags_changed: bool
    lists_changed: bool


class UndoLog:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS undo_current (step INTEGER)")
        if db.execute("SELECT count(*) FROM temp.undo_current").fetchone()[0] == 0:
            db.execute("INSERT INTO temp.undo_current VALUES (NULL)")
        for table in TRACKED_TABLES:
            for sql in _trigger_sql(db, table):
                db.execute(sql)

    # Recording

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[int]:
        """One undoable step in one transaction: everything inside is undone together."""
        with write_transaction(self.db):
            step_id = self._begin(label, clear_redo=False)
            try:
                yield step_id
            finally:
                self._set_current(None)
            if not self._forget_if_empty(step_id):
                # Only an action that changed something makes the undone steps unreachable.
                self._clear_redo()

    @contextlib.contextmanager
    def long_step(self, label: str) -> Iterator[int]:
        """A step spanning several transactions (an import: one transaction per file).

        The step is marked open while it records: undo and redo, from any process, wait
        for it rather than replay half an import."""
        with write_transaction(self.db):
            step_id = self._begin(label)
            self.db.execute("UPDATE history SET open_by = ? WHERE id = ?", [os.getpid(), step_id])
        try:
            yield step_id
        finally:
            with write_transaction(self.db):
                self._set_current(None)
                self.db.execute("UPDATE history SET open_by = NULL WHERE id = ?", [step_id])
                self._forget_if_empty(step_id)

    def _begin(self, label: str, *, clear_redo: bool = True) -> int:
        # A new action makes the undone steps unreachable: forget them (no branching redo).
        # A step spanning transactions clears them first, so a crash cannot leave them
        # replayable on top of it.
        if clear_redo:
            self._clear_redo()
        cursor = self.db.execute(
            "INSERT INTO history (label, created) VALUES (?, ?)",
            [label, datetime.now(UTC).isoformat(timespec="seconds")],
        )
        step_id = cursor.lastrowid
        self._prune(step_id)
        self._set_current(step_id)
        return step_id

    def _clear_redo(self) -> None:
        self.db.execute(
            "DELETE FROM undolog WHERE step IN (SELECT id FROM history WHERE undone = 1)"
        )
        self.db.execute("DELETE FROM history WHERE undone = 1")

    def _forget_if_empty(self, step_id: int) -> bool:
        """Drop a step that recorded nothing; True if it was dropped."""
        if self.db.execute("SELECT 1 FROM undolog WHERE step = ? LIMIT 1", [step_id]).fetchone():
            return False
        self.db.execute("DELETE FROM history WHERE id = ?", [step_id])
        return True

    def _prune(self, newest: int) -> None:
        oldest_kept = newest - KEEP_STEPS
        self.db.execute("DELETE FROM undolog WHERE step <= ?", [oldest_kept])
        self.db.execute("DELETE FROM history WHERE id <= ?", [oldest_kept])

    def _set_current(self, step_id: int | None) -> None:
        self.db.execute("UPDATE temp.undo_current SET step = ?", [step_id])

    # Replaying

    def undo_label(self) -> str | None:
        row = self.db.execute(
            "SELECT label FROM history WHERE undone = 0 ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return row[0] if row else None

    def redo_label(self) -> str | None:
        row = self.db.execute(
            "SELECT label FROM history WHERE undone = 1 ORDER BY id LIMIT 1"
        ).fetchone()
        return row[0] if row else None

    def undo(self) -> StepResult | None:
        return self._replay("SELECT id, label FROM history WHERE undone = 0 ORDER BY id DESC", 1)

    def redo(self) -> StepResult | None:
        return self._replay("SELECT id, label FROM history WHERE undone = 1 ORDER BY id", 0)

    def _refuse_while_recording(self) -> None:
        row = self.db.execute(
            "SELECT open_by FROM history WHERE open_by IS NOT NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return
        if _process_alive(row[0]):
            raise UserError("an import is still running: undo and redo wait until it ends")
        # The importing process died: its step ends where its last file committed.
        self.db.execute("UPDATE history SET open_by = NULL WHERE open_by = ?", [row[0]])

    def _replay(self, pick_sql: str, mark_undone: int) -> StepResult | None:
        self._refuse_while_recording()
        with write_transaction(self.db):
            row = self.db.execute(pick_sql + " LIMIT 1").fetchone()
            if row is None:
                return None
            step_id, label = row
            entries = self.db.execute(
                "SELECT tbl, paper_id, sql FROM undolog WHERE step = ? ORDER BY seq DESC",
                [step_id],
            ).fetchall()
            self.db.execute("DELETE FROM undolog WHERE step = ?", [step_id])
            # Rows come back in reverse order: a child row may return before its parent.
            self.db.execute("PRAGMA defer_foreign_keys = ON")
            self._set_current(step_id)
            check = _Replayable(self.db)
            try:
                for table, _, sql in entries:
                    check(table, sql)
                    self.db.execute(sql)
            finally:
                self._set_current(None)
            self.db.execute("UPDATE history SET undone = ? WHERE id = ?", [mark_undone, step_id])
        tables = {table for table, _, _ in entries}
        return StepResult(
            label=label,
            paper_ids=frozenset(pid for _, pid, _ in entries if pid is not None),
            tags_changed=bool(tables & {"tags", "paper_tags"}),
            lists_changed=bool(tables & {"lists", "list_items"}),
        )


# What SQLite's quote() writes: NULL, an integer, a real, a string, a blob.
_LITERAL = r"(?:NULL|-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|'[^']*(?:''[^']*)*'|X'[0-9A-F]*')"
UNTRUSTED_HISTORY = (
    "the undo history of this library holds a statement readinglist does not write "
    "(the library was changed by something else); it is not replayed"
)


class _Replayable:
    """Whether an undolog statement has the shape the triggers below write: one row's
    DELETE, UPDATE or INSERT in a tracked table, with literal values only. The log lives
    in the library, which may come from anyone: anything else is refused, not run."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.patterns: dict[str, re.Pattern] = {}

    def __call__(self, table: str, sql: str) -> None:
        if table not in TRACKED_TABLES or not self._pattern(table).fullmatch(sql):
            raise UserError(UNTRUSTED_HISTORY)

    def _pattern(self, table: str) -> re.Pattern:
        if table not in self.patterns:
            columns = [row[1] for row in self.db.execute(f"PRAGMA table_info({table})")]
            name = "(?:" + "|".join(re.escape(c) for c in columns) + ")"
            pair = f"{name} = {_LITERAL}"
            where = f"{pair}(?: AND {pair})*"
            self.patterns[table] = re.compile(
                f"DELETE FROM {table} WHERE {where}"
                f"|UPDATE {table} SET {pair}(?:, {pair})* WHERE {where}"
                f"|INSERT INTO {table} \\({name}(?:, {name})*\\) "
                f"VALUES \\({_LITERAL}(?:, {_LITERAL})*\\)"
            )
        return self.patterns[table]


def _trigger_sql(db: sqlite_utils.Database, table: str) -> list[str]:
    info = db.execute(f"PRAGMA table_info({table})").fetchall()
    columns = [row[1] for row in info]
    keys = [row[1] for row in info if row[5]]  # the primary key's columns
    paper = "id" if table == "papers" else ("paper_id" if "paper_id" in columns else None)

    def where(ref: str) -> str:
        return " || ' AND ' || ".join(f"'{k} = ' || quote({ref}.{k})" for k in keys)

    def log(ref: str, statement: str) -> str:
        paper_expr = f"{ref}.{paper}" if paper else "NULL"
        return (
            "INSERT INTO undolog (step, tbl, paper_id, sql) VALUES "
            f"((SELECT step FROM temp.undo_current), '{table}', {paper_expr}, "
            f"{statement});"
        )

    recording = "(SELECT step FROM temp.undo_current) IS NOT NULL"
    column_list = ", ".join(columns)
    old_values = " || ', ' || ".join(f"quote(old.{c})" for c in columns)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    set_changed = " || ".join(
        f"CASE WHEN old.{c} IS NOT new.{c} THEN ', {c} = ' || quote(old.{c}) ELSE '' END"
        for c in columns
    )
    return [
        f"DROP TRIGGER IF EXISTS temp.undo_{table}_insert",
        f"DROP TRIGGER IF EXISTS temp.undo_{table}_update",
        f"DROP TRIGGER IF EXISTS temp.undo_{table}_delete",
        f"CREATE TEMP TRIGGER undo_{table}_insert AFTER INSERT ON main.{table} "
        f"WHEN {recording} BEGIN "
        + log("new", f"'DELETE FROM {table} WHERE ' || {where('new')}")
        + " END",
        f"CREATE TEMP TRIGGER undo_{table}_update AFTER UPDATE ON main.{table} "
        f"WHEN {recording} AND ({changed}) BEGIN "
        # The inverse finds the row by its key as it is now (a merge may change tag_id).
        + log(
            "old",
            f"'UPDATE {table} SET ' || substr({set_changed}, 3) || ' WHERE ' || {where('new')}",
        )
        + " END",
        f"CREATE TEMP TRIGGER undo_{table}_delete BEFORE DELETE ON main.{table} "
        f"WHEN {recording} BEGIN "
        + log("old", f"'INSERT INTO {table} ({column_list}) VALUES (' || {old_values} || ')'")
        + " END",
    ]


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else, or the platform cannot tell
        return True
    return True
