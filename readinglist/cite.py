"""Citing, as part of ``Library``: export, ``\\cite`` commands, key patterns, auto-export.

Kept apart from library.py to keep modules small; ``Library`` mixes it in, so callers
only ever see ``Library``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from readinglist import citekey_patterns, citekeys, export, trust
from readinglist.db import edits, lists
from readinglist.db import papers as paper_queries
from readinglist.db.connection import write_transaction
from readinglist.errors import UserError
from readinglist.formats.bibtex import cite_command
from readinglist.indexing import library_id
from readinglist.models import Changes, Paper, PaperFilter

log = logging.getLogger(__name__)

PATTERN_SETTING = citekeys.PATTERN_SETTING
INACTIVE_MESSAGE = (
    "not written: this auto-export was made by another installation (a received library); "
    "add it again to confirm it"
)
FORMATS = export.FORMATS


@dataclass(frozen=True, slots=True)
class ExportScope:
    """Which papers to export: chosen ids, a reading list, a tag, a query, or everything."""

    ids: tuple[int, ...] | None = None
    list_name: str | None = None
    tag: str | None = None
    query: str | None = None


@dataclass(frozen=True, slots=True)
class AutoExport:
    id: int
    path: str
    scope: str  # "library", "tag" or "list"
    value: str
    format: str
    last_written: str | None
    last_error: str
    # False for a binding this installation did not make (a received library): kept and
    # shown, never written, until the user confirms it (see readinglist/trust.py).
    active: bool = True

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}


class CiteMixin:
    # Provided by Library.
    db: object

    # Export

    def scope_papers(self, scope: ExportScope) -> list[Paper]:
        """The papers of a scope, outside the trash; a reading list keeps its own order."""
        if scope.list_name is not None:
            list_id = lists.find_list(self.db, scope.list_name)
            ids = self.paper_ids(PaperFilter(list_id=list_id), order_by="list")
        elif scope.tag is not None:
            if not any(
                t.name.casefold() == scope.tag.casefold()
                or t.name.casefold().startswith(scope.tag.casefold() + "/")
                for t in self.tags()
            ):
                # Never an empty bibliography for a tag that was renamed or mistyped.
                raise UserError(f"no tag named {scope.tag!r}")
            ids = self.paper_ids(PaperFilter(tag=scope.tag), order_by="key")
        elif scope.query is not None:
            ids = self.search(scope.query, limit=None, highlight=False).ids
        elif scope.ids is not None:
            ids = list(scope.ids)
        else:
            ids = self.paper_ids(PaperFilter(), order_by="key")
        return paper_queries.papers_by_ids(self.db, ids, include_trash=False)

    def export_text(
        self,
        fmt: str,
        scope: ExportScope = ExportScope(),
        *,
        include_abstract: bool = True,
        include_notes: bool = False,
    ) -> str:
        if fmt not in FORMATS:
            raise UserError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
        papers = self.scope_papers(scope)
        notes = (
            self._notes_by_paper([p.id for p in papers])
            if include_notes or fmt == "markdown"
            else None
        )
        try:
            text = export.render(
                papers,
                fmt,
                include_abstract=include_abstract,
                include_notes=include_notes,
                notes_by_paper=notes,
                extras_by_paper=export.load_extras(self.db) if "bib" in fmt else None,
            )
        except ValueError as error:  # a key BibTeX cannot use
            raise UserError(f"cannot export: {error}") from error
        # Every export (a file, an auto-export, BibTeX copied to the clipboard) carries the
        # keys out of the app: from now on someone may cite them.
        self.pin_keys(p.id for p in papers)
        return text

    def export_file(
        self,
        path: str | Path,
        fmt: str,
        scope: ExportScope = ExportScope(),
        **options,
    ) -> bool:
        """Write the export atomically; True if the file changed."""
        text = self.export_text(fmt, scope, **options)
        try:
            return export.write_atomically(Path(path), text)
        except OSError as error:
            raise UserError(f"cannot write {path}: {error.strerror or error}") from error

    def cite_keys(self, papers: Iterable[int | str], *, command: str = "cite") -> str:
        chosen = [self.paper(p) for p in papers]
        text = cite_command([p.key for p in chosen], command=command)
        self.pin_keys(p.id for p in chosen)
        return text

    def pin_keys(self, papers: Iterable[int | str]) -> None:
        """Record that these papers' keys left the app: the key pattern never remakes them.
        A library that cannot be written (read-only, full disk) still exports; the keys then
        stay provisional, which is logged."""
        ids = [p if isinstance(p, int) else self.resolve(p) for p in papers]
        if not ids:
            return
        try:
            with write_transaction(self.db):
                citekeys.pin_keys(self.db, ids)
        except (UserError, sqlite3.DatabaseError) as error:
            log.warning("could not record %d exported keys as used: %s", len(ids), error)

    def key_pinned(self, paper: int | str) -> bool:
        """Whether the paper's key has left the app (export, copy, \\cite, the user's edit)."""
        return citekeys.is_pinned(self.db, self.resolve(paper))

    def _notes_by_paper(self, ids: Sequence[int]) -> dict[int, list[str]]:
        result: dict[int, list[str]] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for paper_id, body in self.db.execute(
                f"SELECT paper_id, body FROM notes WHERE paper_id IN ({marks}) ORDER BY id", chunk
            ):
                result.setdefault(paper_id, []).append(body)
        return result

    # Citation keys

    def key_pattern(self) -> str:
        row = self.db.execute(
            "SELECT value FROM settings WHERE name = ?", [PATTERN_SETTING]
        ).fetchone()
        return row[0] if row else citekey_patterns.DEFAULT_PATTERN

    def set_key_pattern(self, pattern: str) -> None:
        try:
            citekey_patterns.check_pattern(pattern)
        except citekey_patterns.PatternError as error:
            raise UserError(f"not a usable key pattern: {error}") from error
        self.db.execute(
            "INSERT INTO settings (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            [PATTERN_SETTING, pattern],
        )

    def preview_keys(
        self, papers: Iterable[int | str], pattern: str | None = None
    ) -> list[tuple[int, str, str]]:
        """(id, old key, new key) for each paper whose key the pattern would change."""
        chosen = [self.paper(p) for p in papers]
        pattern = pattern or self.key_pattern()
        others = {row[0].casefold() for row in self.db.execute("SELECT key FROM papers")} - {
            p.key.casefold() for p in chosen
        }
        try:
            proposals = citekey_patterns.regenerate(
                [
                    (
                        p.id,
                        p.key,
                        citekeys.key_title(p.title, inferred=p.title_inferred, abstract=p.abstract),
                        p.authors,
                        p.year,
                    )
                    for p in chosen
                ],
                pattern,
                lambda key: key.casefold() in others,
            )
        except citekey_patterns.PatternError as error:
            raise UserError(f"not a usable key pattern: {error}") from error
        return [(pid, old, new) for pid, old, new in proposals if old != new]

    def regenerate_keys(self, papers: Iterable[int | str], pattern: str | None = None) -> Changes:
        """Apply ``preview_keys``: one undoable step. Old keys are freed before new ones
        are taken, so two papers may swap keys."""
        plan = self.preview_keys(papers, pattern)
        with self._step(f"Regenerate {len(plan)} citation keys"):
            for paper_id, _, _ in plan:
                self.db.execute(
                    "UPDATE papers SET key = ? WHERE id = ?", [f"~moving~{paper_id}", paper_id]
                )
            for paper_id, _, new in plan:
                # Keys the pattern made are still the app's own: not pinned.
                edits.set_key(self.db, paper_id, new, pin=False)
        return self._done(Changes(modified=frozenset(pid for pid, _, _ in plan)))

    # Auto-export

    def add_auto_export(
        self, path: str | Path, scope: str = "library", value: str = "", fmt: str = "bibtex"
    ) -> AutoExport:
        if scope not in ("library", "tag", "list"):
            raise UserError("an auto-export covers the library, a tag or a reading list")
        if fmt not in FORMATS:
            raise UserError(f"unknown export format {fmt!r}")
        if scope == "list":
            value = str(lists.find_list(self.db, value))  # by id: renaming keeps it bound
        target = str(Path(path).expanduser().resolve())
        export.check_target(target)  # a device, a FIFO or a folder: refused at once
        self.db.execute(
            "INSERT INTO auto_exports (path, scope, value, format, seal) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(path) DO UPDATE SET scope = excluded.scope, value = excluded.value, "
            "format = excluded.format, seal = excluded.seal",
            [target, scope, value, fmt, self._auto_export_seal(target)],
        )
        self.refresh_auto_exports()
        return next(a for a in self.auto_exports() if a.path == target)

    def remove_auto_export(self, path: str | Path) -> None:
        target = str(Path(path).expanduser().resolve())
        cursor = self.db.execute("DELETE FROM auto_exports WHERE path = ?", [target])
        if cursor.rowcount == 0:
            raise UserError(f"no auto-export writes {target}")

    def auto_exports(self) -> list[AutoExport]:
        rows = self.db.execute(
            "SELECT id, path, scope, value, format, last_written, last_error, seal "
            "FROM auto_exports ORDER BY path"
        )
        return [
            AutoExport(*row[:-1], active=trust.is_sealed(row[-1], *self._sealed_parts(row[1])))
            for row in rows
        ]

    def _sealed_parts(self, target: str) -> tuple[str, ...]:
        # The target is what could hurt; the library id ties the seal to this library.
        return ("auto-export", library_id(self.db), target)

    def _auto_export_seal(self, target: str) -> str:
        try:
            return trust.seal(*self._sealed_parts(target))
        except OSError as error:
            raise UserError(f"cannot read this installation's key: {error}") from error

    def refresh_auto_exports(self) -> list[str]:
        """Rewrite every bound file whose content changed; returns the paths written.
        A failure (full disk, folder gone) is recorded on the binding, never raised."""
        written = []
        for binding in self.auto_exports():
            if not binding.active:
                if binding.last_error != INACTIVE_MESSAGE:
                    self.db.execute(
                        "UPDATE auto_exports SET last_error = ? WHERE id = ?",
                        [INACTIVE_MESSAGE, binding.id],
                    )
                continue
            scope = {
                "library": ExportScope(),
                "tag": ExportScope(tag=binding.value),
                "list": ExportScope(list_name=binding.value),  # the list's id
            }[binding.scope]
            try:
                changed = self.export_file(binding.path, binding.format, scope)
            except UserError as error:
                self.db.execute(
                    "UPDATE auto_exports SET last_error = ? WHERE id = ?", [str(error), binding.id]
                )
                continue
            now = datetime.now(UTC).isoformat(timespec="seconds")
            self.db.execute(
                "UPDATE auto_exports SET last_error = '', last_written = "
                "CASE WHEN ? THEN ? ELSE last_written END WHERE id = ?",
                [changed, now, binding.id],
            )
            if changed:
                written.append(binding.path)
        return written


def follow_tag_rename(db, old: str, new: str) -> None:
    """Auto-exports bound to a renamed tag (or one of its sub-tags) follow the rename."""
    for binding_id, value in db.execute(
        "SELECT id, value FROM auto_exports WHERE scope = 'tag'"
    ).fetchall():
        folded, old_folded = value.casefold(), old.casefold()
        if folded == old_folded or folded.startswith(old_folded + "/"):
            db.execute(
                "UPDATE auto_exports SET value = ? WHERE id = ?",
                [new + value[len(old) :], binding_id],
            )
