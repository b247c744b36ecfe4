"""A library this user cannot write (a read-only mount, a colleague's 0555 folder with a
0444 database) opens read-only: list, show, search and export work, every write fails
with a clear message and changes nothing, and no file appears in the folder.

Root ignores file modes, so the tests decide read-only in three ways: the kernel's answer
patched (runs everywhere), and a real read-only folder made with chmod (as a user) or
with the immutable attribute (as root, where chattr works)."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from readinglist.cite import ExportScope
from readinglist.cli import main
from readinglist.db import connection
from readinglist.errors import LibraryError, LibraryReadOnly
from readinglist.library import Library
from readinglist.paths import DATABASE_NAME, seeds_dir


def _make_library(folder: Path) -> None:
    with Library(folder) as library:
        text = (seeds_dir() / "arxiv-listing.txt").read_text(encoding="utf-8")
        library.import_text(text)
        library.add_tags([1], ["mamba"])
        library.add_note(1, "a note from the colleague")
        library.backup("manual")  # a backups folder, as a real library has


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "colleague"
    _make_library(folder)
    return folder


def _files(folder: Path) -> dict[str, int]:
    return {
        str(path.relative_to(folder)): path.stat().st_mtime_ns for path in sorted(folder.rglob("*"))
    }


@pytest.fixture
def kernel_says_read_only(monkeypatch, folder: Path):
    """os.access answers "not writable" for the library folder, as on a read-only mount."""
    real_access = os.access

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and Path(path).resolve().is_relative_to(folder.resolve()):
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(connection.os, "access", access)
    return folder


@contextlib.contextmanager
def truly_read_only(folder: Path) -> Iterator[None]:
    """Make the folder and its files unwritable for this process, or skip."""
    paths = [folder, *folder.rglob("*")]
    if os.geteuid() != 0:
        modes = {path: path.stat().st_mode for path in paths}
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a folder read-only")
    done = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True)
    if done.returncode != 0:
        subprocess.run(["chattr", "-i", *map(str, paths)], capture_output=True)
        pytest.skip(f"running as root and chattr +i is refused: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


def _assert_reads_work(library: Library) -> None:
    assert library.read_only
    assert library.count() == 7
    assert library.paper(1).tags == ["mamba"]
    assert [note.body for note in library.notes(1)] == ["a note from the colleague"]
    library.sync_index()
    assert 1 in library.search("mamba").ids
    assert "@misc{" in library.export_text("bibtex", ExportScope(ids=(1,)))


def _assert_every_write_is_refused(library: Library, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Title: New paper\nAbstract: Something new about attention.\n")
    writes = [
        lambda: library.add_tags([1], ["x"]),
        lambda: library.add_note(1, "mine"),
        lambda: library.edit(1, title="Changed"),
        lambda: library.set_status([1], "read"),
        lambda: library.trash([1]),
        lambda: library.create_list("Mine"),
        lambda: library.save_search("s", "mamba"),
        lambda: library.import_text("Title: Pasted\nAbstract: pasted text here.\n"),
        lambda: library.import_files([page]),
        lambda: library.undo(),
        lambda: library.set_key_pattern("[auth][year]"),
        lambda: library.add_auto_export(tmp_path / "out.bib", "library", "", "bibtex"),
        lambda: library.backup(),
        lambda: library.set_backups_to_keep(3),
        lambda: library.restore_backup(library.backups()[0]),
        lambda: library.empty_trash(),
    ]
    for write in writes:
        with pytest.raises(LibraryReadOnly, match="this library is read-only"):
            write()


def test_read_only_by_the_kernels_answer(kernel_says_read_only, tmp_path):
    folder = kernel_says_read_only
    before = _files(folder)
    with Library(folder) as library:
        _assert_reads_work(library)
        _assert_every_write_is_refused(library, tmp_path)
        _assert_reads_work(library)
    assert {name for name in _files(folder)} <= set(before) | {
        f"{DATABASE_NAME}-wal",
        f"{DATABASE_NAME}-shm",
    }
    with Library(folder) as library:
        assert library.count() == 7 and library.paper(1).title != "Changed"


def test_the_daily_backup_is_skipped_when_read_only(kernel_says_read_only):
    folder = kernel_says_read_only
    shutil.rmtree(folder / "backups")
    with Library(folder, check=True) as library:
        assert library.read_only and library.backups() == []
    assert not (folder / "backups").exists()


def test_a_really_read_only_folder(folder, tmp_path, capsys):
    with truly_read_only(folder):
        before = _files(folder)
        with Library(folder) as library:
            _assert_reads_work(library)
            _assert_every_write_is_refused(library, tmp_path)
        for argv in (["list"], ["show", "1"], ["search", "mamba"], ["export", "--ids", "1"]):
            assert main(["--library", str(folder), *argv]) == 0, capsys.readouterr().err
        out = capsys.readouterr().out
        assert "a family of 8B" in out and "@misc{" in out
        for argv in (["tag", "add", "1", "-t", "x"], ["note", "add", "1", "x"], ["backup"]):
            assert main(["--library", str(folder), *argv]) == 1
            assert "this library is read-only" in capsys.readouterr().err
        assert _files(folder) == before


def test_sqlite_refusing_a_write_reopens_read_only(folder, monkeypatch, tmp_path):
    """The kernel said "writable" but SQLite cannot write (e.g. a file system that lies):
    the library is reopened read-only instead of failing."""
    monkeypatch.setattr(connection.os, "access", lambda *args, **kwargs: True)
    with truly_read_only(folder), Library(folder) as library:
        _assert_reads_work(library)
        with pytest.raises(LibraryReadOnly):
            library.add_tags([1], ["x"])


def test_last_commits_in_the_wal_are_read_from_a_private_copy(tmp_path):
    """A library copied while the window had it open: its last commits are still in the
    -wal file. Reading the database file alone (immutable) would lose them."""
    original, copy = tmp_path / "original", tmp_path / "copy"
    _make_library(original)
    with Library(original) as library:
        library.db.execute("PRAGMA wal_autocheckpoint = 0")
        library.add_note(2, "written last, still in the WAL")
        copy.mkdir()
        for name in (DATABASE_NAME, f"{DATABASE_NAME}-wal"):
            shutil.copyfile(original / name, copy / name)
    assert (copy / f"{DATABASE_NAME}-wal").stat().st_size > 0
    with truly_read_only(copy), Library(copy) as library:
        assert library.read_only
        assert [n.body for n in library.notes(2)] == ["written last, still in the WAL"]
        private = Path(library.db.execute("PRAGMA database_list").fetchone()[2]).parent
        assert private != copy
    del library
    gc.collect()
    assert not private.exists()


def test_a_read_only_library_that_needs_an_upgrade_says_so(folder, kernel_says_read_only):
    raw = sqlite3.connect(folder / DATABASE_NAME)
    last = raw.execute("SELECT max(rowid) FROM _sqlite_migrations").fetchone()[0]
    raw.execute("DELETE FROM _sqlite_migrations WHERE rowid = ?", [last])
    raw.commit()
    raw.close()
    with pytest.raises(LibraryError, match=r"older version.*read-only here"):
        Library(folder)


def test_no_library_in_a_read_only_folder(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(connection.os, "access", lambda *args, **kwargs: False)
    with pytest.raises(LibraryError, match=r"no library in .*read-only"):
        Library(empty)
    assert list(empty.iterdir()) == []


def test_a_read_only_library_catches_its_index_up_once(kernel_says_read_only):
    # The library cannot clear its change queue: the index remembers how far it came, so
    # the next command does not index (or rebuild) the same papers again.
    with Library(kernel_says_read_only) as library:
        assert library.index_pending() > 0
        assert library.search("mamba").total > 0
        assert library.index_pending() == 0
    with Library(kernel_says_read_only) as library:
        assert library.index_ready and library.index_pending() == 0
        assert library.search("mamba").total > 0
