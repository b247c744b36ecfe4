"""Backups: made with SQLite's backup API, daily, before risky steps, rotated, restorable
even when the library itself no longer opens."""

from __future__ import annotations

import sqlite3

import pytest

from readinglist.cli import main as cli
from readinglist.errors import LibraryError, UserError
from readinglist.library import Library
from readinglist.models import SmartList


def test_daily_backup_is_made_once_when_the_library_has_papers(tmp_path, seeds):
    folder = tmp_path / "lib"
    with Library(folder) as library:
        assert library.backups() == []  # an empty library has nothing to keep
        library.import_files([seeds])
    with Library(folder) as library:
        [daily] = library.backups()
        assert "daily" in daily.name
    with Library(folder) as library:
        assert len(library.backups()) == 1  # not again the same day
    copy = sqlite3.connect(daily)
    assert copy.execute("SELECT count(*) FROM papers").fetchone()[0] == 53
    copy.close()


def test_emptying_the_trash_backs_up_first(seeded_library: Library):
    library = seeded_library
    library.trash(["spdf"])
    library.empty_trash()
    assert any("before-empty-trash" in b.name for b in library.backups())


def test_backups_rotate(seeded_library: Library):
    library = seeded_library
    library.db.execute("INSERT INTO settings (name, value) VALUES ('backups_keep', '3')")
    made = [library.backup("manual") for _ in range(5)]
    assert library.backups() == sorted(made[-3:], reverse=True)


def test_restore_brings_the_papers_back_and_keeps_the_current_state(seeded_library: Library):
    library = seeded_library
    saved = library.backup("manual")
    library.trash(library.paper_ids())
    library.empty_trash()
    assert library.count() == 0
    safety = library.restore_backup(saved)
    assert library.count() == 53
    assert "before-restore" in safety.name
    assert [h.title for h in library.search("mamba").hits]  # the index follows


def test_a_damaged_library_names_its_backup_and_is_restored_without_opening(tmp_path, seeds):
    folder = tmp_path / "lib"
    with Library(folder) as library:
        library.import_files([seeds])
        saved = library.backup("manual")
    database = folder / "library.sqlite3"
    data = bytearray(database.read_bytes())
    data[4096:12288] = b"\xde\xad" * 4096
    database.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        (folder / f"library.sqlite3{suffix}").unlink(missing_ok=True)
    with pytest.raises(LibraryError, match="damaged") as failure:
        Library(folder).count()
    assert "backup restore" in str(failure.value)
    assert cli(["--library", str(folder), "backup", "restore", str(saved), "--yes"]) == 0
    with Library(folder) as library:
        assert library.count() == 53
        assert library.smart_counts()[SmartList.ALL] == 53
    assert any(p.name.startswith("damaged-") for p in (folder / "backups").iterdir())


def test_a_damaged_backup_is_refused(seeded_library: Library, tmp_path):
    bad = tmp_path / "library-bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    before = seeded_library.count()
    with pytest.raises(UserError, match="damaged"):
        seeded_library.restore_backup(bad)
    assert seeded_library.count() == before


def test_restore_with_a_backup_file_restores_the_library(seeded_library: Library, capsys):
    library = seeded_library
    saved = library.backup("manual")
    library.trash(["spdf"])
    library.empty_trash()
    library.close()
    assert cli(["--library", str(library.folder), "restore", str(saved)]) == 0
    assert "restored" in capsys.readouterr().out
    with Library(library.folder) as again:
        assert again.count() == 53


@pytest.mark.parametrize("stored", ["lots", "", "3.5", "99999999999999999999999999", "-2"])
def test_a_received_library_with_a_bad_backup_count_still_opens(tmp_path, seeds, stored):
    # The setting lives in the library, which may come from anyone: an unusable value
    # means the default, not a library that no longer opens.
    folder = tmp_path / "lib"
    with Library(folder) as library:
        library.import_files([seeds])
        library.db.execute(
            "INSERT OR REPLACE INTO settings (name, value) VALUES ('backups_keep', ?)", [stored]
        )
        for backup in library.backups():
            backup.unlink()  # the daily backup is due at the next open
    with Library(folder) as library:
        assert 1 <= library.backups_to_keep() <= 1000
        assert len(library.backups()) == 1
    assert cli(["--library", str(folder), "list"]) == 0
