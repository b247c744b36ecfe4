"""Importing a folder with a FIFO in it from the window: the FIFO is left out and said so,
Cancel stops a walk, the window stays responsive, and a big folder is asked about first.
A huge abstract (from before imports were bounded) is shown cut, at once.

Reading a FIFO blocks until something writes to it: before the fix, the worker hung for
ever, Cancel did nothing and the window could not close. A FIFO left in a test folder is
opened for writing when the test ends, so a regression fails here instead of hanging.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTreeWidgetItemIterator

from readinglist import candidates
from readinglist.gui.abstract_view import MAX_SHOWN_CHARS
from readinglist.gui.dialogs import ImportReportDialog
from tests.core.conftest import SAMPLE_PAPERS, daily_page
from tests.core.organise_support import synthetic_abstracts, write_listing
from tests.gui.test_window_import import drop_files

TIMEOUT_MS = 20_000


@pytest.fixture
def folder(tmp_path: Path):
    """A folder with a daily-papers page and a FIFO named like an abstract file."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "page.txt").write_text(daily_page(SAMPLE_PAPERS[:2]), encoding="utf-8")
    fifo = folder / "pipe.txt"
    os.mkfifo(fifo)
    yield folder
    with contextlib.suppress(OSError):  # lets a reader stuck on it go (a regression)
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def tree_texts(dialog: ImportReportDialog) -> list[str]:
    texts, iterator = [], QTreeWidgetItemIterator(dialog.tree)
    while iterator.value():
        texts.append(iterator.value().text(0))
        iterator += 1
    return texts


def test_the_fifo_is_left_out_and_the_report_says_why(qtbot, window, folder):
    window.show_report_dialog = True
    with qtbot.waitSignal(window.import_finished, timeout=TIMEOUT_MS) as finished:
        drop_files(window, [folder])
    report = finished.args[0]
    assert report.added == 2
    assert [(Path(s.path).name, s.reason) for s in report.skipped_files] == [
        ("pipe.txt", "not a regular file: a named pipe (FIFO)")
    ]
    assert window.model.rowCount() == 2
    assert "1 left out" in window.statusBar().currentMessage()
    dialog = window.findChild(ImportReportDialog)
    assert dialog is not None and dialog.isVisible()
    texts = tree_texts(dialog)
    assert "Left out (1)" in texts
    assert f"{folder / 'pipe.txt'}: not a regular file: a named pipe (FIFO)" in texts
    dialog.accept()


def test_cancel_stops_the_walk_and_the_window_stays_responsive(qtbot, window, folder, monkeypatch):
    for index in range(300):
        (folder / f"day-{index:03}").mkdir()
    # The walk waits at its first folder until the test has clicked Cancel: a slow disk.
    gate = threading.Event()
    read_folder = candidates._Walk._read_folder

    def slow_read_folder(self, *args):
        gate.wait(TIMEOUT_MS / 1000)
        return read_folder(self, *args)

    monkeypatch.setattr(candidates._Walk, "_read_folder", slow_read_folder)
    drop_files(window, [folder])
    qtbot.waitUntil(lambda: window.import_task is not None, timeout=TIMEOUT_MS)
    assert window.cancel_button.isVisible() and window.cancel_button.isEnabled()
    # The window answers while the worker walks.
    qtbot.keyClicks(window.search_edit, "mixture")
    assert window.search_edit.text() == "mixture"
    with qtbot.waitSignal(window.import_finished, timeout=TIMEOUT_MS) as finished:
        qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
        assert window.statusBar().currentMessage() == "Cancelling…"
        gate.set()
    report = finished.args[0]
    assert report.cancelled
    assert report.files == []
    assert window.library.count() == 0
    assert not window.cancel_button.isVisible()
    assert window.import_task is None


@pytest.fixture
def big_folder(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setattr("readinglist.gui.background.CONFIRM_FILES", 3)
    folder = tmp_path / "big"
    folder.mkdir()
    for index in range(5):
        (folder / f"{index}.txt").write_text(daily_page(SAMPLE_PAPERS[:2]), encoding="utf-8")
    return folder


def answer_big_import(qtbot, window, button: QMessageBox.StandardButton) -> None:
    qtbot.waitUntil(
        lambda: (
            getattr(window, "big_import_question", None) is not None
            and window.big_import_question.isVisible()
        ),
        timeout=TIMEOUT_MS,
    )
    question = window.big_import_question
    assert "big holds more than 3 files to import" in question.text()
    qtbot.mouseClick(question.button(button), Qt.MouseButton.LeftButton)


def test_a_big_folder_is_asked_about_first(qtbot, window, big_folder):
    drop_files(window, [big_folder])
    answer_big_import(qtbot, window, QMessageBox.StandardButton.Cancel)
    assert window.import_task is None
    assert window.library.count() == 0
    assert window.statusBar().currentMessage() == "Import cancelled: nothing was imported"


def test_a_big_folder_imports_once_confirmed(qtbot, window, big_folder):
    drop_files(window, [big_folder])
    with qtbot.waitSignal(window.import_finished, timeout=TIMEOUT_MS) as finished:
        answer_big_import(qtbot, window, QMessageBox.StandardButton.Yes)
    assert len(finished.args[0].files) == 5
    assert window.library.count() == 2


def test_a_huge_abstract_from_an_older_library_is_shown_cut(qtbot, seeded_window):
    """Imports cap abstracts at a megabyte; a library written before may hold more."""
    library = seeded_window.library
    paper_id = library.paper_ids(order_by="id")[0]
    huge = "We study sparse attention. " * 800_000  # 21.6 million characters
    library.db.execute("UPDATE papers SET abstract = ? WHERE id = ?", [huge, paper_id])
    started = time.perf_counter()
    seeded_window.detail.show_paper(paper_id, frozenset({"sparse"}))
    assert time.perf_counter() - started < 5  # 0.9 s here; the window froze for 57 s
    shown = seeded_window.detail.abstract_view.toPlainText()
    assert shown.startswith("We study sparse attention.")
    assert shown.endswith(
        f"[… {len(huge) - MAX_SHOWN_CHARS:,} more characters, not shown: "
        f"the first {MAX_SHOWN_CHARS:,} are]"
    )
    assert len(shown) < MAX_SHOWN_CHARS + 100


def test_a_big_import_catches_the_index_up_on_a_worker_with_progress(qtbot, window, tmp_path):
    listing = write_listing(tmp_path / "listing.txt", synthetic_abstracts(1200))
    shown: list[str] = []
    show_progress = window._index_progress

    def record(done: int, total: int, path: str) -> None:
        show_progress(done, total, path)
        shown.append(window.index_status.text())

    window._index_progress = record
    with qtbot.waitSignal(window.index_synced, timeout=60_000):
        drop_files(window, [listing])
        qtbot.waitUntil(lambda: window.index_task is not None, timeout=60_000)
        assert window.index_status.isVisible()
    assert shown and all(text.startswith("Updating the search index… ") for text in shown)
    assert shown[0].endswith("%")
    assert not window.index_status.isVisible()
    assert window.library.index_pending() == 0
