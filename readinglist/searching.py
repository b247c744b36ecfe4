"""Searching, as part of ``Library``: keeping the index in step, queries, related papers.

Kept apart from library.py to keep modules small; ``Library`` mixes it in.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from readinglist import indexing
from readinglist.db import open_database, views
from readinglist.db import papers as paper_queries
from readinglist.errors import UserError
from readinglist.models import PaperFilter, PaperSummary, SmartList
from readinglist.paths import DATABASE_NAME
from readinglist.search import QUERY_SYNTAX, SearchResults, highlight
from readinglist.search.analysis import WORD_RE, analyse_word

log = logging.getLogger(__name__)

BULK_REINDEX = 5_000
# Snippets and marked words come from at most this much of an abstract (what the index
# reads of it), so a huge abstract from an older library never stalls the window.
MARKED_CHARS = 1024 * 1024


_NO_IDS = np.empty(0, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class ViewMatches:
    """The papers of a view that a query matches, as the window's table lists them."""

    ids: np.ndarray = field(default_factory=lambda: _NO_IDS)  # the most relevant first
    matched_terms: frozenset[str] = frozenset()
    fallback_message: str = ""
    suggestion: str = ""


class LibraryReader:
    """Reading a library from a worker thread, through a read-only connection of its
    own (an SQLite connection serves the thread that opened it): which papers a view
    shows, table rows and snippets. The connection opens on first use, in the thread
    that uses it; ``close()`` from that thread, or after it has stopped."""

    VIEWS_KEPT = 4

    def __init__(self, path: Path, *, db=None):
        """``db``: a connection of the calling thread to read through instead (not
        closed by ``close()``)."""
        self._path = path
        self._db = db
        self._owned = db is None
        self._thread = threading.get_ident() if db is not None else 0
        # Which papers a view shows, as a mask by paper id, until the library changes.
        self._views: OrderedDict[PaperFilter, tuple[int, np.ndarray]] = OrderedDict()

    @property
    def db(self):
        if self._db is None or self._thread != threading.get_ident():
            self._db, self._owned = open_database(self._path, read_only=True), True
            self._thread = threading.get_ident()
            self._views.clear()
        return self._db

    def close(self) -> None:
        db, self._db = self._db, None
        self._views.clear()
        if db is not None and self._owned and self._thread == threading.get_ident():
            db.close()
        # Otherwise the connection closes when it is collected (no statement runs then).

    def keep(self, ids: np.ndarray, view: PaperFilter) -> np.ndarray:
        """``ids`` that ``view`` shows, in their order."""
        shown = self._shown(view)
        inside = ids[(ids >= 0) & (ids < len(shown))]
        return inside[shown[inside]]

    def _shown(self, view: PaperFilter) -> np.ndarray:
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        kept = self._views.get(view)
        if kept is not None and kept[0] == version:
            self._views.move_to_end(view)
            return kept[1]
        ids = np.array(views.paper_ids(self.db, view, order_by="id"), dtype=np.int64)
        shown = np.zeros(int(ids.max()) + 1 if len(ids) else 0, dtype=bool)
        shown[ids] = True
        if view.smart != SmartList.RECENT:  # "recent" moves with the clock
            self._views[view] = (version, shown)
            while len(self._views) > self.VIEWS_KEPT:
                self._views.popitem(last=False)
        return shown

    def paper_ids(self, view: PaperFilter, *, order_by: str, descending: bool) -> np.ndarray:
        """The ids a view shows, in order (see ``Library.paper_ids``)."""
        ids = views.paper_ids(self.db, view, order_by=order_by, descending=descending)
        return np.array(ids, dtype=np.int64)

    def summaries(self, ids: list[int]) -> dict[int, PaperSummary]:
        return paper_queries.summaries(self.db, ids)

    def snippets(self, ids: list[int], terms: frozenset[str], *, words: int = 24) -> dict:
        """Each paper's best-matching passage, matches in <b> (see ``Library.snippet``)."""
        return {paper_id: _snippet(self.db, paper_id, terms, words) for paper_id in ids}

    def tag_colors(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT name, color FROM tags WHERE color != ''"))

    def smart_counts(self) -> dict:
        """Every smart list's count (see ``Library.smart_counts``)."""
        return views.smart_counts(self.db)

    def is_empty(self) -> bool:
        """No papers at all, not even in the trash."""
        return self.db.execute("SELECT NOT EXISTS (SELECT 1 FROM papers)").fetchone()[0] == 1


def _snippet(db, paper_id: int, terms: frozenset[str], words: int) -> str:
    row = db.execute(
        "SELECT substr(abstract, 1, ?) FROM papers WHERE id = ?", [MARKED_CHARS, paper_id]
    ).fetchone()
    return highlight.snippet(row[0], terms, words=words) if row else ""


class SearchMixin:
    # Provided by Library.
    db: object
    folder: Path
    index: object
    index_ready: bool

    # Search

    def index_pending(self) -> int:
        """How many papers' index entries are behind the database."""
        return indexing.pending_count(self.db, after=self.index.queue_seq)

    def sync_index(self, progress=None, cancel=None) -> bool:
        """Bring the search index up to date: drain the queue, or rebuild if needed.

        Returns False if cancelled or if another program holds the index for writing
        (the queue then stays for the next call)."""
        if not self.index_ready:
            return self.rebuild_index(progress=progress, cancel=cancel)
        last, ids = indexing.pending(self.db, after=self.index.queue_seq)
        if not ids:
            return True
        if len(ids) >= BULK_REINDEX and 2 * len(ids) >= self.count():
            # Most of the library changed (a first big import): a parallel rebuild is
            # about three times faster than updating document by document.
            return self.rebuild_index(progress=progress, cancel=cancel)
        present: set[int] = set()

        def documents():  # streamed: a big import never holds all its documents at once
            for done, document in enumerate(indexing.documents(self.db, ids), 1):
                present.add(document.id)
                if progress is not None and done % 500 == 0:
                    progress(done, len(ids))
                yield document

        token, stamp = indexing.new_stamp(self.db)
        try:
            self.index.update(documents())
            gone = set(ids) - present
            if gone:
                self.index.delete(sorted(gone))
        except Exception as error:
            if type(error).__name__ == "LockError":
                log.info("the search index is being written by another program")
                return False
            log.warning("updating the search index failed; rebuilding it", exc_info=True)
            self.index_ready = False
            return self.rebuild_index(progress=progress, cancel=cancel)
        self._record_caught_up(last, token, stamp)
        return True

    def rebuild_index(self, progress=None, cancel=None) -> bool:
        """Rebuild the search index from SQLite; False if cancelled (the old one stays)."""
        last = indexing.last_queued(self.db)  # changes after this stay queued
        token, stamp = indexing.new_stamp(self.db)
        done = self.index.rebuild(
            indexing.documents(self.db),
            self.count(),
            stamp,
            progress=progress,
            cancel=cancel,
        )
        if done:
            self.index_ready = True
            self._record_caught_up(last, token, stamp)
        return done

    def _record_caught_up(self, last: int, token: str, stamp: str) -> None:
        # The database first, then the index: a crash in between leaves stamps that differ,
        # which means a rebuild, never an index trusted beyond what it holds.
        try:
            indexing.record_caught_up(self.db, last, token)
        except (sqlite3.OperationalError, UserError):
            # A read-only library: its queue stays, so the index takes the stamp the
            # database knows and remembers itself how far into the queue it has come.
            log.info("cannot record the index catch-up in a read-only library")
            self.index.set_stamp(indexing.index_stamp(self.db), queue_seq=last)
            return
        self.index.set_stamp(stamp)

    def refresh_search(self) -> None:
        """Pick up index changes made by another ``Library`` (a worker, the command line)."""
        self.index_ready = self.index.open(indexing.index_stamp(self.db))

    def search(
        self, query: str, *, limit: int | None = 20, highlight: bool = True, sync: bool = True
    ) -> SearchResults:
        """Ranked papers for a query in the search language (see ``query_syntax()``).

        The index first catches up with the database, unless ``sync`` is False (the
        window, while a background task does that)."""
        if sync:
            self.sync_index()
        elif not self.index_ready:
            return SearchResults(
                fallback_message="The search index is being built; try again in a moment."
            )
        return self.index.search(query, limit=limit, highlight=highlight)

    def search_all(self, query: str, *, sync: bool = True) -> SearchResults:
        """Every paper a query matches, the most relevant first (for the window's table).

        With ``sync`` False nothing is written (a worker thread may call it): an index not
        ready yet answers with a message instead of being rebuilt here."""
        if sync:
            self.sync_index()
        elif not self.index_ready:
            return SearchResults(
                fallback_message="The search index is being built; try again in a moment."
            )
        return self.index.search_all(query)

    def search_view(
        self,
        query: str,
        view: PaperFilter | None = None,
        *,
        reader: LibraryReader | None = None,
        sync: bool = True,
    ) -> ViewMatches:
        """Every paper of ``view`` a query matches, the most relevant first, as an array
        of ids (what the window's table lists; 90,000 matches cost no object each).

        A worker thread passes its ``reader`` (see ``reader()``) and ``sync`` False: the
        view is then read through the reader's connection and nothing is written."""
        if sync:
            self.sync_index()
        if not query.strip():
            return ViewMatches()
        if not self.index_ready:
            return ViewMatches(
                fallback_message="The search index is being built; try again in a moment."
            )
        found = self.index.search_all_ids(query)
        ids = found.ids
        if view is not None and view != PaperFilter() and len(ids):
            # PaperFilter() is every paper outside the trash: all the index holds.
            if reader is None:
                reader = LibraryReader(self.folder / DATABASE_NAME, db=self.db)
            ids = reader.keep(ids, view)
        return ViewMatches(ids, found.matched_terms, found.fallback_message, found.suggestion)

    def reader(self) -> LibraryReader:
        """A reader for a worker thread, with a read-only connection of its own."""
        return LibraryReader(self.folder / DATABASE_NAME)

    def related(self, paper: int | str, *, limit: int = 10) -> SearchResults:
        paper_id = self.resolve(paper)
        self.sync_index()
        return self.index.related(paper_id, limit=limit)

    def suggest_tags(self, paper: int | str, *, limit: int = 5) -> list[str]:
        paper_id = self.resolve(paper)
        self.sync_index()
        have = {tag.casefold() for tag in self.paper(paper_id).tags}
        return [
            t for t in self.index.suggest_tags(paper_id, limit=limit) if t.casefold() not in have
        ]

    @staticmethod
    def query_syntax() -> str:
        return QUERY_SYNTAX

    def snippet(self, paper_id: int, terms: frozenset[str], *, words: int = 24) -> str:
        """The passage of a paper's abstract that best matches a search, matches in <b>."""
        return _snippet(self.db, paper_id, terms, words)

    @staticmethod
    def match_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
        """Where the words a search matched occur in ``text`` (same analysis as the index:
        a search for "model" marks "models", one for "dusseldorf" marks "Düsseldorf");
        in its first MARKED_CHARS characters only."""
        if not terms:
            return []
        return [
            (m.start(), m.end())
            for m in WORD_RE.finditer(text[:MARKED_CHARS])
            if analyse_word(m.group()) in terms
        ]
