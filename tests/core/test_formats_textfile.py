"""Decoding abstract files: encodings, BOMs, line endings, NUL bytes, binary refusal."""

from __future__ import annotations

import codecs
import gzip
import io
import random
import textwrap
import zipfile
from pathlib import Path

import pytest

from readinglist.errors import NotAnAbstractFile
from readinglist.formats import textfile
from tests.core.conftest import daily_page, parse_path, records_only

PAPERS = [
    (
        "Naïve Bayes in Düsseldorf: a “Curious” Case",
        "We revisit naïve Bayes classifiers on the Düsseldorf tram dataset. The model is "
        "surprisingly strong: it reaches 91% accuracy with “curious” features only. We "
        "discuss why, and what it means for café-scale deployments.",
    ),
    (
        "Résumé Parsing with Structured Prediction",
        "Résumés mix tables, lists and prose. We cast parsing as structured prediction over "
        "a layout graph and show gains of 4.1 F1 over the strongest baseline on three "
        "benchmarks, with a model one tenth the size.",
    ),
]


def write(tmp_path: Path, data: bytes, name: str = "abstracts.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_papers(path: Path, expected=PAPERS) -> None:
    records = records_only(parse_path(path))
    assert [(r.title, r.abstract) for r in records] == expected
    assert not any(r.title_inferred for r in records)


def lines_of(path: Path) -> list[str]:
    return [line for _, line in textfile.read_lines(path, textfile.sniff(path))]


# Encodings


@pytest.mark.parametrize(
    ("bom", "codec", "expected_encoding"),
    [
        (b"", "utf-8", "utf-8"),
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
        (b"", "utf-16-le", "utf-16-le"),
        (b"", "utf-16-be", "utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le-nobom", "utf16be-nobom"],
)
def test_unicode_encodings_read_exactly(tmp_path, bom, codec, expected_encoding):
    path = write(tmp_path, bom + daily_page(PAPERS).encode(codec))
    assert textfile.sniff(path).encoding == expected_encoding
    assert_papers(path)
    # The BOM never leaks into the first line.
    assert lines_of(path)[0] == "new"


def test_bom_does_not_hide_first_listing_line(tmp_path):
    path = write(tmp_path, codecs.BOM_UTF8 + b"Abstract:We study things. Then more things.\n")
    [record] = records_only(parse_path(path))
    assert record.abstract == "We study things. Then more things."


def test_windows_1252_without_mojibake(tmp_path):
    # 0x93/0x94 are curly quotes in cp1252 (C1 controls in Latin-1), 0xFC is ü, 0xEF is ï.
    path = write(tmp_path, daily_page(PAPERS).encode("cp1252"))
    assert b"\x93" in path.read_bytes() and b"\xfc" in path.read_bytes()
    info = textfile.sniff(path)
    assert info.encoding == "cp1252"
    assert info.warnings == ["not UTF-8: read as cp1252"]
    assert_papers(path)
    text = "\n".join(lines_of(path))
    assert "Düsseldorf" in text and "naïve" in text and "“Curious”" in text
    assert "Ã" not in text


def test_bytes_undefined_in_cp1252_become_replacement_characters_not_c1_controls(tmp_path):
    # 0x81 is undefined in cp1252 and a C1 control in Latin-1: no text has it, so it is
    # shown as U+FFFD and counted; the accented letters around it still come out right.
    title = "Düsseldorf naïve café"
    abstract = "Ein Satz über Düsseldorf. Noch ein Satz über naïve Modelle im Café."
    data = f"{title}\n\n{abstract}\n".encode("latin-1").replace(b"Noch", b"\x81Noch")
    path = write(tmp_path, data)
    info = textfile.sniff(path)
    assert info.encoding == "cp1252"
    assert info.undefined_bytes == 1
    assert info.warnings == [
        "not UTF-8: read as cp1252",
        "1 byte(s) that are no character in cp1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D) shown as \ufffd",
    ]
    [record] = records_only(parse_path(path))
    assert record.title == title
    assert record.abstract == abstract.replace("Noch", "\ufffdNoch")


def test_utf8_is_preferred_over_cp1252(tmp_path):
    # Every UTF-8 byte sequence here is also valid cp1252: reading it as cp1252 would
    # give "DÃ¼sseldorf". UTF-8 must win.
    path = write(tmp_path, daily_page(PAPERS).encode("utf-8"))
    assert textfile.sniff(path).encoding == "utf-8"
    assert "DÃ¼sseldorf" not in "\n".join(lines_of(path))


def test_utf8_character_across_chunk_boundary(tmp_path):
    # The encoding scan reads 1 MiB chunks; a two-byte "ü" split across two chunks is
    # still UTF-8.
    filler = b"Abstract:" + b"x" * (textfile.CHUNK_BYTES - len(b"Abstract:") - 1)
    data = filler + "ü. And a sentence.\n".encode()
    assert data[textfile.CHUNK_BYTES - 1 : textfile.CHUNK_BYTES + 1] == "ü".encode()
    path = write(tmp_path, data)
    assert textfile.sniff(path).encoding == "utf-8"


def test_late_non_utf8_byte_switches_whole_file(tmp_path):
    # A single cp1252 byte far past the sniffed head still decides the encoding.
    head = "Abstract:A long abstract about nothing in particular.\n" * 40_000
    data = head.encode() + "Abstract:Curly “quotes” here.\n".encode("cp1252")
    assert len(head) > textfile.SNIFF_BYTES
    path = write(tmp_path, data)
    assert textfile.sniff(path).encoding == "cp1252"
    assert lines_of(path)[-1] == "Abstract:Curly “quotes” here."


# Line endings


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_line_endings(tmp_path, newline):
    path = write(tmp_path, daily_page(PAPERS, newline=newline).encode())
    assert_papers(path)
    assert all("\r" not in line and "\n" not in line for line in lines_of(path))


def test_crlf_listing_keeps_line_numbers(tmp_path):
    data = b"Abstract:First one.\r\n\r\nAbstract:Second one.\r\nAbstract:Third one.\r\n"
    path = write(tmp_path, data)
    records = records_only(parse_path(path))
    assert [(r.line, r.abstract) for r in records] == [
        (1, "First one."),
        (3, "Second one."),
        (4, "Third one."),
    ]


def test_mixed_line_endings_in_one_file(tmp_path):
    data = b"Abstract:One.\r\nAbstract:Two.\rAbstract:Three.\nAbstract:Four."
    path = write(tmp_path, data)
    assert lines_of(path) == [
        "Abstract:One.",
        "Abstract:Two.",
        "Abstract:Three.",
        "Abstract:Four.",
    ]


def test_crlf_utf16(tmp_path):
    path = write(
        tmp_path, codecs.BOM_UTF16_LE + daily_page(PAPERS, newline="\r\n").encode("utf-16-le")
    )
    assert_papers(path)


# NUL bytes


def test_nul_bytes_are_removed_and_reported(tmp_path):
    data = (
        daily_page(PAPERS).encode().replace(b"Bayes", b"Ba\x00yes").replace(b"graph", b"gr\x00aph")
    )
    path = write(tmp_path, data)
    info = textfile.sniff(path)
    assert info.nul_bytes == 3  # "Bayes" appears in the title and the abstract
    assert "removed 3 NUL byte(s)" in info.warnings
    assert_papers(path)


def test_split_text_lines_matches_read_lines(tmp_path):
    text = "Abstract:a\u2028b\r\nAbstract:c\x00d\rAbstract:e\x85f\n"
    path = write(tmp_path, text.encode())
    assert list(textfile.split_text_lines(text)) == [
        (1, "Abstract:a\u2028b"),
        (2, "Abstract:cd"),
        (3, "Abstract:e\x85f"),
    ]
    assert list(textfile.read_lines(path, textfile.sniff(path))) == list(
        textfile.split_text_lines(text)
    )


# Unicode line separators are text, not line breaks


@pytest.mark.parametrize(
    "separator",
    ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"],
    ids=["U+2028", "U+2029", "NEL", "VT", "FF", "FS", "GS", "RS"],
)
@pytest.mark.parametrize("codec", ["utf-8", "utf-16"])
def test_unicode_line_separator_inside_abstract(tmp_path, separator, codec):
    abstract = (
        f"We propose a method.{separator}It works on every benchmark we tried. "
        "A third sentence keeps the abstract long enough to look like one."
    )
    title = "A Method That Works"
    listing = f"Abstract:{abstract}\nAbstract:Second paper. It has two sentences.\n"
    page = daily_page([(title, abstract), *PAPERS])
    for name, text in (("listing.txt", listing), ("daily.txt", page)):
        path = write(tmp_path, text.encode(codec), name)
        lines = lines_of(path)
        assert any(separator in line for line in lines)
        records = records_only(parse_path(path))
        assert records[0].abstract == abstract, name
    assert records[0].title == title
    assert [(r.title, r.abstract) for r in records[1:]] == PAPERS


# Binary and compressed files


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("abstracts.txt", daily_page(PAPERS))
    return buffer.getvalue()


BINARY_FILES = {
    "gzip": (lambda: gzip.compress(daily_page(PAPERS).encode()), "gzip"),
    "zip": (_zip_bytes, "ZIP"),
    "pdf": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF"),
    "png": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG"),
    "sqlite": (lambda: b"SQLite format 3\x00" + bytes(1000), "SQLite"),
    "random": (lambda: random.Random(7).randbytes(8192), "binary data"),
    "nul-heavy": (lambda: b"Abstract:" + b"\x00" * 500, "binary data"),
}


@pytest.mark.parametrize("kind", sorted(BINARY_FILES))
def test_binary_files_are_refused(tmp_path, kind):
    make, what = BINARY_FILES[kind]
    path = write(tmp_path, make(), f"abstracts.{kind}.txt")
    with pytest.raises(NotAnAbstractFile, match="not an abstract file") as raised:
        textfile.sniff(path)
    assert what in str(raised.value)


def test_empty_file_sniffs_as_text(tmp_path):
    path = write(tmp_path, b"")
    assert textfile.sniff(path).encoding == "utf-8"
    assert lines_of(path) == []


def test_word_soft_line_breaks_are_text_not_binary(tmp_path):
    # Word copies a soft line break (Shift+Enter) as a vertical tab: a short abstract
    # wrapped that way is dense in \x0b, and still text.
    title, abstract = PAPERS[0]
    wrapped = "\x0b".join(textwrap.wrap(abstract, 35))
    path = write(tmp_path, f"{title}\n\n{wrapped}\n".encode())
    assert wrapped.count("\x0b") / path.stat().st_size > 0.02
    [record] = records_only(parse_path(path))
    assert (record.title, record.abstract) == (title, wrapped)
