"""One transaction per file: a failure or a cancel never leaves half a file behind."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from readinglist import importer
from readinglist.library import Library
from tests.core.conftest import SAMPLE_PAPERS, daily_page


def many_papers_listing(count: int, tag: str) -> str:
    return "".join(
        f"Abstract:Paper {tag} number {i} studies topic {i * 7919 % 1000}. It has results.\n"
        for i in range(count)
    )


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    first = tmp_path / "1-first.txt"
    first.write_text(daily_page(SAMPLE_PAPERS[:2]), encoding="utf-8")
    middle = tmp_path / "2-middle.txt"
    middle.write_text(many_papers_listing(600, "middle"), encoding="utf-8")
    last = tmp_path / "3-last.txt"
    last.write_text(daily_page(SAMPLE_PAPERS[2:]), encoding="utf-8")
    return first, middle, last


def fail_on_call(monkeypatch, number: int, error: Exception, *, path_part: str) -> None:
    """Make ``RecordSink.add`` raise ``error`` on the ``number``-th record of one file."""
    original = importer.RecordSink.add
    calls = {"n": 0}

    def add(self, record):
        if path_part in self.source:
            calls["n"] += 1
            if calls["n"] == number:
                raise error
        return original(self, record)

    monkeypatch.setattr(importer.RecordSink, "add", add)


def sources(library: Library) -> set[str]:
    return {Path(p.source_file).name for p in library.papers()}


def import_rows(library: Library) -> list[str]:
    return [Path(row["path"]).name for row in library.db["imports"].rows]


def test_bug_in_the_middle_of_a_file_rolls_it_back(library: Library, files, monkeypatch):
    first, middle, last = files
    fail_on_call(monkeypatch, 3, RuntimeError("boom"), path_part="2-middle")
    report = library.import_files([first, middle, last])
    ok_first, failed, ok_last = report.files
    assert (ok_first.added, ok_last.added) == (2, 2)
    assert failed.error == "internal error while importing (see the log)"
    assert failed.added == 0
    assert sources(library) == {"1-first.txt", "3-last.txt"}
    assert library.count() == 4
    assert import_rows(library) == ["1-first.txt", "3-last.txt"]
    assert not report.cancelled


def test_disk_full_in_the_middle_of_a_file_rolls_it_back(library: Library, files, monkeypatch):
    first, middle, _ = files
    fail_on_call(
        monkeypatch, 300, sqlite3.OperationalError("database or disk is full"), path_part="middle"
    )
    report = library.import_files([first, middle])
    done, failed = report.files
    assert done.added == 2
    assert failed.error.startswith("the library could not be written, nothing was imported")
    assert "disk is full" in failed.error
    assert (failed.added, failed.merged, failed.duplicates, failed.skipped) == (0, 0, 0, [])
    assert failed.added_ids == []
    assert library.count() == 2


def test_library_usable_after_a_failed_file(library: Library, files, monkeypatch):
    _, middle, _ = files
    fail_on_call(monkeypatch, 3, RuntimeError("boom"), path_part="middle")
    library.import_files([middle])
    assert library.count() == 0
    monkeypatch.undo()
    report = library.import_files([middle])
    assert report.added == 600 and library.count() == 600
    assert not library.db.conn.in_transaction


def test_cancel_in_the_middle_of_a_file(library: Library, files):
    first, middle, last = files
    polls = []

    def cancel() -> bool:
        polls.append(library.count())
        # Polled before each file and every few hundred records inside one (while it is
        # read, then while it meets the library): say stop once the middle file has put
        # records into its (open) transaction.
        return polls[-1] > 2

    report = library.import_files([first, middle, last], cancel=cancel)
    assert report.cancelled
    assert polls[-1] > 2  # the middle file was half-way through when cancelled
    assert [Path(f.path).name for f in report.files] == ["1-first.txt"]
    assert sources(library) == {"1-first.txt"}
    assert library.count() == 2
    assert import_rows(library) == ["1-first.txt"]
    assert not library.db.conn.in_transaction


def test_cancel_before_anything(library: Library, files):
    report = library.import_files(list(files), cancel=lambda: True)
    assert report.cancelled
    assert report.files == []
    assert library.count() == 0


def test_not_cancelled_when_cancel_says_no(library: Library, files):
    report = library.import_files(list(files), cancel=lambda: False)
    assert not report.cancelled
    assert report.added == 604


def test_progress_reaches_the_total(library: Library, files):
    calls: list[tuple[int, int, str]] = []
    library.import_files(
        list(files), progress=lambda done, total, path: calls.append((done, total, path))
    )
    total = sum(path.stat().st_size for path in files)
    assert calls
    assert {t for _, t, _ in calls} == {total}
    done = [d for d, _, _ in calls]
    assert done == sorted(done)
    assert done[-1] == total
    assert {Path(p).name for _, _, p in calls} == {path.name for path in files}


def test_other_writers_get_in_while_a_file_is_read(library: Library, tmp_path):
    """A file is read and parsed before its transaction: another program's write does not
    wait for that (it used to wait for the whole file, close to the busy timeout for a
    20,000-line file), and the file still arrives whole."""
    big = tmp_path / "big.txt"
    big.write_text(many_papers_listing(3000, "big"), encoding="utf-8")  # progress every 2048
    other = sqlite3.connect(library.folder / "library.sqlite3", timeout=0.5, isolation_level=None)
    wrote = []

    def progress(done: int, total: int, path: str) -> None:
        if not wrote and done < total:  # still reading the file
            other.execute("BEGIN IMMEDIATE")  # "database is locked" if the import held it
            other.execute("INSERT INTO settings (name, value) VALUES ('written_meanwhile', 'yes')")
            other.execute("COMMIT")
            wrote.append(done)

    try:
        report = library.import_files([big], progress=progress)
    finally:
        other.close()
    assert wrote, report.to_dict()
    assert report.added == 3000 and library.count() == 3000
    row = library.db.execute("SELECT value FROM settings WHERE name = 'written_meanwhile'")
    assert row.fetchone() == ("yes",)


def test_cancel_while_a_file_is_read(library: Library, files):
    first, middle, _ = files
    polls = []

    def cancel() -> bool:
        polls.append(library.db.conn.in_transaction)
        return len(polls) == 3  # before each file, then while the middle one is read

    report = library.import_files([first, middle], cancel=cancel)
    assert report.cancelled and polls[-1] is False
    assert library.count() == 2 and import_rows(library) == ["1-first.txt"]
    assert library.db.execute("SELECT count(*) FROM temp.import_stage").fetchone() == (0,)
