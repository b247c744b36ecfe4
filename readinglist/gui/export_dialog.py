"""File → Export: choose what (selection, reading list, tag, current search, library),
in which format, and where; the file is written atomically by the library."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from readinglist.cite import FORMATS, ExportScope
from readinglist.errors import UserError
from readinglist.library import Library

FORMAT_NAMES = {
    "bibtex": ("BibTeX", ".bib"),
    "biblatex": ("BibLaTeX", ".bib"),
    "csljson": ("CSL-JSON (Pandoc, Zotero)", ".json"),
    "ris": ("RIS", ".ris"),
    "markdown": ("Markdown reading list", ".md"),
}


class ExportDialog(QDialog):
    def __init__(
        self,
        library: Library,
        *,
        selection: list[int],
        query: str = "",
        start_folder: str = "",
        parent=None,
    ):
        super().__init__(parent)
        self.library = library
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export")
        self.setMinimumWidth(560)
        self.written: Path | None = None
        self.scope_box = QComboBox(objectName="exportScope")
        if selection:
            self.scope_box.addItem(
                f"Selected papers ({len(selection)})", ExportScope(ids=tuple(selection))
            )
        if query:
            self.scope_box.addItem(f"Current search: {query}", ExportScope(query=query))
        self.scope_box.addItem("Whole library", ExportScope())
        for reading_list in library.reading_lists():
            self.scope_box.addItem(
                f"Reading list: {reading_list.name} ({reading_list.count})",
                ExportScope(list_name=str(reading_list.id)),
            )
        for tag in library.tags():
            self.scope_box.addItem(f"Tag: {tag.name} ({tag.count})", ExportScope(tag=tag.name))
        self.format_box = QComboBox(objectName="exportFormat")
        for fmt in FORMATS:
            self.format_box.addItem(FORMAT_NAMES[fmt][0], fmt)
        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.abstracts = QCheckBox("Include abstracts", objectName="exportAbstracts")
        self.abstracts.setChecked(True)
        self.notes = QCheckBox("Include notes", objectName="exportNotes")
        self.path_edit = QLineEdit(objectName="exportPath")
        self.path_edit.setText(str(Path(start_folder or Path.home()) / "references.bib"))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_path)
        path_row = QWidget()
        row = QHBoxLayout(path_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Export", self.scope_box)
        form.addRow("Format", self.format_box)
        form.addRow("", self.abstracts)
        form.addRow("", self.notes)
        form.addRow("File", path_row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.error = None

    def _format_changed(self) -> None:
        suffix = FORMAT_NAMES[self.format_box.currentData()][1]
        path = Path(self.path_edit.text() or "references")
        self.path_edit.setText(str(path.with_suffix(suffix)))

    def _choose_path(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text())
        if path:
            self.path_edit.setText(path)

    def export(self) -> None:
        path = Path(self.path_edit.text()).expanduser()
        try:
            self.library.export_file(
                path,
                self.format_box.currentData(),
                self.scope_box.currentData(),
                include_abstract=self.abstracts.isChecked(),
                include_notes=self.notes.isChecked(),
            )
        except UserError as error:
            self.error = str(error)
            self.setWindowTitle(f"Export — {error}")
            return
        self.written = path
        self.accept()
