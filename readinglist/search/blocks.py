"""Reading Whoosh's stored postings as arrays.

A Whoosh 3 postings block is a pickled tuple (document number gaps, weights, position
values), often compressed. Whoosh unpickles it whole and walks it one document at a
time; here the gaps and weights are read without rebuilding the values, and the position
values of all the blocks of a term are found in the pickled bytes and decoded together.
Whatever does not have the expected form is unpickled as Whoosh does, so the answers are
Whoosh's in every case (tests/search/test_evaluate_edges.py).
"""

from __future__ import annotations

import zlib
from itertools import accumulate, chain
from pickle import loads

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions
from whoosh.system import _INT_SIZE

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
            ids, weights = _block_arrays(m)
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


# A block of postings is a pickled tuple (id gaps, weights, values), protocol 2. For
# postings only the first two are needed, and unpickling the values (a string per
# document, each rebuilt by a call to _codecs.encode) is most of the cost: the pickle is
# cut where the values begin and closed as a pair. Anything unexpected is unpickled
# whole, as Whoosh does.
_VALUES_START = b"(c_codecs\nencode\n"
_PAIR_AND_STOP = b"\x86."


def _cut_block(m):
    """The current block's (bytes, where its values begin, document numbers, weights),
    read without unpickling its values; None when the block is not in that form."""
    if m._data is not None or m._byteids:
        return None
    data = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
    if m._compression:
        data = zlib.decompress(data)
    cut = data.find(_VALUES_START)
    if cut <= 0:
        return None
    # The same trust as Whoosh's own unpickling of these blocks: the index is one this
    # installation wrote, in its private cache folder (readinglist/index_location.py).
    pair = loads(data[:cut] + _PAIR_AND_STOP)
    if len(pair) != 2 or not isinstance(pair[0], tuple) or len(pair[0]) != m._blocklength:
        return None
    docs = np.cumsum(np.array(pair[0], dtype=np.int64))
    return data, cut, docs, _block_weights(pair[1], m._blocklength)


def _block_arrays(m) -> tuple[np.ndarray, np.ndarray]:
    """The current block's (document numbers, weights), segment-local."""
    block = _cut_block(m)
    if block is not None:
        return block[2], block[3]
    if m._data is None:
        m._read_data()
    raw = np.asarray(m._data[0], dtype=np.int64)
    m._read_weights()
    return (raw if m._byteids else np.cumsum(raw)), np.asarray(m._weights, dtype=np.float64)


def _block_weights(weights, count: int) -> np.ndarray:
    """What ``_read_weights`` makes of a block's weights: none means 1.0 each, one
    number is every posting's."""
    if weights is None:
        return np.ones(count, dtype=np.float64)
    if isinstance(weights, float):
        return np.full(count, weights, dtype=np.float64)
    return np.asarray(weights, dtype=np.float64)


POSITION_BITS = 24
# A Positions value: a 4-byte count, then the pickled list of position gaps (protocol 2):
# PROTO 2, EMPTY_LIST, BINPUT 0, then one BININT1 ("K" + byte) per gap below 256, with
# MARK ... APPENDS around them ("(" ... "e") for several gaps or a trailing APPEND ("a")
# for one, and STOP (".") unless a codec stripped it. Gaps below 256 are nearly all of
# them in abstracts and titles, so such values are decoded as arrays, all at once.
_PICKLE_HEAD = 4 + 5
_STOP = ord(".")


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
        docs, weights, values = [], [], []
        while m.is_active():
            doc = m.id()
            if wanted is None or members(np.array([doc]), wanted)[0]:
                docs.append(doc)
                weights.append(m.weight())
                values.append(m.value())
            m.next()
        if not docs:
            return EMPTY_IDS
        docs = np.asarray(docs, dtype=np.int64)
        if postings is not None:
            postings.append((docs, np.asarray(weights, dtype=np.float64)))
        return _keys(docs, values, fmt)
    parts: list[np.ndarray] = []
    batch = _Blocks(wanted) if type(fmt) is Positions else None
    for _ in _wanted_blocks(m, wanted):
        if batch is None or not batch.add(m, postings):
            parts.append(_unpickled_block_keys(m, fmt, wanted, postings))
    if batch is not None:
        parts.extend(batch.keys(fmt))
    parts = [p for p in parts if len(p)]
    if not parts:
        return EMPTY_IDS
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
        hits = np.flatnonzero(members(ids, wanted))
        ids = ids[hits]
        values = [values[j] for j in hits.tolist()]
    return _keys(ids, values, fmt) if len(ids) else EMPTY_IDS


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
        block = _cut_block(m)
        if block is None:
            return False
        data, cut, docs, weights = block
        if postings is not None:
            postings.append((docs, weights))
        hits = None
        if self.wanted is not None:
            hits = members(docs, self.wanted)
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
        return keys_of_positions(docs, [fmt.decode_positions(v) for v in values])
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
    keys.append(keys_of_positions(docs[~simple], rest))
    return np.sort(np.concatenate(keys))


def _keys_of_simple(docs, raw, starts, counts) -> np.ndarray:
    if not len(docs):
        return EMPTY_IDS
    total = int(counts.sum())
    first = np.cumsum(counts) - counts  # each value's first gap, in the flat order
    # The first gap's byte: after the head, "(" when there are several, then "K".
    first_arg = starts + _PICKLE_HEAD + (counts > 1) + 1
    within = np.arange(total, dtype=np.int64) - np.repeat(first, counts)
    gaps = raw[np.repeat(first_arg, counts) + 2 * within].astype(np.int64)
    running = np.cumsum(gaps)
    positions = running - np.repeat(running[first] - gaps[first], counts)
    return (np.repeat(docs, counts) << POSITION_BITS) + positions


def keys_of_positions(docs, position_lists: list[list[int]]) -> np.ndarray:
    if not len(docs):
        return EMPTY_IDS
    counts = np.fromiter(map(len, position_lists), dtype=np.int64, count=len(position_lists))
    flat = np.fromiter(chain.from_iterable(position_lists), dtype=np.int64, count=int(counts.sum()))
    return (np.repeat(docs, counts) << POSITION_BITS) + flat


def _decoded(value: bytes) -> list[int]:
    """The positions of a Positions-format value, as ``decode_positions`` gives them.

    Whoosh stores the gaps pickled and unpickles them itself; the same trust applies
    here: the index is only ever one this installation wrote, in its private cache
    folder (readinglist/index_location.py), never one that came with a library."""
    if not value.endswith(b"."):
        value += b"."
    return list(accumulate(loads(value[_INT_SIZE:])))


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
