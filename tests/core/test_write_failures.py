"""Writes that the environment refuses (full disk, read-only library) fail with a clear
message, change nothing, and leave the library readable."""

from __future__ import annotations

import pytest

from readinglist.errors import UserError
from readinglist.library import Library


def test_a_full_disk_changes_nothing_and_says_so(seeded_library: Library, tmp_path):
    library = seeded_library
    pages = library.db.execute("PRAGMA page_count").fetchone()[0]
    library.db.execute(f"PRAGMA max_page_count = {pages}")  # no room to grow
    with pytest.raises(UserError, match="disk is full"):
        library.add_note("spdf", "x" * 200_000)
    assert library.notes("spdf") == []
    big = tmp_path / "big.txt"
    big.write_text(
        "".join(
            f"Abstract: Paper {n} reports results on a benchmark with {n} examples and more "
            "words so that the file needs new pages in the database.\n"
            for n in range(2_000)
        ),
        encoding="utf-8",
    )
    report = library.import_files([big])
    assert report.failed and "could not be written" in report.failed[0].error
    assert library.count() == 53
    assert library.search("flashattention").ids  # still readable and searchable


def test_a_read_only_library_refuses_writes_and_stays_readable(seeded_library: Library):
    library = seeded_library
    library.db.execute("PRAGMA query_only = ON")
    with pytest.raises(UserError, match="read-only"):
        library.add_tags(["spdf"], ["x"])
    assert library.paper("spdf").tags == []
    assert library.count() == 53
