"""Screenshots of a shared library in the window: the sync indicator and the conflicts list
(docs/screenshots/sync-*.png). Starts a private PostgreSQL as the sync tests do.

Usage: QT_QPA_PLATFORM=offscreen python scripts/sync_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from readinglist.gui.main_window import MainWindow
from readinglist.gui.settings import Settings
from readinglist.gui.sync_panel import ConflictsDialog
from readinglist.library import Library
from readinglist.paths import seeds_dir

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> None:
    sys.path.insert(0, str(ROOT))  # bench/ and tests/ start the private server
    from bench.sync_bench import private_server

    app = QApplication.instance() or QApplication(sys.argv)
    folder = Path(tempfile.mkdtemp(prefix="readinglist-sync-shots-"))
    with private_server() as pg:
        url = pg.url(pg.new_database())
        owner = Library(folder / "owner")
        owner.import_files([seeds_dir()])
        owner.sync.share(url, name="Lab")
        member = Library(folder / "member")
        member.sync.join(url)
        paper = owner.papers()[3]
        member.edit(member.paper(paper.key).id, title=paper.title + " (member's edit)")
        member.sync.run()
        time.sleep(0.01)
        owner.set_status([paper.id], "read")
        owner.edit(paper.id, title=paper.title + " (owner's edit)")
        owner.sync.run()
        window = MainWindow(member, Settings(folder / "settings.ini"))
        window.resize(1280, 800)
        window.show()
        settle(2500)
        window.grab().save(str(OUT / "sync-indicator.png"))
        dialog = ConflictsDialog(window, window.sync_panel)
        dialog.show()
        settle()
        dialog.grab().save(str(OUT / "sync-conflicts.png"))
        dialog.close()
        window.close()
        owner.close()
        member.close()
    del app


if __name__ == "__main__":
    main()
