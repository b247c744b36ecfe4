"""The detail pane's lookup banner and the "where each field came from" hint.

The banner shows on a paper that cannot be cited yet (no authors and no identifier:
"Look up") and on one whose lookup found several plausible records ("N candidates —
choose"); it is hidden on every other paper. It asks ``Library`` only what it needs to
decide, and says what the user wants through signals: the window does the work.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from readinglist.library import Library
from readinglist.models import Paper

SOURCE_NAMES = {"arxiv": "arXiv", "crossref": "Crossref", "bibtex": "BibTeX", "user": "you"}
FIELD_NAMES = {
    "title": "title",
    "authors": "authors",
    "year": "year",
    "date": "date",
    "venue": "venue",
    "url": "URL",
    "arxiv_id": "arXiv id",
    "arxiv_version": "version",
    "primary_class": "category",
    "doi": "DOI",
    "entry_type": "type",
}
BANNER_STYLE = (
    "#lookupBanner { border: 1px solid #c9a227; border-radius: 6px; background: %s; }"
    " #lookupBanner QLabel { background: transparent; border: none; }"
)


def needs_lookup(paper: Paper) -> bool:
    """A paper nobody could cite yet: no authors and no identifier."""
    return not paper.authors and not paper.arxiv_id and not paper.doi


def sources_text(sources: dict[str, str]) -> str:
    """ "From arXiv: title, authors, year · typed by you: venue"; "" when every field came
    from the imported file."""
    by_source: dict[str, list[str]] = {}
    for field, source in sources.items():
        if source in SOURCE_NAMES and field in FIELD_NAMES:
            by_source.setdefault(source, []).append(FIELD_NAMES[field])
    parts = []
    for source, name in SOURCE_NAMES.items():
        fields = by_source.get(source)
        if fields:
            verb = "typed by" if source == "user" else "from"
            parts.append(f"{verb} {name}: {', '.join(fields)}")
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


class LookupBanner(QFrame):
    look_up = Signal(int)  # paper id: look its record up
    choose = Signal(int)  # paper id: pick among its candidates

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.library = library
        self.paper_id: int | None = None
        self.mode = ""  # "lookup", "choose" or "" (hidden)
        self.disabled_reason = ""  # set by the window while lookups are off
        self.setObjectName("lookupBanner")
        self.setStyleSheet(BANNER_STYLE % "rgba(201, 162, 39, 0.14)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel(objectName="lookupBannerText")
        self.label.setWordWrap(True)
        layout.addWidget(self.label, stretch=1)
        self.button = QPushButton(objectName="lookupBannerButton")
        self.button.clicked.connect(self._clicked)
        layout.addWidget(self.button)
        self.setVisible(False)

    def show_for(self, paper: Paper | None) -> None:
        self.paper_id = paper.id if paper is not None else None
        self.mode = ""
        if paper is not None:
            candidates = self.library.pending_candidates(paper.id)
            if candidates:
                self.mode = "choose"
                self.label.setText(
                    f"<b>{len(candidates)} candidates</b> — the lookup found several records "
                    "that could be this paper. Choose the right one."
                )
                self.button.setText("Choose…")
            elif needs_lookup(paper):
                self.mode = "lookup"
                if self.library.lookup_status(paper.id) == "not_found":
                    self.label.setText(
                        "<b>Not found</b> — arXiv and Crossref have no record that matches "
                        "this abstract. Add authors and year by hand, or try again later."
                    )
                    self.button.setText("Look up again")
                else:
                    self.label.setText(
                        "<b>Not citable yet</b> — no authors and no arXiv id or DOI. "
                        "Look up its real record."
                    )
                    self.button.setText("Look up")
        self.set_disabled_reason(self.disabled_reason)
        self.setVisible(bool(self.mode))

    def set_disabled_reason(self, reason: str) -> None:
        """Lookups off: the button stays visible, disabled, and says why."""
        self.disabled_reason = reason
        blocked = bool(reason) and self.mode == "lookup"
        self.button.setEnabled(not blocked)
        self.button.setToolTip(reason if blocked else "")

    def _clicked(self) -> None:
        if self.paper_id is None:
            return
        if self.mode == "choose":
            self.choose.emit(self.paper_id)
        elif self.mode == "lookup":
            self.look_up.emit(self.paper_id)
