"""Fixtures for driving the real window offscreen, with settings in a temporary file."""

from __future__ import annotations

import pytest

from readinglist.gui.main_window import MainWindow
from readinglist.gui.settings import Settings


def make_window(qtbot, library, tmp_path):
    window = MainWindow(library, Settings(tmp_path / "settings.ini"))
    window.show_report_dialog = False  # tests read window.last_report instead of a modal
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot, library, tmp_path):
    window = make_window(qtbot, library, tmp_path)
    yield window
    window.close()  # before the library closes: the window's timers stop with it


@pytest.fixture
def seeded_window(qtbot, seeded_library, tmp_path):
    window = make_window(qtbot, seeded_library, tmp_path)
    yield window
    window.close()


def row_titles(window) -> list[str]:
    model = window.model
    return [model.summary(row).title for row in range(model.rowCount())]


def select_paper(qtbot, window, key: str) -> int:
    paper_id = window.library.paper(key).id
    row = window.model.row_of(paper_id)
    assert row is not None, f"{key} is not in the table"
    rect = window.table.visualRect(window.model.index(row, 0))
    window.table.scrollTo(window.model.index(row, 0))
    rect = window.table.visualRect(window.model.index(row, 0))
    from PySide6.QtCore import Qt

    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.detail.paper is not None and window.detail.paper.id == paper_id
    return paper_id
