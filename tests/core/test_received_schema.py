"""A received library's own triggers and views never run: only readinglist's do."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from readinglist.errors import LibraryError
from readinglist.library import Library
from readinglist.paths import DATABASE_NAME
from readinglist.sync import local as sync_local

NEVER_ENDS = """
CREATE VIEW forever AS
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n;
CREATE TRIGGER papers_touch AFTER UPDATE ON papers BEGIN
    SELECT * FROM forever;
END;
CREATE TRIGGER index_queue_papers_update2 AFTER UPDATE ON papers BEGIN
    DELETE FROM notes;
END;
"""


def plant(folder: Path, script: str) -> None:
    conn = sqlite3.connect(folder / DATABASE_NAME)
    conn.executescript(script)
    conn.close()


def schema_names(folder: Path) -> set[str]:
    conn = sqlite3.connect(folder / DATABASE_NAME)
    names = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    return names


def test_planted_triggers_and_views_are_dropped_before_anything_writes(seeded_library):
    folder = seeded_library.folder
    seeded_library.add_note(1, "keep me")
    seeded_library.close()
    plant(folder, NEVER_ENDS)
    edit = subprocess.run(
        [
            sys.executable,
            "-m",
            "readinglist",
            "--library",
            str(folder),
            "edit",
            "1",
            "--title",
            "A new title",
        ],
        capture_output=True,
        text=True,
        timeout=120,  # with the planted trigger this never returns
    )
    assert edit.returncode == 0, edit.stderr
    assert not {"forever", "papers_touch", "index_queue_papers_update2"} & schema_names(folder)
    with Library(folder) as library:
        assert library.paper(1).title == "A new title"
        assert [note.body for note in library.notes(1)] == ["keep me"]


def test_the_librarys_own_triggers_stay(seeded_library):
    folder = seeded_library.folder
    seeded_library.close()
    before = schema_names(folder)
    with Library(folder) as library:
        library.edit(1, title="Changed")
        assert library.index_pending() >= 1  # the index_queue triggers still fire
    assert schema_names(folder) == before


def test_a_shared_librarys_sync_triggers_stay(seeded_library):
    sync_local.install_triggers(seeded_library.db)
    folder = seeded_library.folder
    seeded_library.close()
    before = schema_names(folder)
    assert any(name.startswith("sync_") for name in before)
    Library(folder).close()
    assert schema_names(folder) == before


def test_a_core_table_that_is_a_view_is_refused(tmp_path):
    folder = tmp_path / "odd"
    Library(folder).close()
    plant(folder, "DROP TABLE list_items; CREATE VIEW list_items AS SELECT 1 AS paper_id;")
    with pytest.raises(LibraryError, match="not a readinglist library"):
        Library(folder)
