"""Small dialogs and panels: the import report, the welcome panel, the search help."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from readinglist.gui.drops import accept_file_drag, take_file_drop
from readinglist.gui.safe_text import SafeTextBrowser, plain_rich
from readinglist.models import ImportReport


class ImportReportDialog(QDialog):
    """Per file: format and counts; under each file, every skipped record and warning."""

    def __init__(self, report: ImportReport, parent=None):
        super().__init__(parent)
        self.setObjectName("importReport")
        self.setWindowTitle("Import report")
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        verdict = "Import cancelled. " if report.cancelled else ""
        self.summary = QLabel(
            f"{verdict}<b>{report.added}</b> added, <b>{report.merged}</b> merged, "
            f"<b>{report.duplicates}</b> duplicates, <b>{report.skipped}</b> skipped, "
            f"<b>{len(report.failed)}</b> file(s) could not be read."
            + (
                f" BibTeX completed <b>{report.completed}</b> papers already in the library."
                if report.completed
                else ""
            ),
            objectName="importSummary",
        )
        layout.addWidget(self.summary)
        self.tree = QTreeWidget(objectName="importFiles")
        self.tree.setHeaderLabels(["File", "Format", "Added", "Merged", "Duplicates", "Skipped"])
        self.tree.setRootIsDecorated(True)
        for file in report.files:
            name = Path(file.path).name
            item = QTreeWidgetItem(
                self.tree,
                [
                    name,
                    file.format or "—",
                    str(file.added),
                    str(file.merged),
                    str(file.duplicates),
                    str(len(file.skipped)),
                ],
            )
            item.setToolTip(0, plain_rich(file.path))
            if file.error:
                QTreeWidgetItem(item, [f"Not imported: {file.error}"]).setFirstColumnSpanned(True)
                item.setForeground(0, Qt.GlobalColor.darkRed)
            for skipped in file.skipped:
                text = f"Line {skipped.line}: skipped {skipped.reason}: “{skipped.text[:70]}”"
                QTreeWidgetItem(item, [text]).setFirstColumnSpanned(True)
            for warning in file.warnings:
                QTreeWidgetItem(item, [f"Note: {warning}"]).setFirstColumnSpanned(True)
        if report.skipped_files:
            # Not read at all: FIFOs, devices, links out of the folder, system folders.
            left_out = QTreeWidgetItem(
                self.tree, [f"Left out ({len(report.skipped_files)})", "—", "", "", "", ""]
            )
            left_out.setToolTip(0, "Found in the folders but not read, and why")
            for skipped in report.skipped_files:
                QTreeWidgetItem(
                    left_out, [f"{skipped.path}: {skipped.reason}"]
                ).setFirstColumnSpanned(True)
        self.tree.expandAll()
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        for column in range(1, 6):
            header.resizeSection(column, 90 if column > 1 else 110)
        layout.addWidget(self.tree)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


class DropZone(QFrame):
    files_dropped = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self.setMinimumSize(420, 150)
        self.setStyleSheet(
            "#dropZone { border: 2px dashed #8aa4c0; border-radius: 12px; background: #f4f8fc; }"
        )
        layout = QVBoxLayout(self)
        label = QLabel("Drop abstract files or folders here")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet("color: #3f5f80; font-size: 15px; border: none; background: none;")
        layout.addWidget(label)

    def dragEnterEvent(self, event) -> None:
        accept_file_drag(event)

    def dropEvent(self, event) -> None:
        take_file_drop(event, self.files_dropped.emit)


class WelcomePanel(QWidget):
    """Shown while the library is empty: what to do first, in one click."""

    import_samples = Signal()
    import_files = Signal()
    files_dropped = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("welcomePanel")
        outer = QVBoxLayout(self)
        outer.addStretch()
        title = QLabel("<h1>Welcome to readinglist</h1>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(title)
        text = QLabel(
            "Your library is empty. Import the abstract files you collect — arXiv-style "
            "listings or copies of the daily papers page — and search, tag, annotate and "
            "cite them here."
        )
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setFixedWidth(560)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(text)
        row.addStretch()
        outer.addLayout(row)
        self.drop_zone = DropZone()
        self.drop_zone.files_dropped.connect(self.files_dropped)
        zone_row = QHBoxLayout()
        zone_row.addStretch()
        zone_row.addWidget(self.drop_zone)
        zone_row.addStretch()
        outer.addLayout(zone_row)
        buttons = QHBoxLayout()
        buttons.addStretch()
        self.samples_button = QPushButton("Import the sample papers", objectName="samplesButton")
        self.samples_button.setDefault(True)
        self.samples_button.clicked.connect(self.import_samples)
        self.files_button = QPushButton("Import files…", objectName="filesButton")
        self.files_button.clicked.connect(self.import_files)
        buttons.addWidget(self.samples_button)
        buttons.addWidget(self.files_button)
        buttons.addStretch()
        outer.addLayout(buttons)
        outer.addStretch()


class SearchHelpDialog(QDialog):
    def __init__(self, markdown: str, parent=None):
        super().__init__(parent)
        self.setObjectName("searchHelp")
        self.setWindowTitle("Search syntax")
        self.resize(620, 560)
        layout = QVBoxLayout(self)
        browser = SafeTextBrowser()  # links open in the browser, never inside the dialog
        browser.setMarkdown(markdown)
        layout.addWidget(browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
