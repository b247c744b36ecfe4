"""Query evaluation over whole posting blocks, as numpy arrays.

Whoosh matches and scores one document at a time in Python. Here a parsed Whoosh query
is evaluated in bulk: every term's postings are read block by block into arrays of
document numbers and term frequencies, combined with sorted-array set operations and
scored with BM25F exactly as Whoosh's ``BM25F`` scorer does (the same idf, average
field length and decoded length bytes), so the ranking is Whoosh's. Phrases intersect
their words first and read positions only for the documents that hold all of them.
The total is the size of the final array; the top k is a partial sort.

Anything this module cannot evaluate exactly raises ``Unsupported``, and the caller
runs Whoosh's own searcher instead.
"""

from __future__ import annotations

import threading
import zlib
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass
from itertools import accumulate, chain
from pickle import loads

import numpy as np
from rapidfuzz.distance import OSA, Levenshtein
from rapidfuzz.process import cdist
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.formats import Positions
from whoosh.scoring import BM25F
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from readinglist.search.query import _Capped

# Term arrays kept between queries, least recently used dropped past this many bytes.
CACHE_BYTES = 48 * 1024 * 1024
_EMPTY_IDS = np.empty(0, dtype=np.int64)
_EMPTY_SCORES = np.empty(0, dtype=np.float64)
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
        return cls(_EMPTY_IDS, _EMPTY_SCORES)


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
        self._paper_ids: np.ndarray | None = None

    def paper_ids(self, column) -> np.ndarray:
        """Paper id by global docnum (the "id" column), read once per searcher."""
        if self._paper_ids is None:
            count = self.searcher.doc_count_all()
            self._paper_ids = np.fromiter(
                (column[i] for i in range(count)), dtype=np.int64, count=count
            )
        return self._paper_ids

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
        segments = []
        for reader, offset in self.segments:
            if (fieldname, btext) in reader:
                segments.append((*_read_postings(reader, fieldname, btext), offset))
        return self._keep_postings(key, self._without_deleted(segments))

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
            return _EMPTY_IDS, _EMPTY_SCORES
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
            return _EMPTY_IDS
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
        known = self._read_hot_words(fieldname, words, field.format)
        parts = []
        for btext in words:
            ids, weights = self.postings(fieldname, btext)
            if not len(ids):
                return Matches.empty()
            parts.append(Matches(ids, self._score(fieldname, btext, ids, weights)))
        candidates = _intersection(parts)
        if len(words) == 1 or not len(candidates.ids):
            return self._boost(candidates, q.boost)
        keep = self._positions_match(fieldname, words, candidates.ids, known)
        return self._boost(Matches(candidates.ids[keep], candidates.scores[keep]), q.boost)

    def _read_hot_words(self, fieldname, words, fmt) -> dict[bytes, np.ndarray]:
        """Postings and positions, in one pass over their blocks, of the words whose
        every position will be needed (see ``_position_keys``): their position keys."""
        frequency = {w: self.searcher.doc_frequency(fieldname, w) for w in set(words)}
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
                _position_keys(self.segments, fieldname, word, None, fmt, postings),
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
            common = shifted if common is None else _sorted_intersection(common, shifted)
            if not len(common):
                return np.zeros(len(docnums), dtype=bool)
        found = common >> _POSITION_BITS
        found = found[np.concatenate(([True], found[1:] != found[:-1]))]
        return _members(docnums, found)

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
        if len(docnums) * 3 < len(self.postings(fieldname, btext)[0]):
            return _position_keys(self.segments, fieldname, btext, docnums, fmt)
        return self._keep_positions(key, _position_keys(self.segments, fieldname, btext, None, fmt))

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


def _read_postings(reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """One segment's postings, block by block, without the deletion filter."""
    fmt = reader.schema[fieldname].format
    m = reader._terms.matcher(fieldname, btext, fmt)
    if isinstance(m, W3LeafMatcher):
        id_blocks, weight_blocks = [], []
        while m.is_active():
            ids, weights = _block_arrays(m)
            id_blocks.append(ids)
            weight_blocks.append(weights)
            m._next_block()
        if not id_blocks:
            return _EMPTY_IDS, _EMPTY_SCORES
        return np.concatenate(id_blocks), np.concatenate(weight_blocks)
    ids, weights = [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)


# A block of postings is a pickled tuple (id gaps, weights, values), protocol 2. For
# postings only the first two are needed, and unpickling the values (a string per
# document, each rebuilt by a call to _codecs.encode) is most of the cost: the pickle is
# cut where the values begin and closed as a pair. Anything unexpected is unpickled
# whole, as Whoosh does.
_VALUES_START = b"(c_codecs\nencode\n"
_PAIR_AND_STOP = b"\x86."


def _block_arrays(m) -> tuple[np.ndarray, np.ndarray]:
    """The current block's (document numbers, weights), segment-local."""
    if m._data is None and not m._byteids:
        data = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
        if m._compression:
            data = zlib.decompress(data)
        cut = data.find(_VALUES_START)
        if cut > 0:
            # The same trust as Whoosh's own unpickling of these blocks: the index is
            # one this installation wrote, in its private cache folder.
            pair = loads(data[:cut] + _PAIR_AND_STOP)
            if len(pair) == 2 and isinstance(pair[0], tuple) and len(pair[0]) == m._blocklength:
                gaps, weights = pair
                return np.cumsum(np.array(gaps, dtype=np.int64)), _weights(weights, m._blocklength)
    if m._data is None:
        m._read_data()
    raw = np.asarray(m._data[0], dtype=np.int64)
    m._read_weights()
    return (raw if m._byteids else np.cumsum(raw)), np.asarray(m._weights, dtype=np.float64)


def _weights(weights, count: int) -> np.ndarray:
    """What ``_read_weights`` makes of a block's weights: none means 1.0 each, one
    number is every posting's."""
    if weights is None:
        return np.ones(count, dtype=np.float64)
    if isinstance(weights, float):
        return np.full(count, weights, dtype=np.float64)
    return np.asarray(weights, dtype=np.float64)


_POSITION_BITS = 24
# A Positions value: a 4-byte count, then the pickled list of position gaps (protocol 2):
# PROTO 2, EMPTY_LIST, BINPUT 0, then one BININT1 ("K" + byte) per gap below 256, with
# MARK ... APPENDS around them ("(" ... "e") for several gaps or a trailing APPEND ("a")
# for one, and STOP (".") unless a codec stripped it. Gaps below 256 are nearly all of
# them in abstracts and titles, so such values are decoded as arrays, all at once.
_PICKLE_HEAD = 4 + 5
_STOP = ord(".")


def _position_keys(segments, fieldname, btext, docnums, fmt, postings=None) -> np.ndarray:
    """``docnum << 24 | position`` for every position of a term in the given docnums
    (all its documents if None), sorted. Deleted documents may be included: callers
    filter. With ``postings`` (a list), each segment's (ids, weights, offset) is added
    to it, read in the same pass."""
    parts = []
    for reader, offset in segments:
        if (fieldname, btext) not in reader:
            continue
        wanted = None
        if docnums is not None:
            end = offset + reader.doc_count_all()
            lo, hi = np.searchsorted(docnums, [offset, end])
            if lo == hi:
                continue
            wanted = docnums[lo:hi] - offset
        blocks = None if postings is None else []
        keys = _segment_keys(reader, fieldname, btext, fmt, wanted, blocks)
        if blocks:
            ids, weights = zip(*blocks, strict=True)
            postings.append((np.concatenate(ids), np.concatenate(weights), offset))
        if len(keys):
            parts.append(keys + (offset << _POSITION_BITS))
    if not parts:
        return _EMPTY_IDS
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _segment_keys(reader, fieldname, btext, fmt, wanted, postings=None) -> np.ndarray:
    """One segment's position keys of a term (segment-local document numbers), sorted,
    only for the documents in ``wanted`` (sorted) if given. With ``postings`` (a list,
    and ``wanted`` None), each block's (ids, weights) is added to it."""
    m = reader._terms.matcher(fieldname, btext, fmt)
    if not isinstance(m, W3LeafMatcher):
        docs, weights, values = [], [], []
        while m.is_active():
            doc = m.id()
            if wanted is None or _members(np.array([doc]), wanted)[0]:
                docs.append(doc)
                weights.append(m.weight())
                values.append(m.value())
            m.next()
        if not docs:
            return _EMPTY_IDS
        docs = np.asarray(docs, dtype=np.int64)
        if postings is not None:
            postings.append((docs, np.asarray(weights, dtype=np.float64)))
        return _keys(docs, values, fmt)
    parts: list[np.ndarray] = []
    batch = _Blocks(wanted) if type(fmt) is Positions else None
    while m.is_active():
        if batch is None or not batch.add(m, postings):
            parts.append(_unpickled_block_keys(m, fmt, wanted, postings))
        m._next_block()
    if batch is not None:
        parts.extend(batch.keys(fmt))
    parts = [p for p in parts if len(p)]
    if not parts:
        return _EMPTY_IDS
    return parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts))


def _unpickled_block_keys(m, fmt, wanted, postings=None) -> np.ndarray:
    if m._data is None:
        m._read_data()
    raw = np.asarray(m._data[0], dtype=np.int64)
    ids = raw if m._byteids else np.cumsum(raw)
    if postings is not None:
        m._read_weights()
        postings.append((ids, np.asarray(m._weights, dtype=np.float64)))
    m._read_values()
    values = m._values
    if wanted is not None:
        hits = np.flatnonzero(_members(ids, wanted))
        ids = ids[hits]
        values = [values[j] for j in hits.tolist()]
    return _keys(ids, values, fmt) if len(ids) else _EMPTY_IDS


# In a block's pickle each position value is a string opcode ("X", 4-byte little-endian
# length) holding the value's bytes as Latin-1 text in UTF-8, so the value's pickle
# header "\x80\x02]q\x00" shows as "\xc2\x80\x02]q\x00", after the 4-byte count (below
# 128 here). The values of all blocks of a term are found by that signature and turned
# back into their stored bytes at once (a byte past 0x7f is two in UTF-8); a block
# where they are not all found is unpickled instead.
_COUNT_HIGH = np.frombuffer(b"\x00\x00\x00", dtype=np.uint8)
_VALUE_HEAD = np.frombuffer(b"\xc2\x80\x02]q\x00", dtype=np.uint8)
_LITTLE_ENDIAN = np.array([1, 1 << 8, 1 << 16, 1 << 24], dtype=np.int64)
_BIG_ENDIAN = _LITTLE_ENDIAN[::-1].copy()


class _Blocks:
    """A term's postings blocks, read raw and decoded together."""

    def __init__(self, wanted: np.ndarray | None):
        self.wanted = wanted
        self.docs: list[np.ndarray] = []
        self.hits: list[np.ndarray | None] = []
        self.data: list[bytes] = []
        self.cuts: list[int] = []  # where each block's values begin

    def add(self, m, postings=None) -> bool:
        """Take the matcher's current block; False if it is not in the expected form.
        With ``postings`` (a list), the block's (ids, weights) is added to it."""
        if m._data is not None or m._byteids:
            return False
        data = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
        if m._compression:
            data = zlib.decompress(data)
        cut = data.find(_VALUES_START)
        if cut <= 0:
            return False
        pair = loads(data[:cut] + _PAIR_AND_STOP)  # trusted as in _block_arrays
        if len(pair) != 2 or not isinstance(pair[0], tuple) or len(pair[0]) != m._blocklength:
            return False
        docs = np.cumsum(np.array(pair[0], dtype=np.int64))
        if postings is not None:
            postings.append((docs, _weights(pair[1], m._blocklength)))
        hits = None
        if self.wanted is not None:
            hits = _members(docs, self.wanted)
            if not hits.any():
                return True
        self.docs.append(docs)
        self.hits.append(hits)
        self.data.append(data)
        self.cuts.append(cut)
        return True

    def keys(self, fmt) -> list[np.ndarray]:
        if not self.data:
            return []
        sizes = np.fromiter(map(len, self.data), dtype=np.int64, count=len(self.data))
        block_starts = np.cumsum(sizes) - sizes
        raw = np.frombuffer(b"".join(self.data), dtype=np.uint8)
        found = np.flatnonzero(raw[: max(len(raw) - 16, 0)] == ord("X"))
        block_of = np.searchsorted(block_starts, found, side="right") - 1
        found = found[found >= (block_starts + np.asarray(self.cuts))[block_of]]
        payload = found + 5
        signed = (raw[payload[:, None] + np.arange(3)] == _COUNT_HIGH).all(axis=1) & (
            raw[payload[:, None] + np.arange(4, 10)] == _VALUE_HEAD
        ).all(axis=1)
        found = found[signed]
        block_of = np.searchsorted(block_starts, found, side="right") - 1
        counts = np.fromiter(map(len, self.docs), dtype=np.int64, count=len(self.docs))
        whole = np.bincount(block_of, minlength=len(self.docs)) == counts
        out = []
        if not whole.all():
            for index in np.flatnonzero(~whole).tolist():
                out.append(self._unpickled(index, fmt))
            found = found[whole[block_of]]
        if not whole.any():
            return out
        docs = np.concatenate([d for d, ok in zip(self.docs, whole, strict=True) if ok])
        if self.wanted is not None:
            hits = np.concatenate([h for h, ok in zip(self.hits, whole, strict=True) if ok])
            docs, found = docs[hits], found[hits]
        if len(docs):
            lengths = raw[found[:, None] + np.arange(1, 5)].astype(np.int64) @ _LITTLE_ENDIAN
            values, value_lengths = _latin1(raw, found + 5, lengths)
            out.append(_keys_of_values(docs, values, value_lengths))
        return out

    def _unpickled(self, index: int, fmt) -> np.ndarray:
        # The same trust as Whoosh's own unpickling of these blocks (see _block_arrays).
        values = loads(self.data[index])[2]
        docs, hits = self.docs[index], self.hits[index]
        if hits is not None:
            docs = docs[hits]
            values = [values[j] for j in np.flatnonzero(hits).tolist()]
        return _keys(docs, values, fmt)


def _latin1(raw: np.ndarray, starts: np.ndarray, lengths: np.ndarray):
    """The stored bytes of values held as Latin-1 text in UTF-8 at ``starts``: their
    concatenation and each one's length."""
    total = int(lengths.sum())
    first = np.cumsum(lengths) - lengths
    text = raw[np.repeat(starts - first, lengths) + np.arange(total)]
    lead = text >= 0xC2  # Latin-1 text in UTF-8: 0xC2 or 0xC3, then one more byte
    if not lead.any():
        return text, lengths
    at = np.flatnonzero(lead)
    text[at] = ((text[at] & 0x03) << 6) | (text[at + 1] & 0x3F)
    keep = np.ones(total, dtype=bool)
    keep[at + 1] = False
    return text[keep], lengths - np.add.reduceat(lead.astype(np.int64), first)


def _keys(docs: np.ndarray, values: list, fmt) -> np.ndarray:
    """Position keys of stored ``values`` (one per document in ``docs``, in order)."""
    if type(fmt) is not Positions:
        return _keys_slowly(docs, [fmt.decode_positions(v) for v in values])
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    return _keys_of_values(docs, np.frombuffer(b"".join(values), dtype=np.uint8), lengths)


def _keys_of_values(docs: np.ndarray, raw: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Position keys of Positions values laid end to end in ``raw``, sorted."""
    starts = np.cumsum(lengths) - lengths
    counts = raw[starts[:, None] + np.arange(4)].astype(np.int64) @ _BIG_ENDIAN
    stop = raw[starts + lengths - 1] == _STOP
    # Every gap a BININT1 (two bytes, the shortest form) iff the length says so.
    body = np.where(counts == 1, 2 + 1, 1 + 2 * counts + 1)
    simple = (counts > 0) & (lengths == _PICKLE_HEAD + body + stop)
    if simple.all():
        return _keys_of_simple(docs, raw, starts, counts)
    keys = [_keys_of_simple(docs[simple], raw, starts[simple], counts[simple])]
    rest = [
        _decoded(raw[start : start + length].tobytes())
        for start, length in zip(starts[~simple].tolist(), lengths[~simple].tolist(), strict=True)
    ]
    keys.append(_keys_slowly(docs[~simple], rest))
    return np.sort(np.concatenate(keys))


def _keys_of_simple(docs, raw, starts, counts) -> np.ndarray:
    if not len(docs):
        return _EMPTY_IDS
    total = int(counts.sum())
    first = np.cumsum(counts) - counts  # each value's first gap, in the flat order
    # The first gap's byte: after the head, "(" when there are several, then "K".
    first_arg = starts + _PICKLE_HEAD + (counts > 1) + 1
    within = np.arange(total, dtype=np.int64) - np.repeat(first, counts)
    gaps = raw[np.repeat(first_arg, counts) + 2 * within].astype(np.int64)
    running = np.cumsum(gaps)
    positions = running - np.repeat(running[first] - gaps[first], counts)
    return (np.repeat(docs, counts) << _POSITION_BITS) + positions


def _keys_slowly(docs, position_lists: list[list[int]]) -> np.ndarray:
    if not len(docs):
        return _EMPTY_IDS
    counts = np.fromiter(map(len, position_lists), dtype=np.int64, count=len(position_lists))
    flat = np.fromiter(chain.from_iterable(position_lists), dtype=np.int64, count=int(counts.sum()))
    return (np.repeat(docs, counts) << _POSITION_BITS) + flat


def _decoded(value: bytes) -> list[int]:
    """The positions of a Positions-format value, as ``decode_positions`` gives them.

    Whoosh stores the gaps pickled and unpickles them itself; the same trust applies
    here: the index is only ever one this installation wrote, in its private cache
    folder (readinglist/index_location.py), never one that came with a library."""
    if not value.endswith(b"."):
        value += b"."
    return list(accumulate(loads(value[_INT_SIZE:])))


def _members(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in ``sorted_set`` (sorted, unique), by binary search."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_set, values)
    at[at == len(sorted_set)] = 0
    return sorted_set[at] == values


def _sorted_intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) > len(b):
        a, b = b, a
    return a[_members(a, b)]


def _intersection(parts: list[Matches]) -> Matches:
    parts = sorted(parts, key=lambda p: len(p.ids))
    ids, scores = parts[0].ids, parts[0].scores
    for part in parts[1:]:
        if not len(ids):
            break
        mine = _members(ids, part.ids)
        ids, scores = ids[mine], scores[mine] + part.scores[_members(part.ids, ids)]
    return Matches(ids, scores)


# Past this share of the document numbers, unions are made on a mask of them all (linear)
# instead of by sorting what is united.
_DENSE = 1 / 16


def _union_ids(arrays: list[np.ndarray], space: int) -> np.ndarray:
    arrays = [a for a in arrays if len(a)]
    if not arrays:
        return _EMPTY_IDS
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


# Expanding prefix and fuzzy terms


class _Lexicon:
    """One segment's terms of one field in term order, with their document frequencies.
    The terms are kept end to end in one bytes object: a list of 150,000 small bytes
    objects (a real library's abstracts) would take several times the memory."""

    __slots__ = ("_blob", "_ends", "_lengths", "frequencies")

    def __init__(self, terms: list[bytes], frequencies: list[int]):
        self._blob = b"".join(terms)
        self._ends = np.cumsum(np.fromiter(map(len, terms), dtype=np.int64, count=len(terms)))
        self._lengths: np.ndarray | None = None  # in characters, made when a typo asks
        self.frequencies = np.asarray(frequencies, dtype=np.int64)

    @classmethod
    def read(cls, segment, fieldname: str) -> _Lexicon:
        terms, frequencies = [], []
        for btext, info in segment.iter_field(fieldname):
            terms.append(btext)
            frequencies.append(info.doc_frequency())
        return cls(terms, frequencies)

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> bytes:  # what bisect reads
        return self._blob[int(self._ends[index - 1]) if index else 0 : int(self._ends[index])]

    def span(self, start: bytes) -> tuple[int, int]:
        """Where the terms beginning with ``start`` are (UTF-8 never holds 0xFF)."""
        return bisect_left(self, start), bisect_left(self, start + b"\xff")

    def terms(self, indexes: np.ndarray) -> list[bytes]:
        ends = self._ends[indexes]
        starts = np.where(indexes > 0, self._ends[np.maximum(indexes - 1, 0)], 0)
        blob = self._blob
        return [blob[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]

    def lengths(self, field) -> np.ndarray:
        if self._lengths is None:
            words = (field.from_bytes(btext) for btext in self.terms(np.arange(len(self))))
            self._lengths = np.fromiter(map(len, words), dtype=np.int32, count=len(self))
        return self._lengths


class Lexicons:
    """The term lists of every segment, kept across searchers: a segment's terms and
    their frequencies never change once it is written (a deletion leaves them, as it
    leaves what Whoosh's own term infos say). Reading them costs about a quarter of a
    second per field of a 50,000-paper segment; after a write only the new segment is
    read."""

    def __init__(self):
        self._kept: dict[tuple[str, str], _Lexicon] = {}
        self._lock = threading.Lock()

    def of(self, reader, fieldname: str) -> list[_Lexicon]:
        found = []
        live = set()
        for segment, _ in reader.leaf_readers():
            key = (segment.segment().segment_id(), fieldname)
            live.add(key[0])
            with self._lock:
                lexicon = self._kept.get(key)
            if lexicon is None:
                lexicon = _Lexicon.read(segment, fieldname)
                with self._lock:
                    self._kept[key] = lexicon
            found.append(lexicon)
        with self._lock:
            for key in [k for k in self._kept if k[0] not in live]:
                del self._kept[key]
        return found


class Expansions:
    """Prefix and fuzzy expansions, computed once per index state and kept.

    Both read the segments' term lists (``Lexicons``) instead of walking Whoosh's term
    dictionary: a prefix is a slice of each sorted list, and typos are measured in C
    (rapidfuzz) among the terms sharing the first letters and of about the right
    length (an edit changes the length by at most one). The results are the terms and
    frequencies Whoosh's ``iter_prefix`` and ``terms_within`` give."""

    MAX_KEPT = 2_000

    def __init__(self, reader, lexicons: Lexicons | None = None):
        self._reader = reader
        self._lexicons = lexicons or Lexicons()
        self._kept: OrderedDict[tuple, list[bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def prepare(self, q) -> None:
        """Expand every prefix and fuzzy term of ``q`` (in place), from the cache if seen."""
        if isinstance(q, _Capped):
            key = (
                type(q).__name__,
                q.fieldname,
                q.text,
                getattr(q, "maxdist", None),
                getattr(q, "prefixlength", None),
                getattr(q, "stemmed", None),
            )
            with self._lock:
                terms = self._kept.get(key)
            if terms is None:
                terms = q._expand(_FastTerms(self._reader, self))
                with self._lock:
                    self._kept[key] = terms
                    if len(self._kept) > self.MAX_KEPT:
                        self._kept.popitem(last=False)
            q._terms = terms
        for child in q.children():
            self.prepare(child)

    def prefix_frequencies(self, fieldname: str, text: str):
        """(term, document frequency) of the terms beginning with ``text``, in term
        order, as ``reader.iter_prefix`` gives them."""
        start = self._reader.schema[fieldname].to_bytes(text)
        lexicons = self._lexicons.of(self._reader, fieldname)
        if len(lexicons) == 1:
            lexicon = lexicons[0]
            lo, hi = lexicon.span(start)
            terms = lexicon.terms(np.arange(lo, hi))
            return zip(terms, lexicon.frequencies[lo:hi].tolist(), strict=True)
        merged: dict[bytes, int] = {}
        for lexicon in lexicons:
            lo, hi = lexicon.span(start)
            terms = lexicon.terms(np.arange(lo, hi))
            for btext, frequency in zip(terms, lexicon.frequencies[lo:hi].tolist(), strict=True):
                merged[btext] = merged.get(btext, 0) + frequency
        return sorted(merged.items())

    def terms_within(self, fieldname: str, text: str, maxdist: int, prefix: int = 0):
        from whoosh.reading import SegmentReader

        # What Whoosh does: one segment walks a Levenshtein automaton (a swap of two
        # letters is two edits); several segments measure Damerau-Levenshtein distance
        # (Whoosh's is the optimal string alignment variant, as rapidfuzz's OSA).
        scorer = OSA.distance
        if isinstance(self._reader, SegmentReader):
            scorer = Levenshtein.distance
        field = self._reader.schema[fieldname]
        start = field.to_bytes(text[:prefix])
        found: set[str] = set()
        for lexicon in self._lexicons.of(self._reader, fieldname):
            lo, hi = lexicon.span(start)
            near = np.flatnonzero(np.abs(lexicon.lengths(field)[lo:hi] - len(text)) <= maxdist)
            words = [field.from_bytes(btext) for btext in lexicon.terms(near + lo)]
            candidates = [word for word in words if word not in found]
            if not candidates:
                continue
            distances = cdist([text], candidates, scorer=scorer, score_cutoff=maxdist, workers=1)
            found.update(candidates[i] for i in np.flatnonzero(distances[0] <= maxdist).tolist())
        return found


class _FastTerms:
    """The reader as ``_expand`` sees it, with faster term lookups."""

    def __init__(self, reader, expansions: Expansions):
        self._reader = reader
        self._expansions = expansions

    def terms_within(self, fieldname, text, maxdist, prefix=0):
        return self._expansions.terms_within(fieldname, text, maxdist, prefix)

    def prefix_frequencies(self, fieldname, text):
        return self._expansions.prefix_frequencies(fieldname, text)

    def __contains__(self, term) -> bool:
        return term in self._reader

    def __getattr__(self, name):
        return getattr(self._reader, name)
