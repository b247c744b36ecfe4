"""The detail pane, made for reading: a header (title, authors, year · venue, links,
status), then the abstract as the main content, then sections that collapse and remember
their state: Info (the editable metadata), Tags, Highlights, Notes, Related papers.

Every edit goes through ``Library`` and is announced with ``changed(Changes)``; the pane
never writes to the database itself. Escape in an editor puts back what was there.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from readinglist.errors import UserError
from readinglist.gui import settings as keys
from readinglist.gui.abstract_view import HIGHLIGHT_COLORS, AbstractView, ShownText
from readinglist.gui.detail_edits import EditsPart, HighlightIdRole
from readinglist.gui.detail_notes import NotesPart
from readinglist.gui.flow_layout import FlowLayout
from readinglist.gui.lookup_banner import LookupBanner, sources_text
from readinglist.gui.pane_widgets import (
    Section,
    TagCompleter,
    breakable,
    elided,
    fit_list,
    wrapping_label,
    wrapping_list,
)
from readinglist.gui.safe_text import SafeLinkLabel, open_link, plain_rich
from readinglist.gui.settings import Settings
from readinglist.library import Library
from readinglist.links import paper_links, safe_link
from readinglist.models import Paper, Priority, Status

RATINGS = ["No rating", "★", "★★", "★★★", "★★★★", "★★★★★"]
PRIORITIES = [
    ("Low priority", Priority.LOW),
    ("Normal", Priority.NORMAL),
    ("High priority", Priority.HIGH),
]
RelatedIdRole = Qt.ItemDataRole.UserRole + 22
RELATED_DELAY_MS = 250
RELATED_PAPERS = 8
SUGGESTED_TAGS = 5
SHOWN_QUOTE_CHARS = 240
INFO_FIELDS = ("authors", "year", "venue", "url", "code_url", "arxiv_id", "doi")
SECTIONS = ("info", "tags", "highlights", "notes", "related")
CHIP_STYLE = (
    "QPushButton {border: 1px solid palette(mid); border-radius: 9px; padding: 1px 8px;"
    " background: palette(alternate-base); color: palette(text);}"
    " QPushButton:hover {border-color: palette(highlight);}"
)
SUGGESTION_STYLE = CHIP_STYLE.replace("1px solid", "1px dashed")


class DetailPane(NotesPart, EditsPart, QScrollArea):
    changed = Signal(object)  # Changes
    error = Signal(str)
    paper_requested = Signal(int)  # a related paper was chosen
    related_shown = Signal()
    done_editing = Signal()  # Return in the tags or title field, Escape in an editor

    def __init__(self, library: Library, settings: Settings | None = None, parent=None):
        super().__init__(parent)
        self.library = library
        self.settings = settings
        self.paper: Paper | None = None
        self.match_terms: frozenset[str] = frozenset()
        self.setObjectName("detailPane")
        self.setWidgetResizable(True)
        self.setMinimumWidth(360)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # The pane wraps; it never scrolls sideways.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(objectName="detailBody")
        body.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(14, 12, 14, 12)
        # Scroll when the pane is short rather than squeezing the sections together.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)

        self.placeholder = QLabel("Select a paper to see its abstract, notes and highlights.")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.placeholder)

        self.content = QWidget()
        layout.addWidget(self.content)
        layout.addStretch()
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(6)
        self._build_header(content)
        self._build_abstract(content)
        self.sections: dict[str, Section] = {}
        closed = self._closed_sections()
        for name, title, build in (
            ("info", "Info", self._build_info),
            ("tags", "Tags", self._build_tags),
            ("highlights", "Highlights", self._build_highlights),
            ("notes", "Notes", self._build_notes),
            ("related", "Related papers", self._build_related),
        ):
            section = Section(name, title)
            section.set_open(name not in closed)
            section.toggled.connect(self._section_toggled)
            build(section)
            self.sections[name] = section
            content.addWidget(section)
        for editor in (self.title_edit, self.tags_edit, self.comment_edit, *self.fields.values()):
            editor.installEventFilter(self)
        self.note_editor.installEventFilter(self)
        # Keyboard triage: T, type the tags, Return, and J goes on in the table.
        for editor in (self.tags_edit, self.title_edit):
            editor.returnPressed.connect(lambda: QTimer.singleShot(0, self.done_editing.emit))

        # Related papers and tag suggestions ask the index: done just after the pane
        # settles, so walking through the table with the keyboard stays instant.
        self.related_timer = QTimer(self, singleShot=True)
        self.related_timer.setInterval(RELATED_DELAY_MS)
        self.related_timer.timeout.connect(self._show_related)
        self.show_paper(None)

    # Building

    def _build_header(self, content: QVBoxLayout) -> None:
        self.title_label = wrapping_label("titleLabel")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title_label.setFont(font)
        content.addWidget(self.title_label)
        self.review_label = QLabel(
            "⚑ This title was inferred from the abstract. Edit it (Info) to confirm it.",
            objectName="reviewLabel",
        )
        self.review_label.setWordWrap(True)
        self.review_label.setStyleSheet("color: #b8860b;")
        content.addWidget(self.review_label)
        self.authors_label = wrapping_label("authorsLabel")
        content.addWidget(self.authors_label)
        self.venue_label = wrapping_label("venueLabel")
        self.venue_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        content.addWidget(self.venue_label)

        self.link_buttons = QWidget(objectName="linkButtons")
        self.link_layout = FlowLayout(self.link_buttons)
        content.addWidget(self.link_buttons)
        # A stored link that is not opened (file:, javascript:) is shown as text here.
        self.links = SafeLinkLabel(objectName="linksLabel")
        content.addWidget(self.links)

        status_row = QHBoxLayout()
        self.status_box = QComboBox(objectName="statusBox")
        for status in Status:
            self.status_box.addItem(str(status).capitalize(), status)
        self.status_box.currentIndexChanged.connect(self._status_chosen)
        self.rating_box = QComboBox(objectName="ratingBox")
        self.rating_box.addItems(RATINGS)
        self.rating_box.currentIndexChanged.connect(self._rating_chosen)
        self.priority_box = QComboBox(objectName="priorityBox")
        for label, priority in PRIORITIES:
            self.priority_box.addItem(label, int(priority))
        self.priority_box.setToolTip("Priority")
        self.priority_box.currentIndexChanged.connect(self._priority_chosen)
        for box in (self.status_box, self.rating_box, self.priority_box):
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(5)
            status_row.addWidget(box, 1)
        content.addLayout(status_row)
        self.lookup_banner = LookupBanner(self.library)
        content.addWidget(self.lookup_banner)
        self.sources_label = QLabel(objectName="fieldSources")  # where the fields came from
        self.sources_label.setWordWrap(True)
        self.sources_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        content.addWidget(self.sources_label)

    def _build_abstract(self, content: QVBoxLayout) -> None:
        self.abstract_view = AbstractView()
        content.addWidget(self.abstract_view)
        self.no_abstract = QLabel("No abstract.", objectName="noAbstract")
        self.no_abstract.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        content.addWidget(self.no_abstract)
        highlight_row = QHBoxLayout()
        self.comment_edit = QLineEdit(objectName="highlightComment")
        self.comment_edit.setPlaceholderText("Comment (optional)")
        self.comment_edit.setMinimumWidth(60)
        self.color_box = QComboBox(objectName="highlightColor")
        self.color_box.addItems(list(HIGHLIGHT_COLORS))
        self.highlight_button = QPushButton("Highlight", objectName="highlightButton")
        self.highlight_button.setToolTip("Highlight the passage selected in the abstract")
        self.highlight_button.clicked.connect(self.highlight_selection)
        highlight_row.addWidget(self.comment_edit, stretch=1)
        highlight_row.addWidget(self.color_box)
        highlight_row.addWidget(self.highlight_button)
        content.addLayout(highlight_row)

    def _build_info(self, section: Section) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.title_edit = QLineEdit(objectName="titleEdit")
        self.title_edit.setPlaceholderText("Title")
        self.title_edit.editingFinished.connect(self._title_edited)
        form.addRow("Title", self.title_edit)
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
        self.key_label = wrapping_label("keyLabel")  # keys from a .bib can be very long
        form.addRow("Key", self.key_label)
        section.body_layout.addLayout(form)

    def _build_tags(self, section: Section) -> None:
        self.tag_chips = QWidget(objectName="tagChips")
        self.chip_layout = FlowLayout(self.tag_chips)
        section.body_layout.addWidget(self.tag_chips)
        self.tags_edit = QLineEdit(objectName="tagsEdit")
        self.tags_edit.setPlaceholderText("tags, separated by commas (a/b nests)")
        self.tags_edit.editingFinished.connect(self._tags_edited)
        self.tag_completer = TagCompleter([], self.tags_edit)
        self.tag_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tags_edit.setCompleter(self.tag_completer)
        section.body_layout.addWidget(self.tags_edit)
        self.suggestions = QWidget(objectName="tagSuggestions")
        self.suggestions_layout = FlowLayout(self.suggestions)
        section.body_layout.addWidget(self.suggestions)

    def _build_highlights(self, section: Section) -> None:
        self.highlight_list = wrapping_list("highlightList", 12)
        self.highlight_list.itemActivated.connect(self._highlight_activated)
        self.highlight_list.itemClicked.connect(self._highlight_activated)
        section.body_layout.addWidget(self.highlight_list)
        self.no_highlights = QLabel(
            "Select a passage of the abstract and press Highlight.", objectName="noHighlights"
        )
        self.no_highlights.setWordWrap(True)
        self.no_highlights.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        section.body_layout.addWidget(self.no_highlights)

    def _build_related(self, section: Section) -> None:
        self.related_list = wrapping_list("relatedList", RELATED_PAPERS)
        self.related_list.setCursor(Qt.CursorShape.PointingHandCursor)
        self.related_list.itemActivated.connect(self._related_chosen)
        self.related_list.itemClicked.connect(self._related_chosen)
        section.body_layout.addWidget(self.related_list)

    # Sections remember whether they are open

    def _closed_sections(self) -> set[str]:
        if self.settings is None:
            return set()
        return {n for n in self.settings.get(keys.DETAIL_CLOSED_SECTIONS).split(",") if n}

    def _section_toggled(self, name: str, on: bool) -> None:
        if self.settings is None:
            return
        closed = self._closed_sections()
        closed = closed - {name} if on else closed | {name}
        self.settings.set(keys.DETAIL_CLOSED_SECTIONS, ",".join(sorted(closed)))

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
        self.title_label.setText(breakable(ShownText(paper.title).text) or "(untitled)")
        self.title_edit.setText(paper.title)
        self.title_edit.setCursorPosition(0)
        self.review_label.setVisible(paper.title_inferred)
        self.authors_label.setText(breakable(_authors_line(paper.authors)))
        self.authors_label.setVisible(bool(paper.authors))
        venue = " · ".join(p for p in (str(paper.year or ""), ShownText(paper.venue).text) if p)
        self.venue_label.setText(breakable(venue))
        self.venue_label.setVisible(bool(venue))
        for name, value in self._field_values().items():
            self.fields[name].setText(value)
            self.fields[name].setCursorPosition(0)
        self.key_label.setText(breakable(paper.key))
        empty = not any(self._field_values().values())
        info = self.sections["info"]
        info.set_open(not empty and "info" not in self._closed_sections())
        info.set_note("— empty" if empty else "")
        sources = sources_text(self.library.field_sources(paper.id))
        self.sources_label.setText(sources)
        self.sources_label.setVisible(bool(sources))
        # Showing a paper is not choosing a status: no signals while the boxes are set.
        for box, index in (
            (self.status_box, list(Status).index(paper.status)),
            (self.rating_box, paper.rating),
            (self.priority_box, int(paper.priority)),
        ):
            box.blockSignals(True)
            box.setCurrentIndex(index)
            box.blockSignals(False)
        self.tags_edit.setText(", ".join(paper.tags))
        self.tag_completer.model().setStringList([tag.name for tag in self.library.tags()])
        self._show_chips()
        self._show_links()
        self._show_abstract()
        self._show_notes(select_id=draft[0] if draft else None)
        self.related_list.clear()
        self._clear(self.suggestions_layout)
        self.related_timer.start()
        if draft is not None:  # the same paper, refreshed: the user's typing stays
            if draft[0] is None:
                self.note_list.setCurrentRow(-1)
            self._set_editor(draft[1])
            self._note_dirty = True

    def _field_values(self) -> dict[str, str]:
        paper = self.paper
        assert paper is not None
        return {
            "authors": "; ".join(paper.authors),
            "year": str(paper.year or ""),
            "venue": paper.venue,
            "url": paper.url,
            "code_url": paper.code_url,
            "arxiv_id": paper.arxiv_id,
            "doi": paper.doi,
        }

    @staticmethod
    def _clear(layout) -> None:
        while layout.count():
            widget = layout.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()

    def _show_links(self) -> None:
        paper = self.paper
        assert paper is not None
        links = paper_links(
            url=paper.url, code_url=paper.code_url, arxiv_id=paper.arxiv_id, doi=paper.doi
        )
        buttons = []
        for label, _stored, target in links:
            if target is None:
                continue
            if label == "Paper" and target.lower().endswith(".pdf"):
                label = "PDF"
            buttons.append((label, target))
            if label == "arXiv" and "arxiv.org/abs/" in target:
                pdf = safe_link(target.replace("arxiv.org/abs/", "arxiv.org/pdf/", 1))
                if pdf and not any(name == "PDF" for name, _ in buttons):
                    buttons.append(("PDF", pdf))
        self._clear(self.link_layout)
        for label, target in buttons:
            button = QPushButton(label, objectName="linkButton")
            button.setStyleSheet(CHIP_STYLE)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setToolTip(plain_rich(f"Open {target}"))
            button.setProperty("target", target)
            button.clicked.connect(lambda _=False, t=target: open_link(t))
            self.link_layout.addWidget(button)
        self.link_buttons.setVisible(bool(buttons))
        refused = [link for link in links if link[2] is None]
        self.links.set_links(refused)
        self.links.setVisible(bool(refused))

    def link_targets(self) -> list[tuple[str, str]]:
        """The link buttons shown, as (label, address)."""
        found = []
        for i in range(self.link_layout.count()):
            button = self.link_layout.itemAt(i).widget()
            if button is not None:
                found.append((button.text(), button.property("target")))
        return found

    def _show_chips(self) -> None:
        paper = self.paper
        assert paper is not None
        self._clear(self.chip_layout)
        colors = {tag.name: tag.color for tag in self.library.tags() if tag.color}
        for tag in paper.tags:
            chip = QPushButton(f"{elided(tag)}  ×", objectName="tagChip")
            style = CHIP_STYLE
            if colors.get(tag):
                style = style.replace("palette(mid)", colors[tag])
            chip.setStyleSheet(style)
            chip.setToolTip(plain_rich(f"Remove the tag {tag}"))
            chip.clicked.connect(lambda _=False, t=tag: self.remove_tag(t))
            self.chip_layout.addWidget(chip)
        self.tag_chips.setVisible(bool(paper.tags))
        self.sections["tags"].set_note(f"({len(paper.tags)})" if paper.tags else "")

    def _show_related(self) -> None:
        if self.paper is None:
            return
        paper_id = self.paper.id
        try:
            related = self.library.related(paper_id, limit=RELATED_PAPERS)
            suggested = self.library.suggest_tags(paper_id, limit=SUGGESTED_TAGS)
            summaries = self.library.summaries([hit.id for hit in related.hits])
        except UserError:
            return
        self.related_list.clear()
        for hit in related.hits:
            summary = summaries.get(hit.id)
            year = f" · {summary.year}" if summary is not None and summary.year else ""
            item = QListWidgetItem(f"{hit.title}{year}")
            item.setData(RelatedIdRole, hit.id)
            item.setToolTip(plain_rich(f"{hit.key} — open it"))
            self.related_list.addItem(item)
        self.related_list.setVisible(bool(related.hits))
        fit_list(self.related_list, RELATED_PAPERS)
        QTimer.singleShot(0, self.related_list.fit)  # again once the pane has settled
        self.sections["related"].set_note(f"({len(related.hits)})" if related.hits else "")
        self._clear(self.suggestions_layout)
        if suggested:
            label = QLabel("Suggested:")
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self.suggestions_layout.addWidget(label)
        for tag in suggested:
            button = QPushButton(f"+ {elided(tag)}", objectName="suggestedTag")
            button.setStyleSheet(SUGGESTION_STYLE)
            button.setToolTip(plain_rich(f"Tag this paper {tag}"))
            button.clicked.connect(lambda _=False, t=tag: self.accept_suggestion(t))
            self.suggestions_layout.addWidget(button)
        self.suggestions.setVisible(bool(suggested))
        self.related_shown.emit()

    def _related_chosen(self, item: QListWidgetItem) -> None:
        self.paper_requested.emit(item.data(RelatedIdRole))

    def accept_suggestion(self, tag: str) -> None:
        if self.paper is not None:
            paper_id = self.paper.id
            self._apply(lambda: self.library.add_tags([paper_id], [tag]))

    def remove_tag(self, tag: str) -> None:
        if self.paper is not None:
            paper_id = self.paper.id
            self._apply(lambda: self.library.remove_tags([paper_id], [tag]))

    def _show_abstract(self) -> None:
        assert self.paper is not None
        highlights = self.library.highlights(self.paper.id)
        terms = self.match_terms

        def matches(shown: str) -> list[tuple[int, int]]:
            # Matched in the text as shown: "tulu" marks the TÜLU decoded from T\"ULU.
            return self.library.match_spans(shown, terms) if terms else []

        self.abstract_view.show_abstract(self.paper.abstract, highlights, matches)
        self.abstract_view.setVisible(bool(self.paper.abstract.strip()))
        self.no_abstract.setVisible(not self.paper.abstract.strip())
        self.highlight_list.clear()
        for highlight in highlights:
            where = "" if highlight.anchored else "  (no longer in the abstract)"
            quote = ShownText(highlight.quote).text
            if len(quote) > SHOWN_QUOTE_CHARS:
                quote = quote[:SHOWN_QUOTE_CHARS] + "…"
            comment = f"\n{highlight.comment}" if highlight.comment else ""
            item = QListWidgetItem(f"“{quote}”{where}{comment}")
            item.setData(HighlightIdRole, highlight.id)
            item.setToolTip("Click to select it in the abstract")
            self.highlight_list.addItem(item)
        self.highlight_list.setVisible(bool(highlights))
        fit_list(self.highlight_list, 12)
        QTimer.singleShot(0, self.highlight_list.fit)
        self.no_highlights.setVisible(not highlights)
        self.sections["highlights"].set_note(f"({len(highlights)})" if highlights else "")

    # Escape in an editor cancels the edit

    def eventFilter(self, watched, event) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Escape
            and self.paper is not None
        ):
            self._cancel_edit(watched)
            QTimer.singleShot(0, self.done_editing.emit)
            return True
        return super().eventFilter(watched, event)

    def _cancel_edit(self, editor) -> None:
        paper = self.paper
        assert paper is not None
        if editor is self.note_editor:
            note_id = self.current_note_id()
            body = next((n.body for n in self.library.notes(paper.id) if n.id == note_id), "")
            self._set_editor(body if note_id is not None else "")
            self._render_preview()
            return
        if editor is self.title_edit:
            editor.setText(paper.title)
        elif editor is self.tags_edit:
            self.tag_completer.popup().hide()
            editor.setText(", ".join(paper.tags))
        elif editor is self.comment_edit:
            editor.clear()
        else:
            name = next(n for n, e in self.fields.items() if e is editor)
            editor.setText(self._field_values()[name])
        editor.setCursorPosition(0)

    def focus_tags(self) -> None:
        self.sections["tags"].set_open(True)
        self.tags_edit.setFocus()
        self.tags_edit.selectAll()

    def focus_title(self) -> None:
        self.sections["info"].set_open(True)
        self.title_edit.setFocus()
        self.title_edit.selectAll()


def _authors_line(authors: list[str]) -> str:
    """ "Ada Lovelace, Alan Turing and 5 more" from "Last, First" names."""
    names = []
    for author in authors:
        last, _, first = author.partition(",")
        names.append(f"{first.strip()} {last.strip()}".strip() if first else author.strip())
    if len(names) > 8:
        return ", ".join(names[:6]) + f" and {len(names) - 6} more"
    return ", ".join(names)
