"""Loading the window's table: a list of papers shown (with the Match column while
searching, a message when it is empty), and the reader's place (current paper, selection,
scroll position) kept across every refresh."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel

from readinglist.gui.paper_model import COLUMN_INDEX
from readinglist.gui.search_flow import ViewPlace
from readinglist.gui.sidebar import Target
from readinglist.models import PaperSummary, SmartList


class ViewLoading:
    """MainWindow's table contents (a mixin: it uses the window's table, model, detail
    pane, labels and library)."""

    def _show(
        self,
        ids,
        terms: frozenset[str],
        message: str,
        place: ViewPlace | None,
        *,
        rows: dict[int, PaperSummary] | None = None,
        snippets: dict[int, str] | None = None,
        tag_colors: dict[str, str] | None = None,
        library_empty: bool | None = None,
    ) -> None:
        self.match_terms = terms
        scroll = self.table.verticalScrollBar().value()
        self.model.set_ids(ids, terms, rows=rows, snippets=snippets, tag_colors=tag_colors)
        self._show_match_column(bool(terms))
        # Lay the table out now, not on Qt's 0 ms timer after the first paint: that
        # would paint the rows on screen twice (6 ms each at 100,000 papers).
        self.table.doItemsLayout()
        self.search_message.setText(message)
        self._update_counts()
        self._update_undo_actions()
        if library_empty is None:  # counting 100,000 papers costs tens of ms: not if shown
            library_empty = not self.model.rowCount() and self._library_empty()
        self.stack.setCurrentWidget(self.welcome if library_empty else self.splitter)
        self._show_empty_message(message)
        if place is None:
            self._reselect([])
        else:
            self._restore_place(place, scroll)

    def _show_match_column(self, shown: bool) -> None:
        """The Match column shows where a search hit: only while searching. The table is
        laid out and painted whole after this; the header's signal would have it paint
        the columns right of Match once more, on a timer after that paint."""
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        try:
            self.table.setColumnHidden(COLUMN_INDEX["match"], not shown)
        finally:
            header.blockSignals(False)

    def _show_empty_message(self, message: str) -> None:
        if self.model.rowCount():
            self.empty_label.setVisible(False)
            return
        if not message:
            message = (
                "The trash is empty."
                if self.target == Target("smart", SmartList.TRASH)
                else "No papers here."
            )
        self.empty_label.setText(message)
        self.empty_label.setVisible(True)

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.id_at(row) for row in rows]

    def _view_place(self) -> ViewPlace:
        """Where the reader is: the current paper (J/K continue from it), its row, the
        selection and the scroll position; kept across every refresh of the table."""
        current = self.table.currentIndex()
        row = current.row() if current.isValid() else -1
        current_id = self.model.id_at(row) if 0 <= row < self.model.rowCount() else None
        return ViewPlace(self.selected_ids(), current_id, row)

    def _restore_place(self, place: ViewPlace, scroll: int) -> None:
        rows = self.model.rowCount()
        selected = [i for i in place.selected if self.model.row_of(i) is not None]
        current = place.current if self.model.row_of(place.current or -1) is not None else None
        if current is None and place.current is not None and rows and not selected:
            # The paper left the view (marked read in Unread, untagged in its tag): the
            # next one takes its place, as in a mail client.
            current = self.model.id_at(min(place.row, rows - 1))
            selected = [current]
        if current is None and selected:
            current = selected[0]
        self.table.verticalScrollBar().setValue(scroll)
        self._reselect(selected, current, scroll_to=False)
        if current is not None:
            self.table.scrollTo(self.model.index(self.model.row_of(current), 0))

    def _reselect(
        self, ids: list[int], current: int | None = None, *, scroll_to: bool = True
    ) -> None:
        selection = self.table.selectionModel()
        first = None
        for paper_id in ids:
            row = self.model.row_of(paper_id)
            if row is None:
                continue
            flags = (
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            )
            selection.select(self.model.index(row, 0), flags)
            first = row if first is None else first
        if current is not None and self.model.row_of(current) is not None:
            first = self.model.row_of(current)
        if first is not None:
            # The current index is where J and K go on from.
            selection.setCurrentIndex(
                self.model.index(first, 0), QItemSelectionModel.SelectionFlag.NoUpdate
            )
            if scroll_to:
                self.table.scrollTo(self.model.index(first, 0))
        else:
            self.detail.show_paper(None)
