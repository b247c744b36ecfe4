"""Large files stream: memory stays bounded however big the file is.

The 50 MB listing is parsed in the default run (a few seconds); a full import of it into
a library is marked slow (``pytest -m slow``) and a 2 MB full import stands in for it.
"""

from __future__ import annotations

import random
import time
import tracemalloc
from pathlib import Path

import pytest

from readinglist import importer
from readinglist.formats import textfile
from readinglist.formats.abstracts import read_abstracts
from readinglist.library import Library
from readinglist.models import ParsedRecord

MB = 2**20
PEAK_LIMIT = 20 * MB
WORDS = (  # noqa: SIM905 - reads better as prose
    "we propose a method for sparse attention that scales linearly with sequence length and "
    "improves accuracy on long context benchmarks by large margins while using less memory "
    "naïve Düsseldorf $\\mathcal{O}(n)$ 注意力 “quoted” 50\\%"
).split()


def abstract_for(index: int, rng: random.Random) -> str:
    body = " ".join(rng.choices(WORDS, k=250))  # about 1.7 KB, a long real abstract
    return f"Paper {index} studies {body}. A second sentence closes paper {index}."


def write_listing(path: Path, target_bytes: int, *, newline: str = "\n") -> int:
    """A listing file of about ``target_bytes``; returns the number of papers."""
    rng = random.Random(20240314)
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        while handle.tell() < target_bytes:
            handle.write(f"Abstract:{abstract_for(count, rng)}{newline}")
            count += 1
    return count


def write_daily_page(path: Path, target_bytes: int) -> int:
    rng = random.Random(7)
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("new\n\nSubscribe\n\nMar 14\n\n")
        while handle.tell() < target_bytes:
            handle.write(f"Sparse Attention, Part {count}\n\n{abstract_for(count, rng)}\n\n")
            if count % 50 == 0:
                handle.write("12 authors\n·\nPublished on Mar 14\n\n")
            count += 1
    return count


@pytest.fixture(scope="module")
def big_listing(tmp_path_factory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("large") / "listing-50mb.txt"
    count = write_listing(path, 50 * MB, newline="\r\n")
    return path, count


def test_50mb_listing_parses_in_bounded_memory(big_listing):
    path, count = big_listing
    assert path.stat().st_size >= 50 * MB
    rng = random.Random(20240314)
    expected_first = abstract_for(0, rng)
    started = time.perf_counter()
    tracemalloc.start()
    try:
        info = textfile.sniff(path)
        seen = 0
        first = last = None
        for record in read_abstracts(textfile.read_lines(path, info)):
            assert isinstance(record, ParsedRecord)
            seen += 1
            if first is None:
                first = record
            last = record
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    print(f"\n50 MB listing: {count} papers parsed in {elapsed:.1f} s, peak {peak / MB:.1f} MiB")
    assert seen == count
    assert first.abstract == expected_first and first.line == 1
    assert last.line == count
    assert last.abstract.endswith(f"closes paper {count - 1}.")
    assert peak < PEAK_LIMIT


def test_large_daily_page_parses_in_bounded_memory(tmp_path):
    path = tmp_path / "daily-10mb.txt"
    count = write_daily_page(path, 10 * MB)
    tracemalloc.start()
    try:
        records = 0
        for record in read_abstracts(textfile.read_lines(path, textfile.sniff(path))):
            assert isinstance(record, ParsedRecord), record
            assert record.title == f"Sparse Attention, Part {records}"
            records += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert records == count
    assert peak < PEAK_LIMIT


def _import_measured(library: Library, path: Path) -> tuple[int, float, float]:
    """Import ``path`` file-to-SQLite (the streaming part), measuring peak traced memory.

    ``Library.import_files`` then brings the search index up to date; that is the search
    layer's work and is measured by its own tests.
    """
    started = time.perf_counter()
    tracemalloc.start()
    try:
        report = importer.import_file(library.db, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.ok, report.error
    return report.added, peak, time.perf_counter() - started


def test_2mb_listing_full_import_in_bounded_memory(library: Library, tmp_path):
    path = tmp_path / "listing-2mb.txt"
    count = write_listing(path, 2 * MB)
    added, peak, _ = _import_measured(library, path)
    assert added == count == library.count()
    assert peak < PEAK_LIMIT
    again = importer.import_file(library.db, path)
    assert (again.added, again.duplicates) == (0, count)


@pytest.mark.slow
def test_50mb_listing_full_import(library: Library, big_listing):
    path, count = big_listing
    added, peak, elapsed = _import_measured(library, path)
    print(f"\n50 MB import: {added} papers in {elapsed:.1f} s, peak {peak / MB:.1f} MiB")
    assert added == count == library.count()
    assert peak < PEAK_LIMIT


def test_many_papers_with_the_same_key_base(library: Library, tmp_path, monkeypatch):
    # Thousands of untitled abstracts whose inferred titles lead with the same word all
    # want the key "mamba": each must find a free suffix in a few lookups, not thousands.
    from readinglist.db import papers as paper_queries

    count = 3000
    rng = random.Random(1)
    path = tmp_path / "same-start.txt"
    path.write_text(
        "".join(f"Abstract:Mamba {abstract_for(i, rng)}\n" for i in range(count)),
        encoding="utf-8",
    )
    calls = {"n": 0}
    original = paper_queries.key_taken

    def counting(db, key):
        calls["n"] += 1
        return original(db, key)

    monkeypatch.setattr(paper_queries, "key_taken", counting)
    assert importer.import_file(library.db, path).added == count
    keys = [p.key for p in library.papers()]
    assert len(set(keys)) == count
    assert keys[:4] == ["mamba", "mambaa", "mambab", "mambac"]
    assert calls["n"] < count * 30  # probing suffixes one by one would take ~4.5 million
