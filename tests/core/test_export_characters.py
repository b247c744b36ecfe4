"""Every export keeps every character.

The rule for the BibTeX (ASCII) dialect: a character is written as the LaTeX that means
exactly it, or kept as it is inside the ``\\bibunicode`` wrapper -- never replaced by a
different character. The BibLaTeX dialect and CSL-JSON are UTF-8 and keep every
character byte for byte. "Kept" is measured as a round trip: export, read back (LaTeX
decoded), compare with the text the library renders (``latex.to_plain``).
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pylatexenc.latexencode._uni2latexmap import uni2latex

from readinglist.formats import latex
from readinglist.formats.bibtex import to_bibtex
from readinglist.formats.bibtex_reader import read_bibtex
from readinglist.formats.csl import to_csl_json
from readinglist.formats.latex_chars import DISPLAY, EXACT, char_display, char_latex
from readinglist.formats.latex_decode import decode
from readinglist.library import Library
from readinglist.models import ParsedRecord
from tests.conftest import SHARED_TESTDATA
from tests.core.test_bibtex_tools import bibtex_problems, make_paper, pdflatex_problems

REAL = SHARED_TESTDATA / "real-abstracts"
DIALECTS = ("bibtex", "biblatex", "csl-json")


def expected(text: str) -> str:
    return latex.squeeze(latex.to_plain(text))


def exported(papers, dialect: str) -> dict[str, tuple[str, str]]:
    """(title, abstract) by key, as an export in ``dialect`` gives them back."""
    if dialect == "csl-json":
        items = json.loads(to_csl_json(papers))
        return {item["id"]: (item.get("title", ""), item.get("abstract", "")) for item in items}
    records = read_bibtex(to_bibtex(papers, dialect=dialect))
    return {
        record.citation_key: (record.title, record.abstract)
        for record in records
        if isinstance(record, ParsedRecord)
    }


def changed(papers, dialect: str) -> list[str]:
    """The keys of the papers whose title or abstract the round trip changes."""
    back = exported(papers, dialect)
    return [
        paper.key
        for paper in papers
        if back.get(paper.key) != (expected(paper.title), expected(paper.abstract))
    ]


# The real abstracts


@pytest.fixture(scope="module")
def real_papers(tmp_path_factory):
    files = [REAL / "listing.txt", REAL / "daily-papers.txt"]
    if not all(path.is_file() for path in files):
        pytest.skip(f"shared test data not found at {REAL}")
    with Library(tmp_path_factory.mktemp("real") / "library") as library:
        report = library.import_files(files)
        assert not report.skipped_files
        papers = library.papers()
    assert len(papers) >= 80
    return papers


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_real_abstract_roundtrips(real_papers, dialect):
    different = changed(real_papers, dialect)
    kept = len(real_papers) - len(different)
    print(f"{dialect}: {kept} of {len(real_papers)} papers round-trip exactly")
    assert different == [], f"{dialect}: {kept}/{len(real_papers)} exact; changed: {different}"


def test_real_abstracts_need_the_wrapper_and_keep_it(real_papers):
    """The real abstracts hold characters of every kind the issue named: the export
    writes them exactly or wraps them, and nothing is approximated."""
    text = "".join(paper.title + paper.abstract for paper in real_papers)
    bib = to_bibtex(real_papers)
    assert "·" in text and r"{\textperiodcentered}" in bib
    assert "，" in text and "，" in bib  # in a wrapper, never ","
    assert bib.startswith('@preamble{"' + latex.UNTYPESET_DEFINITION + '"}')


def test_real_abstracts_pass_bibtex_and_pdflatex(real_papers, tmp_path: Path):
    bib = to_bibtex(real_papers)
    assert bibtex_problems(bib, tmp_path / "bibtex") == []
    assert pdflatex_problems(bib, tmp_path / "all") == []
    assert pdflatex_problems(bib, tmp_path / "plain", style="plain") == []


# Every character the mapping knows


def known_characters() -> list[str]:
    """Every non-ASCII character pylatexenc or our tables have a form for, the Latin,
    Greek, Cyrillic, punctuation, symbol and full-width blocks, and the characters the
    real abstracts brought (spaces and invisible format characters included)."""
    chars = {chr(code) for code in uni2latex if code > 127}
    chars |= set(EXACT) | set(DISPLAY)
    for start, end in [
        (0xA0, 0x530),  # Latin, IPA, spacing modifiers, combining marks, Greek, Cyrillic
        (0x1E00, 0x2000),  # Latin extended additional, Greek extended
        (0x2000, 0x2C00),  # punctuation, spaces, format characters, symbols, arrows, math
        (0x3000, 0x3040),  # CJK punctuation
        (0xFB00, 0xFB07),  # ligatures
        (0xFF00, 0xFFF0),  # full-width forms
    ]:
        chars.update(chr(code) for code in range(start, end))
    chars.update("中文和的，：～％＞Ⅱ①😀")
    return sorted(
        char
        for char in chars
        # Surrogates and unassigned code points are no text; C0/C1 controls are dropped
        # by every dialect (they have no glyph and break the file).
        if unicodedata.category(char) not in ("Cs", "Cn", "Cc", "Co")
        and char not in "\u2028\u2029"  # line and paragraph separators: whitespace
    )


def test_every_known_character_reads_back_in_the_bibtex_dialect():
    chars = known_characters()
    assert len(chars) > 5000
    lost = []
    for char in chars:
        text = f"a{char}b"
        written = latex.to_latex(text, ascii=True)
        assert written.isascii() or r"\bibunicode" in written, (char, written)
        if decode(written) != text:
            lost.append((char, f"U+{ord(char):04X}", written, decode(written)))
    assert lost == []


def test_every_known_character_reads_back_in_math():
    """In math the BibTeX dialect writes ``\\ensuremath{\\varepsilon}`` or ``{\\mbox{...}}``
    for a character, and reads that back as the character; ``{\\alpha}`` as a person
    writes it stays as written."""
    lost = []
    for char in known_characters():
        text = f"$x^{char}_{{{char}}} {char}$ and ${{\\alpha}}$"
        written = latex.to_latex(text, ascii=True)
        if decode(written) != latex.to_plain(text):
            lost.append((char, f"U+{ord(char):04X}", written, decode(written)))
    assert lost == []


def test_every_exact_form_is_used_only_when_it_reads_back():
    exact = 0
    for char in known_characters():
        form = char_latex(char)
        if form is not None:
            exact += 1
            assert form.isascii()
            assert decode("x" + form + "y") == "x" + char + "y", (char, form)
    assert exact > 700


# Characters by name, with the form each one takes
WRITTEN = [
    ("·", r"{\textperiodcentered}"),  # MIDDLE DOT, not the dot accent ˙
    ("−", r"{\textminus}"),  # MINUS SIGN, not a hyphen
    ("‐", r"{\bibunicode[-]{‐}}"),  # HYPHEN: pdflatex prints "-", the file keeps ‐
    ("‑", r"{\bibunicode[\mbox{-}]{‑}}"),  # NON-BREAKING HYPHEN
    ("≲", r"{\bibunicode[\ensuremath{\stackrel{<}{\sim}}]{≲}}"),  # amssymb's \lesssim
    ("≊", r"{\bibunicode{≊}}"),  # amssymb's \approxeq
    ("◦", r"{\textopenbullet}"),  # WHITE BULLET (TS1), not \circ, which is ∘
    ("˜", r"{\bibunicode[{\textasciitilde}]{˜}}"),  # SMALL TILDE: \textasciitilde is ~
    ("Жж", r"{\bibunicode{Жж}}"),  # Cyrillic needs T2A fonts
    ("，", r"{\bibunicode[,]{，}}"),
    ("：", r"{\bibunicode[:]{：}}"),
    ("～", r"{\bibunicode[{\textasciitilde}]{～}}"),
    ("％", r"{\bibunicode[\%]{％}}"),
    ("＞", r"{\bibunicode[{\textgreater}]{＞}}"),
    ("中文，中文", r"{\bibunicode{中文，中文}}"),  # one wrapper for the run
    ("Ⅱ", r"{\bibunicode[II]{Ⅱ}}"),
    ("①", r"{\bibunicode[1]{①}}"),
    ("ﬁ", r"{\bibunicode[{fi}]{ﬁ}}"),
    ("\u2009", r"{\,}"),  # THIN SPACE
    ("\u202f", "{\\bibunicode[\\nobreak{\\,}]{\u202f}}"),  # NARROW NO-BREAK SPACE
    ("\u200b", "{\\bibunicode[\\hspace{0pt}]{\u200b}}"),  # ZERO WIDTH SPACE
    ("\u200d", "{\\bibunicode[]{\u200d}}"),  # ZERO WIDTH JOINER: nothing to print
    ("\u00ad", r"{\-}"),  # SOFT HYPHEN
    ("\u00a0", "~"),
    ("é", r"{\'e}"),
    ("ǎ", r"{\v{a}}"),
    ("Ű", r"{\H{U}}"),  # not {\'U}, which pylatexenc gives
    ("ε", r"{\ensuremath{\varepsilon}}"),
    ("［", r"{\bibunicode[{[}]{［}}"),  # a bracket in the display is braced
    ("Α", r"{\bibunicode[{A}]{Α}}"),  # GREEK CAPITAL ALPHA is no Latin A
]


@pytest.mark.parametrize(("char", "written"), WRITTEN)
def test_named_characters(char, written):
    text = f"x {char} y"
    assert latex.to_latex(text, ascii=True) == f"x {written} y"
    assert decode(latex.to_latex(text, ascii=True)) == text


def test_the_wrapper_reads_back_with_and_without_a_display():
    assert decode(r"a{\bibunicode{中文}}b") == "a中文b"  # files written before the display
    assert decode(r"a{\bibunicode[-]{‐}}b") == "a‐b"
    assert decode(r"a{\bibunicode[{x]y}]{‐}}b") == "a‐b"
    assert decode(r"a{\bibunicode[]{Ж}}b") == "aЖb"


def test_a_display_with_a_closing_bracket_is_braced():
    assert latex.untypeset_latex("Ж") == r"{\bibunicode{Ж}}"
    assert "[{" not in latex.untypeset_latex("‐")
    for char in known_characters():
        display = char_display(char)
        if display is not None and ("]" in display or "[" in display):
            assert latex.untypeset_latex(char).startswith(r"{\bibunicode[{")


def test_pdflatex_typesets_every_known_character(tmp_path: Path):
    """Exact forms and wrapper displays alike compile with plain pdflatex (T1, utf8)."""
    chars = known_characters()
    papers = [
        make_paper(number, f"chars{number:03d}", f"Characters {number}", " ".join(chunk))
        for number, chunk in enumerate(
            (chars[i : i + 400] for i in range(0, len(chars), 400)), start=1
        )
    ]
    bib = to_bibtex(papers)
    assert r"\bibunicode[" in bib and r"{\bibunicode{" in bib
    assert pdflatex_problems(bib, tmp_path / "all") == []


def test_pdflatex_typesets_every_known_character_in_math(tmp_path: Path):
    chars = [char for char in known_characters() if not char.isspace()]
    papers = [
        make_paper(
            number,
            f"math{number:03d}",
            f"Math {number}",
            " ".join(f"$x^{char}_{char} {char}$" for char in chunk),
        )
        for number, chunk in enumerate(
            (chars[i : i + 200] for i in range(0, len(chars), 200)), start=1
        )
    ]
    bib = to_bibtex(papers)
    assert r"\ensuremath{\varepsilon}" in bib and r"{\mbox{{\bibunicode" in bib
    assert pdflatex_problems(bib, tmp_path / "all") == []


def test_the_biblatex_dialect_and_csl_json_keep_every_character_byte_for_byte():
    chars = "".join(known_characters())
    paper = make_paper(1, "k", "Title " + chars[:500], f"x{chars}y")
    for dialect in ("biblatex", "csl-json"):
        title, abstract = exported([paper], dialect)["k"]
        assert title == expected(paper.title)
        assert abstract == expected(paper.abstract)
        assert abstract == f"x{chars}y"  # no ASCII whitespace in it: nothing squeezed


# Any text

# Math and commands ($, \\) are half-LaTeX, not text: they get their own strategy below.
any_character = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc", "Co", "Cn", "Zl", "Zp")
).filter(lambda char: char not in "$\\")
any_text = st.text(any_character, max_size=60)


@given(title=any_text, abstract=any_text)
def test_any_text_roundtrips_in_every_dialect(title, abstract):
    paper = make_paper(1, "k", "T " + title, abstract)
    for dialect in DIALECTS:
        assert changed([paper], dialect) == [], dialect


# Math with any character in it, beside LaTeX a person writes
math_pieces = st.lists(
    st.one_of(
        any_character,
        st.sampled_from(["^", "_", "{", "}", " ", "x", r"\alpha", r"{\alpha}", r"\mbox{if}"]),
    ),
    min_size=1,
    max_size=12,
).map("".join)


@given(before=any_text, math=math_pieces)
# A space character in math: {\mbox{~}} and {\mbox{{\,}}} read back as themselves.
@example(before="", math="0\xa00")
@example(before="", math="0\u20090")
def test_any_math_roundtrips_in_every_dialect(before, math):
    paper = make_paper(1, "k", "Title", f"{before} ${math}$ end")
    for dialect in DIALECTS:
        assert changed([paper], dialect) == [], dialect
