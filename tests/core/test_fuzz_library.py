"""Bad input through the front door: generated BibTeX, pasted text and search queries go
through ``Library`` and nothing escapes but a report or a message.

Profiles (tests/core/conftest.py): a modest count by default, HYPOTHESIS_PROFILE=long for
a soak run of thousands of examples per reader.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readinglist.formats.bibtex_reader import read_bibtex
from readinglist.library import Library
from readinglist.models import ParsedRecord, SkippedRecord

BIB_PIECES = st.sampled_from(
    [
        "@article{",
        "@misc(",
        "@string{j = ",
        "@comment{",
        "@preamble{",
        "}",
        ")",
        "{",
        ",",
        " = ",
        "title",
        "author",
        "year",
        "abstract",
        "keywords",
        "crossref",
        "#",
        '"',
        "\\",
        '\\"{u}',
        "$x^2$",
        "%",
        "&",
        "key1",
        "key2",
        "\n",
        "  ",
        "2020",
        "and",
        "Smith, Ann",
        "@",
        "=",
        "{\\'e}",
        "ε",
        "数据",
    ]
)
BIBTEX_TEXT = st.lists(st.one_of(BIB_PIECES, st.text(max_size=8)), max_size=60).map("".join)
QUERY_PIECES = st.sampled_from(
    [
        "mamba",
        "OR",
        "AND",
        "NOT",
        "-",
        "(",
        ")",
        '"',
        "*",
        "~",
        "~2",
        "title:",
        "tag:",
        "year:",
        "2020..2024",
        ">",
        "<",
        "added:",
        "<7d",
        "status:",
        "is:",
        "untitled",
        "key:",
        "author:",
        "\\",
        "$",
        "ε",
        " ",
        "  ",
        ":",
        "..",
        "^",
        "/",
        "note:",
    ]
)
QUERY_TEXT = st.lists(st.one_of(QUERY_PIECES, st.text(max_size=6)), max_size=12).map("".join)

_folders: dict[str, Path] = {}


@pytest.fixture(scope="module")
def shared_library():
    """One library for every example: generated input must not break it for the next."""
    with tempfile.TemporaryDirectory() as tmp, Library(Path(tmp) / "lib") as library:
        yield library


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=BIBTEX_TEXT)
def test_bibtex_reader_reports_or_reads_never_raises(text):
    for item in read_bibtex(text):
        assert isinstance(item, ParsedRecord | SkippedRecord)
        if isinstance(item, SkippedRecord):
            assert item.reason


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(BIBTEX_TEXT, st.text(max_size=400)))
def test_pasted_text_gives_a_report_never_an_exception(shared_library, text):
    before = shared_library.count()
    report = shared_library.import_text(text)
    [file] = report.files
    assert file.ok or file.error
    assert shared_library.count() == before + file.added
    assert len(file.added_ids) == file.added


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERY_TEXT)
def test_any_query_gives_results_or_a_message(shared_library, query):
    results = shared_library.search(query, limit=5)
    assert results.total >= 0
    everything = shared_library.search_all(query)
    assert everything.total >= 0
