"""File drops, the same everywhere: local files only, always a copy, and the work
deferred to the event loop so the drop returns at once (the source application waits)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer


def accept_file_drag(event) -> None:
    if event.mimeData().hasUrls():
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
    else:
        event.ignore()


def take_file_drop(event, handle: Callable[[list[str]], None]) -> None:
    paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
    event.setDropAction(Qt.DropAction.CopyAction)
    event.accept()
    QTimer.singleShot(0, lambda: handle(paths))
