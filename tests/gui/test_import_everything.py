"""Imports that find every file: the Import Files dialog offers .bib files, a folder of
.bib files dropped on the window is imported, and a drop that finds nothing says so."""

from __future__ import annotations

import shutil

from PySide6.QtWidgets import QFileDialog

from tests.gui.test_window_import import drop_files

BIB = """@article{smith2024sparse,
  title = {Sparse Attention for Long Documents},
  author = {Smith, Jane and Doe, John},
  year = {2024},
  keywords = {attention, input/output},
  abstract = {We study sparse attention for documents of a million tokens.},
}
"""


def test_the_import_dialog_offers_bibtex_files(qtbot, window, tmp_path, monkeypatch):
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB)
    asked = {}

    def choose(parent, caption, folder, filter_text):
        asked["filter"] = filter_text
        return [str(bib)], filter_text.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(choose))
    with qtbot.waitSignal(window.import_finished, timeout=30_000) as finished:
        window.choose_files()
    first = asked["filter"].split(";;")[0]
    assert "*.bib" in first and "*.txt" in first
    assert finished.args[0].added == 1
    assert window.library.paper("smith2024sparse").title == "Sparse Attention for Long Documents"


def test_a_dropped_folder_of_bib_files_is_imported(qtbot, window, tmp_path, testdata):
    folder = tmp_path / "bibs"
    folder.mkdir()
    for bib in sorted((testdata / "bibtex").glob("*.bib")):
        shutil.copy(bib, folder / bib.name)
    (folder / "mine.bib").write_text(BIB)
    with qtbot.waitSignal(window.import_finished, timeout=60_000) as finished:
        drop_files(window, [folder])
    report = finished.args[0]
    assert len(report.files) == 6
    assert all(file.format == "bibtex" for file in report.files)
    assert report.added > 100 and window.model.rowCount() == window.library.count()
    # "input/output" is one keyword, not a tag "output" under a tag "input".
    tags = [tag.name for tag in window.library.tags()]
    assert "input\u2215output" in tags and "input" not in tags


def test_a_drop_that_finds_nothing_importable_says_so(qtbot, window, tmp_path):
    folder = tmp_path / "pictures"
    folder.mkdir()
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n")
    (folder / "slides.pdf").write_bytes(b"%PDF-1.4")
    with qtbot.waitSignal(window.import_finished, timeout=30_000):
        drop_files(window, [folder])
    message = window.statusBar().currentMessage()
    assert message.startswith("Nothing importable found")
    assert ".bib" in message
    assert window.library.count() == 0
