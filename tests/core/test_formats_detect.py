"""Telling a BibTeX file from an abstract file by content."""

from __future__ import annotations

import pytest

from readinglist.formats.detect import looks_like_bibtex
from readinglist.formats.textfile import split_text_lines
from tests.core.conftest import SAMPLE_PAPERS, daily_page

BIBTEX_SAMPLES = {
    "article": "@article{vaswani2017,\n  title = {Attention Is All You Need},\n  year = 2017\n}\n",
    "string-first": '@string{jmlr = "JMLR"}\n@article{a, journal = jmlr}\n',
    "string-upper": "@STRING{cup = {Cambridge University Press}}\n",
    "comment-first": "% Encoding: UTF-8\n\n@Article{x,\n title={T}\n}\n",
    "preamble": '@preamble{ "\\newcommand{\\noop}[1]{}" }\n@misc{m, title={M}}\n',
    "spaced": "  @ inproceedings ( key,\n title = {T} )\n",
    "user-comment-first": "Some words a user wrote.\n@String{s = {x}}\n@Book{b, title={B}}\n",
}


@pytest.mark.parametrize("name", sorted(BIBTEX_SAMPLES))
def test_bibtex_samples_are_recognised(name):
    assert looks_like_bibtex(split_text_lines(BIBTEX_SAMPLES[name]))


def test_shared_bibtex_files_are_recognised(testdata):
    files = sorted((testdata / "bibtex").glob("*.bib"))
    assert len(files) >= 5
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert looks_like_bibtex(split_text_lines(text)), path.name


@pytest.mark.parametrize(
    "text",
    [
        "".join(f"Abstract:{a}\n" for _, a in SAMPLE_PAPERS),
        daily_page(SAMPLE_PAPERS),
        "",
        "\n\n  \n",
        # An abstract may mention an e-mail or a handle; that is not BibTeX.
        "Abstract:Contact us @ example.org. Follow @article{x} on the web.\n",
        # BibTeX lines quoted inside an abstract file that has Abstract: lines.
        "@article{a,\n}\n@book{b,\n}\nAbstract:We cite @article{a}. It works.\n",
    ],
    ids=["listing", "daily", "empty", "blank", "at-signs", "abstract-wins"],
)
def test_abstract_files_are_not_bibtex(text):
    assert not looks_like_bibtex(split_text_lines(text))
