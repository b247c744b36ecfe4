"""Importing from the window: first run, drops on the window and on the sidebar, paste,
cancel. Imports run in a worker thread; the tests wait on the window's signals."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from readinglist.gui.sidebar import Target
from tests.gui.conftest import row_titles


def drop_files(widget, paths: list[Path], pos: QPoint | None = None) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point = pos if pos is not None else widget.rect().center()
    actions = Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, actions, mime, buttons, modifiers)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted(), "the drag was refused"
    move = QDragMoveEvent(point, actions, mime, buttons, modifiers)
    QApplication.sendEvent(widget, move)
    drop = QDropEvent(QPointF(point), actions, mime, buttons, modifiers)
    QApplication.sendEvent(widget, drop)
    assert drop.isAccepted(), "the drop was refused"


def test_first_run_shows_welcome_and_imports_samples(qtbot, window):
    assert window.stack.currentWidget() is window.welcome
    with qtbot.waitSignal(window.import_finished, timeout=30_000) as finished:
        qtbot.mouseClick(window.welcome.samples_button, Qt.MouseButton.LeftButton)
    report = finished.args[0]
    assert report.added == 53
    assert window.stack.currentWidget() is window.splitter
    assert window.model.rowCount() == 53
    assert window.count_label.text() == "53 papers"
    assert "FlashAttention-2: Faster Attention with Better Parallelism and Work Partitioning" in (
        row_titles(window)
    )


def test_drop_files_on_the_window_imports_them(qtbot, window, seeds):
    with qtbot.waitSignal(window.import_finished, timeout=30_000) as finished:
        drop_files(window, [seeds / "arxiv-listing.txt"])
    assert finished.args[0].added == 7
    assert window.model.rowCount() == 7
    # Undo removes the whole import.
    assert window.undo_action.isEnabled()
    window.undo_action.trigger()
    assert window.library.count() == 0


def test_drop_on_a_reading_list_imports_into_it(qtbot, window, seeds):
    list_id = window.library.create_list("To read")
    window.sidebar.refresh()
    item = window.sidebar.item_for(Target("list", list_id))
    position = window.sidebar.visualItemRect(item).center()
    with qtbot.waitSignal(window.import_finished, timeout=30_000):
        drop_files(window.sidebar.viewport(), [seeds / "daily-papers-mar-14.txt"], position)
    assert len(window.library.list_order(list_id)) == 46
    assert item is not None
    refreshed = window.sidebar.item_for(Target("list", list_id))
    assert refreshed.text(0) == "To read (46)"


def test_paste_creates_papers(qtbot, seeded_window):
    text = (
        "Abstract: We study how reading lists help researchers keep track of new papers, "
        "and measure the time they save over a term of thirty weeks with forty people.\n"
    )
    QGuiApplication.clipboard().setText(text)
    qtbot.keyClick(seeded_window.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert seeded_window.last_report.added == 1
    assert seeded_window.library.count() == 54


def test_cancel_import_keeps_nothing_of_the_file(qtbot, window, tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "w", encoding="utf-8") as handle:
        for n in range(40_000):
            handle.write(
                f"Abstract: Paper number {n} studies topic {n * 7} with {n % 13} "
                "methods across many benchmarks and reports new results in detail.\n"
            )
    with qtbot.waitSignal(window.import_finished, timeout=60_000) as finished:
        window.import_paths([str(big)])
        assert window.cancel_button.isVisible()
        qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].cancelled
    assert window.library.count() == 0
    assert not window.cancel_button.isVisible()


def test_unreadable_file_is_reported_not_raised(qtbot, window, tmp_path):
    binary = tmp_path / "paper.pdf"
    binary.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    with qtbot.waitSignal(window.import_finished, timeout=30_000) as finished:
        drop_files(window, [binary])
    report = finished.args[0]
    assert report.failed and "PDF" in report.failed[0].error
    assert window.library.count() == 0


def test_a_damaged_library_is_offered_its_newest_backup(qtbot, tmp_path, seeds, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from readinglist.gui import app
    from readinglist.library import Library

    folder = tmp_path / "lib"
    with Library(folder) as library:
        library.import_files([seeds])
        library.backup("manual")
    database = folder / "library.sqlite3"
    data = bytearray(database.read_bytes())
    data[4096:12288] = b"\xde\xad" * 4096
    database.write_bytes(bytes(data))
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *args, **kw: asked.append(args[2]) or QMessageBox.StandardButton.Yes,
    )
    library = app.open_or_offer_restore(folder)
    assert asked and "Restore the newest backup" in asked[0]
    assert library is not None and library.count() == 53
    library.close()


def test_install_desktop_entry_writes_launcher_and_icon(tmp_path):
    from readinglist.gui.app import install_desktop_entry

    desktop, icon = install_desktop_entry(tmp_path)
    assert desktop == tmp_path / "applications" / "readinglist.desktop"
    text = desktop.read_text(encoding="utf-8")
    assert "[Desktop Entry]" in text and "Icon=readinglist" in text
    assert "Exec=" in text and "readinglist" in text.split("Exec=")[1]
    assert icon.read_text(encoding="utf-8").startswith("<svg")
