"""An auto-export rewrites a file outside the library after every change: a received
library must not be able to name one (``~/.bashrc``). Only bindings sealed by this
installation are written."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from readinglist.cite import INACTIVE_MESSAGE
from readinglist.library import Library
from readinglist.paths import DATABASE_NAME


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "home" / ".bashrc"
    path.parent.mkdir()
    path.write_text("precious settings\n")
    return path


def plant_binding(folder: Path, target: Path) -> None:
    """What a colleague's library (or a crafted one) can hold: a row naming any file."""
    conn = sqlite3.connect(folder / DATABASE_NAME)
    with conn:
        conn.execute(
            "INSERT INTO auto_exports (path, scope, value, format) VALUES (?, 'library', '', "
            "'bibtex')",
            [str(target)],
        )
    conn.close()


def test_a_planted_auto_export_is_never_written(seeded_library, victim):
    plant_binding(seeded_library.folder, victim)
    seeded_library.add_tags([1], ["read-later"])
    assert seeded_library.refresh_auto_exports() == []
    assert victim.read_text() == "precious settings\n"
    (binding,) = seeded_library.auto_exports()
    assert not binding.active
    assert binding.last_error == INACTIVE_MESSAGE


def test_the_command_line_shows_it_inactive_and_does_not_write(seeded_library, victim):
    plant_binding(seeded_library.folder, victim)
    folder = seeded_library.folder
    seeded_library.close()
    run = [sys.executable, "-m", "readinglist", "--library", str(folder)]
    tagged = subprocess.run([*run, "tag", "add", "1", "--tag", "x"], capture_output=True, text=True)
    assert tagged.returncode == 0, tagged.stderr
    listed = subprocess.run([*run, "autoexport", "list"], capture_output=True, text=True)
    assert "INACTIVE" in listed.stdout
    assert victim.read_text() == "precious settings\n"


def test_adding_it_again_confirms_it(seeded_library, tmp_path):
    target = tmp_path / "refs.bib"
    plant_binding(seeded_library.folder, target)
    binding = seeded_library.add_auto_export(target)
    assert binding.active
    assert "@" in target.read_text()


def test_own_bindings_stay_active_and_another_installation_does_not_trust_them(
    seeded_library, tmp_path, monkeypatch
):
    target = tmp_path / "refs.bib"
    seeded_library.add_auto_export(target)
    folder = seeded_library.folder
    seeded_library.close()
    with Library(folder) as again:
        assert again.auto_exports()[0].active
    monkeypatch.setenv("READINGLIST_CONFIG", str(tmp_path / "another-installation"))
    with Library(folder) as elsewhere:
        assert not elsewhere.auto_exports()[0].active


def test_a_library_database_is_opened_distrusting_its_schema(library):
    # Triggers and views of a received database may not call functions with side effects.
    assert library.db.execute("PRAGMA trusted_schema").fetchone()[0] == 0
    assert library.db.execute("PRAGMA cell_size_check").fetchone()[0] == 1
