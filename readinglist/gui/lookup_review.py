"""Review a lookup before anything changes: old → new per paper and field.

One top-level row per paper whose record was found, with a checkbox, and one child row
per field it would change. Papers with several plausible records get a "Choose…" button;
papers nothing was found for are listed, collapsed, at the end. "Accept all" and "Accept
selected" hand the accepted results to the window, which applies them as one undo step.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from readinglist.gui.lookup_banner import FIELD_NAMES
from readinglist.gui.safe_text import plain_rich
from readinglist.lookup.model import LookupReport, LookupResult

CELL_CHARS = 160  # longer values are cut in the cell; the tooltip holds them whole
ResultRole = Qt.ItemDataRole.UserRole + 30


def show_value(value: object) -> str:
    if value is None or value == "" or value == () or value == []:
        return "—"
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return " ".join(str(value).split())


def _cut(text: str) -> str:
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


class LookupReviewDialog(QDialog):
    accepted_results = Signal(list)  # the LookupResults to apply
    choose_requested = Signal(int)  # paper id with several candidates

    def __init__(self, report: LookupReport, titles: dict[int, str], parent=None):
        """``titles``: each paper's current title, to name it in the list."""
        super().__init__(parent)
        self.setObjectName("lookupReview")
        self.setWindowTitle("Review the metadata found")
        self.resize(980, 620)
        self.proposals = [r for r in report.results if r.status == "matched" and r.changed]
        self.ambiguous = [r for r in report.results if r.status == "ambiguous"]
        missing = [r for r in report.results if r.status in ("not_found", "error")]
        unchanged = sum(1 for r in report.results if r.status == "matched" and not r.changed)
        layout = QVBoxLayout(self)

        parts = [f"Records found for <b>{_plural(len(self.proposals), 'paper')}</b>"]
        if self.ambiguous:
            parts.append(f"<b>{len(self.ambiguous)}</b> with several candidates to choose from")
        if missing:
            parts.append(f"{len(missing)} not found")
        if unchanged:
            parts.append(f"{unchanged} already up to date")
        verdict = "Lookup cancelled; these are the papers done so far. " if report.cancelled else ""
        self.summary = QLabel(
            verdict
            + ", ".join(parts)
            + ". Nothing changes until you accept; Edit → Undo takes it back in one step.",
            objectName="lookupSummary",
        )
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.tree = QTreeWidget(objectName="lookupChanges")
        self.tree.setHeaderLabels(["Paper / field", "Now", "From the record"])
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.paper_items: dict[int, QTreeWidgetItem] = {}
        self.choose_buttons: dict[int, QPushButton] = {}
        if self.ambiguous:  # first: they wait for the user
            group = self._group(
                f"Several records could be the paper: choose ({len(self.ambiguous)})"
            )
            for result in self.ambiguous:
                self._add_ambiguous(group, result, titles.get(result.paper_id, result.key))
            group.setExpanded(True)
        for result in self.proposals:
            self._add_proposal(result, titles.get(result.paper_id, result.key))
        if missing:
            group = self._group(f"Nothing found, nothing attached ({len(missing)})")
            for result in missing:
                why = result.message or (
                    "no record found" if result.status == "not_found" else "lookup failed"
                )
                title = _cut(titles.get(result.paper_id, result.key))
                child = QTreeWidgetItem(group, [result.key, title, why])
                child.setToolTip(1, plain_rich(titles.get(result.paper_id, "")))
        if len(self.proposals) <= 200:
            for item in self.paper_items.values():
                item.setExpanded(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 250)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.tree.itemChanged.connect(self._update_buttons)
        layout.addWidget(self.tree)

        buttons = QHBoxLayout()
        buttons.addStretch()
        self.cancel = QPushButton("Cancel", objectName="cancelReview")
        self.accept_checked = QPushButton("Accept selected", objectName="acceptSelected")
        self.accept_all = QPushButton("Accept all", objectName="acceptAll")
        self.accept_all.setDefault(True)
        for button in (self.cancel, self.accept_checked, self.accept_all):
            buttons.addWidget(button)
        self.accept_all.clicked.connect(lambda: self._finish(self.proposals))
        self.accept_checked.clicked.connect(lambda: self._finish(self.checked_results()))
        self.cancel.clicked.connect(self.reject)
        layout.addLayout(buttons)
        self._update_buttons()

    def _group(self, text: str) -> QTreeWidgetItem:
        group = QTreeWidgetItem(self.tree, [text])
        group.setFirstColumnSpanned(True)
        font = group.font(0)
        font.setItalic(True)
        group.setFont(0, font)
        return group

    def _add_proposal(self, result: LookupResult, title: str) -> None:
        source = {"arxiv": "arXiv", "crossref": "Crossref"}.get(result.source, result.source)
        # The title shows in its own row when it changes; otherwise here, to name the paper.
        now = "" if "title" in result.changed else _cut(title)
        item = QTreeWidgetItem(self.tree, [result.key, now, f"{source} {result.source_id}"])
        item.setToolTip(1, plain_rich(title))
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Checked)
        item.setData(0, ResultRole, result.paper_id)
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        for name, (old, new) in result.changed.items():
            old_text, new_text = show_value(old), show_value(new)
            child = QTreeWidgetItem(
                item, [FIELD_NAMES.get(name, name), _cut(old_text), _cut(new_text)]
            )
            child.setToolTip(1, plain_rich(old_text))
            child.setToolTip(2, plain_rich(new_text))
        self.paper_items[result.paper_id] = item

    def _add_ambiguous(self, group: QTreeWidgetItem, result: LookupResult, title: str) -> None:
        count = len(result.candidates)
        item = QTreeWidgetItem(group, [result.key, _cut(title), ""])
        item.setToolTip(1, plain_rich(title))
        button = QPushButton(f"{count} candidates — choose…", objectName="chooseCandidates")
        button.setFlat(True)  # a link in the row: a framed button does not fit its height
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setStyleSheet(
            "QPushButton { text-align: left; color: palette(link); text-decoration: underline;"
            " border: none; padding: 0 2px; }"
            " QPushButton:disabled { color: palette(text); text-decoration: none; }"
        )
        button.clicked.connect(lambda: self.choose_requested.emit(result.paper_id))
        self.tree.setItemWidget(item, 2, button)
        self.choose_buttons[result.paper_id] = button

    def mark_chosen(self, paper_id: int, text: str) -> None:
        """After the user picked a candidate (applied at once): say so in its row."""
        button = self.choose_buttons.get(paper_id)
        if button is not None:
            button.setText(text)
            button.setEnabled(False)

    def checked_results(self) -> list[LookupResult]:
        return [
            result
            for result in self.proposals
            if self.paper_items[result.paper_id].checkState(0) == Qt.CheckState.Checked
        ]

    def set_checked(self, paper_id: int, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        self.paper_items[paper_id].setCheckState(0, state)

    def _update_buttons(self, *args) -> None:
        self.accept_all.setEnabled(bool(self.proposals))
        checked = len(self.checked_results())
        self.accept_checked.setEnabled(checked > 0)
        self.accept_checked.setText(
            f"Accept selected ({checked})" if checked < len(self.proposals) else "Accept selected"
        )

    def _finish(self, results: list[LookupResult]) -> None:
        if results:
            self.accepted_results.emit(list(results))
        self.accept()
