"""Export then import gives back every paper: key, title, abstract, tags and year.

Titles and abstracts are compared as the text they render to (``latex.to_plain``): the
library's ``T\\"ULU`` comes back as ``TÜLU`` and ``25\\%`` as ``25%``.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readinglist.formats import latex
from readinglist.formats.bibtex import to_bibtex
from readinglist.formats.bibtex_reader import read_bibtex
from readinglist.models import ParsedRecord
from tests.core.test_bibtex_tools import make_paper, nasty_papers, seed_papers


def roundtrip(papers, dialect):
    records = [
        r for r in read_bibtex(to_bibtex(papers, dialect=dialect)) if isinstance(r, ParsedRecord)
    ]
    return {record.citation_key: record for record in records}


def rendered(text: str, dialect: str) -> str:
    """What comes back: the text the library renders, every character included (in the
    BibTeX dialect too: math characters, invisible ones, CJK in the wrapper)."""
    return latex.to_plain(text)


def assert_same(paper, record, dialect="biblatex"):
    assert record.citation_key == paper.key
    assert record.title == rendered(paper.title, dialect), paper.key
    assert record.abstract == rendered(paper.abstract, dialect), paper.key
    assert sorted(record.tags) == sorted(paper.tags), paper.key
    assert record.year == paper.year, paper.key


@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
def test_seed_library_roundtrips(seeded_library, dialect):
    papers = seed_papers(seeded_library)
    records = roundtrip(papers, dialect)
    assert len(records) == len(papers) == 53
    for paper in papers:
        assert_same(paper, records[paper.key])
        assert records[paper.key].code_url == paper.code_url


@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
def test_nasty_papers_roundtrip(dialect):
    papers = [p for p in nasty_papers() if p.title]  # an empty title is written as "Untitled"
    records = roundtrip(papers, dialect)
    assert set(records) == {p.key for p in papers}
    for paper in papers:
        assert_same(paper, records[paper.key], dialect)
    vaswani = records["vaswani2017attention"]
    assert vaswani.authors == (
        "Vaswani, Ashish",
        "Shazeer, Noam",
        "Müller, Jürgen",
        "van der Berg, Anna",
    )
    assert vaswani.arxiv_id == "1706.03762"
    assert vaswani.code_url == "https://github.com/tensorflow/tensor2tensor_x#readme"
    assert vaswani.venue == "Advances in Neural Information Processing Systems (NeurIPS)"


plain_text = st.text(
    st.characters(
        codec="utf-8", exclude_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp", "Mn")
    ),
    max_size=80,
)


@given(title=plain_text, abstract=plain_text)
def test_any_text_roundtrips_in_the_biblatex_dialect(title, abstract):
    paper = make_paper(1, "k", "T " + title, abstract)
    record = roundtrip([paper], "biblatex")["k"]
    assert record.title == latex.squeeze(latex.to_plain(paper.title))
    assert record.abstract == latex.squeeze(latex.to_plain(paper.abstract))


ascii_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)


@given(abstract=ascii_text)
def test_any_ascii_text_roundtrips_in_the_bibtex_dialect(abstract):
    paper = make_paper(1, "k", "Title", abstract)
    record = roundtrip([paper], "bibtex")["k"]
    assert record.abstract == latex.squeeze(latex.to_plain(paper.abstract))
