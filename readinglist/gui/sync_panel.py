"""The window's part in sharing a library: File → Share/Join, the sync indicator in the
status bar, syncing in the background, and the conflicts list.

Syncs run on workers of their own pool (each opens its own ``Library``); a listener worker
holds a PostgreSQL LISTEN connection so another member's change arrives within a second.
The window sees what a sync wrote as any change made elsewhere (SQLite's data_version),
and is also told directly when a sync pulled something.
"""

from __future__ import annotations

import json
import logging
import time

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from readinglist.errors import UserError
from readinglist.gui.safe_text import plain_rich
from readinglist.gui.tasks import Task, run_task
from readinglist.library import Library
from readinglist.sync import SyncOffline, SyncStatus

log = logging.getLogger(__name__)

AFTER_CHANGE_MS = 1_000  # a burst of edits is sent once, a second after the last
PERIODIC_MS = 60_000
LISTEN_RETRY_S = 30.0
LISTEN_POLL_S = 0.5  # how often the listener looks up from waiting (to stop promptly)

STATE_TEXT = {
    "synced": "Synced",
    "pending": "Pending {pending}",
    "offline": "Offline: {pending} pending",
    "conflict": "{conflicts} conflicts",
    "unconfirmed": "Sync paused",
}

STATE_COLOURS = {
    "synced": "#2e7d32",
    "pending": "palette(text)",
    "offline": "#b26a00",
    "conflict": "#c62828",
    "unconfirmed": "#b26a00",
    "local": "palette(text)",
}


class SyncController(QObject):
    """Owned by the main window; does nothing for a library that is not shared."""

    status_changed = Signal(object)  # SyncStatus
    synced = Signal(object)  # SyncResult
    remote_change = Signal()

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.library: Library = window.library
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)  # the listener and one sync at a time
        self.sync_task: Task | None = None
        self.listen_task: Task | None = None
        self._again = False
        self.offline = False
        self.label = QLabel(objectName="syncStatus")
        self.label.setVisible(False)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        window.statusBar().addPermanentWidget(self.label)
        self.after_change = QTimer(self, singleShot=True, interval=AFTER_CHANGE_MS)
        self.after_change.timeout.connect(self.sync_now)
        self.periodic = QTimer(self, interval=PERIODIC_MS)
        self.periodic.timeout.connect(self.sync_now)
        self.remote_change.connect(self.sync_now)
        window.library_changed.connect(self._library_changed)
        if self.library.sync.shared:
            self.start()
        else:
            self.show_status()

    # Running

    def start(self) -> None:
        if not self.library.sync.confirmed:
            self.show_status()  # a copied folder: nothing goes out until confirmed
            return
        self.periodic.start()
        self._listen()
        self.sync_now()

    def stop(self) -> None:
        for timer in (self.after_change, self.periodic):
            timer.stop()
        for task in (self.listen_task, self.sync_task):
            if task is not None:
                task.cancel()
        self.pool.waitForDone(10_000)

    def _library_changed(self, changes) -> None:
        if changes.label == "changed elsewhere":
            self.show_status()  # a sync's own writes, or another program's
            return
        if self.library.sync.shared:
            self.show_status()
            self.after_change.start()

    def sync_now(self) -> None:
        if not self.library.sync.shared or self.window.closing:
            return
        if not self.library.sync.confirmed:
            self.show_status()
            return
        if self.sync_task is not None:
            self._again = True  # once this one ends
            return
        folder = self.library.folder

        def work(progress, cancelled):
            with Library(folder) as lib:
                return lib.sync.run()

        self.sync_task = run_task(
            work, on_done=self._sync_done, on_error=self._sync_failed, pool=self.pool
        )

    def _sync_done(self, result) -> None:
        self.sync_task, self.offline = None, False
        if result.pulled and not self.window.closing:
            self.window._check_outside_changes()
        self.show_status()
        self.synced.emit(result)
        self._next()

    def _sync_failed(self, error) -> None:
        self.sync_task = None
        self.offline = isinstance(error, SyncOffline)
        if not self.offline:
            log.warning("sync failed: %s", error)
            self.window.statusBar().showMessage(f"Sync: {error}", 10_000)
        self.show_status()
        self._next()

    def _next(self) -> None:
        if self._again and not self.window.closing:
            self._again = False
            self.sync_now()

    def _listen(self) -> None:
        if self.listen_task is not None:
            return
        sync = self.library.sync

        def work(progress, cancelled):
            listener = None
            while not cancelled():
                try:
                    if listener is None:
                        listener = sync.listener()
                    if listener.wait(LISTEN_POLL_S):
                        progress(1, 0, "changed")
                except SyncOffline:
                    listener = None
                    for _ in range(int(LISTEN_RETRY_S / LISTEN_POLL_S)):  # then try again
                        if cancelled():
                            break
                        time.sleep(LISTEN_POLL_S)
            if listener is not None:
                listener.close()

        self.listen_task = run_task(
            work,
            on_done=lambda _: None,
            on_error=lambda error: log.warning("sync listener stopped: %s", error),
            on_progress=lambda *_: self.remote_change.emit(),
            pool=self.pool,
        )

    # Showing

    def status(self) -> SyncStatus:
        status = self.library.sync.status()
        if self.offline:
            status = SyncStatus(**{**_fields(status), "online": False})
        return status

    def show_status(self) -> None:
        status = self.status()
        self.label.setVisible(status.shared)
        if status.shared:
            text = STATE_TEXT[status.state].format(
                pending=status.pending, conflicts=status.conflicts
            )
            if status.conflicts == 1:
                text = text.replace("conflicts", "conflict")
            if status.read_only:
                text += " (read-only)"
            self.label.setText(text)
            self.label.setStyleSheet(f"color: {STATE_COLOURS[status.state]}; padding: 0 6px;")
            unconfirmed = "" if status.confirmed else "Set up elsewhere: Sync Now confirms\n"
            self.label.setToolTip(  # the name and address come from the library: text
                plain_rich(
                    unconfirmed + f"Shared library {status.name!r} at {status.url}\n"
                    f"Last sync: {status.last_sync or 'never'}"
                    + ("\nFile → Sync Conflicts… lists them" if status.conflicts else "")
                )
            )
        self.status_changed.emit(status)

    # Dialogs

    def share(self) -> None:
        dialog = AddressDialog(self.window, "Share Library", with_name=True)
        dialog.name_edit.setText(self.library.folder.name)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self._server_action(
            lambda: self.library.sync.share(dialog.url(), name=dialog.name_edit.text())
        )

    def join(self) -> None:
        if self.library.count() or self.library.paper_ids():
            QMessageBox.information(
                self.window,
                "Join Shared Library",
                "A shared library is joined into a new, empty library. Start readinglist "
                "with an empty library folder (readinglist-gui --library DIR, or "
                "READINGLIST_HOME) and join from there; this library stays as it is.",
            )
            return
        dialog = AddressDialog(self.window, "Join Shared Library")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self._server_action(lambda: self.library.sync.join(dialog.url()))

    def _server_action(self, action) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            note = action()
        except UserError as error:
            QApplication.restoreOverrideCursor()
            self.window.show_error(str(error))
            return
        QApplication.restoreOverrideCursor()
        self.window._check_outside_changes()
        from readinglist.models import Changes

        self.window.apply_changes(Changes(everything=True, label="shared"))
        self.start()
        if note:
            self.window.statusBar().showMessage(note, 15_000)

    def sync_now_asked(self) -> None:
        """File → Sync Now: a library set up elsewhere is confirmed first."""
        sync = self.library.sync
        if sync.shared and not sync.confirmed:
            answer = QMessageBox.question(
                self.window,
                "Sync Now",
                f"This library follows {sync.status().url}, but that was set up by another "
                "installation (a copied or received library folder). Sync it from here?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            sync.confirm()
            self.start()
            return
        self.sync_now()

    def show_conflicts(self) -> None:
        ConflictsDialog(self.window, self).exec()


def _fields(status: SyncStatus) -> dict:
    return {name: getattr(status, name) for name in SyncStatus.__slots__}


class AddressDialog(QDialog):
    def __init__(self, parent, title: str, *, with_name: bool = False):
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.url_edit = QLineEdit(objectName="syncUrl")
        self.url_edit.setPlaceholderText("postgresql://user@host/database?sslmode=verify-full")
        self.url_edit.setMinimumWidth(420)
        form.addRow("Server:", self.url_edit)
        self.name_edit = QLineEdit(objectName="syncName")
        if with_name:
            form.addRow("Name:", self.name_edit)
        hint = QLabel(
            "The password is not stored: PostgreSQL reads it from ~/.pgpass or a service "
            "file (or the system keyring, when the keyring package is installed)."
        )
        hint.setWordWrap(True)
        form.addRow(hint)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def url(self) -> str:
        return self.url_edit.text().strip()


class ConflictsDialog(QDialog):
    """Values that lost to a later write of the same field elsewhere; each can be taken
    back (a new edit, which travels) or dismissed."""

    def __init__(self, window, controller: SyncController):
        super().__init__(window)
        self.window, self.controller = window, controller
        self.library = window.library
        self.setWindowTitle("Sync Conflicts")
        self.resize(900, 360)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Two members changed the same field: the later change was kept. Restore the "
            "other value to use it instead."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTreeWidget(objectName="conflictList")
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(["Paper", "Field", "Kept", "Other value", "Other written"])
        # Two versions of a long title differ anywhere: show both ends of each value.
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setColumnWidth(0, 240)
        self.table.setColumnWidth(1, 70)
        self.table.setColumnWidth(2, 200)
        self.table.setColumnWidth(3, 200)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox()
        self.restore_button = QPushButton("Restore Other Value", objectName="restoreConflict")
        self.dismiss_button = QPushButton("Dismiss", objectName="dismissConflict")
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.dismiss_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self.restore)
        self.dismiss_button.clicked.connect(self.dismiss)
        layout.addWidget(buttons)
        self.fill()

    def fill(self) -> None:
        self.table.clear()
        for conflict in self.library.sync.conflicts():
            title = conflict.kind
            if conflict.paper_id is not None:
                title = self.library.paper(conflict.paper_id).title
            item = QTreeWidgetItem(
                [
                    title,
                    conflict.field,
                    _short(conflict.kept),
                    _short(conflict.other),
                    conflict.other_time[:16].replace("T", " "),
                ]
            )
            # Titles and values are anyone's text: Qt would take "<img …>" for markup.
            for column, value in ((2, conflict.kept), (3, conflict.other)):
                text = value if isinstance(value, str) else json.dumps(value)
                item.setToolTip(column, plain_rich(text))
            item.setToolTip(0, plain_rich(title))
            item.setData(0, Qt.ItemDataRole.UserRole, conflict.id)
            self.table.addTopLevelItem(item)
        if self.table.topLevelItemCount():
            self.table.setCurrentItem(self.table.topLevelItem(0))
        for button in (self.restore_button, self.dismiss_button):
            button.setEnabled(self.table.topLevelItemCount() > 0)

    def _current(self) -> int | None:
        item = self.table.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def restore(self) -> None:
        conflict = self._current()
        if conflict is None:
            return
        try:
            changes = self.library.sync.restore_conflict(conflict)
        except UserError as error:
            self.window.show_error(str(error))
            return
        self.window.apply_changes(changes)
        self.fill()

    def dismiss(self) -> None:
        conflict = self._current()
        if conflict is not None:
            self.library.sync.dismiss_conflict(conflict)
            self.controller.show_status()
            self.fill()


def _short(value) -> str:
    """A value on one line; long ones keep both ends (two versions of a title may differ
    anywhere), the whole value is in the tooltip."""
    text = value if isinstance(value, str) else json.dumps(value)
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:150] + "…" + text[-150:]
