"""Expanding prefix and typo terms against the index's term lists.

Whoosh walks its term dictionary for every prefix and measures every candidate's edit
distance in Python. Here each segment's terms are read once (they never change) and a
prefix is a slice of a sorted list; edit distances are measured in C.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict

import numpy as np
from rapidfuzz.distance import OSA, Levenshtein
from rapidfuzz.process import cdist
from whoosh.codec.whoosh3 import W3TermInfo, W3TermsReader
from whoosh.filedb.filetables import OrderedHashReader
from whoosh.filedb.filetables import _lengths as record_lengths
from whoosh.system import _SHORT_SIZE, pack_ushort

from readinglist.search.query import _Capped


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
        found = _read_terms_file(segment, fieldname)
        if found is not None:
            return cls(*found)
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


def _read_terms_file(segment, fieldname: str) -> tuple[list[bytes], list[int]] | None:
    """A field's terms and document frequencies in one read of the segment's terms file.

    ``segment.iter_field`` reads each term with several small file reads, a fifth of a
    second for a 100,000-paper abstract field, holding the interpreter from the window
    in many short turns; one read and a loop over the bytes take a tenth of that. The
    records are decoded with Whoosh's own layouts: key and value lengths, the key (the
    field's number, then the term), the value (a ``W3TermInfo``). None where the terms
    are not kept in Whoosh's ordered terms file (the caller walks ``iter_field``)."""
    terms_reader = getattr(segment, "_terms", None)
    if not isinstance(terms_reader, W3TermsReader):
        return None
    table = getattr(terms_reader, "_tindex", None)
    if not isinstance(table, OrderedHashReader):
        return None
    number = terms_reader._fieldmap.get(fieldname)
    start = None if number is None else table.closest_key_pos(pack_ushort(number))
    if start is None:
        return [], []
    end = table.closest_key_pos(pack_ushort(number + 1)) if number < 0xFFFF else None
    data = table.dbfile.get(start, (end or table.endofdata) - start)
    terms, frequencies = [], []
    lengths, term_info = record_lengths.unpack_from, W3TermInfo._struct.unpack_from
    position, size = 0, len(data)
    while position < size:
        key_length, value_length = lengths(data, position)
        key = position + record_lengths.size
        value = key + key_length
        terms.append(data[key + _SHORT_SIZE : value])
        frequencies.append(term_info(data, value)[2])  # flags, weight, document frequency
        position = value + value_length
    return terms, frequencies


class Lexicons:
    """The term lists of every segment, kept across searchers: a segment's terms and
    their frequencies never change once it is written (a deletion leaves them, as it
    leaves what Whoosh's own term infos say). Reading them costs about 15 ms per field of a
    50,000-paper segment; after a write only the new segment is read."""

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
