"""The keyboard-first reading flow: triage a day's papers without leaving the keyboard.

Every action is a QAction in the Paper menu, with its shortcut shown there; the shortcuts
act while the paper table has focus, so typing in the search bar, the tag editor or a note
is never taken over. Help → Keyboard Shortcuts lists them all.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from readinglist.cite import ExportScope
from readinglist.errors import UserError
from readinglist.models import Status

COLOURED_TAG_KEYS = 9


class ReadingFlow:
    """A mixin of MainWindow: builds the Paper menu and carries out its actions."""

    def _build_reading_flow(self) -> None:
        menu = self.menuBar().addMenu("&Paper")
        self.paper_menu = menu

        def add(text, slot, *shortcuts, name=None, table_only=True) -> QAction:
            act = QAction(text, self)
            act.setShortcuts([QKeySequence(s) for s in shortcuts])
            if name:
                act.setObjectName(name)
            act.triggered.connect(slot)
            if table_only:
                act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                self.table.addAction(act)
            menu.addAction(act)
            return act

        add("&Next Paper", lambda: self._move(1), "J", name="nextPaper")
        add("&Previous Paper", lambda: self._move(-1), "K", name="previousPaper")
        add("Toggle &Read", self.toggle_read, "Space", "R", name="toggleRead")
        for rating in range(6):
            add(
                f"Rate {rating}" if rating else "Clear Rating",
                lambda _=False, r=rating: self._for_selection(
                    lambda ids: self.library.set_rating(ids, r)
                ),
                str(rating),
            )
        menu.addSeparator()
        add("Edit &Tags", self.detail.focus_tags, "T", name="editTags")
        add("Add &Note", self._new_note, "N", name="addNote")
        add("Add to Reading &List…", self.add_to_list_picker, "L", name="addToList")
        self.coloured_tag_actions = [
            add(
                f"Apply Coloured Tag {number}",
                lambda _=False, n=number: self.apply_coloured_tag(n),
                f"Ctrl+{number}",
                name=f"colouredTag{number}",
            )
            for number in range(1, COLOURED_TAG_KEYS + 1)
        ]
        menu.aboutToShow.connect(self.name_coloured_tags)
        self.name_coloured_tags()
        menu.addSeparator()
        add("&Copy BibTeX", self.copy_bibtex, "Ctrl+Shift+C", name="copyBibtex")
        add("Copy \\&cite", self.copy_cite, "Ctrl+Shift+K", name="copyCite")

    # Actions

    def _move(self, step: int) -> None:
        rows = self.model.rowCount()
        if not rows:
            return
        current = self.table.currentIndex().row()
        if not self.selected_ids():  # nothing chosen yet: J or K chooses the current paper
            step = 0
        row = min(max(0, current + step if current >= 0 else 0), rows - 1)
        self.table.selectRow(row)

    def _for_selection(self, action) -> None:
        ids = self.selected_ids()
        if ids:
            self._run(lambda: action(ids))

    def toggle_read(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        first = self.model.summary(self.model.row_of(ids[0]))
        status = Status.UNREAD if first is not None and first.status is Status.READ else Status.READ
        self._run(lambda: self.library.set_status(ids, status))

    def _new_note(self) -> None:
        if self.detail.paper is not None:
            self.detail.add_note()

    def add_to_list_picker(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        names = [reading_list.name for reading_list in self.library.reading_lists()]
        name, chosen = QInputDialog.getItem(
            self,
            "Add to reading list",
            "Reading list (type a new name to create it):",
            names,
            0,
            True,
        )
        if chosen and name.strip():
            list_id = self.library.ensure_list(name.strip())[0]
            self._run(lambda: self.library.add_to_list(list_id, ids))

    def coloured_tags(self) -> list[str]:
        return sorted((t.name for t in self.library.tags() if t.color), key=str.casefold)

    def name_coloured_tags(self) -> None:
        """ "Apply Coloured Tag 1: rlhf": the entries say which tag each key applies."""
        tags = self.coloured_tags()
        for number, act in enumerate(self.coloured_tag_actions, start=1):
            if number <= len(tags):
                act.setText(f"Apply Coloured Tag {number}: {tags[number - 1].replace('&', '&&')}")
            else:
                act.setText(f"Apply Coloured Tag {number} (none yet: give a tag a colour)")

    def apply_coloured_tag(self, number: int) -> None:
        tags = self.coloured_tags()
        if number <= len(tags):
            tag = tags[number - 1]
            self._for_selection(lambda ids: self.library.add_tags(ids, [tag]))

    def copy_bibtex(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        try:
            text = self.library.export_text("bibtex", ExportScope(ids=tuple(ids)))
        except UserError as error:
            self.show_error(str(error))
            return
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage(f"Copied the BibTeX of {len(ids)} paper(s)", 4000)

    def copy_cite(self) -> None:
        ids = self.selected_ids()
        if ids:
            QGuiApplication.clipboard().setText(self.library.cite_keys(ids))
            self.statusBar().showMessage("Copied \\cite{…}", 4000)

    def show_shortcuts(self) -> None:
        self.name_coloured_tags()
        ShortcutsDialog(self.menuBar().actions(), self).exec()


class ShortcutsDialog(QDialog):
    """Every menu action that has a shortcut, by menu."""

    def __init__(self, menu_actions, parent=None):
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(520, 640)
        rows = []
        for menu_action in menu_actions:
            menu = menu_action.menu()
            for action in menu.actions() if menu else []:
                keys = ", ".join(
                    s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
                )
                if keys:
                    rows.append(
                        (menu.title().replace("&", ""), action.text().replace("&", ""), keys)
                    )
        self.table = QTableWidget(len(rows), 3, objectName="shortcutsTable")
        self.table.setHorizontalHeaderLabels(["Menu", "Action", "Keys"])
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.resizeColumnsToContents()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
