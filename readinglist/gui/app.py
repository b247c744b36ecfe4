"""Start the desktop app: ``python main.py`` or the ``readinglist-gui`` launcher."""

from __future__ import annotations

import argparse
import ctypes.util
import gc
import logging
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QLockFile, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from readinglist import __version__
from readinglist.errors import UserError
from readinglist.gui.main_window import MainWindow
from readinglist.gui.preferences import apply_appearance
from readinglist.gui.safe_text import plain_rich
from readinglist.gui.settings import APPEARANCE
from readinglist.library import Library, list_backups, restore_damaged_library
from readinglist.paths import default_library_dir, resources_dir

log = logging.getLogger(__name__)

LOCK_NAME = "window.lock"


def create_application(argv: Sequence[str]) -> QApplication:
    app = QApplication.instance() or QApplication(list(argv))
    app.setApplicationName("readinglist")
    app.setOrganizationName("readinglist")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("readinglist")
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "readinglist.svg")))
    return app


def install_desktop_entry(data_home: Path | None = None) -> list[Path]:
    """Install the launcher: the .desktop file (pointing at this readinglist-gui) and the
    SVG icon, in the user's XDG data folder; returns the files written."""
    data_home = data_home or Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local/share"))
    applications = data_home / "applications"
    icons = data_home / "icons" / "hicolor" / "scalable" / "apps"
    applications.mkdir(parents=True, exist_ok=True)
    icons.mkdir(parents=True, exist_ok=True)
    launcher = shutil.which("readinglist-gui") or f"{sys.executable} -m readinglist.gui.app"
    entry = (resources_dir() / "readinglist.desktop").read_text(encoding="utf-8")
    entry = entry.replace("Exec=readinglist-gui", f"Exec={launcher}")
    desktop = applications / "readinglist.desktop"
    desktop.write_text(entry, encoding="utf-8")
    icon = icons / "readinglist.svg"
    shutil.copyfile(resources_dir() / "icons" / "readinglist.svg", icon)
    return [desktop, icon]


def acquire_window_lock(folder: Path) -> QLockFile | None:
    """One window per library: a second one would fight the first over edits and undo.
    The lock goes away with the process, even after a crash (QLockFile detects stale locks)."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(folder / LOCK_NAME))
    if not os.access(folder, os.W_OK):
        # A read-only library (a colleague's folder, a read-only mount): no window can
        # change it, so two cannot fight, and the lock file could not be written anyway.
        return lock  # never held: unlock() does nothing
    lock.setStaleLockTime(0)
    return lock if lock.tryLock(100) else None


def open_or_offer_restore(folder: Path) -> Library | None:
    """Open the library, checking it; if it is damaged, offer its newest backup."""
    try:
        return Library(folder, check=True)
    except UserError as error:
        backups = list_backups(folder)
        if not backups:
            QMessageBox.critical(
                None, "readinglist", plain_rich(f"The library cannot be opened.\n\n{error}")
            )
            return None
        answer = QMessageBox.question(
            None,
            "readinglist",
            plain_rich(
                f"The library cannot be opened.\n\n{error}\n\nRestore the newest backup, "
                f"{backups[0].name}? The damaged files are kept beside the backups."
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
    try:
        restore_damaged_library(folder, backups[0])
        return Library(folder, check=True)
    except UserError as error:
        QMessageBox.critical(
            None, "readinglist", plain_rich(f"The backup could not be restored.\n\n{error}")
        )
        return None


def settle_heap() -> None:
    """What opening the window made (the library, its index, Qt's wrappers) lives as
    long as the window: the garbage collector stops walking it. A full collection walked
    70,000 objects in 20-65 ms, holding the interpreter: a stall of the window at any
    moment, typing included."""
    gc.collect()
    gc.freeze()


def display_problem(environ, qt_args: Sequence[str] = (), find_library=None) -> str:
    """Why the window cannot open here, or "". Qt on Linux aborts with a misleading
    "xcb-cursor0 is needed" when there is no display at all; say what is wrong instead."""
    if not sys.platform.startswith("linux") or "-platform" in qt_args:
        return ""
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return ""  # offscreen, wayland, vnc…: Qt reports its own problems clearly
    if not environ.get("DISPLAY") and not (environ.get("WAYLAND_DISPLAY") and not platform):
        return (
            "no display found (DISPLAY is not set). Start it from a desktop session, over "
            "ssh -X, or under xvfb-run; to run it without a screen, use --offscreen."
        )
    find_library = find_library or ctypes.util.find_library
    if not environ.get("WAYLAND_DISPLAY") and find_library("xcb-cursor") is None:
        return (
            "the X11 library libxcb-cursor0 that Qt needs is not installed. Install it "
            "(Debian/Ubuntu: sudo apt-get install libxcb-cursor0, or run "
            "scripts/install-system-deps.sh), or use --offscreen."
        )
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    parser = argparse.ArgumentParser(prog="readinglist-gui", description="readinglist desktop app")
    parser.add_argument("--library", metavar="DIR", help="library folder")
    parser.add_argument(
        "--install-desktop",
        action="store_true",
        help="add readinglist to the Linux application menu (a .desktop file and an icon "
        "under ~/.local/share) and exit",
    )
    parser.add_argument(
        "--offscreen",
        action="store_true",
        help="run without a screen (Qt's offscreen platform): for scripts and tests",
    )
    args, qt_args = parser.parse_known_args(argv[1:])
    if args.install_desktop:
        for path in install_desktop_entry():
            print(path)
        return 0
    if args.offscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    problem = display_problem(os.environ, qt_args)
    if problem:
        print(f"readinglist-gui: {problem}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = create_application([argv[0], *qt_args])
    folder = Path(args.library) if args.library else default_library_dir()
    lock = acquire_window_lock(folder)
    if lock is None:
        QMessageBox.information(
            None,
            "readinglist",
            f"This library is already open in another readinglist window.\n\n{folder}\n\n"
            "Switch to that window, or close it first. (The command line can still be used "
            "while the window is open.)",
        )
        return 1
    library = open_or_offer_restore(folder)
    if library is None:
        lock.unlock()
        return 1
    window = MainWindow(library)
    apply_appearance(app, window.settings.get(APPEARANCE))
    window.show()
    QTimer.singleShot(1_000, settle_heap)  # once the first frames are on screen
    window.sync_index_soon()
    try:
        return app.exec()
    finally:
        library.close()
        lock.unlock()


if __name__ == "__main__":
    sys.exit(main())
