"""The one facade every caller uses: the command line, the window, scripts and tests.

Everything the window can do goes through ``Library``, so it works the same without Qt.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from readinglist import index_location, indexing
from readinglist.cite import CiteMixin, follow_tag_rename
from readinglist.db import edits, lists, notes, open_database, tags, views
from readinglist.db import papers as paper_queries
from readinglist.db.connection import as_user_error
from readinglist.db.undo import UndoLog
from readinglist.errors import (
    LibraryError,
    PaperNotFound,
)
from readinglist.importing import ImportMixin
from readinglist.lookup.library_mixin import LookupMixin
from readinglist.models import (
    Changes,
    Highlight,
    Note,
    Paper,
    PaperFilter,
    PaperSummary,
    Priority,
    ReadingList,
    SavedSearch,
    SmartList,
    Status,
    Tag,
)
from readinglist.paths import DATABASE_NAME, default_library_dir
from readinglist.safety import SafetyMixin, list_backups, restore_damaged_library
from readinglist.search import WhooshIndex
from readinglist.searching import SearchMixin
from readinglist.sync import Sync

IdsOrKeys = Iterable[int | str]

__all__ = ["Library", "list_backups", "restore_damaged_library"]

log = logging.getLogger(__name__)


class Library(SearchMixin, ImportMixin, CiteMixin, SafetyMixin, LookupMixin):
    """A library folder: ``library.sqlite3`` (the truth) plus derived data beside it."""

    def __init__(self, folder: str | os.PathLike | None = None, *, check: bool = False):
        """Open (creating if needed) the library in ``folder``. ``check`` runs SQLite's
        quick check now (the window does, at start); otherwise it runs once a day."""
        self.folder = Path(folder) if folder is not None else default_library_dir()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise LibraryError(
                f"cannot create the library folder {self.folder}: {error}"
            ) from error
        self.db = open_database(self.folder / DATABASE_NAME)
        self._tags: tuple[tuple[int, int], list[Tag]] | None = None  # see tags()
        try:
            if check:
                self._check_integrity()
            self._daily_backup()
        except BaseException:
            self.db.close()
            raise
        self.undo_log = UndoLog(self.db)
        self.sync = Sync(self)  # sharing through PostgreSQL (readinglist/sync/)
        try:
            self.index = WhooshIndex(self._index_folder())
        except BaseException:
            self.db.close()
            raise
        # False when the index is missing, damaged, old or behind the database: the
        # caller rebuilds it (the window in the background, the command line on demand).
        self.index_ready = self.index.open(indexing.index_stamp(self.db))
        if not self.index_ready and self.count() == 0:
            self.rebuild_index()  # an empty index costs nothing

    def _index_folder(self) -> Path:
        """This user's private index folder for the library (never inside the library
        folder: Whoosh's files are pickles; see readinglist/index_location.py)."""
        index_location.discard_legacy_index(self.folder)
        folder = index_location.index_folder(self.folder, indexing.library_id(self.db))
        try:
            index_location.prepare(folder)
        except OSError as error:
            raise LibraryError(f"cannot use the cache folder {folder.parent}: {error}") from error
        return folder

    def changed_elsewhere(self) -> bool:
        """True once after another connection (the command line, a worker) committed a
        change to this library: SQLite's ``data_version`` moves only for others' commits."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        changed = version != getattr(self, "_data_version", version)
        self._data_version = version
        return changed

    def close(self) -> None:
        self.index.close()
        self.db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # Reading

    def count(self) -> int:
        return paper_queries.count_papers(self.db)

    def papers(
        self, view: PaperFilter | None = None, *, order_by: str = "id", descending: bool = False
    ) -> list[Paper]:
        """Papers in order; all papers outside the trash unless ``view`` says otherwise."""
        if view is None:
            return list(paper_queries.iter_papers(self.db, order_by=order_by))
        ids = self.paper_ids(view, order_by=order_by, descending=descending)
        return paper_queries.papers_by_ids(self.db, ids)

    def paper_ids(
        self,
        view: PaperFilter | None = None,
        *,
        order_by: str = "added",
        descending: bool = False,
    ) -> list[int]:
        """Ids of the papers a view shows, ordered in SQL: what the window's table holds."""
        return views.paper_ids(
            self.db, view or PaperFilter(), order_by=order_by, descending=descending
        )

    def statistics(self, *, weeks: int = 12) -> dict:
        """Papers added and read per week, the status breakdown and the top tags."""
        return views.statistics(self.db, weeks=weeks)

    def smart_counts(self) -> dict[SmartList, int]:
        return views.smart_counts(self.db)

    def paper(self, id_or_key: int | str) -> Paper:
        """The paper with this id (a number) or citation key; PaperNotFound otherwise."""
        paper_id = self.resolve(id_or_key)
        paper = paper_queries.get_paper(self.db, paper_id)
        if paper is None:  # pragma: no cover - resolve() already checked
            raise PaperNotFound(f"no paper with id {paper_id}")
        return paper

    def resolve(self, id_or_key: int | str) -> int:
        """The id of the paper with this id or citation key. An int is an id only. Text
        that is a number is an id first, then a key: an imported key may be all digits
        (JabRef's ``1102917``), and it is found that way unless a paper has that id."""
        text = str(id_or_key).strip()
        paper_id = paper_queries.as_row_id(text)
        if paper_id is not None and paper_queries.paper_exists(self.db, paper_id):
            return paper_id
        if isinstance(id_or_key, int):
            raise PaperNotFound(f"no paper with id {id_or_key}")
        paper_id = paper_queries.id_for_key(self.db, text)
        if paper_id is None:
            raise PaperNotFound(f"no paper with id or key {text!r}")
        return paper_id

    def resolve_many(self, ids_or_keys: IdsOrKeys) -> list[int]:
        return [self.resolve(item) for item in ids_or_keys]

    # Writing: every write is one undoable step and says what it changed

    @contextlib.contextmanager
    def _step(self, label: str) -> Iterator[None]:
        self.sync.check_writable()
        try:
            with self.undo_log.step(label):
                yield
        except sqlite3.OperationalError as error:
            raise as_user_error(error) from error

    def _done(self, changes: Changes) -> Changes:
        """Every write passes here. The search index follows through ``index_queue``
        (filled by triggers), so a write costs no indexing time."""
        return changes

    # Tags

    def add_tags(self, papers: IdsOrKeys, names: Iterable[str]) -> Changes:
        ids, names = self.resolve_many(papers), list(names)
        with self._step(f"Tag {_count(ids)} with {', '.join(names)}"):
            changed = tags.add_tags(self.db, ids, names)
        return self._done(Changes(modified=frozenset(changed), tags=True))

    def remove_tags(self, papers: IdsOrKeys, names: Iterable[str]) -> Changes:
        ids, names = self.resolve_many(papers), list(names)
        with self._step(f"Remove {', '.join(names)} from {_count(ids)}"):
            changed = tags.remove_tags(self.db, ids, names)
        return self._done(Changes(modified=frozenset(changed), tags=True))

    def rename_tag(self, old: str, new: str) -> Changes:
        # The papers of a renamed tag come back in ``modified``: their index entries change.
        with self._step(f"Rename tag {old} to {new}"):
            changed = tags.rename_tag(self.db, old, new)
            follow_tag_rename(self.db, old, new)
        return self._done(Changes(modified=frozenset(changed), tags=True))

    def merge_tags(self, source: str, target: str) -> Changes:
        with self._step(f"Merge tag {source} into {target}"):
            changed = tags.merge_tags(self.db, source, target)
            follow_tag_rename(self.db, source, target)
        return self._done(Changes(modified=frozenset(changed), tags=True))

    def delete_tag(self, name: str) -> Changes:
        with self._step(f"Delete tag {name}"):
            changed = tags.delete_tag(self.db, name)
        return self._done(Changes(modified=frozenset(changed), tags=True))

    def set_tag_color(self, name: str, color: str) -> Changes:
        with self._step(f"Colour tag {name}"):
            tags.set_color(self.db, name, color)
        return self._done(Changes(tags=True))

    def tags(self) -> list[Tag]:
        # The window asks after every change, from several places, and counting costs
        # 6 ms at 100,000 papers: counted again only once the database has changed, by
        # this connection (total_changes) or by another one (data_version).
        state = (self.db.conn.total_changes, self.db.execute("PRAGMA data_version").fetchone()[0])
        if self._tags is None or self._tags[0] != state:
            self._tags = (state, tags.list_tags(self.db))
        return list(self._tags[1])

    # Reading lists

    def create_list(self, name: str, parent: str | int | None = None) -> int:
        parent_id = lists.find_list(self.db, parent) if parent is not None else None
        with self._step(f"New reading list {name}"):
            list_id = lists.create_list(self.db, name, parent_id)
        self._done(Changes(lists=True))
        return list_id

    def ensure_list(self, path: str) -> tuple[int, bool]:
        """The reading list at ``Parent/Child``, created (with its parents) if missing."""
        with self._step(f"New reading list {path}"):
            list_id, created = lists.ensure_list(self.db, path)
        self._done(Changes(lists=True))
        return list_id, created

    def find_list(self, name_or_id: str | int) -> int:
        return lists.find_list(self.db, name_or_id)

    def rename_list(self, name_or_id: str | int, new_name: str) -> Changes:
        list_id = self.find_list(name_or_id)
        with self._step(f"Rename reading list to {new_name}"):
            lists.rename_list(self.db, list_id, new_name)
        return self._done(Changes(lists=True))

    def move_list(self, name_or_id: str | int, parent: str | int | None) -> Changes:
        list_id = self.find_list(name_or_id)
        parent_id = self.find_list(parent) if parent is not None else None
        with self._step("Move reading list"):
            lists.move_list(self.db, list_id, parent_id)
        return self._done(Changes(lists=True))

    def delete_list(self, name_or_id: str | int) -> Changes:
        list_id = self.find_list(name_or_id)
        with self._step("Delete reading list"):
            members = lists.delete_list(self.db, list_id)
        return self._done(Changes(modified=frozenset(members), lists=True))

    def add_to_list(self, name_or_id: str | int, papers: IdsOrKeys) -> Changes:
        list_id, ids = self.find_list(name_or_id), self.resolve_many(papers)
        with self._step(f"Add {_count(ids)} to a reading list"):
            added = lists.add_papers(self.db, list_id, ids)
        return self._done(Changes(modified=frozenset(added), lists=True))

    def remove_from_list(self, name_or_id: str | int, papers: IdsOrKeys) -> Changes:
        list_id, ids = self.find_list(name_or_id), self.resolve_many(papers)
        with self._step(f"Remove {_count(ids)} from a reading list"):
            removed = lists.remove_papers(self.db, list_id, ids)
        return self._done(Changes(modified=frozenset(removed), lists=True))

    def move_in_list(self, name_or_id: str | int, paper: int | str, index: int) -> Changes:
        list_id, paper_id = self.find_list(name_or_id), self.resolve(paper)
        with self._step("Reorder reading list"):
            lists.move_paper(self.db, list_id, paper_id, index)
        return self._done(Changes(lists=True))

    def reorder_list(self, name_or_id: str | int, papers: IdsOrKeys, index: int) -> Changes:
        """Move papers to ``index`` in a list's manual order, keeping their own order;
        one undoable step."""
        list_id, ids = self.find_list(name_or_id), self.resolve_many(papers)
        order = lists.list_order(self.db, list_id)
        moving = [paper_id for paper_id in order if paper_id in set(ids)]
        # The index counts rows before the move; rows moving from above shift it up.
        index -= sum(1 for paper_id in order[:index] if paper_id in set(ids))
        with self._step(f"Reorder {_count(moving)} in a reading list"):
            for offset, paper_id in enumerate(moving):
                lists.move_paper(self.db, list_id, paper_id, index + offset)
        return self._done(Changes(lists=True))

    def list_order(self, name_or_id: str | int) -> list[int]:
        return lists.list_order(self.db, self.find_list(name_or_id))

    def reading_lists(self) -> list[ReadingList]:
        return lists.all_lists(self.db)

    def lists_of(self, paper: int | str) -> list[str]:
        return lists.lists_of_paper(self.db, self.resolve(paper))

    # Status, rating, priority, metadata, key

    def set_status(self, papers: IdsOrKeys, status: Status | str) -> Changes:
        ids = self.resolve_many(papers)
        with self._step(f"Mark {_count(ids)} as {Status(status)}"):
            changed = edits.set_status(self.db, ids, Status(status))
        return self._done(Changes(modified=frozenset(changed)))

    def set_rating(self, papers: IdsOrKeys, rating: int) -> Changes:
        ids = self.resolve_many(papers)
        with self._step(f"Rate {_count(ids)} {rating}"):
            changed = edits.set_rating(self.db, ids, rating)
        return self._done(Changes(modified=frozenset(changed)))

    def set_priority(self, papers: IdsOrKeys, priority: Priority | int) -> Changes:
        ids = self.resolve_many(papers)
        with self._step(f"Set priority of {_count(ids)}"):
            changed = edits.set_priority(self.db, ids, Priority(priority))
        return self._done(Changes(modified=frozenset(changed)))

    def edit(self, paper: int | str, **fields) -> Changes:
        """Edit metadata (title, abstract, authors, year, venue, url, code_url, arxiv_id, doi)."""
        paper_id = self.resolve(paper)
        with self._step(f"Edit {', '.join(fields)}"):
            changed = edits.edit_paper(self.db, paper_id, fields)
        return self._done(Changes(modified=frozenset({paper_id} if changed else ())))

    def set_key(self, paper: int | str, key: str) -> Changes:
        paper_id = self.resolve(paper)
        with self._step(f"Change citation key to {key}"):
            changed = edits.set_key(self.db, paper_id, key)
        return self._done(Changes(modified=frozenset({paper_id} if changed else ())))

    # Notes and highlights

    def add_note(self, paper: int | str, body: str) -> int:
        paper_id = self.resolve(paper)
        with self._step("Add note"):
            note_id = notes.add_note(self.db, paper_id, body)
        self._done(Changes(modified=frozenset({paper_id})))
        return note_id

    def edit_note(self, note_id: int, body: str) -> Changes:
        with self._step("Edit note"):
            paper_id = notes.edit_note(self.db, note_id, body)
        return self._done(Changes(modified=frozenset({paper_id})))

    def delete_note(self, note_id: int) -> Changes:
        with self._step("Delete note"):
            paper_id = notes.delete_note(self.db, note_id)
        return self._done(Changes(modified=frozenset({paper_id})))

    def notes(self, paper: int | str) -> list[Note]:
        return notes.notes_of(self.db, self.resolve(paper))

    def add_highlight(
        self, paper: int | str, start: int, end: int, *, color: str = "yellow", comment: str = ""
    ) -> int:
        paper_id = self.resolve(paper)
        with self._step("Highlight passage"):
            highlight_id = notes.add_highlight(
                self.db, paper_id, start, end, color=color, comment=comment
            )
        self._done(Changes(modified=frozenset({paper_id})))
        return highlight_id

    def edit_highlight(
        self, highlight_id: int, *, color: str | None = None, comment: str | None = None
    ) -> Changes:
        with self._step("Edit highlight"):
            paper_id = notes.edit_highlight(self.db, highlight_id, color=color, comment=comment)
        return self._done(Changes(modified=frozenset({paper_id})))

    def delete_highlight(self, highlight_id: int) -> Changes:
        with self._step("Delete highlight"):
            paper_id = notes.delete_highlight(self.db, highlight_id)
        return self._done(Changes(modified=frozenset({paper_id})))

    def highlights(self, paper: int | str) -> list[Highlight]:
        return notes.highlights_of(self.db, self.resolve(paper))

    # Trash

    def trash(self, papers: IdsOrKeys) -> Changes:
        ids = self.resolve_many(papers)
        with self._step(f"Move {_count(ids)} to the trash"):
            changed = edits.trash(self.db, ids)
        return self._done(Changes(removed=frozenset(changed)))

    def restore(self, papers: IdsOrKeys) -> Changes:
        ids = self.resolve_many(papers)
        with self._step(f"Restore {_count(ids)}"):
            changed = edits.restore(self.db, ids)
        return self._done(Changes(added=frozenset(changed)))

    def empty_trash(self) -> Changes:
        if self.smart_counts()[SmartList.TRASH]:
            self.backup("before-empty-trash")
        with self._step("Empty the trash"):
            gone = edits.empty_trash(self.db)
        return self._done(Changes(removed=frozenset(gone), tags=True, lists=True))

    # Saved searches

    def save_search(self, name: str, query: str) -> int:
        with self._step(f"Save search {name}"):
            search_id = views.save_search(self.db, name, query)
        self._done(Changes(saved_searches=True))
        return search_id

    def rename_saved_search(self, name_or_id: str | int, new_name: str) -> Changes:
        search_id = views.find_saved_search(self.db, name_or_id)
        with self._step(f"Rename saved search to {new_name}"):
            views.rename_saved_search(self.db, search_id, new_name)
        return self._done(Changes(saved_searches=True))

    def delete_saved_search(self, name_or_id: str | int) -> Changes:
        search_id = views.find_saved_search(self.db, name_or_id)
        with self._step("Delete saved search"):
            views.delete_saved_search(self.db, search_id)
        return self._done(Changes(saved_searches=True))

    def saved_searches(self) -> list[SavedSearch]:
        return views.saved_searches(self.db)

    # Undo and redo, shared with every other process using this library

    def undo_label(self) -> str | None:
        return self.undo_log.undo_label()

    def redo_label(self) -> str | None:
        return self.undo_log.redo_label()

    def undo(self) -> Changes:
        """Undo the last step; an empty Changes if there is nothing to undo."""
        self.sync.check_writable()
        with self._busy_as_user_error():
            return self._replayed(self.undo_log.undo())

    def redo(self) -> Changes:
        self.sync.check_writable()
        with self._busy_as_user_error():
            return self._replayed(self.undo_log.redo())

    @contextlib.contextmanager
    def _busy_as_user_error(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as error:
            raise as_user_error(error) from error

    def _replayed(self, result) -> Changes:
        if result is None:
            return Changes()
        changes = Changes(
            modified=result.paper_ids,
            tags=result.tags_changed,
            lists=result.lists_changed,
            saved_searches=True,
            everything=True,
            label=result.label,
        )
        return self._done(changes)

    def summaries(self, ids: list[int]) -> dict[int, PaperSummary]:
        """Light rows for a table (no abstract), keyed by id."""
        return paper_queries.summaries(self.db, ids)


def _count(ids: list) -> str:
    return "1 paper" if len(ids) == 1 else f"{len(ids)} papers"
