"""Importing awkward files into a library: what lands, what is refused, what is reported."""

from __future__ import annotations

import codecs
import gzip
import io
import random
import unicodedata
import zipfile
from pathlib import Path

import pytest

from readinglist.library import Library
from tests.core.conftest import SAMPLE_PAPERS, daily_page

PAPERS = SAMPLE_PAPERS


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def titles_and_abstracts(library: Library) -> list[tuple[str, str]]:
    return [(p.title, p.abstract) for p in library.papers()]


ENCODED = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16-bom": lambda text: text.encode("utf-16"),
    "utf-16-be-bom": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "utf-16-le-no-bom": lambda text: text.encode("utf-16-le"),
    "crlf": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    "cr": lambda text: text.replace("\n", "\r").encode("utf-8"),
}


@pytest.mark.parametrize("variant", sorted(ENCODED))
def test_import_encodings_and_line_endings(library: Library, tmp_path, variant):
    path = write(tmp_path, "page.txt", ENCODED[variant](daily_page(PAPERS)))
    report = library.import_files([path])
    assert report.added == len(PAPERS) and not report.failed
    assert titles_and_abstracts(library) == PAPERS


def test_import_cp1252_reports_encoding(library: Library, tmp_path):
    papers = PAPERS[:3]  # the Chinese paper cannot be written in cp1252
    path = write(tmp_path, "old.txt", daily_page(papers).encode("cp1252"))
    report = library.import_files([path])
    [file] = report.files
    assert file.added == 3
    assert "not UTF-8: read as cp1252" in file.warnings
    assert titles_and_abstracts(library) == papers
    assert "“Curse”" in library.papers()[2].title


def test_import_nul_bytes(library: Library, tmp_path):
    data = daily_page(PAPERS).encode().replace(b"router", b"rou\x00ter")
    report = library.import_files([write(tmp_path, "nul.txt", data)])
    assert report.added == len(PAPERS)
    assert any("NUL" in w for w in report.files[0].warnings)
    assert titles_and_abstracts(library) == PAPERS


# Refused files: a clear error, zero papers


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", daily_page(PAPERS))
    return buffer.getvalue()


REFUSED = {
    "gzip": lambda: gzip.compress(daily_page(PAPERS).encode()),
    "zip": _zip,
    "pdf": lambda: b"%PDF-1.4\n%\xc7\xec\x8f\xa2\n5 0 obj\n<</Length 6 0 R>>\nstream\n",
    "random": lambda: random.Random(3).randbytes(20_000),
}


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_binary_and_compressed_files_are_refused(library: Library, tmp_path, kind):
    good = write(tmp_path, "good.txt", daily_page(PAPERS[:1]))
    bad = write(tmp_path, f"papers-{kind}.txt", REFUSED[kind]())
    report = library.import_files([bad, good])
    failed, ok = report.files
    assert failed.error.startswith("not an abstract file")
    assert (failed.added, failed.skipped) == (0, [])
    assert ok.ok and ok.added == 1
    assert library.count() == 1  # no garbage records
    assert (
        library.db.execute(
            "SELECT count(*) FROM imports WHERE path LIKE ?", [f"%{kind}%"]
        ).fetchone()[0]
        == 0
    )


# A UTF-8 file with a BOM followed by bytes that are not UTF-8 is no longer refused: it is
# read line by line, like any file that is not UTF-8 as a whole (a UTF-8 file with a BOM
# and a Latin-1 file concatenated; see test_reading_exact.py).
@pytest.mark.parametrize(
    ("data", "encoding"),
    [(codecs.BOM_UTF16_LE + "Abstract:Fine. Text.\n".encode("utf-16-le") + b"A", "utf-16")],
    ids=["utf16-truncated"],
)
def test_text_that_stops_decoding_is_refused_whole(library: Library, tmp_path, data, encoding):
    report = library.import_files([write(tmp_path, "broken.txt", data)])
    [file] = report.files
    assert file.error.startswith(f"not an abstract file: the text is not valid {encoding}")
    assert file.added == 0 and library.count() == 0


@pytest.mark.parametrize(
    "text",
    [
        '@string{jmlr = "Journal of Machine Learning Research"}\n'
        '@string{neurips = "NeurIPS"}\n\n'
        "@article{vaswani2017,\n  title = {Attention Is All You Need},\n  journal = neurips,\n}\n",
        "% exported by JabRef\n@Article{a,\n  abstract = {We study things. Many things.},\n}\n",
    ],
    ids=["strings", "comment-first"],
)
def test_bibtex_offered_as_text_is_read_as_bibtex(library: Library, tmp_path, text):
    """Recognised by content, whatever the extension: entries, never @string lines."""
    report = library.import_files([write(tmp_path, "refs.txt", text)])
    [file] = report.files
    assert file.ok and file.format == "bibtex"
    assert file.added == 1
    [paper] = library.papers()
    assert paper.key in ("vaswani2017", "a")
    assert "@string" not in paper.title and "@string" not in paper.abstract


def test_real_bibtex_files_import_every_entry(library: Library, testdata):
    # Entry counts from the folder's SOURCES.md: distinct keys are distinct papers.
    expected = {
        "bibtexparser_biber_examples.bib": 118,
        "d2l_book.bib": 488,
        "jabref_complex.bib": 20,
        "jabref_testjabref.bib": 156,
        "xampl.bib": 36,
    }
    files = sorted((testdata / "bibtex").glob("*.bib"))
    report = library.import_files(files)
    assert {Path(f.path).name: f.added for f in report.files} == expected
    assert library.count() == sum(expected.values())
    again = library.import_files(files)
    assert again.added == 0 and library.count() == sum(expected.values())


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n", b"   \n\t\n \r\n", codecs.BOM_UTF8, "\u3000\n\xa0\n".encode()],
    ids=["empty", "newlines", "whitespace", "bom-only", "unicode-spaces"],
)
def test_empty_and_whitespace_only_files(library: Library, tmp_path, data):
    report = library.import_files([write(tmp_path, "empty.txt", data)])
    [file] = report.files
    assert file.ok  # not an error: nothing to import
    assert (file.added, file.skipped) == (0, [])
    assert file.warnings == ["the file is empty: no papers in it"]
    assert library.count() == 0


def test_file_of_only_page_furniture_says_no_papers(library: Library, tmp_path):
    text = "new\n\nSubscribe\n\nMar 14\n\n12\n\n-\n"
    [file] = library.import_files([write(tmp_path, "header.txt", text)]).files
    assert file.ok and file.added == 0
    assert file.warnings == ["no papers found in this file"]


def test_nonexistent_path(library: Library, tmp_path):
    good = write(tmp_path, "good.txt", daily_page(PAPERS[:2]))
    report = library.import_files([tmp_path / "missing.txt", good])
    missing, ok = report.files
    assert missing.error == "no such file"
    assert missing.path == str(tmp_path / "missing.txt")
    assert ok.added == 2
    assert len(report.failed) == 1


@pytest.mark.parametrize(
    "name",
    [
        "my abstracts (copy) .txt",
        "Düsseldorf café résumé.txt",
        unicodedata.normalize("NFD", "Düsseldorf café résumé.txt"),
        "论文摘要 三月.txt",
        "論文 要旨.txt",
        "no-extension",
    ],
    ids=["spaces", "accents-nfc", "accents-nfd", "cjk", "japanese", "no-extension"],
)
def test_awkward_file_names(library: Library, tmp_path, name):
    folder = tmp_path / "sub folder ü"
    path = write(folder, name, daily_page(PAPERS))
    report = library.import_files([path])
    assert report.added == len(PAPERS) and not report.failed
    assert {p.source_file for p in library.papers()} == {str(path.resolve())}
    # Re-importing the same file through its folder finds it and adds nothing.
    again = library.import_files([folder])
    assert [Path(f.path).name for f in again.files] == [name]
    assert again.added == 0 and again.duplicates == len(PAPERS)


def test_folder_imported_recursively(library: Library, tmp_path):
    root = tmp_path / "inbox"
    write(root, "a.txt", daily_page(PAPERS[:1]))
    write(root, "2024/march/b.txt", daily_page(PAPERS[1:2]))
    write(root, "2024/c.abstracts", "".join(f"Abstract:{a}\n" for _, a in PAPERS[2:]))
    write(root, ".hidden/d.txt", daily_page([("Hidden", "Hidden abstract. Not imported.")]))
    write(root, ".e.txt", "Abstract:Hidden file. Not imported.\n")
    write(root, "paper.pdf", b"%PDF-1.4\n")  # not a text file: not taken from a folder
    write(root, "README.txt", "Abstract:Notes about this folder. Not papers.\n")
    report = library.import_files([root])
    names = sorted(Path(f.path).relative_to(root).as_posix() for f in report.files)
    assert names == ["2024/c.abstracts", "2024/march/b.txt", "a.txt"]
    assert not report.failed
    assert sorted(p.abstract for p in library.papers()) == sorted(a for _, a in PAPERS)


def test_empty_folder(library: Library, tmp_path):
    (tmp_path / "nothing").mkdir()
    report = library.import_files([tmp_path / "nothing"])
    assert report.files == [] and library.count() == 0


# Code URLs and boilerplate abstracts


def test_code_url_in_listing_import(library: Library, tmp_path):
    abstract = (
        "We introduce ProX, which refines pre-training data with small models. It beats "
        "rule-based filtering. Code: https://github.com/GAIR-NLP/ProX"
    )
    library.import_files([write(tmp_path, "l.txt", f"Abstract:{abstract}\n")])
    [paper] = library.papers()
    assert paper.code_url == "https://github.com/GAIR-NLP/ProX"
    assert paper.abstract == abstract


@pytest.mark.parametrize("layout", ["daily", "listing"])
def test_boilerplate_abstracts_are_not_merged(library: Library, tmp_path, layout):
    if layout == "daily":
        text = daily_page(
            [
                ("Editorial", "Introduction to this issue."),
                ("Editorial", "Introduction to this issue."),
                ("Deep Nets for Weather", "Not Available"),
                ("Graph Models for Traffic", "Not Available"),
            ]
        )
        expected = 4
    else:
        text = "Abstract:Not Available\nAbstract:Not Available\nAbstract:No abstract.\n"
        expected = 3
    path = write(tmp_path, "boilerplate.txt", text)
    report = library.import_files([path])
    assert report.added == expected
    assert report.duplicates == report.merged == 0
    assert library.count() == expected

    again = library.import_files([path])
    assert again.added == 0 and again.duplicates == expected
    assert library.count() == expected


def test_boilerplate_in_another_file_is_a_new_paper(library: Library, tmp_path):
    # "Not Available" proves nothing: the same short abstract in another file is another paper.
    text = daily_page([("Deep Nets for Weather", "Not Available")])
    library.import_files([write(tmp_path, "one.txt", text)])
    report = library.import_files([write(tmp_path, "two.txt", text)])
    assert report.added == 1
    assert library.count() == 2


def test_same_paper_across_formats_is_one(library: Library, tmp_path):
    title, abstract = PAPERS[1]
    library.import_files([write(tmp_path, "l.txt", f"Abstract:{abstract}\n")])
    [untitled] = library.papers()
    report = library.import_files([write(tmp_path, "d.txt", daily_page([(title, abstract)]))])
    assert (report.added, report.merged) == (0, 1)
    [paper] = library.papers()
    assert (paper.title, paper.title_inferred) == (title, False)
    assert paper.id == untitled.id
    assert paper.key == untitled.key  # assigned once, at import; the merge keeps it


def test_whitespace_and_case_differences_are_the_same_paper(library: Library, tmp_path):
    title, abstract = PAPERS[0]
    wrapped = abstract.replace(". ", ".\n").replace("sparse", "Sparse")
    library.import_files([write(tmp_path, "a.txt", daily_page([(title, abstract)]))])
    report = library.import_files([write(tmp_path, "b.txt", daily_page([(title, wrapped)]))])
    assert report.added == 0 and library.count() == 1


def test_boilerplate_reimport_under_other_unicode_normalisation(library: Library, tmp_path):
    # macOS hands out NFD file names (Finder, drag and drop) where a typed path is NFC: the
    # same file seen both ways is still a re-import, and its boilerplate papers are not
    # added twice.
    text = daily_page([("Editorial", "Introduction to this issue."), ("Errata", "Not Available")])
    nfc = unicodedata.normalize("NFC", "Düsseldorf café.txt")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    assert library.import_files([write(tmp_path / "a", nfc, text)]).added == 2
    report = library.import_files([write(tmp_path / "b", nfd, text)])
    assert (report.added, report.duplicates) == (0, 2)
    assert library.count() == 2


def test_a_folder_holding_a_library_skips_the_library(tmp_path):
    """Dropping a folder that contains the library itself imports the abstracts only."""
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "listing.txt").write_text(
        "Abstract: We measure how often people import the folder their library lives in, "
        "and show that the library's own files must never be read as abstracts at all.\n",
        encoding="utf-8",
    )
    with Library(folder / "library") as library:
        library.import_files([folder])
        report = library.import_files([folder])
        assert [Path(f.path).name for f in report.files] == ["listing.txt"]
        assert library.count() == 1
