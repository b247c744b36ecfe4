"""Every match of a query as an array of paper ids (the window's table), the same papers
in the same order as ``search_all``'s hits, on the fast path and on Whoosh's own."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from readinglist.search import whoosh_index
from tests.search.conftest import MIXTURE_OF_MAMBA, TULU

QUERIES = [
    "model",
    "training",
    "mamba",
    '"language model"',
    "optim*",
    "trasformer~",
    "title:efficient",
    "reward policy",
    "memory OR latency",
    "-vision data",
    'unclosed "quote',
    "zzqxv",
    "",
]


@pytest.mark.parametrize("fast", [True, False])
def test_search_all_ids_are_search_all_hits(index, fast):
    index.fast = fast
    for query in QUERIES:
        for ranked in (3, 500):
            matches = index.search_all_ids(query, ranked=ranked)
            results = index.search_all(query, ranked=ranked)
            assert matches.ids.dtype == np.int64
            assert matches.ids.tolist() == [hit.id for hit in results.hits], query
            assert (
                matches.scores.tolist()
                == [hit.score for hit in results.hits][: len(matches.scores)]
            )
            assert matches.matched_terms == results.matched_terms
            assert matches.fallback_message == results.fallback_message
            assert matches.suggestion == results.suggestion


def test_the_id_column_read_whole_is_the_column(index, seed_documents):
    # Several segments, one with a deleted document: what an edited library looks like.
    tulu = seed_documents[TULU]
    index.update([dataclasses.replace(tulu, title="Tülu edited")])
    index.delete([MIXTURE_OF_MAMBA])
    searcher = index._searcher
    assert len(searcher.reader().leaf_readers()) > 1
    column = searcher.reader().column_reader("id")
    count = searcher.doc_count_all()
    read = whoosh_index._paper_ids_by_docnum(searcher, column)
    assert read.tolist() == [column[docnum] for docnum in range(count)]
    assert TULU in index.search_all_ids("edited").ids.tolist()
    assert MIXTURE_OF_MAMBA not in index.search_all_ids("mamba").ids.tolist()
