"""Memory and time bombs: each hostile input is refused or cut down with a clear message,
within a bound of time and memory.

Big inputs are generated in the test's temporary folder. Where memory matters the import
runs in a child process, which reports its peak resident memory, so the bound covers
everything the import touches (SQLite, the parser, the search index). On Linux that is
``VmHWM``: ``getrusage``'s ``ru_maxrss`` carries the parent's size (pytest's) across
fork and exec, so it would measure the test runner, not the import.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from readinglist.cli import main
from readinglist.formats import textfile
from readinglist.formats.abstracts import MAX_PARAGRAPH_CHARS
from readinglist.formats.bibtex_reader import MAX_FIELD_CHARS, read_bibtex
from readinglist.library import Library
from readinglist.models import ParsedRecord, SkippedRecord
from readinglist.search import query
from tests.core.conftest import SAMPLE_PAPERS, daily_page
from tests.core.organise_support import synthetic_abstracts, write_listing

MB = 2**20
# A fresh interpreter with the library imported sits near 40 MB here; every bomb below
# used to take between 0.4 and 4 GB.
PEAK_LIMIT_MB = 150
REPO_ROOT = Path(__file__).resolve().parents[2]


def measured_import(library: Path, path: Path, search: str = "") -> dict:
    """Import ``path`` in a child process; its report, time and peak memory."""
    code = textwrap.dedent(
        """
        import json, resource, sys, time
        from readinglist.library import Library

        def peak_mb():
            try:
                with open("/proc/self/status") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            return int(line.split()[1]) / 1024
            except OSError:
                pass
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        started = time.perf_counter()
        with Library(sys.argv[1]) as library:
            report = library.import_files([sys.argv[2]])
            imported = time.perf_counter() - started
            searched = None
            if sys.argv[3]:
                started = time.perf_counter()
                library.search(sys.argv[3])
                searched = time.perf_counter() - started
        print(json.dumps({"report": report.to_dict(), "seconds": imported,
                          "search_seconds": searched, "peak_mb": peak_mb()}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(library), str(path), search],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def reasons(file_report: dict) -> list[tuple[int, str]]:
    return [(s["line"], s["reason"]) for s in file_report["skipped"]]


# BibTeX: a @string macro bomb


def macro_bomb(levels: int = 20, *, used: bool) -> str:
    lines = ['@string{m0 = "0123456789"}']
    for level in range(1, levels + 1):
        lines.append(f"@string{{m{level} = " + " # ".join([f"m{level - 1}"] * 10) + "}")
    if used:
        lines.append(f"@article{{bomb, title = {{Bomb}}, note = m{levels}}}")
    lines.append("@article{plain, title = {A Plain Entry}, abstract = {Fine.}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("used", [False, True], ids=["unused", "used"])
def test_a_string_macro_bomb_is_never_expanded(used: bool):
    started = time.perf_counter()
    items = list(read_bibtex(macro_bomb(used=used)))
    assert time.perf_counter() - started < 2
    records = [item for item in items if isinstance(item, ParsedRecord)]
    skipped = [item for item in items if isinstance(item, SkippedRecord)]
    assert [r.citation_key for r in records] == (["bomb", "plain"] if used else ["plain"])
    # m6 is the first level over a million characters (10 ** 7); every level above it
    # uses it and is left undefined too, each reported on its own line.
    assert [s.reason for s in skipped[:2]] == [
        f"@string m6 expands to more than {MAX_FIELD_CHARS:,} characters: left undefined",
        f"@string m7 expands to more than {MAX_FIELD_CHARS:,} characters: left undefined",
    ]
    assert skipped[0].line == 7
    if used:
        bomb = records[0]
        assert "note" not in dict(bomb.extra_fields)
        assert skipped[-1].reason == (
            f"field note of entry bomb is longer than {MAX_FIELD_CHARS:,} characters: "
            "the entry is imported without it"
        )
    assert all(len(value) <= MAX_FIELD_CHARS for r in records for _, value in r.extra_fields)


def test_a_macro_bomb_file_imports_in_bounded_memory(tmp_path: Path):
    bib = tmp_path / "bomb.bib"
    bib.write_text(macro_bomb(used=True), encoding="utf-8")
    result = measured_import(tmp_path / "lib", bib)
    assert result["report"]["added"] == 2
    assert result["peak_mb"] < PEAK_LIMIT_MB
    assert result["seconds"] < 10


# Big fields


def test_a_bibtex_field_over_the_limit_is_left_out_and_reported(library: Library, tmp_path):
    big = ("word " * 15 + "\n") * (MAX_FIELD_CHARS // 76 + 10)  # over a million characters
    bib = tmp_path / "big.bib"
    bib.write_text(
        f"@article{{big,\n  title = {{Big}},\n  abstract = {{{big}}}\n}}\n"
        "@article{small, title = {Small}, abstract = {A small abstract.}}\n",
        encoding="utf-8",
    )
    report = library.import_files([bib])
    assert report.added == 2
    (skipped,) = report.files[0].skipped
    assert (skipped.line, skipped.reason) == (
        1,
        f"field abstract of entry big is longer than {MAX_FIELD_CHARS:,} characters: "
        "the entry is imported without it",
    )
    assert library.paper("big").abstract == ""
    assert library.paper("small").abstract == "A small abstract."


def write_big_field_bib(path: Path, size: int) -> None:
    line = "word " * 15 + "\n"  # a 100 MB field over many short lines
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("@article{big, title = {Big}, abstract = {")
        for _ in range(size // len(line)):
            handle.write(line)
        handle.write("}}\n@article{small, title = {Small}, abstract = {A small abstract.}}\n")


def test_a_100_mb_bibtex_field_is_skipped_in_bounded_memory(tmp_path: Path):
    bib = tmp_path / "big-field.bib"
    write_big_field_bib(bib, 100 * MB)
    result = measured_import(tmp_path / "lib", bib, search="word")
    (file,) = result["report"]["files"]
    assert file["added"] == 1
    assert reasons(file) == [
        (1, "an entry of 104,857,624 characters, over the limit of 4,194,304"),
    ]
    assert result["peak_mb"] < PEAK_LIMIT_MB
    assert result["seconds"] < 20
    assert result["search_seconds"] < 2


def test_a_100_mb_paragraph_is_skipped_and_the_first_search_is_fast(tmp_path: Path):
    path = tmp_path / "big-paragraph.txt"
    line = "word " * 15 + "\n"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("A Title\n\n")
        for _ in range(100 * MB // len(line)):
            handle.write(line)
        handle.write(
            "\nAnother Title\n\nThis abstract is fine. It has two sentences and more than "
            "sixty characters.\n"
        )
    result = measured_import(tmp_path / "lib", path, search="word")
    (file,) = result["report"]["files"]
    assert file["added"] == 1
    assert reasons(file) == [
        (1, "title without an abstract (or page metadata)"),
        (
            3,
            f"a paragraph of 104,857,579 characters, over the limit of "
            f"{MAX_PARAGRAPH_CHARS:,} for an abstract",
        ),
    ]
    assert result["peak_mb"] < PEAK_LIMIT_MB
    assert result["seconds"] < 20
    assert result["search_seconds"] < 2


def test_a_huge_pasted_line_is_skipped(library: Library):
    pasted = "Abstract: " + "x" * (MAX_PARAGRAPH_CHARS + 1) + "\n\nAbstract: A fine one. It ends.\n"
    report = library.import_text(pasted)
    (file,) = report.files
    assert file.added == 1
    assert [(s.line, s.reason) for s in file.skipped] == [
        (
            1,
            f"a paragraph of {MAX_PARAGRAPH_CHARS + 1:,} characters, over the limit of "
            f"{MAX_PARAGRAPH_CHARS:,} for an abstract",
        )
    ]
    assert library.count() == 1


def test_a_paragraph_just_under_the_limit_is_kept(library: Library, tmp_path: Path):
    abstract = ("We measure. " * (MAX_PARAGRAPH_CHARS // 12 - 10)).strip()
    path = tmp_path / "long.txt"
    path.write_text(f"Abstract: {abstract}\n", encoding="utf-8")
    report = library.import_files([path])
    assert report.added == 1
    assert library.papers()[0].abstract == abstract


# Long lines and sparse files


def test_a_100_mb_line_without_a_newline_is_skipped_in_bounded_memory(tmp_path: Path):
    path = tmp_path / "long-line.txt"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("Abstract: A normal first abstract that is fine. It ends here.\n")
        for _ in range(100):
            handle.write("x" * MB)
    result = measured_import(tmp_path / "lib", path)
    (file,) = result["report"]["files"]
    assert file["added"] == 1
    assert reasons(file) == [
        (
            2,
            f"a line of {100 * MB:,} characters, over the limit of {textfile.MAX_LINE_CHARS:,}: "
            "left out",
        )
    ]
    assert result["peak_mb"] < PEAK_LIMIT_MB
    assert result["seconds"] < 10


def test_a_long_line_between_papers_keeps_the_others_and_their_line_numbers(library, tmp_path):
    path = tmp_path / "mixed.txt"
    page = daily_page(SAMPLE_PAPERS[:2])
    path.write_text(page + "\n" + "y" * (textfile.MAX_LINE_CHARS + 5) + "\r\n\r\n" + page)
    report = library.import_files([path])
    (file,) = report.files
    assert file.added == 2 and file.duplicates == 2
    long_line = page.count("\n") + 2
    assert [(s.line, s.reason.partition(" characters")[0]) for s in file.skipped] == [
        (long_line, f"a line of {textfile.MAX_LINE_CHARS + 5:,}")
    ]


def test_a_2_gb_sparse_file_with_a_text_header_is_refused_at_once(tmp_path: Path):
    path = tmp_path / "sparse.txt"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(("Abstract: We study sparse files with a text header. " * 20 + "\n") * 100)
        handle.truncate(2 * 1024 * MB)  # a hole: no disk space, 2 GB of NUL bytes to read
    result = measured_import(tmp_path / "lib", path)
    (file,) = result["report"]["files"]
    assert file["error"].startswith(
        "not an abstract file: it is mostly NUL bytes (a sparse or damaged file;"
    )
    assert result["peak_mb"] < PEAK_LIMIT_MB
    assert result["seconds"] < 5


def test_a_few_nul_bytes_are_still_removed_not_refused(library: Library, tmp_path: Path):
    path = tmp_path / "nul.txt"
    page = daily_page(SAMPLE_PAPERS[:2])
    # A damaged block past the first 64 KB (a NUL-heavy start is refused as binary).
    path.write_text(page * 100 + "\x00" * 4096 + page, encoding="utf-8")
    report = library.import_files([path])
    assert report.added == 2
    assert "removed 4096 NUL byte(s)" in report.files[0].warnings


# Queries


@pytest.fixture(scope="module")
def search_library(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("search") / "library"
    listing = write_listing(
        tmp_path_factory.mktemp("listing") / "abstracts.txt", synthetic_abstracts(1000, words=60)
    )
    with Library(folder) as library:
        assert library.import_files([listing]).added == 1000
        library.sync_index()
    return folder


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '"' + "model " * 100 + '"',
            "Searched for the words only (the query has 100 words, more than 32; "
            "only the first 32 were searched).",
        ),
        (
            '"' + "model " * 2000 + '"',
            "Searched for the words only (the query is 12,002 characters long, more than "
            "1,000; only its first 32 words were searched).",
        ),
        (
            '"' + "model " * 20 + '"',
            "Searched for the words only (a phrase of 20 words is longer than 10; its words "
            "were searched anywhere instead).",
        ),
        (
            " ".join(f"word{n}" for n in range(40)),
            "Searched for the words only (the query has 40 words, more than 32; only the "
            "first 32 were searched).",
        ),
    ],
    ids=["phrase-100", "phrase-2000", "phrase-20", "words-40"],
)
def test_a_query_bomb_is_cut_down_with_a_message(search_library: Path, text: str, message: str):
    with Library(search_library) as library:
        started = time.perf_counter()
        results = library.search(text)
        assert time.perf_counter() - started < 3
        if "model" in text:  # the words of the phrase, anywhere
            assert results.total == library.search("model").total > 500
    assert results.fallback_message == message


def test_queries_within_the_limits_are_untouched(search_library: Path):
    with Library(search_library) as library:
        phrase = library.search('"model training"')
        words = library.search(" ".join(["model"] * query.MAX_QUERY_WORDS))
        assert words.total == library.search("model").total
    assert phrase.fallback_message == "" and words.fallback_message == ""


def test_plain_words_are_bounded():
    assert query.plain_words("model " * 5000) == ["model"]
    words = query.plain_words(" ".join(f"w{n}x" for n in range(100)))
    assert len(words) == query.MAX_QUERY_WORDS
    assert query.plain_words("a" * 999 + " bcd")[-1] != "bc"  # never a word cut in two


# The index catches up after an import, with progress, not inside the next search


def test_the_command_line_import_brings_the_index_up_to_date(capsys, tmp_path):
    listing = write_listing(tmp_path / "listing.txt", synthetic_abstracts(1200))
    lib = str(tmp_path / "lib")
    assert main(["--library", lib, "import", str(listing)]) == 0
    _, err = capsys.readouterr()
    assert err.startswith("readinglist: updating the search index (1,200 papers)…\n  ")
    assert "%\n" in err  # progress, a line at a time (stderr is no terminal here)
    with Library(lib) as library:
        assert library.index_ready and library.index_pending() == 0
    assert main(["--library", lib, "search", "model"]) == 0
    _, err = capsys.readouterr()
    assert "search index" not in err  # nothing left to do at search time


def test_a_search_that_must_rebuild_says_so_with_progress(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr("readinglist.cli.output.QUIET_INDEX_PAPERS", 10)
    listing = write_listing(tmp_path / "listing.txt", synthetic_abstracts(40))
    lib = tmp_path / "lib"
    with Library(lib) as library:  # imported by a script: the index stays behind
        library.import_files([listing])
        library.index_ready = False
        library.index.close()
    assert main(["--library", str(lib), "search", "model"]) == 0
    _, err = capsys.readouterr()
    assert err.startswith("readinglist: ")
    assert "the search index (40 papers)…\n" in err


@pytest.mark.slow
def test_200_000_papers_then_the_first_search_is_quick(tmp_path: Path, capsys):
    listing = write_listing(tmp_path / "listing.txt", synthetic_abstracts(200_000))
    lib = str(tmp_path / "lib")
    started = time.perf_counter()
    assert main(["--library", lib, "import", str(listing), "--yes"]) == 0
    imported = time.perf_counter() - started
    _, err = capsys.readouterr()
    assert "search index (200,000 papers)" in err
    started = time.perf_counter()
    assert main(["--library", lib, "search", "model"]) == 0
    assert time.perf_counter() - started < 5
    print(f"200,000 papers: import with the index {imported:.0f} s")


def test_a_huge_abstract_from_an_older_library_is_indexed_cut(library: Library):
    """Imports cap abstracts at a megabyte; a library written before may hold more: the
    index reads the first megabyte of it, and snippets come from there."""
    listing = "Abstract: We study sparse attention in long documents. It scales.\n"
    library.import_text(listing)
    library.sync_index()
    paper_id = library.paper_ids()[0]
    huge = "We study sparse attention. " * 800_000 + "zanzibar"  # 21.6 million characters
    library.db.execute("UPDATE papers SET abstract = ? WHERE id = ?", [huge, paper_id])
    started = time.perf_counter()
    library.sync_index()
    results = library.search("sparse")
    assert time.perf_counter() - started < 10  # about 2 s; 45 s without the cut
    assert results.ids == [paper_id]
    assert library.search("zanzibar").total == 0  # past the first megabyte
    assert len(library.match_spans(huge, results.matched_terms)) <= MAX_FIELD_CHARS // 20
