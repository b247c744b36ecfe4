"""What a search returns besides ids: snippets, fallbacks, suggestions, neighbours."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readinglist.search import strip_marks
from tests.search.conftest import (
    ADV_RM,
    CSWIN,
    HERDING,
    MIXTURE_OF_MAMBA,
    NEMOTRON_H,
    TRICKLE,
    TULU,
)

MAMBA = {NEMOTRON_H, MIXTURE_OF_MAMBA}


def test_hits_carry_marked_snippets(shared_index):
    results = shared_index.search("mamba", limit=20)
    assert results.total == 2
    hit = next(h for h in results.hits if h.id == MIXTURE_OF_MAMBA)
    assert hit.key == "mixtureofmamba"
    assert "<b>Mamba</b>" in hit.title_snippet
    assert "<b>Mamba</b>" in hit.abstract_snippet
    assert strip_marks(hit.title_snippet) == hit.title
    assert results.matched_terms == frozenset({"mamba"})


def test_snippets_escape_html_and_mark_stemmed_forms(shared_index):
    results = shared_index.search("model", limit=5)
    assert results.mark("Models & <model>") == "<b>Models</b> &amp; &lt;<b>model</b>&gt;"
    for hit in results.hits:
        assert "<b>" in hit.title_snippet + hit.abstract_snippet


def test_limit_and_total(shared_index):
    results = shared_index.search("model", limit=3)
    assert len(results.hits) == 3
    assert results.total > 3
    assert shared_index.search_ids("model") == shared_index.search("model", limit=None).ids
    assert len(shared_index.search_ids("model")) == results.total


def test_without_highlighting(shared_index):
    hit = shared_index.search("mamba", highlight=False).hits[0]
    assert hit.title_snippet == hit.abstract_snippet == ""


def test_malformed_queries_fall_back_to_words_and_say_so(shared_index):
    for query in ('"mamba hybrid', "(mamba hybrid", "mamba hybrid)", "mamba year:soon hybrid"):
        results = shared_index.search(query)
        assert results.fallback_message, query
        assert set(results.ids) == {NEMOTRON_H}, query
    assert "prefix" in shared_index.search("m* mamba").fallback_message
    assert "status:" in shared_index.search("status:done mamba").fallback_message


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.text(
        alphabet=st.sampled_from(list('abcmT\\"{}()$*~:-+^[]<>.=/ ORNADT\u00fc\u03b5?%')),
        max_size=30,
    )
)
def test_no_query_raises(shared_index, query):
    results = shared_index.search(query)
    assert results.total >= len(results.hits)


def test_did_you_mean(shared_index):
    results = shared_index.search("transfomer")
    assert results.total == 0
    assert results.suggestion == "transformer"
    assert shared_index.search("mamba trasnformers").suggestion == "mamba transformers"
    assert shared_index.search("mamba").suggestion == ""


def test_related_papers(shared_index):
    related = shared_index.related(MIXTURE_OF_MAMBA, limit=5)
    assert NEMOTRON_H in related.ids
    assert MIXTURE_OF_MAMBA not in related.ids
    assert shared_index.related(CSWIN, limit=3).ids  # something, for any paper
    assert shared_index.related(9999).ids == []


def test_tag_suggestions_come_from_neighbours(shared_index):
    # Both neighbours about reward models carry topic/reward-models; TRICKLE does not.
    assert "topic/reward-models" in shared_index.suggest_tags(TRICKLE)
    # a paper is not offered the tags it has, nor the ancestors of its tags
    suggestions = shared_index.suggest_tags(HERDING)
    assert "topic/reward-models" not in suggestions
    assert "topic" not in suggestions
    assert shared_index.suggest_tags(9999) == []


def test_updates_are_visible_at_once(index, seed_documents):
    changed = dataclasses.replace(seed_documents[TULU], title="Zyxwvut: a renamed paper")
    index.update([changed], stamp="stamp-2")
    assert index.search("zyxwvut").ids == [TULU]
    assert TULU not in index.search("frontiers").ids
    assert index.stamp() == "stamp-2"
    count = index.doc_count()
    index.delete([TULU, ADV_RM])
    assert index.search("zyxwvut").ids == []
    assert index.doc_count() == count - 2
    assert set(index.search_ids("mamba")) == MAMBA
