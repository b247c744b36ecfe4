"""Start the desktop app: ``python main.py`` or the ``readinglist-gui`` launcher."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from readinglist import __version__
from readinglist.errors import UserError
from readinglist.gui.main_window import MainWindow
from readinglist.library import Library
from readinglist.paths import resources_dir

log = logging.getLogger(__name__)


def create_application(argv: Sequence[str]) -> QApplication:
    app = QApplication.instance() or QApplication(list(argv))
    app.setApplicationName("readinglist")
    app.setOrganizationName("readinglist")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "readinglist.svg")))
    return app


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    parser = argparse.ArgumentParser(prog="readinglist-gui", description="readinglist desktop app")
    parser.add_argument("--library", metavar="DIR", help="library folder")
    args, qt_args = parser.parse_known_args(argv[1:])
    app = create_application([argv[0], *qt_args])
    try:
        library = Library(args.library)
    except UserError as error:
        QMessageBox.critical(None, "readinglist", f"The library cannot be opened.\n\n{error}")
        return 1
    window = MainWindow(library)
    window.show()
    try:
        return app.exec()
    finally:
        library.close()
