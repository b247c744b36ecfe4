"""Query evaluation over whole posting blocks, as numpy arrays.

Whoosh matches and scores one document at a time in Python. Here a parsed Whoosh query
is evaluated in bulk: every term's postings are read block by block into arrays of
document numbers and term frequencies, combined with sorted-array set operations and
scored with BM25F exactly as Whoosh's ``BM25F`` scorer does (the same idf, average
field length and decoded length bytes), so the ranking is Whoosh's. Phrases intersect
their words first and read positions only for the documents that hold all of them.
The total is the size of the final array; the top k is a partial sort.

Anything this module cannot evaluate exactly raises ``Unsupported``, and the caller
runs Whoosh's own searcher instead. Reading the stored postings is in ``blocks``;
prefix and typo terms are expanded beforehand by ``expansions``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from readinglist.search.blocks import (
    EMPTY_IDS,
    EMPTY_SCORES,
    POSITION_BITS,
    members,
    position_keys,
    read_postings,
    segment_share,
    sorted_intersection,
)
from readinglist.search.query import _Capped

# Term arrays kept between queries, least recently used dropped past this many bytes.
CACHE_BYTES = 48 * 1024 * 1024
# A term in this many times more documents than a query part can still match is read only
# in the blocks that may hold those documents.
SPARSE_READ = 64
_LENGTH_TABLE = np.array([byte_to_length(b) or 0 for b in range(256)], dtype=np.float64)


class Unsupported(Exception):
    """A query (or part of one) this evaluator cannot answer exactly."""


@dataclass(slots=True)
class Matches:
    """Global document numbers (sorted, unique) and their scores."""

    ids: np.ndarray
    scores: np.ndarray

    @classmethod
    def empty(cls) -> Matches:
        return cls(EMPTY_IDS, EMPTY_SCORES)


@dataclass(slots=True)
class Ranked:
    top: list[tuple[float, int]]  # (score, docnum), best first, ties by docnum
    total: int
    docnums: np.ndarray  # every match, by docnum


class Evaluator:
    """Bulk evaluation against one Whoosh searcher (made again when the searcher is)."""

    def __init__(self, searcher, cache_bytes: int = CACHE_BYTES):
        weighting = searcher.weighting
        if type(weighting) is not BM25F or weighting._field_B:
            raise Unsupported("only the default BM25F weighting is evaluated in bulk")
        self.searcher = searcher
        self.B, self.K1 = weighting.B, weighting.K1
        self.segments = [(reader, offset) for reader, offset in searcher.reader().leaf_readers()]
        self.space = searcher.doc_count_all()  # global document numbers are below this
        self._deleted: dict[int, np.ndarray | None] = {}
        self._lengths: dict[tuple[int, str], np.ndarray] = {}
        self._cache: OrderedDict[tuple[str, bytes], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cache_bytes = cache_bytes
        self._cached = 0
        # Decoded positions of hot terms, for phrases; bounded like the postings.
        self._positions: OrderedDict[tuple[str, bytes], np.ndarray] = OrderedDict()
        self._positions_bytes = 0
        self._lock = threading.Lock()

    # Reading postings

    def _deleted_mask(self, index: int, reader) -> np.ndarray | None:
        if index not in self._deleted:
            deleted = reader.deleted_docs_set if hasattr(reader, "deleted_docs_set") else None
            self._deleted[index] = np.fromiter(sorted(deleted), dtype=np.int64) if deleted else None
        return self._deleted[index]

    def postings(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(global docnums, term frequencies) of a term, deleted documents left out."""
        key = (fieldname, btext)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        return self._keep_postings(key, self._read(fieldname, btext))

    def postings_within(self, fieldname: str, btext: bytes, docnums: np.ndarray):
        """A term's postings for at least the documents ``docnums`` (sorted): all of
        them when they are cached or ``docnums`` are many; otherwise only the blocks
        that may hold one of ``docnums`` are read (and not cached)."""
        with self._lock:
            cached = (fieldname, btext) in self._cache
        frequency = self.searcher.doc_frequency(fieldname, btext)
        if cached or len(docnums) * SPARSE_READ >= frequency:
            return self.postings(fieldname, btext)
        return self._read(fieldname, btext, docnums)

    def _read(self, fieldname: str, btext: bytes, docnums: np.ndarray | None = None):
        """Every segment's postings of a term (only the blocks that may hold ``docnums``
        if given), deleted documents left out."""
        segments = []
        for reader, offset in self.segments:
            if (fieldname, btext) not in reader:
                continue
            wanted = None if docnums is None else segment_share(docnums, reader, offset)
            if wanted is None or len(wanted):
                segments.append((*read_postings(reader, fieldname, btext, wanted), offset))
        return self._without_deleted(segments)

    def _without_deleted(self, segments) -> tuple[np.ndarray, np.ndarray]:
        """Global (docnums, weights) from segments' (ids, weights, offset), deleted
        documents left out."""
        id_parts, weight_parts = [], []
        bases = {offset: (index, reader) for index, (reader, offset) in enumerate(self.segments)}
        for ids, weights, offset in segments:
            deleted = self._deleted_mask(*bases[offset])
            if deleted is not None:
                keep = ~np.isin(ids, deleted)
                ids, weights = ids[keep], weights[keep]
            id_parts.append(ids + offset)
            weight_parts.append(weights)
        if not id_parts:
            return EMPTY_IDS, EMPTY_SCORES
        return np.concatenate(id_parts), np.concatenate(weight_parts)

    def _keep_postings(self, key, found: tuple[np.ndarray, np.ndarray]):
        size = found[0].nbytes + found[1].nbytes
        with self._lock:
            if size <= self._cache_bytes // 4 and key not in self._cache:
                self._cache[key] = found
                self._cached += size
                while self._cached > self._cache_bytes:
                    _, (old_ids, old_weights) = self._cache.popitem(last=False)
                    self._cached -= old_ids.nbytes + old_weights.nbytes
        return found

    def lengths(self, fieldname: str, docnums: np.ndarray) -> np.ndarray:
        """The decoded field lengths Whoosh's scorer sees, for global ``docnums``."""
        out = np.empty(len(docnums), dtype=np.float64)
        bounds = [offset for _, offset in self.segments] + [np.iinfo(np.int64).max]
        for index, (reader, offset) in enumerate(self.segments):
            lo, hi = np.searchsorted(docnums, [offset, bounds[index + 1]])
            if lo == hi:
                continue
            out[lo:hi] = self._segment_lengths(index, reader, fieldname)[docnums[lo:hi] - offset]
        return out

    def _segment_lengths(self, index: int, reader, fieldname: str) -> np.ndarray:
        key = (index, fieldname)
        found = self._lengths.get(key)
        if found is None:
            perdoc = getattr(reader, "_perdoc", None)
            column = None
            if perdoc is not None:
                column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            count = reader.doc_count_all()
            if column is None:
                raw = np.zeros(count, dtype=np.uint8)
            else:
                raw = np.fromiter((column[i] for i in range(count)), dtype=np.uint8, count=count)
            found = self._lengths[key] = _LENGTH_TABLE[raw]
        return found

    # Evaluating

    def term(self, fieldname: str, text, boost: float) -> Matches:
        schema = self.searcher.schema
        if fieldname not in schema:
            return Matches.empty()
        field = schema[fieldname]
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return Matches.empty()
        ids, weights = self.postings(fieldname, btext)
        if not len(ids):
            return Matches.empty()
        return Matches(ids, self._score(fieldname, btext, ids, weights) * boost)

    def _score(self, fieldname, btext, ids, weights) -> np.ndarray:
        searcher = self.searcher
        if not searcher.schema[fieldname].scorable:
            return weights.copy()
        idf = searcher.idf(fieldname, btext)
        avgfl = searcher.avg_field_length(fieldname) or 1
        lengths = self.lengths(fieldname, ids)
        K1, B = self.K1, self.B
        return idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / avgfl)))

    def evaluate(self, q) -> Matches:
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return Matches.empty()
        if isinstance(q, _Capped):
            return self._constant(q)
        kind = type(q)
        if kind is wq.Term:
            return self.term(q.fieldname, q.text, q.boost)
        if kind is wq.Phrase:
            return self._phrase(q)
        if kind is wq.And:
            return self._boost(self._and(q.subqueries), q.boost)
        if kind is wq.Or:
            if q.minmatch or q.scale:
                raise Unsupported("Or with minmatch or scale")
            if any(isinstance(sub, wq.Not) for sub in q.subqueries):
                raise Unsupported("Or with NOT")
            return self._boost(
                _union([self.evaluate(s) for s in q.subqueries], self.space), q.boost
            )
        if kind is wq.NumericRange:
            # Compiled as Whoosh compiles it: a constant score over the terms of the range.
            return self.evaluate(q._compile_query(self.searcher.reader()))
        if kind is wq.ConstantScoreQuery:
            ids = self._ids(q.child)
            return Matches(ids, np.full(len(ids), float(q.score)))
        if kind is wq.AndNot:
            positive = self.evaluate(q.a)
            negative = self.evaluate(q.b)
            keep = ~np.isin(positive.ids, negative.ids, assume_unique=True)
            return self._boost(Matches(positive.ids[keep], positive.scores[keep]), q.boost)
        raise Unsupported(f"{kind.__name__} queries")

    def _ids(self, q) -> np.ndarray:
        """The documents a query matches, unscored (what a constant score wraps)."""
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return EMPTY_IDS
        kind = type(q)
        if kind is wq.Term:
            return self.evaluate(q).ids
        if kind is wq.TermRange and q.constantscore:
            btexts = q._btexts(self.searcher.reader())
            return _union_ids(
                [self.postings(q.fieldname, btext)[0] for btext in btexts], self.space
            )
        if kind is wq.Or and not q.minmatch:
            return _union_ids([self._ids(sub) for sub in q.subqueries], self.space)
        raise Unsupported(f"{kind.__name__} under a constant score")

    @staticmethod
    def _boost(matches: Matches, boost: float) -> Matches:
        if boost != 1.0:
            return Matches(matches.ids, matches.scores * boost)
        return matches

    def _and(self, subs) -> Matches:
        positives = [s for s in subs if not isinstance(s, wq.Not)]
        negatives = [s.query for s in subs if isinstance(s, wq.Not)]
        if not positives:
            raise Unsupported("only negative terms")
        if len(subs) == 1:
            return self.evaluate(subs[0])
        parts = [self.evaluate(s) for s in positives]
        result = _intersection(parts)
        for negative in negatives:
            excluded = self.evaluate(negative).ids
            keep = ~np.isin(result.ids, excluded, assume_unique=True)
            # Whoosh matches a NOT inside an AND with an inverse matcher scoring 1.0.
            result = Matches(result.ids[keep], result.scores[keep] + 1.0)
        return result

    def _constant(self, q) -> Matches:
        """Prefix and fuzzy terms: the union of the chosen terms, one constant score."""
        terms = q.prepare(self.searcher.reader())
        ids = _union_ids([self.postings(q.fieldname, btext)[0] for btext in terms], self.space)
        return Matches(ids, np.full(len(ids), float(q.boost)))

    def _phrase(self, q) -> Matches:
        if q.slop != 1:
            raise Unsupported("phrases with slop")
        schema = self.searcher.schema
        fieldname = q.fieldname
        if fieldname not in schema:
            return Matches.empty()
        field = schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            raise Unsupported("a phrase in a field without positions")
        words = []
        for word in q.words:
            try:
                words.append(field.to_bytes(word))
            except ValueError:
                return Matches.empty()
        if not words:
            return Matches.empty()
        frequency = {w: self.searcher.doc_frequency(fieldname, w) for w in set(words)}
        known = self._read_hot_words(fieldname, frequency, field.format)
        # A word far more frequent than the rarest is read only in the blocks that may
        # hold the rarest word's documents.
        within = self.postings(fieldname, min(words, key=frequency.__getitem__))[0]
        parts = []
        for btext in words:
            ids, weights = self.postings_within(fieldname, btext, within)
            if not len(ids):
                return Matches.empty()
            parts.append(Matches(ids, self._score(fieldname, btext, ids, weights)))
        candidates = _intersection(parts)
        if len(words) == 1 or not len(candidates.ids):
            return self._boost(candidates, q.boost)
        keep = self._positions_match(fieldname, words, candidates.ids, known)
        return self._boost(Matches(candidates.ids[keep], candidates.scores[keep]), q.boost)

    def _read_hot_words(self, fieldname, frequency, fmt) -> dict[bytes, np.ndarray]:
        """Postings and positions, in one pass over their blocks, of the words (with
        their document frequencies) whose every position will be needed (see
        ``_position_keys``): their position keys."""
        fewest = min(frequency.values())
        known = {}
        for word, count in frequency.items():
            if not fewest or len(frequency) == 1 or fewest * 3 < count:
                continue
            with self._lock:
                if (fieldname, word) in self._positions:
                    continue
            postings: list[tuple[np.ndarray, np.ndarray]] = []
            known[word] = self._keep_positions(
                (fieldname, word),
                position_keys(self.segments, fieldname, word, None, fmt, postings),
            )
            self._keep_postings((fieldname, word), self._without_deleted(postings))
        return known

    def _positions_match(self, fieldname, words, docnums: np.ndarray, known) -> np.ndarray:
        """For each candidate, whether the words occur one after another: each word's
        (document, position - its place in the phrase) keys, intersected, the word with
        the fewest first."""
        fmt = self.searcher.schema[fieldname].format
        keys = {
            w: known[w] if w in known else self._position_keys(fieldname, w, docnums, fmt)
            for w in set(words)
        }
        common = None
        for place, word in sorted(enumerate(words), key=lambda pw: len(keys[pw[1]])):
            shifted = keys[word] - place
            common = shifted if common is None else sorted_intersection(common, shifted)
            if not len(common):
                return np.zeros(len(docnums), dtype=bool)
        found = common >> POSITION_BITS
        found = found[np.concatenate(([True], found[1:] != found[:-1]))]
        return members(docnums, found)

    def _position_keys(self, fieldname, btext, docnums: np.ndarray, fmt) -> np.ndarray:
        """A term's position keys, sorted: those of every document it is in, or only of
        the candidates ``docnums``. When the candidates are a good part of the term's
        documents, every position of the term is decoded and kept (a hot word comes
        back in other phrases)."""
        key = (fieldname, btext)
        with self._lock:
            found = self._positions.get(key)
            if found is not None:
                self._positions.move_to_end(key)
                return found
        if len(docnums) * 3 < self.searcher.doc_frequency(fieldname, btext):
            return position_keys(self.segments, fieldname, btext, docnums, fmt)
        return self._keep_positions(key, position_keys(self.segments, fieldname, btext, None, fmt))

    def _keep_positions(self, key, found: np.ndarray) -> np.ndarray:
        with self._lock:
            if found.nbytes <= self._cache_bytes // 4 and key not in self._positions:
                self._positions[key] = found
                self._positions_bytes += found.nbytes
                while self._positions_bytes > self._cache_bytes:
                    _, old = self._positions.popitem(last=False)
                    self._positions_bytes -= old.nbytes
        return found

    def rank(self, q, limit: int | None) -> Ranked:
        matches = self.evaluate(q)
        ids, scores = matches.ids, matches.scores
        total = len(ids)
        if limit is None or limit >= total:
            chosen = np.arange(total)
        else:
            # The k-th best score, then every match at least as good: ties at the
            # cut are all kept, and the final order breaks them by docnum.
            kth = np.partition(scores, total - limit)[total - limit]
            chosen = np.nonzero(scores >= kth)[0]
        order = chosen[np.lexsort((ids[chosen], -scores[chosen]))]
        if limit is not None:
            order = order[:limit]
        top = list(zip(scores[order].tolist(), ids[order].tolist(), strict=True))
        return Ranked(top, total, ids)


def _intersection(parts: list[Matches]) -> Matches:
    parts = sorted(parts, key=lambda p: len(p.ids))
    ids, scores = parts[0].ids, parts[0].scores
    for part in parts[1:]:
        if not len(ids):
            break
        mine = members(ids, part.ids)
        ids, scores = ids[mine], scores[mine] + part.scores[members(part.ids, ids)]
    return Matches(ids, scores)


# Past this share of the document numbers, unions are made on a mask of them all (linear)
# instead of by sorting what is united.
_DENSE = 1 / 16


def _union_ids(arrays: list[np.ndarray], space: int) -> np.ndarray:
    arrays = [a for a in arrays if len(a)]
    if not arrays:
        return EMPTY_IDS
    if len(arrays) == 1:
        return arrays[0]
    if sum(map(len, arrays)) < space * _DENSE:
        return np.unique(np.concatenate(arrays))
    present = np.zeros(space, dtype=bool)
    for ids in arrays:
        present[ids] = True
    return np.flatnonzero(present)


def _union(parts: list[Matches], space: int) -> Matches:
    """Every document of the parts, its scores summed (in the parts' order, as Whoosh
    adds them)."""
    parts = [p for p in parts if len(p.ids)]
    if not parts:
        return Matches.empty()
    if len(parts) == 1:
        return parts[0]
    all_ids = np.concatenate([p.ids for p in parts])
    all_scores = np.concatenate([p.scores for p in parts])
    if len(all_ids) < space * _DENSE:
        ids, inverse = np.unique(all_ids, return_inverse=True)
        return Matches(ids, np.bincount(inverse, weights=all_scores, minlength=len(ids)))
    ids = _union_ids([p.ids for p in parts], space)
    return Matches(ids, np.bincount(all_ids, weights=all_scores, minlength=space)[ids])
