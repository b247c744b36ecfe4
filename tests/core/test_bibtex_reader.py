"""Reading .bib files: every entry kept, malformed blocks reported with their line."""

from __future__ import annotations

from collections import Counter

import pytest

from readinglist.formats.bibtex import BibExtras, to_bibtex
from readinglist.formats.bibtex_reader import read_bibtex
from readinglist.models import ParsedRecord, SkippedRecord
from tests.core.test_bibtex_tools import bibtex_problems, make_paper

# Entries (not @string, @preamble or @comment) in the shared files, counted by hand and
# matching SOURCES.md; biber's examples hold one entry whose key repeats an earlier one.
REAL_FILES = {
    "d2l_book.bib": 488,
    "jabref_testjabref.bib": 156,
    "jabref_complex.bib": 20,
    "bibtexparser_biber_examples.bib": 118,
    "xampl.bib": 36,
}


def records(items):
    return [item for item in items if isinstance(item, ParsedRecord)]


def skipped(items):
    return [item for item in items if isinstance(item, SkippedRecord)]


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_real_files_keep_every_entry(testdata, name):
    text = (testdata / "bibtex" / name).read_text(encoding="utf-8")
    items = list(read_bibtex(text))
    found = records(items)
    assert len(found) == REAL_FILES[name]
    assert skipped(items) == []
    assert [r.line for r in found] == sorted(r.line for r in found)
    for record in found:
        lines = text.splitlines()
        assert lines[record.line - 1].lstrip().startswith("@"), (record.line, record.citation_key)


def test_distinct_keys_stay_distinct_even_with_equal_titles(testdata):
    text = (testdata / "bibtex" / "d2l_book.bib").read_text(encoding="utf-8")
    found = records(read_bibtex(text))
    assert len({r.citation_key for r in found}) == len(found)


def test_duplicate_key_is_still_a_record(testdata):
    text = (testdata / "bibtex" / "bibtexparser_biber_examples.bib").read_text(encoding="utf-8")
    keys = Counter(r.citation_key for r in records(read_bibtex(text)))
    assert keys["tmn4"] == 2


def test_xampl_macros_crossref_and_concatenation(testdata):
    text = (testdata / "bibtex" / "xampl.bib").read_text(encoding="utf-8")
    by_key = {r.citation_key: r for r in records(read_bibtex(text))}
    full = by_key["article-full"]
    assert full.title == "The Gnats and Gnus Document Preparation System"
    assert full.venue == "G-Animal's Journal"  # @string ga = "\mbox{G-Animal's} Journal"
    assert full.authors[0] == "Aamport, L[eslie] A."
    assert full.year == 1986
    assert ("month", "jul") in full.extra_fields
    crossref = by_key["inproceedings-crossref"]
    assert crossref.year == 1983 and crossref.venue  # both filled from the parent


def test_latex_is_decoded_for_display(testdata):
    text = (testdata / "bibtex" / "d2l_book.bib").read_text(encoding="utf-8")
    titles = " ".join(r.title + " ".join(r.authors) for r in records(read_bibtex(text)))
    assert "\\'" not in titles and '\\"' not in titles
    assert "í" in titles or "é" in titles


SYNTHETIC = r"""% a comment line
@string{ acm = "ACM Press" }
@preamble{ "\newcommand{\noop}[1]{}" }
@comment{ not an entry }
Free text between entries.
@article(paren, title = {Paren {Entry}}, publisher = acm # " Extra", month = jan, year = 2020,
  journal = {J}, author = {Doe, Jane and {Smith and Wesson}})
@misc{, title = {Empty key}}
@misc{broken, title = {Unclosed
@misc{after, title = "After {B}", year = {2001}, keywords = {a, b; c}}
@misc{noeq, title {x}}
@misc{dup, title={A}}
@misc{dup, title={B}}
@misc{arx, title={An arXiv paper}, eprint={2301.00001v2}, archivePrefix={arXiv},
  primaryClass={cs.LG}, note={Seen at a talk. Code: https://github.com/x/y_z}}
"""


def test_synthetic_file():
    items = list(read_bibtex(SYNTHETIC))
    found = {r.citation_key or "(empty)": r for r in records(items)}
    assert set(found) == {"paren", "(empty)", "after", "dup", "arx"}
    assert len(records(items)) == 6  # both "dup" entries
    paren = found["paren"]
    assert paren.line == 6
    assert paren.title == "Paren Entry"
    assert paren.authors == ("Doe, Jane", "Smith and Wesson")
    assert ("publisher", "ACM Press Extra") in paren.extra_fields
    assert paren.entry_type == "article" and paren.venue == "J"
    assert found["after"].tags == ("a", "b", "c")
    arx = found["arx"]
    assert arx.arxiv_id == "2301.00001"
    assert arx.code_url == "https://github.com/x/y_z"
    assert ("note", "Seen at a talk") in arx.extra_fields
    assert ("primaryclass", "cs.LG") in arx.extra_fields
    bad = skipped(items)
    assert [s.line for s in bad] == [9, 11]
    assert all("malformed" in s.reason for s in bad)


def test_preserved_fields_are_written_back_and_accepted_by_bibtex(tmp_path):
    items = records(read_bibtex(SYNTHETIC))
    papers, extras = [], {}
    for number, record in enumerate(items, start=1):
        key = record.citation_key or "empty"
        key = f"{key}{number}" if key == "dup" else key
        papers.append(
            make_paper(
                number,
                key,
                record.title,
                record.abstract,
                authors=list(record.authors),
                year=record.year,
                venue=record.venue,
                arxiv_id=record.arxiv_id,
                code_url=record.code_url,
                tags=list(record.tags),
            )
        )
        extras[number] = BibExtras(record.entry_type, record.extra_fields)
    bib = to_bibtex(papers, extras_by_paper=extras)
    assert "publisher = {ACM Press Extra}" in bib
    assert "month = jan" in bib
    assert "primaryClass = {cs.LG}" in bib  # spelt as arXiv's own export spells it
    assert "note = {Seen at a talk. Code: https://github.com/x/y\\_z}" in bib
    assert bibtex_problems(bib, tmp_path) == []
    again = {r.citation_key: r for r in records(read_bibtex(bib))}
    assert again["arx"].code_url == "https://github.com/x/y_z"


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_real_files_reexport_through_bibtex(testdata, tmp_path, name):
    """Import then export: bibtex reads the result without an error message."""
    text = (testdata / "bibtex" / name).read_text(encoding="utf-8")
    papers, extras, seen = [], {}, set()
    for number, record in enumerate(records(read_bibtex(text)), start=1):
        key = "".join(
            c for c in record.citation_key if c.isascii() and (c.isalnum() or c in "_:.-")
        )
        key = key or f"k{number}"
        while key.casefold() in seen:
            key += "x"
        seen.add(key.casefold())
        papers.append(
            make_paper(
                number,
                key,
                record.title,
                record.abstract,
                authors=list(record.authors),
                year=record.year,
                venue=record.venue,
                url=record.url,
                doi=record.doi,
                arxiv_id=record.arxiv_id,
                tags=list(record.tags),
            )
        )
        extras[number] = BibExtras(record.entry_type, record.extra_fields)
    bib = to_bibtex(papers, extras_by_paper=extras)
    problems = bibtex_problems(bib, tmp_path, style="showall")
    assert [p for p in problems if "error message" in p or "---line" in p] == []
