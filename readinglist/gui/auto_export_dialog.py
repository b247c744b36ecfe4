"""File → Auto-export: the .bib files kept up to date, their scope, when each was last
written (and the error, if the last write failed); add and remove bindings."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from readinglist.errors import UserError
from readinglist.library import Library


class AutoExportDialog(QDialog):
    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.library = library
        self.setObjectName("autoExportDialog")
        self.setWindowTitle("Auto-export")
        self.resize(760, 360)
        self.table = QTableWidget(0, 4, objectName="autoExportTable")
        self.table.setHorizontalHeaderLabels(["File", "Scope", "Format", "Last written"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.scope = QComboBox(objectName="autoExportScope")
        self.scope.addItem("Whole library", ("library", ""))
        for reading_list in library.reading_lists():
            self.scope.addItem(f"Reading list: {reading_list.name}", ("list", str(reading_list.id)))
        for tag in library.tags():
            self.scope.addItem(f"Tag: {tag.name}", ("tag", tag.name))
        self.add_button = QPushButton("Add…", objectName="addAutoExport")
        self.add_button.clicked.connect(self.add)
        self.remove_button = QPushButton("Remove", objectName="removeAutoExport")
        self.remove_button.clicked.connect(self.remove)
        row = QHBoxLayout()
        row.addWidget(self.scope, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.error = ""
        self.refresh()

    def refresh(self) -> None:
        bindings = self.library.auto_exports()
        names = {str(item.id): item.name for item in self.library.reading_lists()}
        self.table.setRowCount(len(bindings))
        for row, binding in enumerate(bindings):
            scope = {
                "library": "Whole library",
                "tag": f"Tag: {binding.value}",
                "list": f"Reading list: {names.get(binding.value, binding.value)}",
            }[binding.scope]
            written = binding.last_written or "not yet"
            if not binding.active:
                written = "inactive: made elsewhere (a received library); add it again to confirm"
            elif binding.last_error:
                written = f"failed: {binding.last_error}"
            for column, text in enumerate((binding.path, scope, binding.format, written)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def add(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Keep this file up to date", "refs.bib")
        if not path:
            return
        scope, value = self.scope.currentData()
        try:
            self.library.add_auto_export(path, scope, value)
        except UserError as error:
            self.error = str(error)
        self.refresh()

    def remove(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        self.library.remove_auto_export(self.table.item(row, 0).text())
        self.refresh()
