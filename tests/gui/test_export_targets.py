"""File → Export and File → Auto-export refuse a FIFO or a folder, at once, with a message."""

from __future__ import annotations

import os
import stat

import pytest

from tests.core.test_export_safety import within


@pytest.fixture
def pipe(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    path = tmp_path / "refs.bib"
    os.mkfifo(path)
    return path


def test_export_dialog_refuses_a_fifo_and_stays_open(qtbot, seeded_window, pipe):
    dialog = seeded_window.show_export()
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(pipe))
    with within():
        dialog.export()
    assert dialog.isVisible() and dialog.written is None
    assert "FIFO" in dialog.windowTitle()
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    dialog.path_edit.setText(str(pipe.parent / "missing" / "refs.bib"))
    dialog.export()
    assert "does not exist" in dialog.windowTitle()
    assert not (pipe.parent / "missing").exists()


def test_auto_export_dialog_refuses_a_fifo(qtbot, seeded_window, pipe):
    dialog = seeded_window.show_auto_exports()
    qtbot.addWidget(dialog)
    with within():
        dialog.add(str(pipe))
    assert "FIFO" in dialog.error
    assert dialog.table.rowCount() == 0 and seeded_window.library.auto_exports() == []
