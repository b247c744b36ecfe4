"""The bulk evaluation at its edges: positions past 255 and past 65,535 (a block of 32-bit
positions), a word 140 times in one abstract, postings blocks of one to three documents,
many segments and deleted documents, and typos measured across segments. Each answer
is compared with Whoosh's own searcher."""

from __future__ import annotations

import numpy as np
import pytest

from readinglist.search import SearchDocument, WhooshIndex
from readinglist.search.evaluate import Evaluator
from readinglist.search.expansions import Expansions


def _doc(paper_id: int, abstract: str, title: str = "A paper") -> SearchDocument:
    return SearchDocument(id=paper_id, key=f"p{paper_id}", title=title, abstract=abstract)


def _both(index: WhooshIndex, query: str) -> tuple[list[int], list[int]]:
    index.fast = True
    fast = index.search(query, limit=None, highlight=False)
    index.fast = False
    slow = index.search(query, limit=None, highlight=False)
    index.fast = True
    assert fast.total == slow.total, query
    return sorted(fast.ids), sorted(slow.ids)


@pytest.fixture
def far_positions(tmp_path):
    filler = " ".join(f"w{i % 5000:04d}x" for i in range(70_000))
    docs = [
        # The phrase only past position 255 and after a gap past 65,535.
        _doc(1, f"opening words {filler} quantum lattice ends here"),
        _doc(2, f"quantum lattice first, {filler[:4000]} quantum lattice again"),
        _doc(3, "quantum purple lattice apart " + filler[:2000] + " lattice quantum"),
        _doc(4, "lattice"),
        _doc(5, "quantum lattice"),
        # More than 127 positions: the value's count is two bytes in the block's pickle.
        _doc(6, "lattice quantum " * 150),
    ]
    index = WhooshIndex(tmp_path / "index")
    index.rebuild(iter(docs), len(docs), "s")
    yield index
    index.close()


def test_phrases_far_into_long_abstracts(far_positions):
    for query in ('"quantum lattice"', '"lattice quantum"', '"lattice ends"', '"words w0000x"'):
        fast, slow = _both(far_positions, query)
        assert fast == slow, query
    assert _both(far_positions, '"quantum lattice"')[0] == [1, 2, 5, 6]
    assert _both(far_positions, '"lattice ends here"')[0] == [1]


def test_small_blocks_segments_and_deletions(tmp_path):
    index = WhooshIndex(tmp_path / "index")
    words = ["alpha", "beta", "gamma", "delta"]
    docs = [
        _doc(i, " ".join(words[: 1 + i % 4]) + f" rare{i % 3} tail", title=f"t{i}")
        for i in range(1, 12)
    ]
    index.rebuild(iter(docs[:5]), 5, "s")
    for doc in docs[5:]:
        index.update([doc])  # a segment of one document each: blocks of one posting
    index.delete([2, 7])
    index.update([_doc(3, "gamma alpha beta replaced")])
    try:
        for query in (
            "alpha",
            "beta gamma",
            '"alpha beta"',
            '"beta gamma delta"',
            "rare1 OR rare2",
            "al*",
            "gamna~",
            "alpha -delta",
            "title:t1*",
        ):
            fast, slow = _both(index, query)
            assert fast == slow, query
    finally:
        index.close()


def test_typos_across_segments_match_whoosh(tmp_path):
    index = WhooshIndex(tmp_path / "index")
    docs = [_doc(1, "transformer attention"), _doc(2, "transfomer atention")]
    index.rebuild(iter(docs), 2, "s")
    index.update([_doc(3, "transformers attentive")])
    try:
        reader = index._searcher.reader()
        expansions = Expansions(reader)
        found = set(expansions.terms_within("abstract", "transformr", 2, prefix=1))
        expected = set(reader.terms_within("abstract", "transformr", 2, prefix=1))
        assert found == expected
        # A swap of two letters is one edit across segments (Damerau-Levenshtein).
        swapped = set(expansions.terms_within("abstract", "aetnt", 1, prefix=1))
        assert swapped == set(reader.terms_within("abstract", "aetnt", 1, prefix=1))
        assert "atent" in swapped
        for query in ("transformr~", "atention~", "attentoin~2"):
            fast, slow = _both(index, query)
            assert fast == slow, query
    finally:
        index.close()


def test_a_word_many_times_in_one_of_many_blocks(tmp_path):
    """Over 128 documents (several blocks), one of them with a word 140 times."""
    index = WhooshIndex(tmp_path / "index")
    docs = [_doc(i, f"alpha beta gamma filler{i % 7}") for i in range(1, 400)]
    docs[200] = _doc(201, "alpha beta " * 140)
    index.rebuild(iter(docs), len(docs), "s")
    try:
        for query in ('"alpha beta"', '"beta alpha"', '"beta gamma"', '"alpha beta gamma"'):
            fast, slow = _both(index, query)
            assert fast == slow, query
        assert 201 in _both(index, '"beta alpha"')[0]
    finally:
        index.close()


def test_term_lists_read_in_bulk_equal_whooshs(tmp_path):
    from readinglist.search.expansions import _read_terms_file

    index = WhooshIndex(tmp_path / "index")
    docs = [
        _doc(1, "transformer attention über naïve 東京 x", title="Attention"),
        _doc(2, "transfomer atention " + "lattice " * 200, title="Zebra"),
    ]
    index.rebuild(iter(docs), 2, "s")
    index.update([_doc(3, "transformers attentive")])
    try:
        reader = index._searcher.reader()
        segments = [segment for segment, _ in reader.leaf_readers()]
        assert len(segments) == 2
        for segment in segments:
            for field in ("abstract", "title", "author", "key", "note", "no such field"):
                expected = (
                    [(btext, info.doc_frequency()) for btext, info in segment.iter_field(field)]
                    if field in segment.schema
                    else []
                )
                terms, frequencies = _read_terms_file(segment, field)
                assert list(zip(terms, frequencies, strict=True)) == expected, field
            assert _read_terms_file(segment, "abstract")[0], "the abstracts have terms"
    finally:
        index.close()


def test_a_frequent_word_read_only_where_a_rare_one_is(tmp_path):
    """A phrase of a rare and a frequent word reads the frequent word's postings and
    positions only in the blocks that may hold the rare word's papers (a block's header
    gives its last document), across segments and deletions, with Whoosh's answer."""
    index = WhooshIndex(tmp_path / "index")
    docs = [
        _doc(i, "common ground " + ("rare common " if i % 1000 == 7 else "") + f"filler{i % 9}")
        for i in range(1, 8001)
    ]
    index.rebuild(iter(docs), len(docs), "s")
    index.update([_doc(7, "rare then common"), _doc(8001, "rare common ground")])
    index.delete([2007])
    try:
        evaluator = Evaluator(index._searcher)
        every = evaluator.postings("abstract", b"common")
        rare = evaluator.postings("abstract", b"rare")[0]
        evaluator._cache.clear()
        ids, weights = evaluator.postings_within("abstract", b"common", rare)
        assert set(rare) <= set(ids)
        assert len(ids) < len(every[0]) / 3  # most blocks were never read
        # Where read, the same postings as the whole list.
        assert np.array_equal(weights, every[1][np.searchsorted(every[0], ids)])
        for query in ('"rare common"', '"common rare"', '"rare common ground"', "rare common"):
            fast, slow = _both(index, query)
            assert fast == slow, query
        assert _both(index, '"rare common"')[0] == [1007, 3007, 4007, 5007, 6007, 7007, 8001]
    finally:
        index.close()
