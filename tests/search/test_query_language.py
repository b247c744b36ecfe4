"""Each form of the query language, on the seed library, with the papers it must find."""

from __future__ import annotations

import re

import pytest

# Every test here only reads, so they share one index (see conftest).
from tests.search.conftest import (
    ADV_RM,
    ALIGNMENT_FAKING,
    CSWIN,
    DEPS,
    FLASH_ATTENTION,
    HERDING,
    MEGATRON,
    MIXTURE_OF_MAMBA,
    NEMOTRON_H,
    OLMO,
    PRETRAINING_PREFS,
    TRANSKD,
    TRICKLE,
    TULU,
    UNTITLED,
    ids,
)

MAMBA = {NEMOTRON_H, MIXTURE_OF_MAMBA}


def test_a_word_finds_both_mamba_papers(shared_index):
    assert ids(shared_index, "mamba") == MAMBA
    assert ids(shared_index, "Mamba") == MAMBA


def test_words_are_stemmed_and_all_required(shared_index):
    assert ids(shared_index, "mamba hybrid") == {NEMOTRON_H}
    # "transformers" and "transformer" are one term
    assert ids(shared_index, "transformers") == ids(shared_index, "transformer")
    assert {CSWIN, TRANSKD} <= ids(shared_index, "transformers")


def test_title_matches_rank_first(shared_index):
    hits = shared_index.search("segmentation", limit=10).hits
    assert "segmentation" in hits[0].title.lower()
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_phrase_finds_only_the_exact_phrase(shared_index, seed_documents):
    adjacent = re.compile(r"\breward models?\b", re.IGNORECASE)
    expected = {
        doc.id for doc in seed_documents.values() if adjacent.search(f"{doc.title}\n{doc.abstract}")
    }
    assert expected == {ADV_RM, TRICKLE, HERDING, PRETRAINING_PREFS}
    assert ids(shared_index, '"reward model"') == expected
    assert ids(shared_index, "reward model") > expected  # both words, anywhere


def test_or_not_minus_and_parentheses(shared_index):
    # paper 20 mentions FlashAttention in its abstract
    assert ids(shared_index, "mamba OR flashattention") == MAMBA | {20, FLASH_ATTENTION}
    assert ids(shared_index, "mamba NOT hybrid") == {MIXTURE_OF_MAMBA}
    assert ids(shared_index, "mamba -hybrid") == {MIXTURE_OF_MAMBA}
    assert ids(shared_index, "(mamba OR flashattention) hybrid") == {NEMOTRON_H}
    # a hyphen inside a word is not an exclusion
    assert ids(shared_index, "pre-training") >= {9, 12, 21}


def test_prefix(shared_index):
    assert TRANSKD in ids(shared_index, "distill*")
    assert ids(shared_index, "mamb*") == MAMBA
    # a partial word past the stem still finds the word ("learni" -> "learning")
    assert 13 in ids(shared_index, "learni*")


def test_fuzzy_finds_the_intended_word(shared_index):
    assert ids(shared_index, "trasformer") == set()
    assert {CSWIN, TRANSKD} <= ids(shared_index, "trasformer~")
    assert ids(shared_index, "mambba~") >= MAMBA


def test_fields(shared_index):
    assert ids(shared_index, "title:mamba") == MAMBA
    assert ids(shared_index, "title:reward") >= {HERDING, TRICKLE}
    assert ADV_RM not in ids(shared_index, "title:reward")  # only its abstract says reward
    assert ids(shared_index, "author:lambert") == {TULU}
    assert ids(shared_index, 'author:"nathan lambert"') == {TULU}
    assert ids(shared_index, "key:tulu3") == {TULU}
    assert ids(shared_index, "note:reading") == {ALIGNMENT_FAKING}
    assert ids(shared_index, "note:conditional") == {PRETRAINING_PREFS}  # highlight comments


def test_tags_are_hierarchical(shared_index):
    assert ids(shared_index, "tag:method") == {NEMOTRON_H, TRICKLE}
    assert ids(shared_index, "tag:method/rl") == {TRICKLE}
    assert ids(shared_index, "tag:topic") == {ADV_RM, HERDING}
    assert ids(shared_index, "tag:reward-models") == set()  # a tag is named from its root
    assert ids(shared_index, "tag:topic/reward-models reward") == {ADV_RM, HERDING}


def test_years(shared_index):
    assert ids(shared_index, "year:2023") == {FLASH_ATTENTION, PRETRAINING_PREFS}
    assert ids(shared_index, "year:2020..2024") == {FLASH_ATTENTION, TULU, PRETRAINING_PREFS}
    assert ids(shared_index, "year:>2023") == {NEMOTRON_H, MIXTURE_OF_MAMBA, TULU}
    assert ids(shared_index, "year:<2020") == {MEGATRON}
    assert ids(shared_index, "year:..2019") == {MEGATRON}
    assert ids(shared_index, "mamba year:2025..") == MAMBA


def test_status_and_flags(shared_index):
    assert ids(shared_index, "status:read") == {FLASH_ATTENTION}
    assert ids(shared_index, "is:read") == {FLASH_ATTENTION}
    assert ids(shared_index, "status:reading") == {MIXTURE_OF_MAMBA}
    assert len(ids(shared_index, "status:unread")) == 51
    assert ids(shared_index, "is:untitled") == UNTITLED
    assert ids(shared_index, "mamba is:untitled") == {NEMOTRON_H}


def test_added_dates(shared_index):
    assert ids(shared_index, "added:<7d") == {PRETRAINING_PREFS}
    assert ids(shared_index, "added:today") == set()
    assert ids(shared_index, "added:2024-06") == {ALIGNMENT_FAKING}
    assert ids(shared_index, "added:>2024-05-31") == {ALIGNMENT_FAKING, PRETRAINING_PREFS}
    assert ids(shared_index, "added:2024-06-01..2024-06-30") == {ALIGNMENT_FAKING}
    assert len(ids(shared_index, "added:>30d")) == 52


@pytest.mark.parametrize("query", ['T\\"ULU', "tulu", "TÜLU", "Tülu", '{T\\"{U}LU}'])
def test_latex_and_accents_fold_together(shared_index, query):
    assert ids(shared_index, query) == {TULU, OLMO}


@pytest.mark.parametrize("query", ["$\\epsilon$", "epsilon", "ε", "ϵ"])
def test_greek_letters_and_their_names_are_one_word(shared_index, query):
    assert DEPS in ids(shared_index, query)


@pytest.mark.parametrize("query", ['D\\"{u}sseldorf', "Düsseldorf", "Dusseldorf", "dusseldorf"])
def test_latex_in_notes_is_decoded(shared_index, query):
    assert ids(shared_index, query) == {ALIGNMENT_FAKING}


def test_stop_words_do_not_have_to_be_anywhere(shared_index):
    assert ids(shared_index, "the mamba of") == MAMBA
    assert ids(shared_index, "the") == set()
