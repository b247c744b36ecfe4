"""The paper table's model: the ordered ids of the current view, rows fetched lazily.

Only ids are held, in an array (100,000 of them cost 800 KB and no object each); rows
are loaded in pages as the view asks for them and kept in a bounded cache. Sorting
re-queries SQLite with an indexed ORDER BY instead of sorting in Python, so a sort of
100,000 papers costs one query. A search's first page of rows and its snippets arrive
with its results; the snippets of rows scrolled to later are asked for through
``snippet_loader`` (a worker) and filled in when they come.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from readinglist.gui.abstract_view import ShownText
from readinglist.gui.safe_text import plain_rich
from readinglist.library import Library
from readinglist.models import PaperSummary

PAGE = 200
PAPER_IDS_MIME = "application/x-readinglist-paper-ids"
CACHE_ROWS = 5_000
NEEDS_REVIEW_MARK = " ⚑"
CENTRED = frozenset(["year", "rating"])
INFERRED_COLOR = "#b8860b"  # readable on light and dark backgrounds
PaperIdRole = Qt.ItemDataRole.UserRole + 1
TagsRole = Qt.ItemDataRole.UserRole + 2
SnippetRole = Qt.ItemDataRole.UserRole + 3
SERVED_ROLES = frozenset(
    [
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.TextAlignmentRole,
        PaperIdRole,
        TagsRole,
        SnippetRole,
    ]
)


@lru_cache(maxsize=CACHE_ROWS)
def shown_title(title: str) -> str:
    return ShownText(title).text if ("\\" in title or "{" in title or "$" in title) else title


# Every cell's flags: asked for each cell painted, so combined once (an enum "|" costs a
# microsecond in PySide).
ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    sort_key: str | None  # the ORDER BY name in the library, None if not sortable
    width: int


COLUMNS = (
    Column("title", "Title", "title", 330),
    Column("match", "Match", None, 360),
    Column("tags", "Tags", None, 150),
    Column("status", "Status", "status", 70),
    Column("rating", "Rating", "rating", 70),
    Column("authors", "Authors", "authors", 120),
    Column("year", "Year", "year", 50),
    Column("added", "Added", "added", 90),
    Column("key", "Key", "key", 130),
)
COLUMN_INDEX = {column.name: index for index, column in enumerate(COLUMNS)}
PaperIndex = QModelIndex | QPersistentModelIndex


class PaperTableModel(QAbstractTableModel):
    reorder_requested = Signal(list, int)  # paper ids, the row to move them to

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.library = library
        self._ids = np.empty(0, dtype=np.int64)
        self._rows: np.ndarray | None = None  # row by paper id (-1: not shown), made on need
        self._cache: OrderedDict[int, PaperSummary] = OrderedDict()
        self.tag_colors: dict[str, str] = {}
        self.match_terms: frozenset[str] = frozenset()
        self._snippets: dict[int, str] = {}
        # Snippets of rows painted before theirs came: asked for once, by the next turn
        # of the event loop. Without a loader they are made here, as they are painted.
        self.snippet_loader: Callable[[list[int], frozenset[str]], None] | None = None
        self._snippets_asked: set[int] = set()
        self._snippets_wanted: list[int] = []
        self._ask_timer = QTimer(self, singleShot=True, interval=0)
        self._ask_timer.timeout.connect(self._ask_for_snippets)
        self.reorder_list_id: int | None = None  # set while a list shows in its own order

    # The ids behind the rows

    def set_ids(
        self,
        ids: Iterable[int] | np.ndarray,
        match_terms: frozenset[str] = frozenset(),
        *,
        rows: dict[int, PaperSummary] | None = None,
        snippets: dict[int, str] | None = None,
        tag_colors: dict[str, str] | None = None,
    ) -> None:
        """Show these papers. ``rows`` and ``snippets`` already read (a search's first
        page, from its worker) are kept; so are ``tag_colors`` (read here otherwise)."""
        if tag_colors is None:
            tag_colors = {tag.name: tag.color for tag in self.library.tags() if tag.color}
        self.beginResetModel()
        self._ids = np.asarray(ids if isinstance(ids, np.ndarray) else list(ids), dtype=np.int64)
        self._rows = None
        self.match_terms = match_terms
        self._snippets = dict(snippets or {})
        self._snippets_asked.clear()
        self._snippets_wanted.clear()
        self._cache.clear()
        if rows:
            self._cache.update(rows)
        self.tag_colors = tag_colors
        self.endResetModel()

    def ids(self) -> list[int]:
        return self._ids.tolist()

    def id_at(self, row: int) -> int:
        return int(self._ids[row])

    def row_of(self, paper_id: int) -> int | None:
        if self._rows is None:
            rows = np.full(int(self._ids.max()) + 1 if len(self._ids) else 0, -1, dtype=np.int64)
            rows[self._ids[::-1]] = np.arange(len(self._ids) - 1, -1, -1)  # the first wins
            self._rows = rows
        if not isinstance(paper_id, int | np.integer) or not 0 <= paper_id < len(self._rows):
            return None
        row = int(self._rows[paper_id])
        return row if row >= 0 else None

    def refresh_papers(self, paper_ids) -> None:
        """Reload the rows of these papers (their data changed, not their place)."""
        for paper_id in paper_ids:
            self._cache.pop(paper_id, None)
            self._snippets.pop(paper_id, None)
            self._snippets_asked.discard(paper_id)
            row = self.row_of(paper_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def summary(self, row: int) -> PaperSummary | None:
        paper_id = int(self._ids[row])
        found = self._cache.get(paper_id)
        if found is None:
            self._load_page(row)
            found = self._cache.get(paper_id)
        else:
            self._cache.move_to_end(paper_id)
        return found

    def _load_page(self, row: int) -> None:
        start = max(0, row - PAGE // 4)
        page = [i for i in self._ids[start : start + PAGE].tolist() if i not in self._cache]
        self._cache.update(self.library.summaries(page))
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)

    # Qt's model interface

    def rowCount(self, parent: PaperIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: PaperIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        return None

    def data(self, index: PaperIndex, role=Qt.ItemDataRole.DisplayRole):
        if role not in SERVED_ROLES:  # a cell's paint asks for ten roles, most of them unused
            return None
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == PaperIdRole:
            return int(self._ids[index.row()])
        paper = self.summary(index.row())
        if paper is None:
            return None
        name = COLUMNS[index.column()].name
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(paper, name)
        if role == TagsRole:
            return [(tag, self.tag_colors.get(tag, "")) for tag in paper.tags]
        if name == "tags" and role == Qt.ItemDataRole.ToolTipRole and paper.tags:
            return plain_rich("\n".join(paper.tags))
        if role == SnippetRole or (name == "match" and role == Qt.ItemDataRole.ToolTipRole):
            return self._snippet(paper.id)
        if name == "title" and paper.title_inferred:
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setItalic(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Inferred title: needs review"
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(INFERRED_COLOR))
        if role == Qt.ItemDataRole.ToolTipRole and name == "title":
            return plain_rich(paper.title)  # Qt would take "<img …>" in a title for markup
        if role == Qt.ItemDataRole.TextAlignmentRole and name in CENTRED:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def cell_look(self, row: int, column: int) -> tuple[str, bool, bool]:
        """What a plain text cell shows, for its painter: (text, whether in the style of
        an inferred title, whether centred), as ``data`` gives them by role."""
        paper = self.summary(row) if 0 <= row < len(self._ids) else None
        if paper is None:
            return "", False, False
        name = COLUMNS[column].name
        return (
            self._display(paper, name),
            name == "title" and paper.title_inferred,
            name in CENTRED,
        )

    def _snippet(self, paper_id: int) -> str:
        """The best-matching passage, with matches in <b>: only for rows on screen."""
        if not self.match_terms:
            return ""
        found = self._snippets.get(paper_id)
        if found is not None:
            return found
        if self.snippet_loader is None:
            found = self._snippets[paper_id] = self.library.snippet(paper_id, self.match_terms)
            return found
        if paper_id not in self._snippets_asked:
            self._snippets_asked.add(paper_id)
            self._snippets_wanted.append(paper_id)
            self._ask_timer.start()
        return ""  # until the loader's answer comes

    def _ask_for_snippets(self) -> None:
        wanted, self._snippets_wanted = self._snippets_wanted, []
        if wanted and self.snippet_loader is not None:
            self.snippet_loader(wanted, self.match_terms)

    def add_snippets(self, terms: frozenset[str], snippets: dict[int, str]) -> None:
        """Snippets a loader made; dropped if the table shows another search since."""
        if terms != self.match_terms:
            return
        self._snippets.update(snippets)
        column = COLUMN_INDEX["match"]
        for paper_id in snippets:
            row = self.row_of(paper_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, column), self.index(row, column))

    @staticmethod
    def _display(paper: PaperSummary, name: str) -> str:
        if name == "title":  # as the detail pane shows it: "$\\mu$" reads μ
            return shown_title(paper.title) + (NEEDS_REVIEW_MARK if paper.title_inferred else "")
        if name == "authors":
            if not paper.authors:
                return ""
            first = paper.authors[0].split(",")[0]
            return first + (" et al." if len(paper.authors) > 1 else "")
        if name == "year":
            return str(paper.year) if paper.year else ""
        if name == "status":
            return str(paper.status).capitalize()
        if name == "rating":
            return "★" * paper.rating
        if name == "tags":
            return ", ".join(paper.tags)
        if name == "added":
            return paper.added[:10]
        if name == "key":
            return paper.key
        return ""

    def flags(self, index: PaperIndex):
        if not index.isValid():
            return (
                Qt.ItemFlag.ItemIsDropEnabled if self.reorder_list_id else Qt.ItemFlag.NoItemFlags
            )
        return ROW_FLAGS

    def supportedDropActions(self):
        return Qt.DropAction.MoveAction

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        return self.reorder_list_id is not None and data.hasFormat(PAPER_IDS_MIME)

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        """Rows dropped inside a reading list shown in its own order: move them there."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        ids = [int(part) for part in bytes(data.data(PAPER_IDS_MIME).data()).decode().split(",")]
        target = row if row >= 0 else (parent.row() if parent.isValid() else len(self._ids))
        self.reorder_requested.emit(ids, target)
        return False  # the library moves them; the view is reloaded, not edited in place

    def mimeTypes(self) -> list[str]:
        return [PAPER_IDS_MIME]

    def mimeData(self, indexes):
        ids = sorted({int(self._ids[i.row()]) for i in indexes if i.isValid()})
        mime = QMimeData()
        mime.setData(PAPER_IDS_MIME, ",".join(map(str, ids)).encode())
        return mime
