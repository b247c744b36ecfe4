"""The detail pane: one paper's metadata, abstract, highlights, tags, notes and status.

Every edit goes through ``Library`` and is announced with ``changed(Changes)``; the pane
never writes to the database itself.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from readinglist.errors import UserError
from readinglist.gui.abstract_view import HIGHLIGHT_COLORS, AbstractView
from readinglist.gui.lookup_banner import LookupBanner, sources_text
from readinglist.gui.safe_text import SafeLinkLabel, SafeTextBrowser, plain_rich
from readinglist.library import Library
from readinglist.links import paper_links
from readinglist.models import Changes, Paper, Status

RATINGS = ["No rating", "★", "★★", "★★★", "★★★★", "★★★★★"]
NoteIdRole = Qt.ItemDataRole.UserRole + 20
HighlightIdRole = Qt.ItemDataRole.UserRole + 21
RelatedIdRole = Qt.ItemDataRole.UserRole + 22
RELATED_DELAY_MS = 250
RELATED_PAPERS = 8
SUGGESTED_TAGS = 5


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma."""

    def splitPath(self, path: str) -> list[str]:
        return [path.split(",")[-1].strip()]

    def pathFromIndex(self, index) -> str:
        typed = self.widget().text()
        head = typed.rsplit(",", 1)[0] + ", " if "," in typed else ""
        return head + index.data()


class DetailPane(QScrollArea):
    changed = Signal(object)  # Changes
    error = Signal(str)
    paper_requested = Signal(int)  # a related paper was chosen
    related_shown = Signal()

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.library = library
        self.paper: Paper | None = None
        self.match_terms: frozenset[str] = frozenset()
        self.setObjectName("detailPane")
        self.setWidgetResizable(True)
        self.setMinimumWidth(360)
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)
        # Scroll when the pane is short rather than squeezing the fields to nothing.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)

        self.placeholder = QLabel("Select a paper to see its abstract, notes and highlights.")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.placeholder)

        self.content = QWidget()
        layout.addWidget(self.content)
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)

        self.title_edit = QLineEdit(objectName="titleEdit")
        self.title_edit.setPlaceholderText("Title")
        font = self.title_edit.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title_edit.setFont(font)
        self.title_edit.editingFinished.connect(self._title_edited)
        content.addWidget(self.title_edit)
        self.review_label = QLabel(
            "⚑ This title was inferred from the abstract. Edit it to confirm it.",
            objectName="reviewLabel",
        )
        self.review_label.setStyleSheet("color: #b8860b;")
        content.addWidget(self.review_label)
        self.lookup_banner = LookupBanner(library)
        content.addWidget(self.lookup_banner)

        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for name, label in (
            ("authors", "Authors"),
            ("year", "Year"),
            ("venue", "Venue"),
            ("url", "URL"),
            ("code_url", "Code"),
            ("arxiv_id", "arXiv"),
            ("doi", "DOI"),
        ):
            edit = QLineEdit(objectName=f"{name}Edit")
            edit.editingFinished.connect(lambda name=name: self._field_edited(name))
            self.fields[name] = edit
            form.addRow(label, edit)
        self.fields["authors"].setPlaceholderText("Last, First; Last, First")
        self.key_label = QLabel(objectName="keyLabel")
        self.key_label.setTextFormat(Qt.TextFormat.PlainText)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Key", self.key_label)
        self.status_box = QComboBox(objectName="statusBox")
        for status in Status:
            self.status_box.addItem(str(status).capitalize(), status)
        self.status_box.currentIndexChanged.connect(self._status_chosen)
        self.rating_box = QComboBox(objectName="ratingBox")
        self.rating_box.addItems(RATINGS)
        self.rating_box.currentIndexChanged.connect(self._rating_chosen)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_box)
        status_row.addWidget(self.rating_box)
        form.addRow("Status", status_row)
        self.tags_edit = QLineEdit(objectName="tagsEdit")
        self.tags_edit.setPlaceholderText("tags, separated by commas (a/b nests)")
        self.tags_edit.editingFinished.connect(self._tags_edited)
        self.tag_completer = TagCompleter([], self.tags_edit)
        self.tag_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tags_edit.setCompleter(self.tag_completer)
        form.addRow("Tags", self.tags_edit)
        self.suggestions = QWidget(objectName="tagSuggestions")
        self.suggestions_layout = QHBoxLayout(self.suggestions)
        self.suggestions_layout.setContentsMargins(0, 0, 0, 0)
        form.addRow("Suggested", self.suggestions)
        self.links = SafeLinkLabel(objectName="linksLabel")  # opens web links only
        form.addRow("Links", self.links)
        content.addLayout(form)
        self.sources_label = QLabel(objectName="fieldSources")  # where the fields came from
        self.sources_label.setWordWrap(True)
        self.sources_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        content.addWidget(self.sources_label)

        content.addWidget(QLabel("<b>Abstract</b>"))
        self.abstract_view = AbstractView()
        self.abstract_view.setMinimumHeight(180)
        content.addWidget(self.abstract_view, stretch=2)
        highlight_row = QHBoxLayout()
        self.comment_edit = QLineEdit(objectName="highlightComment")
        self.comment_edit.setPlaceholderText("Comment for the highlight (optional)")
        self.color_box = QComboBox(objectName="highlightColor")
        self.color_box.addItems(list(HIGHLIGHT_COLORS))
        self.highlight_button = QPushButton("Highlight selection", objectName="highlightButton")
        self.highlight_button.clicked.connect(self.highlight_selection)
        highlight_row.addWidget(self.comment_edit, stretch=1)
        highlight_row.addWidget(self.color_box)
        highlight_row.addWidget(self.highlight_button)
        content.addLayout(highlight_row)
        self.highlight_list = QListWidget(objectName="highlightList")
        self.highlight_list.setMaximumHeight(100)
        self.highlight_list.itemActivated.connect(self._highlight_activated)
        content.addWidget(self.highlight_list)

        notes_header = QHBoxLayout()
        notes_header.addWidget(QLabel("<b>Notes</b> (Markdown)"))
        notes_header.addStretch()
        self.add_note_button = QPushButton("Add note", objectName="addNoteButton")
        self.add_note_button.clicked.connect(self.add_note)
        notes_header.addWidget(self.add_note_button)
        content.addLayout(notes_header)
        self.note_list = QListWidget(objectName="noteList")
        self.note_list.setMaximumHeight(80)
        self.note_list.currentItemChanged.connect(self._note_selected)
        content.addWidget(self.note_list)
        self.note_tabs = QTabWidget(objectName="noteTabs")
        self.note_editor = QPlainTextEdit(objectName="noteEditor")
        self.note_editor.setPlaceholderText("Write a note in Markdown…")
        self._loading_note = False
        self._note_dirty = False
        self.note_editor.textChanged.connect(self._note_edited)
        # A note may come from someone else: its preview loads nothing, opens web links only.
        self.note_preview = SafeTextBrowser(objectName="notePreview")
        self.note_tabs.addTab(self.note_editor, "Write")
        self.note_tabs.addTab(self.note_preview, "Preview")
        self.note_tabs.currentChanged.connect(self._render_preview)
        self.note_tabs.setMinimumHeight(140)
        content.addWidget(self.note_tabs)
        self.save_note_button = QPushButton("Save note", objectName="saveNoteButton")
        self.save_note_button.clicked.connect(self.save_note)
        content.addWidget(self.save_note_button, alignment=Qt.AlignmentFlag.AlignRight)
        content.addWidget(QLabel("<b>Related papers</b>"))
        self.related_list = QListWidget(objectName="relatedList")
        self.related_list.setMaximumHeight(140)
        self.related_list.itemActivated.connect(
            lambda item: self.paper_requested.emit(item.data(RelatedIdRole))
        )
        content.addWidget(self.related_list)
        # Related papers and tag suggestions ask the index: done just after the pane
        # settles, so walking through the table with the keyboard stays instant.
        self.related_timer = QTimer(self, singleShot=True)
        self.related_timer.setInterval(RELATED_DELAY_MS)
        self.related_timer.timeout.connect(self._show_related)
        self.show_paper(None)

    # Showing a paper

    def show_paper(self, paper_id: int | None, match_terms: frozenset[str] = frozenset()) -> None:
        self.match_terms = match_terms
        draft = self._take_draft(paper_id)
        try:
            self.paper = self.library.paper(paper_id) if paper_id is not None else None
        except UserError:
            self.paper = None
        self.placeholder.setVisible(self.paper is None)
        self.content.setVisible(self.paper is not None)
        self.lookup_banner.show_for(self.paper)
        if self.paper is None:
            return
        paper = self.paper
        self.title_edit.setText(paper.title)
        self.title_edit.setCursorPosition(0)
        self.review_label.setVisible(paper.title_inferred)
        values = {
            "authors": "; ".join(paper.authors),
            "year": str(paper.year or ""),
            "venue": paper.venue,
            "url": paper.url,
            "code_url": paper.code_url,
            "arxiv_id": paper.arxiv_id,
            "doi": paper.doi,
        }
        for name, value in values.items():
            self.fields[name].setText(value)
            self.fields[name].setCursorPosition(0)
        self.key_label.setText(paper.key)
        sources = sources_text(self.library.field_sources(paper.id))
        self.sources_label.setText(sources)
        self.sources_label.setVisible(bool(sources))
        # Showing a paper is not choosing a status: no signals while the boxes are set.
        for box, index in (
            (self.status_box, list(Status).index(paper.status)),
            (self.rating_box, paper.rating),
        ):
            box.blockSignals(True)
            box.setCurrentIndex(index)
            box.blockSignals(False)
        self.tags_edit.setText(", ".join(paper.tags))
        self.tag_completer.model().setStringList([tag.name for tag in self.library.tags()])
        self.links.set_links(
            paper_links(
                url=paper.url, code_url=paper.code_url, arxiv_id=paper.arxiv_id, doi=paper.doi
            )
        )
        self._show_abstract()
        self._show_notes(select_id=draft[0] if draft else None)
        self.related_list.clear()
        self._clear_suggestions()
        self.related_timer.start()
        if draft is not None:  # the same paper, refreshed: the user's typing stays
            if draft[0] is None:
                self.note_list.setCurrentRow(-1)
            self._set_editor(draft[1])
            self._note_dirty = True

    def _clear_suggestions(self) -> None:
        while self.suggestions_layout.count():
            widget = self.suggestions_layout.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()

    def _show_related(self) -> None:
        if self.paper is None:
            return
        paper_id = self.paper.id
        try:
            related = self.library.related(paper_id, limit=RELATED_PAPERS)
            suggested = self.library.suggest_tags(paper_id, limit=SUGGESTED_TAGS)
        except UserError:
            return
        self.related_list.clear()
        for hit in related.hits:
            item = QListWidgetItem(hit.title)
            item.setData(RelatedIdRole, hit.id)
            item.setToolTip(plain_rich(hit.key))
            self.related_list.addItem(item)
        self._clear_suggestions()
        for tag in suggested:
            button = QPushButton(f"+ {tag}", objectName="suggestedTag")
            button.setFlat(True)
            button.setToolTip(plain_rich(f"Tag this paper {tag}"))
            button.clicked.connect(lambda _=False, t=tag: self.accept_suggestion(t))
            self.suggestions_layout.addWidget(button)
        self.suggestions_layout.addStretch()
        self.related_shown.emit()

    def accept_suggestion(self, tag: str) -> None:
        if self.paper is not None:
            paper_id = self.paper.id
            self._apply(lambda: self.library.add_tags([paper_id], [tag]))

    def _show_abstract(self) -> None:
        assert self.paper is not None
        highlights = self.library.highlights(self.paper.id)
        spans = self.library.match_spans(self.paper.abstract, self.match_terms)
        self.abstract_view.show_abstract(self.paper.abstract, highlights, spans)
        self.highlight_list.clear()
        for highlight in highlights:
            where = "" if highlight.anchored else " (no longer in the abstract)"
            comment = f" — {highlight.comment}" if highlight.comment else ""
            item = QListWidgetItem(f"“{highlight.quote[:80]}”{comment}{where}")
            item.setData(HighlightIdRole, highlight.id)
            self.highlight_list.addItem(item)
        self.highlight_list.setVisible(bool(highlights))

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
        if notes:
            index = next((i for i, n in enumerate(notes) if n.id == select_id), len(notes) - 1)
            self.note_list.setCurrentRow(index)
            self._note_selected()
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

    # Drafts: typing in the note editor is never thrown away

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

    # Edits

    def _apply(self, action) -> None:
        try:
            changes = action()
        except UserError as error:
            self.error.emit(str(error))
            self.show_paper(self.paper.id if self.paper else None, self.match_terms)
            return
        if changes is not None:
            self.changed.emit(changes)

    def _title_edited(self) -> None:
        paper = self.paper
        text = self.title_edit.text().strip()
        if paper is None or text == paper.title:
            return
        self._apply(lambda: self.library.edit(paper.id, title=text))

    def _field_edited(self, name: str) -> None:
        paper = self.paper
        if paper is None:
            return
        text = self.fields[name].text().strip()
        current = {
            "authors": "; ".join(paper.authors),
            "year": str(paper.year or ""),
        }.get(name, getattr(paper, name, ""))
        if text == current:
            return
        value: object = text
        if name == "authors":
            value = [a.strip() for a in text.split(";") if a.strip()]
        self._apply(lambda: self.library.edit(paper.id, **{name: value}))

    def _status_chosen(self, index: int) -> None:
        if self.paper is not None:
            status = self.status_box.itemData(index)
            paper_id = self.paper.id
            self._apply(lambda: self.library.set_status([paper_id], status))

    def _rating_chosen(self, index: int) -> None:
        if self.paper is not None:
            paper_id = self.paper.id
            self._apply(lambda: self.library.set_rating([paper_id], index))

    def _tags_edited(self) -> None:
        paper = self.paper
        self.tag_completer.popup().hide()
        if paper is None:
            return
        wanted = [t.strip() for t in self.tags_edit.text().split(",") if t.strip()]
        have = {t.casefold(): t for t in paper.tags}
        wanted_folded = {t.casefold(): t for t in wanted}
        add = [t for f, t in wanted_folded.items() if f not in have]
        remove = [t for f, t in have.items() if f not in wanted_folded]
        if add:
            self._apply(lambda: self.library.add_tags([paper.id], add))
        if remove:
            self._apply(lambda: self.library.remove_tags([paper.id], remove))

    def highlight_selection(self) -> None:
        span = self.abstract_view.selected_span()
        if self.paper is None:
            return
        if span is None:
            self.error.emit("Select a passage of the abstract first.")
            return
        paper_id, comment = self.paper.id, self.comment_edit.text().strip()
        color = self.color_box.currentText()

        def add() -> Changes:
            self.library.add_highlight(paper_id, *span, color=color, comment=comment)
            return Changes(modified=frozenset({paper_id}))

        self.comment_edit.clear()
        self._apply(add)

    def _highlight_activated(self, item: QListWidgetItem) -> None:
        highlight_id = item.data(HighlightIdRole)
        for highlight in self.library.highlights(self.paper.id) if self.paper else []:
            if highlight.id == highlight_id and highlight.anchored:
                self.abstract_view.select_span(highlight.start, highlight.end)

    def add_note(self) -> None:
        """Start a new note: the editor empties; "Save note" stores it."""
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

    def focus_tags(self) -> None:
        self.tags_edit.setFocus()
        self.tags_edit.selectAll()
