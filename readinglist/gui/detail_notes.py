"""The detail pane's Notes section: a paper's Markdown notes, listed, written and
previewed. Typing is never thrown away: a draft left for another paper is saved as a
note of its own paper, one of the same paper is put back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidgetItem, QPlainTextEdit, QPushButton, QTabWidget

from readinglist.errors import UserError
from readinglist.gui.pane_widgets import Section, wrapping_list
from readinglist.gui.safe_text import SafeTextBrowser
from readinglist.models import Changes

NoteIdRole = Qt.ItemDataRole.UserRole + 20


class NotesPart:
    """DetailPane's notes (a mixin: it uses the pane's paper, library, sections, error
    signal and ``_apply``)."""

    def _build_notes(self, section: Section) -> None:
        self.add_note_button = QPushButton("Add note", objectName="addNoteButton")
        self.add_note_button.clicked.connect(self.add_note)
        section.header.addWidget(self.add_note_button)
        self.note_list = wrapping_list("noteList", 5)
        self.note_list.currentItemChanged.connect(self._note_selected)
        section.body_layout.addWidget(self.note_list)
        self.note_tabs = QTabWidget(objectName="noteTabs")
        self.note_editor = QPlainTextEdit(objectName="noteEditor")
        self.note_editor.setPlaceholderText("Write a note in Markdown… (Escape discards)")
        self._loading_note = False
        self._note_dirty = False
        self.note_editor.textChanged.connect(self._note_edited)
        # A note may come from someone else: its preview loads nothing, opens web links only.
        self.note_preview = SafeTextBrowser(objectName="notePreview")
        self.note_tabs.addTab(self.note_editor, "Write")
        self.note_tabs.addTab(self.note_preview, "Preview")
        self.note_tabs.currentChanged.connect(self._render_preview)
        self.note_tabs.setMinimumHeight(140)
        section.body_layout.addWidget(self.note_tabs)
        self.save_note_button = QPushButton("Save note", objectName="saveNoteButton")
        self.save_note_button.clicked.connect(self.save_note)
        section.body_layout.addWidget(self.save_note_button, alignment=Qt.AlignmentFlag.AlignRight)

    def _show_notes(self, select_id: int | None = None) -> None:
        assert self.paper is not None
        notes = self.library.notes(self.paper.id)
        self.note_list.blockSignals(True)
        self.note_list.clear()
        for note in notes:
            lines = note.body.strip().splitlines()
            first_line = lines[0].lstrip("#>*- ").strip() if lines else "(empty)"
            item = QListWidgetItem(f"{note.modified[:10]}  {first_line[:60]}")
            item.setData(NoteIdRole, note.id)
            self.note_list.addItem(item)
        self.note_list.blockSignals(False)
        self.note_list.setVisible(bool(notes))
        self.note_list.fit()
        self.sections["notes"].set_note(f"({len(notes)})" if notes else "")
        if notes:
            index = next((i for i, n in enumerate(notes) if n.id == select_id), len(notes) - 1)
            self.note_list.setCurrentRow(index)
            self._note_selected()
            if select_id is None:  # a note to read, shown rendered; Write edits it
                self.note_tabs.setCurrentIndex(1)
        else:
            self._set_editor("")
            self.note_preview.set_markdown("")

    def current_note_id(self) -> int | None:
        item = self.note_list.currentItem()
        return item.data(NoteIdRole) if item is not None else None

    def _note_selected(self, *args) -> None:
        note_id = self.current_note_id()
        if self.paper is None or note_id is None:
            return
        body = next((n.body for n in self.library.notes(self.paper.id) if n.id == note_id), "")
        self._set_editor(body)
        self._render_preview()

    def _set_editor(self, text: str) -> None:
        self._loading_note = True
        self.note_editor.setPlainText(text)
        self._loading_note = False
        self._note_dirty = False

    def _note_edited(self) -> None:
        if not self._loading_note:
            self._note_dirty = True

    def _take_draft(self, next_paper_id: int | None) -> tuple[int | None, str] | None:
        """Before the pane shows a paper: an unsaved draft of the same paper is returned to
        be put back; one of another paper is saved (as a note of that paper)."""
        if not self._note_dirty or self.paper is None:
            return None
        note_id, text = self.current_note_id(), self.note_editor.toPlainText()
        self._note_dirty = False
        if next_paper_id == self.paper.id:
            return note_id, text
        if text.strip():
            try:
                if note_id is None:
                    self.library.add_note(self.paper.id, text)
                else:
                    self.library.edit_note(note_id, text)
            except UserError as error:
                self.error.emit(f"The note could not be saved: {error}")
        return None

    def _render_preview(self, *args) -> None:
        self.note_preview.set_markdown(self.note_editor.toPlainText())

    def add_note(self) -> None:
        """Start a new note: the editor empties; "Save note" stores it."""
        self.sections["notes"].set_open(True)
        self.note_list.setCurrentRow(-1)
        self._set_editor("")
        self.note_tabs.setCurrentIndex(0)
        self.note_editor.setFocus()

    def save_note(self) -> None:
        if self.paper is None:
            return
        body = self.note_editor.toPlainText()
        note_id = self.current_note_id()
        paper_id = self.paper.id
        self._note_dirty = False
        if note_id is not None:
            self._apply(lambda: self.library.edit_note(note_id, body))
            return

        def add() -> Changes:
            self.library.add_note(paper_id, body)
            return Changes(modified=frozenset({paper_id}))

        self._apply(add)
