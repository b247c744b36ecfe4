"""The main window: the library's papers in a table.

This first version lists papers and counts them; browsing, search, import and editing
arrive with the desktop-app work.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QMainWindow, QTableView

from readinglist.library import Library
from readinglist.models import Paper

COLUMNS = ("Title", "Key", "Status", "Added")


class PaperTableModel(QAbstractTableModel):
    def __init__(self, papers: list[Paper], parent=None):
        super().__init__(parent)
        self._papers = papers

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._papers)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        paper = self._papers[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (paper.title, paper.key, str(paper.status), paper.added[:10])[column]
        if role == Qt.ItemDataRole.FontRole and column == 0 and paper.title_inferred:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column == 0 and paper.title_inferred:
            return "Inferred title: needs review"
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None


class MainWindow(QMainWindow):
    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.setWindowTitle(f"readinglist — {library.folder}")
        self.resize(1100, 700)
        self.table = QTableView(self)
        self.table.setObjectName("paperTable")
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.setCentralWidget(self.table)
        self.count_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.count_label)
        self.refresh()

    def refresh(self) -> None:
        papers = self.library.papers()
        self.model = PaperTableModel(papers, self)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        count = len(papers)
        self.count_label.setText(f"{count} paper{'s' if count != 1 else ''}")
