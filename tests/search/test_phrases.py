"""Quoted phrases with punctuation in them search every field that has text.

The tag field keeps whole tags, not word positions: a phrase with a comma used to fail
there and turn the whole search into "searched for the words only".
"""

from __future__ import annotations

import pytest

from tests.search.conftest import (
    ALIGNMENT_FAKING,
    MIXTURE_OF_MAMBA,
    NEMOTRON_H,
    TRICKLE,
    TULU,
    ids,
)


@pytest.mark.parametrize(
    "phrase",
    [
        '"Nemotron-H, a family"',  # as the abstract has it
        '"Nemotron-H: a family"',  # as the title has it
        '"Nemotron-H; a family!"',
        '"nemotron-h, a FAMILY of"',
        '"We introduce Nemotron-H, a family"',
    ],
)
def test_a_phrase_with_punctuation_finds_its_paper(shared_index, phrase):
    assert ids(shared_index, phrase) == {NEMOTRON_H}


def test_punctuation_phrase_in_a_field_search(shared_index):
    assert ids(shared_index, 'abstract:"Nemotron-H, a family"') == {NEMOTRON_H}
    assert ids(shared_index, 'title:"Nemotron-H: a family"') == {NEMOTRON_H}
    assert ids(shared_index, 'title:"Nemotron-H, a family" mamba') == {NEMOTRON_H}


def test_punctuation_phrase_in_authors_and_notes(shared_index):
    assert ids(shared_index, 'by:"Nathan Lambert, Hamish Ivison"') == {TULU}
    assert ids(shared_index, '"Lambert, Hamish"') == {TULU}
    assert ids(shared_index, 'note:"reading group, in Düsseldorf."') == {ALIGNMENT_FAKING}
    assert ids(shared_index, '"group in D\\"{u}sseldorf."') == {ALIGNMENT_FAKING}


def test_a_phrase_still_needs_its_words_side_by_side(shared_index):
    assert ids(shared_index, '"family, Nemotron-H"') == set()
    assert ids(shared_index, '"Mamba-Transformer, hybrid"') == set()


def test_tags_are_matched_whole_and_a_comma_phrase_is_no_tag(shared_index):
    assert ids(shared_index, '"method/rl"') == {TRICKLE}
    assert ids(shared_index, 'tag:"to-read"') == {MIXTURE_OF_MAMBA}
    assert ids(shared_index, 'tag:"method, to-read"') == set()  # no error, no tag
    assert ids(shared_index, 'tag:"to-read, method" OR "Nemotron-H, a family"') == {NEMOTRON_H}
