"""Reading Whoosh's stored postings as arrays.

A postings block is read as Whoosh reads it (decompressed and unpickled by its matcher),
then turned into arrays whole: document numbers, weights and, for phrases, every
position. Blocks written by ``PackedCodec`` (``packed.py``) hold those as arrays
already; any other block, or postings inlined in the term dictionary, is decoded
value by value through the field's format, so the answers are Whoosh's in every case
(tests/search/test_evaluate_edges.py).
"""

from __future__ import annotations

from itertools import chain

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher

from readinglist.search.packed import PackedPositions, unpack_values

EMPTY_IDS = np.empty(0, dtype=np.int64)
EMPTY_SCORES = np.empty(0, dtype=np.float64)


def read_postings(
    reader, fieldname: str, btext: bytes, wanted: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One segment's postings, block by block, without the deletion filter. With
    ``wanted`` (sorted segment-local document numbers), only the blocks that may hold
    one of them are read: the answer holds every wanted document the term is in, and
    others."""
    fmt = reader.schema[fieldname].format
    m = reader._terms.matcher(fieldname, btext, fmt)
    if isinstance(m, W3LeafMatcher):
        id_blocks, weight_blocks = [], []
        for _ in _wanted_blocks(m, wanted):
            ids, weights, _ = _block(m)
            id_blocks.append(ids)
            weight_blocks.append(weights)
        if not id_blocks:
            return EMPTY_IDS, EMPTY_SCORES
        return np.concatenate(id_blocks), np.concatenate(weight_blocks)
    ids, weights = [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)


def _wanted_blocks(m, wanted: np.ndarray | None):
    """Step the matcher through its blocks, stopping (yielding) at each one that may
    hold a ``wanted`` document, or at every block if None. A block's header gives its
    last document: it holds those after the previous block's last, up to its own."""
    last = -1
    while m.is_active():
        if wanted is None:
            yield
        else:
            first_after = np.searchsorted(wanted, last, side="right")
            if first_after < len(wanted) and wanted[first_after] <= m._maxid:
                yield
        last = m._maxid
        m._next_block()


def _block(m) -> tuple[np.ndarray, np.ndarray, object]:
    """The matcher's current block: (segment-local document numbers, weights, values as
    stored). The index is one this installation wrote, in its private cache folder
    (readinglist/index_location.py), so its blocks are unpickled as Whoosh does."""
    if m._data is None:
        m._read_data()
    ids, weights, values = m._data
    if isinstance(ids, bytes):
        docs = np.frombuffer(ids, dtype=np.uint32).astype(np.int64)
    else:
        docs = np.cumsum(np.asarray(ids, dtype=np.int64))
    return docs, _block_weights(weights, len(docs)), values


def _block_weights(weights, count: int) -> np.ndarray:
    """What ``_read_weights`` makes of a block's weights: none means 1.0 each, one
    number is every posting's."""
    if weights is None:
        return np.ones(count, dtype=np.float64)
    if isinstance(weights, float):
        return np.full(count, weights, dtype=np.float64)
    if isinstance(weights, bytes):  # packed: Whoosh's array("f")
        return np.frombuffer(weights, dtype=np.float32).astype(np.float64)
    return np.asarray(weights, dtype=np.float64)


# Position keys are ``docnum << POSITION_BITS | position``: sortable, and a phrase's words
# line up by subtracting each one's place in the phrase.
POSITION_BITS = 24


def position_keys(segments, fieldname, btext, docnums, fmt, postings=None) -> np.ndarray:
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
            wanted = segment_share(docnums, reader, offset)
            if not len(wanted):
                continue
        blocks = None if postings is None else []
        keys = _segment_keys(reader, fieldname, btext, fmt, wanted, blocks)
        if blocks:
            ids, weights = zip(*blocks, strict=True)
            postings.append((np.concatenate(ids), np.concatenate(weights), offset))
        if len(keys):
            parts.append(keys + (offset << POSITION_BITS))
    if not parts:
        return EMPTY_IDS
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def segment_share(docnums: np.ndarray, reader, offset: int) -> np.ndarray:
    """The (sorted, global) ``docnums`` that are in a segment, as its own numbers."""
    lo, hi = np.searchsorted(docnums, [offset, offset + reader.doc_count_all()])
    return docnums[lo:hi] - offset


def _segment_keys(reader, fieldname, btext, fmt, wanted, postings=None) -> np.ndarray:
    """One segment's position keys of a term (segment-local document numbers), sorted,
    only for the documents in ``wanted`` (sorted) if given. With ``postings`` (a list,
    and ``wanted`` None), each block's (ids, weights) is added to it."""
    m = reader._terms.matcher(fieldname, btext, fmt)
    if not isinstance(m, W3LeafMatcher):
        return _listed_keys(m, fmt, wanted, postings)
    packed = _Packed()
    parts: list[np.ndarray] = []
    for _ in _wanted_blocks(m, wanted):
        docs, weights, values = _block(m)
        if postings is not None:
            postings.append((docs, weights))
        hits = None if wanted is None else members(docs, wanted)
        if hits is not None and not hits.any():
            continue
        if isinstance(values, bytes) and isinstance(fmt, PackedPositions):
            packed.add(docs, hits, values)
            continue
        m._read_values()
        values = m._values
        if hits is not None:
            docs, values = docs[hits], [values[j] for j in np.flatnonzero(hits).tolist()]
        parts.append(keys_of_positions(docs, [fmt.decode_positions(v) for v in values]))
    parts = [p for p in (packed.keys(), *parts) if len(p)]
    if not parts:
        return EMPTY_IDS
    return parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts))


def _listed_keys(m, fmt, wanted, postings) -> np.ndarray:
    """Position keys from a matcher over postings inlined in the term dictionary."""
    docs, weights, positions = [], [], []
    while m.is_active():
        doc = m.id()
        if wanted is None or members(np.array([doc]), wanted)[0]:
            docs.append(doc)
            weights.append(m.weight())
            positions.append(fmt.decode_positions(m.value()))
        m.next()
    if not docs:
        return EMPTY_IDS
    docs = np.asarray(docs, dtype=np.int64)
    if postings is not None:
        postings.append((docs, np.asarray(weights, dtype=np.float64)))
    return keys_of_positions(docs, positions)


class _Packed:
    """The packed blocks of a term (``packed.py``), decoded together in a few array
    operations for the whole term."""

    def __init__(self):
        self.docs: list[np.ndarray] = []
        self.hits: list[np.ndarray] = []
        self.codes: list[str] = []
        self.counts: list[bytes] = []
        self.positions: list[bytes] = []

    def add(self, docs: np.ndarray, hits: np.ndarray | None, values: bytes) -> None:
        code, counts, positions = unpack_values(values, len(docs))
        self.docs.append(docs)
        if hits is not None:
            self.hits.append(hits)
        self.codes.append(code)
        self.counts.append(counts)
        self.positions.append(positions)

    def keys(self) -> np.ndarray:
        if not self.docs:
            return EMPTY_IDS
        counts = self._joined(self.counts)
        docs = np.repeat(np.concatenate(self.docs), counts)
        keys = (docs << POSITION_BITS) | self._joined(self.positions)
        if self.hits:
            keys = keys[np.repeat(np.concatenate(self.hits), counts)]
        return keys

    def _joined(self, parts: list[bytes]) -> np.ndarray:
        if len(set(self.codes)) == 1:  # nearly always: 16-bit in every block
            return np.frombuffer(b"".join(parts), dtype=self.codes[0]).astype(np.int64)
        arrays = [np.frombuffer(p, dtype=c) for p, c in zip(parts, self.codes, strict=True)]
        return np.concatenate(arrays).astype(np.int64)


def keys_of_positions(docs, position_lists: list[list[int]]) -> np.ndarray:
    if not len(docs):
        return EMPTY_IDS
    counts = np.fromiter(map(len, position_lists), dtype=np.int64, count=len(position_lists))
    flat = np.fromiter(chain.from_iterable(position_lists), dtype=np.int64, count=int(counts.sum()))
    return (np.repeat(docs, counts) << POSITION_BITS) + flat


def members(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in ``sorted_set`` (sorted, unique), by binary search."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_set, values)
    at[at == len(sorted_set)] = 0
    return sorted_set[at] == values


def sorted_intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) > len(b):
        a, b = b, a
    return a[members(a, b)]
