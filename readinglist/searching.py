"""Searching, as part of ``Library``: keeping the index in step, queries, related papers.

Kept apart from library.py to keep modules small; ``Library`` mixes it in.
"""

from __future__ import annotations

import logging
import sqlite3

from readinglist import indexing
from readinglist.errors import UserError
from readinglist.search import QUERY_SYNTAX, SearchResults, highlight
from readinglist.search.analysis import WORD_RE, analyse_word

log = logging.getLogger(__name__)

BULK_REINDEX = 5_000
# Snippets and marked words come from at most this much of an abstract (what the index
# reads of it), so a huge abstract from an older library never stalls the window.
MARKED_CHARS = 1024 * 1024


class SearchMixin:
    # Provided by Library.
    db: object
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
        row = self.db.execute(
            "SELECT substr(abstract, 1, ?) FROM papers WHERE id = ?", [MARKED_CHARS, paper_id]
        ).fetchone()
        return highlight.snippet(row[0], terms, words=words) if row else ""

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
