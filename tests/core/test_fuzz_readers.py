"""Property-based tests: generated abstract files read back exactly; bytes never crash.

Profiles are registered in tests/core/conftest.py: a modest example count by default,
``HYPOTHESIS_PROFILE=long`` for a soak run.
"""

from __future__ import annotations

import codecs
import re
import tempfile
from pathlib import Path

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from readinglist.errors import NotAnAbstractFile
from readinglist.formats import textfile
from readinglist.formats.abstracts import ABSTRACT_PREFIX, is_noise, read_abstracts
from readinglist.models import ParsedRecord
from tests.core.conftest import parse_path

# Words: letters from several scripts, digits, punctuation, symbols and LaTeX.
WORD_CHARS = st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S"])
LATEX = st.sampled_from(
    ["$x^2$", "$\\mathcal{O}(n \\log n)$", "\\emph{new}", "$\\ell_1$", "{\\'e}", "50\\%", "$\\sim$"]
)
WORD = st.one_of(
    st.text(WORD_CHARS, min_size=1, max_size=12),
    st.from_regex(r"[A-Za-z][a-z]{1,10}", fullmatch=True),
    LATEX,
)
# Between words: mostly spaces, sometimes the separators that are text, not line breaks
# (U+2028, U+2029, NEL, form feed), tabs and other Unicode spaces.
SPACE = st.sampled_from([" "] * 8 + ["\u2028", "\u2029", "\x85", "\x0c", "\t", "\xa0", "\u3000"])


@st.composite
def phrase(draw, *, min_words: int, max_words: int) -> str:
    words = draw(st.lists(WORD, min_size=min_words, max_size=max_words))
    out = words[0]
    for word in words[1:]:
        out += draw(SPACE) + word
    return out


NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])


def file_with(tmp: str, text: str, newline: str, encoding: str = "utf-8") -> Path:
    path = Path(tmp) / "generated.txt"
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


@st.composite
def sentences(draw, *, min_count: int, max_count: int) -> str:
    count = draw(st.integers(min_count, max_count))
    out = []
    for _ in range(count):
        words = draw(phrase(min_words=4, max_words=12))
        end = draw(st.sampled_from([".", ".", ".", "!", "?", ". Code: https://github.com/a/b"]))
        out.append(words + end)
    return " ".join(out)


@st.composite
def listing_abstracts(draw) -> str:
    text = draw(st.one_of(sentences(min_count=1, max_count=6), phrase(min_words=1, max_words=8)))
    assume(text.strip())
    return text


@st.composite
def blank_run(draw) -> str:
    """One or more blank lines, some holding only spaces or tabs."""
    lines = draw(st.lists(st.sampled_from(["", " ", "\t", "  \t "]), min_size=1, max_size=3))
    return "\n".join(lines) + "\n"


@given(
    abstracts=st.lists(listing_abstracts(), min_size=1, max_size=10),
    gaps=st.lists(st.booleans(), min_size=10, max_size=10),
    newline=NEWLINES,
    prefix=st.sampled_from(["Abstract:", "Abstract: ", "ABSTRACT :", "abstract：", "  Abstract:"]),
    blanks=blank_run(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_generated_listing_reads_back_exactly(abstracts, gaps, newline, prefix, blanks, encoding):
    text = ""
    for abstract, gap in zip(abstracts, gaps, strict=False):
        text += f"{prefix}{abstract}\n" + (blanks if gap else "")
    with tempfile.TemporaryDirectory() as tmp:
        records = parse_path(file_with(tmp, text, newline, encoding))
    assert all(isinstance(r, ParsedRecord) for r in records)
    assert [r.abstract for r in records] == [a.strip() for a in abstracts]
    assert all(r.title and r.title_inferred for r in records)


def title_ok(title: str) -> bool:
    # Lines shaped like page furniture ("Daily Papers", "Mar 14", "12") are out of scope:
    # on a real page they are furniture, and the reader drops them by design.
    return bool(title.strip()) and not is_noise(title) and not ABSTRACT_PREFIX.match(title)


# Titles do not end a sentence (a title that does reads as an abstract, by design).
TITLE_END = re.compile(r"[\s.!?。\"')\]]+$")
TITLE = (
    phrase(min_words=1, max_words=9)
    .map(lambda t: TITLE_END.sub("", t[:95]).strip())
    .filter(title_ok)
)


@st.composite
def daily_abstracts(draw) -> str:
    """An abstract of several sentences, sometimes hard-wrapped as older arXiv ones are."""
    text = draw(sentences(min_count=3, max_count=5))
    if draw(st.booleans()):
        words = text.split(" ")
        width = draw(st.integers(6, 14))
        lines = [" ".join(words[i : i + width]) for i in range(0, len(words), width)]
        assume(all(title_ok(line) for line in lines))
        text = "\n".join(lines)
    assume(len(text.strip()) >= 100)
    return text


@given(
    papers=st.lists(st.tuples(TITLE, daily_abstracts()), min_size=1, max_size=6),
    header=st.booleans(),
    newline=NEWLINES,
    blanks=st.lists(blank_run(), min_size=1, max_size=4),
    encoding=st.sampled_from(["utf-8", "utf-16", "utf-16-le"]),
    data=st.data(),
)
def test_generated_daily_page_reads_back_exactly(papers, header, newline, blanks, encoding, data):
    parts = (
        ["new", "Get trending papers in your email inbox!", "Subscribe", "Mar 14"] if header else []
    )
    for title, abstract in papers:
        parts += [title, abstract]
    text = ""
    for part in parts:
        text += part + "\n" + data.draw(st.sampled_from(blanks))
    with tempfile.TemporaryDirectory() as tmp:
        records = parse_path(file_with(tmp, text, newline, encoding))
    assert all(isinstance(r, ParsedRecord) for r in records), records
    assert [(r.title, r.abstract) for r in records] == [(t.strip(), a.strip()) for t, a in papers]
    assert not any(r.title_inferred for r in records)


@given(
    listing=st.lists(listing_abstracts(), min_size=1, max_size=3),
    papers=st.lists(st.tuples(TITLE, daily_abstracts()), min_size=1, max_size=3),
    listing_first=st.booleans(),
)
def test_generated_mixed_file_reads_back_exactly(listing, papers, listing_first):
    listing_text = "".join(f"Abstract:{a}\n" for a in listing)
    daily_text = "".join(f"{t}\n\n{a}\n\n" for t, a in papers)
    text = listing_text + "\n" + daily_text if listing_first else daily_text + listing_text
    expected_listing = [(None, a.strip()) for a in listing]
    expected_daily = [(t, a.strip()) for t, a in papers]
    expected = (
        expected_listing + expected_daily if listing_first else expected_daily + expected_listing
    )
    with tempfile.TemporaryDirectory() as tmp:
        records = parse_path(file_with(tmp, text, "\n"))
    assert all(isinstance(r, ParsedRecord) for r in records), records
    found = [(None if r.title_inferred else r.title, r.abstract) for r in records]
    assert found == expected


BOM_OR_NOT = st.sampled_from(
    [b"", b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE]
)
# Mostly-text bytes break decoders in more interesting ways than uniform noise does.
TEXTISH_BYTES = st.builds(
    lambda bom, text, codec, junk, cut: (bom + text.encode(codec, "replace") + junk)[:cut],
    BOM_OR_NOT,
    st.text(max_size=300),
    st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "cp1252", "latin-1"]),
    st.binary(max_size=8),
    st.integers(0, 1000),
)


@settings(max_examples=settings().max_examples * 5)
@given(st.one_of(st.binary(max_size=4096), TEXTISH_BYTES))
@example(b"\xff\xfeA\x00b")  # a UTF-16 BOM and an odd number of bytes
@example(b"\xff\xfe\x00\xd8A\x00\n\x00")  # a UTF-16 BOM and a lone surrogate
@example(b"\xef\xbb\xbfAbstract:ok\n\xff\xfe")  # a UTF-8 BOM, then invalid UTF-8
@example(b"A\x00b\x00s\x00t\x00r\x00a\x00c\x00t\x00:\x00\x00")  # BOM-less UTF-16, odd tail
@example(b"\x00A\x00b\x00s\x00t\x00r\x00a\x00c\x00t\x00:\x00\xd8\x00\x00")
@example(b"\xff\xfe\x00\x01\r\x00\r\x00\x00\x00")  # a UTF-16 BOM, then a U+0000
def test_random_bytes_only_raise_not_an_abstract_file(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.txt"
        path.write_bytes(data)
        try:
            info = textfile.sniff(path)
            items = list(read_abstracts(textfile.read_lines(path, info)))
        except NotAnAbstractFile:
            return
    for item in items:
        if isinstance(item, ParsedRecord):
            assert item.abstract.strip() == item.abstract and item.abstract
            assert "\x00" not in item.abstract + item.title
