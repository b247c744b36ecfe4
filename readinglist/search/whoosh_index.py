"""The Whoosh implementation of ``SearchIndex``.

One index is open for the life of the library, with one searcher refreshed after each
write; opening a Whoosh index costs far more than a query. Segments are written with
``compound=False``: a compound segment file is read whole into memory on open (hundreds
of MB at 100,000 papers), separate files are read as needed.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq

from readinglist.search import evaluate, expansions, manifest
from readinglist.search.base import (
    Cancel,
    Progress,
    SearchDocument,
    SearchHit,
    SearchIndex,
    SearchResults,
)
from readinglist.search.build_lock import BuildLock
from readinglist.search.highlight import snippet
from readinglist.search.packed import PackedCodec
from readinglist.search.query import (
    QueryError,
    make_parser,
    parse,
    parse_plain,
    plain_words,
    prepare,
)
from readinglist.search.schema import SCHEMA_VERSION, build_schema, fields_for
from readinglist.search.suggest import did_you_mean, key_terms, tag_suggestions

log = logging.getLogger(__name__)

# Below this many papers one process is faster: starting workers costs about a second.
PARALLEL_THRESHOLD = 20_000
WRITER_MEMORY_MB = 256
# Incremental updates (an import, an edit) keep a small pool: memory stays bounded.
UPDATE_MEMORY_MB = 32
_BATCH = 500  # documents between progress reports and cancel checks
_HIGHLIGHTED_FIELDS = frozenset({"title", "abstract", "note"})


class WhooshIndex(SearchIndex):
    def __init__(self, folder: str | os.PathLike, *, procs: int | None = None):
        self.folder = Path(folder)
        self.procs = procs if procs is not None else min(2, os.cpu_count() or 1)
        self._lock = threading.RLock()
        self._ix = None
        self._searcher = None
        self._parser = None
        self._stamp = ""
        self._queue_seq = 0
        self._building: set[Path] = set()
        # Queries are evaluated in bulk (search/evaluate.py); False runs every query
        # through Whoosh's own searcher (the benchmark and the differential test).
        self.fast = True
        self._evaluator = None
        self._expansions = self._expansions_of = None
        self._paper_ids = self._paper_ids_of = None  # paper id by docnum, per searcher
        self._lexicons = expansions.Lexicons()  # kept across searchers: per segment

    # Opening and closing

    def open(self, stamp: str) -> bool:
        with self._lock:
            self._close()
            self._remove_leftovers()
            try:
                meta = manifest.read(self.folder)
                if meta is None or meta.schema_version != SCHEMA_VERSION:
                    log.info("search index at %s is missing or from another version", self.folder)
                    return False
                if meta.stamp != stamp:
                    log.info("search index at %s is out of date", self.folder)
                    return False
                if not manifest.files_intact(self.folder, meta):
                    log.warning("search index at %s is damaged", self.folder)
                    return False
                self._ix = whoosh_index.open_dir(str(self.folder))
                self._searcher = self._ix.searcher()
                self._parser = make_parser(self._ix.schema)
                self._smoke_test()
            except Exception:  # any failure here means "rebuild", never a crash
                log.warning("cannot open the search index at %s", self.folder, exc_info=True)
                self._close()
                return False
            self._stamp = stamp
            self._queue_seq = meta.queue_seq
            return True

    def _smoke_test(self) -> None:
        # Touch the term dictionary, postings and stored fields of every segment, so
        # damage the manifest cannot see (same size, bad bytes) shows here, not later.
        searcher = self._searcher
        searcher.search(wq.Term("status", "unread"), limit=1)
        for reader, offset in searcher.reader().leaf_readers():
            if reader.doc_count_all():
                searcher.stored_fields(offset)
        self.search("model", limit=1)

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        for closable in (self._searcher, self._ix):
            if closable is not None:
                try:
                    closable.close()
                except Exception:
                    log.debug("closing the search index failed", exc_info=True)
        self._searcher = self._ix = self._parser = None

    @property
    def is_open(self) -> bool:
        return self._searcher is not None

    def _require_open(self):
        if self._searcher is None:
            raise RuntimeError("the search index is not open")
        return self._searcher

    # Stamps

    def stamp(self) -> str:
        return self._stamp

    @property
    def queue_seq(self) -> int:
        """The library's change-queue entry the index has caught up to, when the library
        could not clear its queue (0 otherwise)."""
        return self._queue_seq

    def set_stamp(self, stamp: str, *, queue_seq: int = 0) -> None:
        with self._lock:
            manifest.write(self.folder, SCHEMA_VERSION, stamp, queue_seq=queue_seq)
            self._stamp = stamp
            self._queue_seq = queue_seq

    # Writing

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        total: int,
        stamp: str,
        *,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
    ) -> bool:
        """Build a new index beside the old one, then swap it in.

        The old index stays searchable meanwhile; a cancelled or failed rebuild leaves
        it as it was. Returns False if ``cancel()`` asked to stop.
        """
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        building = self._sibling("new")
        building.mkdir()
        self._building.add(building)
        alive = BuildLock(building)
        try:
            try:
                if not self._build(building, documents, total, progress, cancel):
                    shutil.rmtree(building, ignore_errors=True)
                    return False
                manifest.write(building, SCHEMA_VERSION, stamp)
            except BaseException:
                shutil.rmtree(building, ignore_errors=True)
                raise
            with self._lock:
                self._close()
                self._swap_in(building)
        finally:
            self._building.discard(building)
            alive.release()  # only now: until the swap, the folder is a live rebuild's
        with self._lock:
            if not self.open(stamp):
                raise RuntimeError(f"the rebuilt search index at {self.folder} does not open")
        if progress is not None:
            progress(total, total)
        return True

    def _build(self, target: Path, documents, total, progress, cancel) -> bool:
        ix = whoosh_index.create_in(str(target), build_schema())
        options = {"limitmb": WRITER_MEMORY_MB, "compound": False, "codec": PackedCodec()}
        if self.procs > 1 and total >= PARALLEL_THRESHOLD:
            # Separate segments per worker: merging them would double the build time.
            # "spawn" because the caller may be a thread of a GUI; fork would copy it.
            writer = ix.writer(procs=self.procs, multisegment=True, start_method="spawn", **options)
        else:
            writer = ix.writer(**options)
        try:
            for done, doc in enumerate(documents, 1):
                writer.add_document(**fields_for(doc))
                if done % _BATCH == 0:
                    if cancel is not None and cancel():
                        writer.cancel()
                        return False
                    if progress is not None:
                        progress(done, total)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        finally:
            ix.close()
        return True

    def _sibling(self, kind: str) -> Path:
        return self.folder.parent / f".{self.folder.name}.{kind}-{uuid.uuid4().hex[:8]}"

    def _swap_in(self, building: Path) -> None:
        # Two renames: a crash between them leaves no index (rebuilt on next open),
        # never a half-written one.
        old = None
        if self.folder.exists():
            old = self._sibling("old")
            os.replace(self.folder, old)
        os.replace(building, self.folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def _remove_leftovers(self) -> None:
        """Folders of rebuilds that crashed; not one a rebuild is writing now, here or in
        another program: a live rebuild holds a lock on its folder's lock file."""
        pattern = f".{self.folder.name}.*-*"
        for leftover in self.folder.parent.glob(pattern):
            if leftover in self._building or leftover.suffix == ".lock":
                continue
            if BuildLock.held_elsewhere(leftover):
                continue
            shutil.rmtree(leftover, ignore_errors=True)
            BuildLock.path_for(leftover).unlink(missing_ok=True)

    def update(self, documents: Iterable[SearchDocument], *, stamp: str | None = None) -> None:
        with self._lock:
            self._require_open()
            writer = self._ix.writer(compound=False, limitmb=UPDATE_MEMORY_MB, codec=PackedCodec())
            try:
                for doc in documents:
                    writer.update_document(**fields_for(doc))
            except BaseException:
                writer.cancel()
                raise
            self._commit(writer, stamp)

    def delete(self, ids: Iterable[int], *, stamp: str | None = None) -> None:
        with self._lock:
            self._require_open()
            writer = self._ix.writer(compound=False, limitmb=UPDATE_MEMORY_MB, codec=PackedCodec())
            for paper_id in ids:
                writer.delete_by_term("pid", str(paper_id))
            self._commit(writer, stamp)

    def _commit(self, writer, stamp: str | None) -> None:
        writer.commit()
        # A fresh searcher, not searcher.refresh(): refresh() reuses the readers of
        # unchanged segments and keeps showing documents deleted from them (seen with
        # compound=False segments), so an updated paper would appear twice.
        old = self._searcher
        self._searcher = self._ix.searcher()
        old.close()
        if stamp is not None:
            self._stamp = stamp
        manifest.write(self.folder, SCHEMA_VERSION, self._stamp, queue_seq=self._queue_seq)

    # Reading

    def doc_count(self) -> int:
        with self._lock:
            return self._require_open().doc_count()

    def search(
        self, query: str, *, limit: int | None = 20, highlight: bool = True
    ) -> SearchResults:
        """Ranked papers for ``query``. Never raises on what a person typed: a malformed
        query runs as plain words and ``fallback_message`` says so."""
        if not query.strip():
            return SearchResults()
        with self._lock:
            searcher = self._require_open()
            if searcher.doc_count_all() == 0:
                return SearchResults()  # an empty index has no columns to read
            parsed, results, message = self._run(searcher, query, limit)
            total = len(results)
            # The matched terms are cheap and the window needs them even without snippets.
            terms = _matched_terms(parsed, searcher.reader())
            if highlight:
                hits = [_hit(hit, terms) for hit in results]
            else:
                # Ids and scores only, from the column: a window showing 5,000 hits
                # must not load 5,000 stored documents.
                ids = searcher.reader().column_reader("id")
                hits = [SearchHit(ids[docnum], "", "", score) for score, docnum in results.top_n]
            suggestion = self._suggest(searcher, query, bool(message)) if total == 0 else ""
            return SearchResults(hits, total, terms, message, suggestion)

    def search_all(self, query: str, *, ranked: int = 500) -> SearchResults:
        """Every match, for a view that lists them all: the best ``ranked`` in order of
        relevance, then the others unranked. Scoring and sorting 60,000 matches costs
        seconds in pure Python; finding them costs a fraction of that."""
        matches = self.search_all_ids(query, ranked=ranked)
        scores = matches.scores.tolist()
        scores += [0.0] * (len(matches.ids) - len(scores))
        hits = [
            SearchHit(paper_id, "", "", score)
            for paper_id, score in zip(matches.ids.tolist(), scores, strict=True)
        ]
        return SearchResults(
            hits, len(hits), matches.matched_terms, matches.fallback_message, matches.suggestion
        )

    def search_all_ids(self, query: str, *, ranked: int = 500) -> AllMatches:
        """What ``search_all`` finds, as an array of paper ids and no object per match
        (the window's table lists 90,000 of them as they are typed)."""
        if not query.strip():
            return AllMatches()
        with self._lock:
            searcher = self._require_open()
            if searcher.doc_count_all() == 0:
                return AllMatches()  # an empty index has no columns to read
            parsed, results, message = self._run(searcher, query, ranked)
            terms = _matched_terms(parsed, searcher.reader())
            column = searcher.reader().column_reader("id")
            top = np.fromiter((d for _, d in results.top_n), dtype=np.int64)
            scores = np.fromiter((s for s, _ in results.top_n), dtype=np.float64)
            docnums = getattr(results, "docnums", None)
            if docnums is not None:
                # Paper ids of the ranked and the unranked rest straight from the arrays.
                if self._paper_ids_of is not searcher:
                    self._paper_ids = _paper_ids_by_docnum(searcher, column)
                    self._paper_ids_of = searcher
                paper_ids = self._paper_ids
                ids = paper_ids[top]
                if len(docnums) > len(top):
                    ids = np.concatenate([ids, paper_ids[docnums[~np.isin(docnums, top)]]])
            else:
                found = [column[docnum] for docnum in top.tolist()]
                if len(found) == ranked:
                    seen = set(found)
                    for docnum in searcher.docs_for_query(parsed):
                        paper_id = column[docnum]
                        if paper_id not in seen:
                            found.append(paper_id)
                ids = np.array(found, dtype=np.int64)
            suggestion = "" if len(ids) else self._suggest(searcher, query, bool(message))
            return AllMatches(ids, scores, terms, message, suggestion)

    def _suggest(self, searcher, text: str, fell_back: bool) -> str:
        """A corrected query, offered only if it finds something."""
        if fell_back:
            text = " ".join(plain_words(text))
        suggestion = did_you_mean(searcher.reader(), text)
        if suggestion and len(self._run(searcher, suggestion, 1)[1]):
            return suggestion
        return ""

    def search_ids(self, query: str, *, limit: int | None = None) -> list[int]:
        if not query.strip():
            return []
        with self._lock:
            searcher = self._require_open()
            _, results, _ = self._run(searcher, query, limit)
            ids = searcher.reader().column_reader("id")
            return [ids[docnum] for _, docnum in results.top_n]

    def _run(self, searcher, text: str, limit: int | None):
        """(query, results, fallback message), falling back to plain words if needed."""
        try:
            parsed = parse(self._parser, text).query
            self._prepare(parsed, searcher)
            return parsed, self._evaluate(searcher, parsed, limit), ""
        except QueryError as error:
            message = f"Searched for the words only ({error})."
        except Exception:  # a Whoosh failure on an odd query is still not the user's problem
            log.exception("search for %r failed", text)
            message = "Searched for the words only (the query could not be run as written)."
        parsed = parse_plain(self._parser, text).query
        return parsed, self._evaluate(searcher, parsed, limit), message

    def _prepare(self, parsed, searcher) -> None:
        """Expand prefix and fuzzy terms once; expansions are kept until the next write."""
        if not self.fast:
            prepare(parsed, searcher.reader())
            return
        if self._expansions is None or self._expansions_of is not searcher:
            self._expansions = expansions.Expansions(searcher.reader(), self._lexicons)
            self._expansions_of = searcher
        self._expansions.prepare(parsed)

    def _evaluate(self, searcher, parsed, limit: int | None):
        """Bulk evaluation when it can answer exactly, else Whoosh's searcher."""
        if self.fast:
            try:
                if self._evaluator is None or self._evaluator.searcher is not searcher:
                    self._evaluator = evaluate.Evaluator(searcher)
                return _FastResults(searcher, self._evaluator.rank(parsed, limit))
            except evaluate.Unsupported:
                pass
        return searcher.search(parsed, limit=limit)

    def related(self, paper_id: int, *, limit: int = 10) -> SearchResults:
        with self._lock:
            searcher = self._require_open()
            docnum = searcher.document_number(pid=str(paper_id))
            if docnum is None:
                return SearchResults()
            stored = searcher.stored_fields(docnum)
            terms = key_terms(searcher, f"{stored.get('title', '')}\n{stored.get('abstract', '')}")
            if not terms:
                return SearchResults()
            q = wq.Or(
                [wq.Term("abstract", term, boost=weight) for term, weight in terms]
                + [wq.Term("title", term, boost=2 * weight) for term, weight in terms]
            )
            results = self._related(searcher, q, docnum, limit)
            matched = frozenset(term for term, _ in terms)
            return SearchResults([_hit(hit, matched) for hit in results], len(results), matched)

    def _related(self, searcher, q, docnum: int, limit: int):
        """The best ``limit`` matches of ``q`` but the paper itself (``docnum``)."""
        if self.fast:
            try:
                if self._evaluator is None or self._evaluator.searcher is not searcher:
                    self._evaluator = evaluate.Evaluator(searcher)
                ranked = self._evaluator.rank(q, limit + 1)
            except evaluate.Unsupported:
                pass
            else:
                own = bool(np.isin(docnum, ranked.docnums))
                ranked.top = [(s, d) for s, d in ranked.top if d != docnum][:limit]
                ranked.total -= own
                return _FastResults(searcher, ranked)
        stored_id = searcher.stored_fields(docnum)["id"]
        return searcher.search(q, limit=limit, mask=wq.Term("pid", str(stored_id)))

    def suggest_tags(self, paper_id: int, *, limit: int = 5) -> list[str]:
        with self._lock:
            searcher = self._require_open()
            docnum = searcher.document_number(pid=str(paper_id))
            if docnum is None:
                return []
            own = searcher.stored_fields(docnum).get("tagnames") or []
            neighbours = self.related(paper_id, limit=15)
            neighbour_tags = [
                (hit.score, searcher.stored_fields(num).get("tagnames") or [])
                for hit, num in zip(
                    neighbours.hits, _docnums(searcher, neighbours.hits), strict=True
                )
            ]
            return tag_suggestions(
                searcher.reader(), neighbours.matched_terms, neighbour_tags, own, limit
            )


class AllMatches(NamedTuple):
    """Every match of a query as paper ids: the best first, in order of relevance (their
    ``scores``), then the others unranked."""

    ids: np.ndarray = np.empty(0, dtype=np.int64)
    scores: np.ndarray = np.empty(0, dtype=np.float64)  # of the first len(scores) ids
    matched_terms: frozenset[str] = frozenset()
    fallback_message: str = ""
    suggestion: str = ""


class _FastResults:
    """What the search paths read of Whoosh's ``Results``, from a bulk evaluation:
    stored fields are loaded only for the hits iterated (the rows shown)."""

    def __init__(self, searcher, ranked: evaluate.Ranked):
        self._searcher = searcher
        self.top_n = ranked.top
        self.docnums = ranked.docnums  # every match, read only by search_all
        self._total = ranked.total

    def __len__(self) -> int:
        return self._total

    def __iter__(self):
        for score, docnum in self.top_n:
            yield _FastHit(self._searcher, docnum, score)


class _FastHit:
    __slots__ = ("_searcher", "docnum", "score")

    def __init__(self, searcher, docnum: int, score: float):
        self._searcher, self.docnum, self.score = searcher, docnum, score

    def fields(self) -> dict:
        return self._searcher.stored_fields(self.docnum)


def _paper_ids_by_docnum(searcher, column) -> np.ndarray:
    """Paper id by global docnum: each segment's "id" column read whole (read a value at
    a time it costs 100 ms at 100,000 papers, holding the interpreter all along), value
    by value if its layout is not the one expected or a sample disagrees."""
    count = searcher.doc_count_all()
    try:
        field = searcher.schema["id"]
        parts = []
        for reader, _offset in searcher.reader().leaf_readers():
            raw = reader.column_reader("id", translate=False)
            size = reader.doc_count_all()
            if raw._typecode != "Q" or raw._fixedlen != 8 or raw._count != size:
                raise ValueError("an id column of another layout")
            data = raw._dbfile.get(raw._basepos, 8 * size)
            values = np.frombuffer(data, dtype=">u8").astype(np.uint64)
            if field.signed:
                values ^= np.uint64(1 << 63)  # from_sortable: minus 2**63, as unsigned
            parts.append(values.view(np.int64))
        ids = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
        sample = np.unique(np.linspace(0, count - 1, num=min(count, 65), dtype=np.int64))
        if len(ids) != count or any(int(ids[d]) != column[int(d)] for d in sample):
            raise ValueError("the id column read whole disagrees with Whoosh")
        return ids
    except Exception:
        log.debug("reading the id column value by value", exc_info=True)
        return np.fromiter((column[i] for i in range(count)), dtype=np.int64, count=count)


def _docnums(searcher, hits: list[SearchHit]) -> list[int]:
    return [searcher.document_number(pid=str(hit.id)) for hit in hits]


def _matched_terms(q: wq.Query, reader) -> frozenset[str]:
    terms = set()
    for fieldname, btext in q.existing_terms(reader, phrases=True, expand=True):
        if fieldname in _HIGHLIGHTED_FIELDS:
            terms.add(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
    return frozenset(terms)


def _hit(hit, terms: frozenset[str] | None) -> SearchHit:
    fields = hit.fields()
    title = fields.get("title", "")
    if terms is None:
        return SearchHit(fields["id"], fields.get("key", ""), title, hit.score)
    return SearchHit(
        fields["id"],
        fields.get("key", ""),
        title,
        hit.score,
        title_snippet=snippet(title, terms, words=10_000),
        abstract_snippet=snippet(fields.get("abstract", ""), terms),
    )
