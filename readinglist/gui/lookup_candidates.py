"""Several records could be this paper: show them side by side and let the user pick.

The paper's own abstract stands on the left; each candidate shows its title, authors,
year, identifier, venue and an excerpt of its abstract with the similarity the lookup
measured. Nothing is attached until the user picks one ("Use this record"); "None of these"
leaves the paper as it is.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from readinglist.lookup.model import Candidate
from readinglist.models import Paper

COLUMN_WIDTH = 330
EXCERPT_CHARS = 900
SHOWN_AUTHORS = 8
PANEL_STYLE = "#%s { border: 1px solid palette(mid); border-radius: 6px; }"


def _authors(authors) -> str:
    names = list(authors)
    if not names:
        return "—"
    shown = "; ".join(names[:SHOWN_AUTHORS])
    return shown + (f" and {len(names) - SHOWN_AUTHORS} more" if len(names) > SHOWN_AUTHORS else "")


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _identifier(candidate: Candidate) -> str:
    record = candidate.record
    parts = []
    if record.arxiv_id:
        parts.append(f"arXiv:{record.arxiv_id}{record.arxiv_version}")
    if record.doi:
        parts.append(f"DOI {record.doi}")
    return " · ".join(parts) or record.source_id


def _similarity(candidate: Candidate) -> str:
    evidence = candidate.evidence
    extra = f" · {evidence}" if evidence and not evidence.startswith("abstract") else ""
    return f"similarity {candidate.score:.2f}{extra}"


class CandidatesDialog(QDialog):
    chosen = Signal(object)  # the Candidate picked
    rejected_all = Signal()  # "None of these"

    def __init__(self, paper: Paper, candidates: list[Candidate], parent=None):
        super().__init__(parent)
        self.paper = paper
        self.candidates = list(candidates)
        self.setObjectName("lookupCandidates")
        self.setWindowTitle(f"Which record is “{paper.key}”?")
        self.resize(min(1400, 80 + COLUMN_WIDTH * (1 + len(self.candidates))), 640)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"<b>{len(self.candidates)} records</b> could be this paper; their abstracts "
            "match it about equally well. Pick the one it is — nothing is attached until "
            "you do.",
            objectName="candidatesIntro",
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.choose_buttons: list[QPushButton] = []
        self._titles: list[QLabel] = []
        row = QWidget()
        columns = QHBoxLayout(row)
        columns.setAlignment(Qt.AlignmentFlag.AlignLeft)
        columns.addWidget(
            self._panel(
                "paperPanel",
                "This paper",
                paper.title,
                [
                    ("Authors", _authors(paper.authors)),
                    ("Year", str(paper.year or "—")),
                    ("Id", " · ".join(filter(None, (paper.arxiv_id, paper.doi))) or "—"),
                    ("Key", paper.key),
                ],
                "Its abstract",
                " ".join(paper.abstract.split()),
                None,
            )
        )
        for index, candidate in enumerate(self.candidates):
            record = candidate.record
            columns.addWidget(
                self._panel(
                    f"candidate{index}",
                    f"Candidate {index + 1}",
                    record.title,
                    [
                        ("Authors", _authors(record.authors)),
                        ("Year", str(record.year or "—")),
                        ("Id", _identifier(candidate)),
                        ("Venue", record.venue or "—"),
                    ],
                    f"Abstract — {_similarity(candidate)}",
                    _excerpt(record.abstract),
                    candidate,
                )
            )
        # Titles of different lengths would stagger the rows below them: same height for all.
        tallest = max(label.heightForWidth(COLUMN_WIDTH - 24) for label in self._titles)
        for label in self._titles:
            label.setMinimumHeight(tallest)
        scroll = QScrollArea(objectName="candidatesScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(row)
        layout.addWidget(scroll, stretch=1)

        buttons = QDialogButtonBox()
        self.none_button = buttons.addButton(
            "None of these", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.none_button.setObjectName("noCandidate")
        self.none_button.setToolTip("Leave this paper as it is")
        self.later_button = buttons.addButton(
            "Decide later", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.none_button.setAutoDefault(False)
        self.later_button.setDefault(True)
        self.none_button.clicked.connect(self._none)
        self.later_button.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def _panel(self, name, heading, title, facts, abstract_heading, abstract, candidate):
        panel = QFrame(objectName=name)
        panel.setStyleSheet(PANEL_STYLE % name)
        panel.setFixedWidth(COLUMN_WIDTH)
        box = QVBoxLayout(panel)
        box.addWidget(QLabel(f"<b>{heading}</b>"))
        title_label = QLabel(f"<b>{html.escape(title or '(no title)')}</b>")
        title_label.setObjectName(f"{name}Title")
        title_label.setWordWrap(True)
        title_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._titles.append(title_label)
        title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(title_label)
        for label, value in facts:
            fact = QLabel(f"<i>{label}:</i> {html.escape(value)}")
            fact.setWordWrap(True)
            fact.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.addWidget(fact)
        box.addWidget(QLabel(f"<i>{html.escape(abstract_heading)}</i>"))
        text = QTextBrowser(objectName=f"{name}Abstract")
        text.setPlainText(abstract)
        text.setMinimumHeight(200)
        box.addWidget(text, stretch=1)
        if candidate is not None:
            button = QPushButton("Use this record", objectName="chooseCandidate")
            button.setAutoDefault(False)  # Enter must never pick for the user
            button.setToolTip("Attach this record to the paper (Edit → Undo takes it back)")
            button.clicked.connect(lambda: self._choose(candidate))
            box.addWidget(button)
            self.choose_buttons.append(button)
        return panel

    def _choose(self, candidate: Candidate) -> None:
        self.chosen.emit(candidate)
        self.accept()

    def _none(self) -> None:
        self.rejected_all.emit()
        self.reject()
