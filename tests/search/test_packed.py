"""The packed postings layout (readinglist/search/packed.py) holds what Whoosh's own layout
holds: every term's documents, weights and positions read back through Whoosh's
matchers equal those of a stock Whoosh index of the same documents, and the bulk reader
(blocks.py) decodes them to the same position keys."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.fields import NUMERIC, TEXT, Schema

from readinglist.search import SearchDocument, WhooshIndex
from readinglist.search.analysis import text_analyzer
from readinglist.search.blocks import keys_of_positions, position_keys
from readinglist.search.evaluate import Evaluator
from readinglist.search.packed import PackedCodec, PackedLeafMatcher, PackedPositions
from readinglist.search.schema import fields_for

FILLER = " ".join(f"w{i % 900:03d}x" for i in range(70_000))
ABSTRACTS = [
    # Positions past 65,535: that block keeps 32-bit positions, the others 16-bit.
    f"opening words {FILLER} quantum lattice ends here",
    "lattice quantum " * 150,  # one word 150 times in one document
    *(f"quantum lattice sample {i} w{i % 900:03d}x filler{i % 7}" for i in range(400)),
]


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("packed")
    docs = [
        SearchDocument(id=i, key=f"p{i}", title=f"Paper {i % 5}", abstract=text)
        for i, text in enumerate(ABSTRACTS, 1)
    ]
    ours = WhooshIndex(folder / "ours")
    ours.rebuild(iter(docs), len(docs), "s")
    ours.update(docs[100:130])  # a second segment, and deleted documents in the first
    (folder / "stock").mkdir()
    stock = whoosh_index.create_in(
        str(folder / "stock"),
        Schema(
            id=NUMERIC(int, stored=True),
            abstract=TEXT(analyzer=text_analyzer()),
            title=TEXT(analyzer=text_analyzer()),
        ),
    )
    with stock.writer() as writer:
        for doc in docs:
            fields = fields_for(doc)
            writer.add_document(id=doc.id, abstract=fields["abstract"], title=fields["title"])
    yield ours, stock
    ours.close()
    stock.close()


def _postings(searcher, fieldname: str) -> dict[bytes, dict[int, tuple[float, list[int]]]]:
    """Every term of a field: paper id -> (weight, positions), through Whoosh's matchers."""
    fmt = searcher.schema[fieldname].format
    ids = {}
    for reader, offset in searcher.reader().leaf_readers():
        for docnum in reader.all_doc_ids():
            ids[docnum + offset] = reader.stored_fields(docnum)["id"]
    found: dict[bytes, dict[int, tuple[float, list[int]]]] = {}
    for reader, offset in searcher.reader().leaf_readers():
        for btext in reader.lexicon(fieldname):
            m = reader.postings(fieldname, btext)
            while m.is_active():
                if not reader.is_deleted(m.id()):
                    positions = fmt.decode_positions(m.value())
                    paper = ids[m.id() + offset]
                    found.setdefault(btext, {})[paper] = (m.weight(), positions)
                m.next()
    return found


def test_whooshs_matchers_read_what_a_stock_index_holds(indexes):
    ours, stock = indexes
    searcher = ours._searcher
    assert isinstance(searcher.schema["abstract"].format, PackedPositions)
    reader = next(iter(searcher.reader().leaf_readers()))[0]
    matcher = reader._terms.matcher("abstract", b"quantum", searcher.schema["abstract"].format)
    assert isinstance(matcher, PackedLeafMatcher)
    matcher._read_data()
    assert isinstance(matcher._data[2], bytes), "the block's values are packed"
    with stock.searcher() as theirs:
        for field in ("abstract", "title"):
            expected = _postings(theirs, field)
            assert _postings(searcher, field) == expected, field
        assert len(expected) > 5


def test_bulk_position_keys_equal_the_matchers(indexes):
    ours, _ = indexes
    evaluator = Evaluator(ours._searcher)
    fmt = ours._searcher.schema["abstract"].format
    for word in (b"quantum", b"lattic", b"w000x", b"end", b"filler3"):
        docs, positions = [], []
        for reader, offset in evaluator.segments:
            if ("abstract", word) not in reader:
                continue
            m = reader._terms.matcher("abstract", word, fmt)  # deleted ones too
            while m.is_active():
                docs.append(m.id() + offset)
                positions.append(fmt.decode_positions(m.value()))
                m.next()
        expected = keys_of_positions(np.asarray(docs, dtype=np.int64), positions)
        got = position_keys(evaluator.segments, "abstract", word, None, fmt)
        assert np.array_equal(got, np.sort(expected)), word
        some = np.asarray(sorted(set(docs))[::3], dtype=np.int64)
        got = position_keys(evaluator.segments, "abstract", word, some, fmt)
        assert np.array_equal(got, np.sort(expected[np.isin(expected >> 24, some)])), word


def test_phrases_answer_as_whooshs_searcher(indexes):
    ours, _ = indexes
    for query in (
        '"quantum lattice"',
        '"lattice quantum"',
        '"lattice ends here"',
        '"w001x filler1"',
    ):
        ours.fast = True
        fast = ours.search(query, limit=None, highlight=False)
        ours.fast = False
        slow = ours.search(query, limit=None, highlight=False)
        ours.fast = True
        assert sorted(fast.ids) == sorted(slow.ids) and fast.total == slow.total, query
        assert fast.total, query


def test_the_codec_is_kept_with_each_segment(indexes):
    ours, _ = indexes
    segments = ours._ix._segments()
    assert len(segments) >= 2
    assert all(isinstance(segment.codec(), PackedCodec) for segment in segments)
