"""A postings layout for positions that numpy reads whole.

Whoosh stores each document's positions as a pickled list of gaps, and a block of 128
postings as a pickled tuple of those strings, each rebuilt on reading by a call to
``_codecs.encode``. A phrase of two frequent words needs every position of both, tens
of thousands of documents, and unpickling them was most of its time.

Here a positions value is the positions themselves, as unsigned 32-bit integers, and a
block keeps its document numbers and weights as arrays, and its values laid end to end
after their counts (16-bit where every position fits), pickled at a protocol that keeps
bytes as they are. A term's positions are then a few ``np.frombuffer`` calls away
(``blocks.py``). Whoosh's own matchers read the same blocks: ``PackedLeafMatcher`` hands
them the document numbers and values in the form they expect, so its searcher, used
wherever the bulk evaluation falls back, answers as before.

The codec is stored with each segment, so an index written with it is read with it. An
index written before is a different schema version and is rebuilt on open.
"""

from __future__ import annotations

import zlib
from array import array
from pickle import dumps

from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PostingsWriter,
)
from whoosh.formats import Positions
from whoosh.util.numeric import length_to_byte

# C's unsigned int (32 bits wherever Python runs), in the machine's byte order, as numpy
# reads it back with the same type code: the index is a private cache of this
# installation (readinglist/index_location.py), never moved to another machine.
UINT32 = "I"
# Postings per block (Whoosh's default is 128). Reading a term costs a fixed amount per
# block on top of its bytes: at 100,000 papers, 256 brought the p95 of two-word phrases
# from 27 to 21 ms (bench/search_bench.py) and the index from 263 to 255 MB.
BLOCK_POSTINGS = 256


class PackedPositions(Positions):
    """Positions stored as an array of unsigned 32-bit integers, one per occurrence."""

    def encode(self, poslist) -> bytes:
        return array(UINT32, poslist).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return array(UINT32, valuestring).tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) // 4


class PackedCodec(W3Codec):
    """Whoosh 3's codec with packed document numbers and positions in each block."""

    def __init__(self, blocklimit=BLOCK_POSTINGS, compression=3, inlinelimit=1):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return PackedPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return PackedLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


def packs_values(fmt, values, count: int) -> bool:
    """Whether a block's values are packed: positions, one value for each posting."""
    return isinstance(fmt, PackedPositions) and len(values) == count


def unpack_values(packed: bytes, count: int) -> tuple[str, bytes, bytes]:
    """A packed block's values of ``count`` postings: (array type code, the positions
    count of each posting, every position)."""
    code = "H" if packed[0] == 2 else UINT32
    split = 1 + packed[0] * count
    return code, packed[1:split], packed[split:]


class PackedPostingsWriter(W3PostingsWriter):
    def _write_block(self, last=False):
        # Whoosh's block (W3PostingsWriter._write_block), with its data pickled at
        # protocol 5, which keeps bytes as they are: protocol 2 writes them as Latin-1
        # text in UTF-8, decoded and encoded again on reading.
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), 5)
        compression = self._compression if len(data) >= COMPRESSION_MIN_SIZE else 0
        if compression:
            data = zlib.compress(data, compression)
        ids = self._ids
        info = (
            len(ids),
            ids[-1],
            self._maxweight,
            compression,
            length_to_byte(self._minlength),
            length_to_byte(self._maxlength),
        )
        infobytes = dumps(info, 2)
        length = len(infobytes) + len(data)
        self._postfile.write_int(-length if last else length)
        self._postfile.write(infobytes)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()

    def _mini_ids(self):
        if self._byteids:
            return super()._mini_ids()
        return self._ids.tobytes()  # array("I") of document numbers

    def _mini_weights(self):
        weights = super()._mini_weights()
        return self._weights.tobytes() if isinstance(weights, tuple) else weights

    def _mini_values(self):
        values = self._values
        if not packs_values(self._format, values, len(self._ids)):
            return super()._mini_values()
        counts = array(UINT32, [len(v) >> 2 for v in values])
        positions = array(UINT32, b"".join(values))
        if max(positions) < 0xFFFF:  # then each count fits too
            return b"\x02" + array("H", counts).tobytes() + array("H", positions).tobytes()
        return b"\x04" + counts.tobytes() + positions.tobytes()


class PackedLeafMatcher(W3LeafMatcher):
    """Whoosh's matcher over packed blocks: it gives their postings in Whoosh's form."""

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        ids = self._data[0]
        if isinstance(ids, bytes):
            self._ids = array(UINT32, ids)
        else:
            super()._read_ids()

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        if isinstance(weights, bytes):
            self._weights = array("f", weights)
        else:
            super()._read_weights()

    def _read_values(self):
        if self._data is None:
            self._read_data()
        packed = self._data[2]
        if not isinstance(packed, bytes) or not isinstance(self.format, PackedPositions):
            super()._read_values()
            return
        code, counts, positions = unpack_values(packed, self._blocklength)
        positions = array(code, positions)
        values, start = [], 0
        for count in array(code, counts):
            values.append(array(UINT32, positions[start : start + count]).tobytes())
            start += count
        self._values = tuple(values)
