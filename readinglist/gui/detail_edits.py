"""The detail pane's edits: title, fields, status, rating, priority, tags and highlights,
each through ``Library`` and announced with the pane's ``changed(Changes)``; an edit the
library refuses is reported with ``error`` and the paper shown again as it is."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidgetItem

from readinglist.errors import UserError
from readinglist.models import Changes

HighlightIdRole = Qt.ItemDataRole.UserRole + 21


class EditsPart:
    """DetailPane's edits (a mixin: it uses the pane's paper, library, editors, and its
    ``changed`` and ``error`` signals)."""

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
        if text == self._field_values()[name]:
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

    def _priority_chosen(self, index: int) -> None:
        if self.paper is not None:
            paper_id, priority = self.paper.id, self.priority_box.itemData(index)
            self._apply(lambda: self.library.set_priority([paper_id], priority))

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
