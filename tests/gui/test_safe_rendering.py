"""Notes and fields from someone else, shown in the real window: nothing is loaded, only
web links open.

Each test reproduces an attack on the detail pane (a note image naming /dev/zero, a FIFO
or a remote server; a file: link; a .bib url of file:///etc/passwd) and checks what the
user sees, and that nothing was read, fetched or opened.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.request import urlopen

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QTextCursor, QTextDocument
from PySide6.QtWidgets import QPushButton

from readinglist.gui import safe_text
from readinglist.gui.paper_model import COLUMN_INDEX
from readinglist.gui.safe_text import SafeTextBrowser, SafeTextDocument
from readinglist.library import Library
from tests.gui.conftest import make_window, select_paper

PROMPT_SECONDS = 5  # "promptly": the unpatched window never got there at all
HOSTILE_BIB = """\
@article{hostile,
  title = {Hostile Links},
  author = {Doe, Jane},
  year = {2024},
  url = {file:///etc/passwd},
  doi = {10.1234/hostile.5678},
  abstract = {A paper whose url field points at a local file.},
}

@article{noted,
  title = {Hostile Notes},
  author = {Roe, Rick},
  year = {2023},
  abstract = {A paper whose notes try to load files and open links.},
}
"""


@pytest.fixture
def hostile(tmp_path: Path):
    """A library holding two papers imported from a received .bib."""
    bib = tmp_path / "received.bib"
    bib.write_text(HOSTILE_BIB, encoding="utf-8")
    with Library(tmp_path / "library") as library:
        report = library.import_files([bib])
        assert report.added == 2, report.to_dict()
        yield library


@pytest.fixture
def window(qtbot, hostile, tmp_path):
    window = make_window(qtbot, hostile, tmp_path)
    yield window
    window.close()


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """Every URL handed to the desktop to open, instead of opening it."""
    calls: list[str] = []

    def record(url: QUrl) -> bool:
        calls.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", record)
    return calls


def paper_titled(library: Library, title: str):
    return next(
        paper
        for paper in (library.paper(i) for i in library.paper_ids(order_by="id"))
        if paper.title == title
    )


def show_note(qtbot, window, body: str) -> SafeTextBrowser:
    """Give "Hostile Notes" the note ``body``, select the paper with the Preview tab up,
    and return the preview once it shows the note (timed: it must be prompt)."""
    paper = paper_titled(window.library, "Hostile Notes")
    window.library.add_note(paper.id, body)
    window.detail.note_tabs.setCurrentIndex(1)
    preview = window.detail.note_preview
    started = time.perf_counter()
    select_paper(qtbot, window, paper.key)
    qtbot.waitUntil(lambda: "after" in preview.toPlainText(), timeout=PROMPT_SECONDS * 1000)
    preview.viewport().grab()  # lay out and paint it all, as on screen
    assert time.perf_counter() - started < PROMPT_SECONDS
    assert preview.isVisible()
    return preview


def image_names(document: QTextDocument) -> list[str]:
    names = []
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fmt = fragments.fragment().charFormat()
            if fmt.isImageFormat():
                names.append(fmt.toImageFormat().name())
            fragments += 1
        block = block.next()
    return names


def click_text(qtbot, browser: SafeTextBrowser, text: str) -> str:
    """Click in the middle of ``text`` as shown; returns the link under the mouse."""
    found = browser.document().find(text)
    assert not found.isNull(), f"{text!r} is not shown"
    cursor = QTextCursor(browser.document())
    cursor.setPosition(found.selectionStart() + len(text) // 2)
    point = browser.cursorRect(cursor).center()
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)
    return browser.anchorAt(point)


FIFO_WATCHER = """
import os, sys, time
while True:
    try:
        fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
    except OSError:  # ENXIO: no reader
        time.sleep(0.002)
        continue
    print("opened", flush=True)
    os.close(fd)
"""


class FifoWatch:
    """Notices whether anyone opens a FIFO for reading: a non-blocking open for writing
    succeeds only while a reader has it open. The writer closes at once, so a reader
    that did open it sees end of file instead of hanging the test. A process, not a
    thread: a window stuck in open() holds the interpreter lock."""

    def __init__(self, path: Path):
        self.path = path
        self.opened = False
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> FifoWatch:
        self._process = subprocess.Popen(
            [sys.executable, "-c", FIFO_WATCHER, str(self.path)],
            stdout=subprocess.PIPE,
            text=True,
        )
        return self

    def __exit__(self, *exc_info) -> None:
        assert self._process is not None
        # Gone before the watcher goes: a repaint after the test cannot block on it.
        # (Nothing is blocked in open() now: this code runs on the window's thread.)
        self.path.unlink()
        self._process.terminate()
        output, _ = self._process.communicate(timeout=10)
        self.opened = "opened" in output


class CountingServer:
    """A local HTTP server that serves a tiny PNG and counts the requests it gets."""

    def __init__(self, image: Path):
        body = image.read_bytes()
        self.requests: list[str] = []
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> CountingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()


def red_png(path: Path) -> Path:
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(0xFF0000)
    assert image.save(str(path))
    return path


# The attacks of the issue, in the window


def test_a_local_image_in_a_note_is_not_loaded(qtbot, window, tmp_path):
    image = red_png(tmp_path / "red.png")
    preview = show_note(qtbot, window, f"Before ![a red square]({image}) after")
    assert "Before [image: a red square] after" in preview.toPlainText()
    assert image_names(preview.document()) == []
    assert window.detail.note_editor.toPlainText() == f"Before ![a red square]({image}) after"


def test_a_note_image_reading_a_fifo_does_not_freeze_the_window(qtbot, window, tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with FifoWatch(fifo) as watch:
        preview = show_note(qtbot, window, f"Before ![pipe]({fifo}) after")
    assert not watch.opened, "the window opened the FIFO"
    assert "Before [image: pipe] after" in preview.toPlainText()


def test_a_note_image_of_dev_zero_renders_promptly(qtbot, window):
    preview = show_note(qtbot, window, "Before ![z](/dev/zero) after\n\n![](/dev/zero)")
    assert "Before [image: z] after" in preview.toPlainText()
    assert image_names(preview.document()) == []


def test_remote_images_in_a_note_are_not_fetched(qtbot, window, tmp_path):
    with CountingServer(red_png(tmp_path / "x.png")) as server:
        preview = show_note(
            qtbot,
            window,
            f"Before ![remote]({server.url}/x.png) "
            f'<img src="{server.url}/html.png"> after\n\n'
            f"[![linked]({server.url}/y.png)]({server.url}/page)",
        )
        qtbot.wait(200)  # time for any request that was under way to arrive
        assert server.requests == []
        with urlopen(f"{server.url}/control.png", timeout=5) as response:  # the counter works
            assert response.status == 200
        assert server.requests == ["/control.png"]
    text = preview.toPlainText()
    assert "Before [image: remote]" in text
    assert '<img src="' in text  # raw HTML in a note is shown as the text it is
    assert image_names(preview.document()) == []


def test_note_links_open_only_on_the_web(qtbot, window, opened):
    preview = show_note(
        qtbot,
        window,
        "See [local file](file:///etc/passwd), [script](javascript:alert(1)), "
        "[relative](notes/other.md), [the paper](https://example.org/paper) and "
        "[its doi](doi:10.1234/abc.5678); after",
    )
    for text in ("local file", "script", "relative"):
        assert click_text(qtbot, preview, text) == "", f"{text} is still a link"
    assert opened == []
    assert click_text(qtbot, preview, "the paper") == "https://example.org/paper"
    assert opened == ["https://example.org/paper"]
    assert click_text(qtbot, preview, "its doi") == "doi:10.1234/abc.5678"
    assert opened == ["https://example.org/paper", "https://doi.org/10.1234/abc.5678"]


def test_a_file_url_from_a_bib_is_shown_as_text(qtbot, window, opened):
    paper = paper_titled(window.library, "Hostile Links")
    select_paper(qtbot, window, paper.key)
    links = window.detail.links
    assert links.isVisible()
    shown = links.text()
    assert "file:///etc/passwd (not a web link)" in shown
    assert 'href="file:' not in shown
    # The links that may be opened are buttons; the file: link is not one of them.
    buttons = window.detail.link_targets()
    assert ("DOI", "https://doi.org/10.1234/hostile.5678") in buttons
    assert not any("file:" in target for _label, target in buttons)
    assert window.detail.fields["url"].text() == "file:///etc/passwd"
    button = next(
        b for b in window.detail.link_buttons.findChildren(QPushButton) if b.text() == "DOI"
    )
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert opened == ["https://doi.org/10.1234/hostile.5678"]
    opened.clear()
    # Even a click that claims the file: link (Qt emits what the label holds) opens nothing.
    links.linkActivated.emit("file:///etc/passwd")
    assert opened == []
    links.linkActivated.emit("https://doi.org/10.1234/hostile.5678")
    assert opened == ["https://doi.org/10.1234/hostile.5678"]


def test_markup_in_fields_is_text_in_tooltips(qtbot, window):
    """Qt takes a tooltip that looks like HTML for HTML, and would load its images."""
    paper = paper_titled(window.library, "Hostile Links")
    window.apply_changes(window.library.edit(paper.id, title='<img src="/dev/zero"> Links'))
    window.library.add_highlight(paper.id, 2, 10, comment='<img src="/dev/zero">')
    row = window.model.row_of(paper.id)
    tooltip = window.model.index(row, COLUMN_INDEX["title"]).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;img" in tooltip and "<img" not in tooltip
    select_paper(qtbot, window, paper.key)
    assert window.detail.title_edit.text() == '<img src="/dev/zero"> Links'
    cursor = QTextCursor(window.detail.abstract_view.document())
    cursor.setPosition(5)
    comment = cursor.charFormat().toolTip()
    assert "&lt;img" in comment and "<img" not in comment


# The widgets themselves


def test_the_browser_answers_every_resource_with_a_placeholder(qtbot, tmp_path):
    image = red_png(tmp_path / "red.png")
    page = tmp_path / "page.html"
    page.write_text("<p>a local page</p>", encoding="utf-8")
    browser = SafeTextBrowser()
    qtbot.addWidget(browser)
    for name in (QUrl.fromLocalFile(str(image)), QUrl(str(image)), QUrl("qrc:/x.png")):
        loaded = browser.loadResource(QTextDocument.ResourceType.ImageResource.value, name)
        assert isinstance(loaded, QImage)
        assert loaded.size() == safe_text.placeholder_image().size()
    browser.setHtml(f'<p>x <img src="{image}"> y</p>')
    browser.show()
    browser.viewport().grab()
    assert browser.document().size().height() < 30 + 2 * browser.document().documentMargin()
    browser.setSource(QUrl.fromLocalFile(str(page)))  # navigation is refused
    assert "a local page" not in browser.toPlainText()


def test_painted_documents_load_nothing(tmp_path):
    image = red_png(tmp_path / "red.png")
    plain = QTextDocument()
    plain.setHtml(f'<img src="{image}">')
    assert plain.size().width() >= 40  # what Qt does unguarded: it reads the file
    safe = SafeTextDocument()
    safe.setHtml(f'<img src="{image}">')
    assert safe.size().width() < 40


def test_markup_in_sync_conflicts_is_text_in_tooltips(qtbot, window):
    """A received library can hold conflict rows; their values and titles are someone
    else's text, and a tooltip that looks like HTML would load its images."""
    from readinglist.gui.sync_panel import ConflictsDialog

    hostile = '<img src="/dev/zero"> x'
    window.library.db.execute(
        "INSERT INTO sync_conflicts (id, kind, gid, field, kept, other, other_device, "
        "other_time) VALUES (1, ?, 'g', 'title', ?, ?, 'd', '2026-01-01T00:00:00')",
        [hostile, json.dumps(hostile), json.dumps(hostile)],
    )
    dialog = ConflictsDialog(window, window.sync_panel)
    qtbot.addWidget(dialog)
    row = dialog.table.topLevelItem(0)
    for column in (0, 2, 3):
        tooltip = row.toolTip(column)
        assert "&lt;img" in tooltip and "<img" not in tooltip, (column, tooltip)
