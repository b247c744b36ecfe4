"""A read-only library (a colleague's folder, a read-only mount) in the window: the papers
show, search works, and an edit says the library is read-only instead of failing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from readinglist.db import connection
from readinglist.library import Library
from readinglist.paths import seeds_dir
from tests.gui.conftest import make_window, row_titles, select_paper


@pytest.fixture
def read_only_library(tmp_path, monkeypatch):
    folder = tmp_path / "colleague"
    with Library(folder) as library:
        library.import_files([seeds_dir()])
    real_access = os.access

    def access(path, mode, *args, **kwargs):  # what the kernel says on a read-only mount
        if mode & os.W_OK and Path(path).resolve().is_relative_to(folder.resolve()):
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(connection.os, "access", access)
    with Library(folder) as library:
        assert library.read_only
        yield library


def test_a_read_only_library_browses_searches_and_refuses_edits(qtbot, read_only_library, tmp_path):
    window = make_window(qtbot, read_only_library, tmp_path)
    try:
        assert window.model.rowCount() == 53
        with qtbot.waitSignal(window.search_finished, timeout=10_000):
            qtbot.keyClicks(window.search_edit, "mamba")
        assert any(title.startswith("Nemotron-H") for title in row_titles(window))
        paper_id = select_paper(qtbot, window, "nemotronh")
        title = window.library.paper(paper_id).title
        window.detail.rating_box.setFocus()
        qtbot.keyClick(window.detail.rating_box, Qt.Key.Key_Down)
        qtbot.waitUntil(lambda: "read-only" in window.statusBar().currentMessage())
        assert window.library.paper(paper_id).rating == 0
        assert window.library.paper(paper_id).title == title
    finally:
        window.close()


def test_a_read_only_folder_needs_no_window_lock(tmp_path, monkeypatch):
    """The lock file cannot be written there: that must not read as "already open in
    another window"."""
    from readinglist.gui import app

    monkeypatch.setattr(app.os, "access", lambda *args, **kwargs: False)
    lock = app.acquire_window_lock(tmp_path)
    assert lock is not None and not lock.isLocked()
    assert list(tmp_path.iterdir()) == []
    lock.unlock()
