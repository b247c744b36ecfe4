"""Preferences: appearance (system, light or dark), the citation key pattern, with a
live preview and "Regenerate keys" that shows old → new before anything changes, and
whether metadata may be looked up online."""

from __future__ import annotations

import html

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from readinglist.errors import UserError
from readinglist.gui import settings as keys
from readinglist.gui.settings import Settings
from readinglist.library import Library

APPEARANCES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


def apply_appearance(app: QApplication, appearance: str) -> None:
    """Fusion with a dark palette for "dark"; the platform's own look otherwise."""
    if appearance == "dark":
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    elif appearance == "light":
        app.setStyle("Fusion")
        app.setPalette(app.style().standardPalette())
    else:
        app.setPalette(app.style().standardPalette())


def dark_palette() -> QPalette:
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#2b2d31",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1f2124",
        QPalette.ColorRole.AlternateBase: "#26282c",
        QPalette.ColorRole.ToolTipBase: "#2b2d31",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#33363b",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#3f7cb8",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#7fb2e5",
        QPalette.ColorRole.PlaceholderText: "#8b8f96",
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    return palette


class PreferencesDialog(QDialog):
    def __init__(self, library: Library, settings: Settings, parent=None):
        super().__init__(parent)
        self.library = library
        self.settings = settings
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(560)
        self.appearance = QComboBox(objectName="appearanceBox")
        for value, label in APPEARANCES.items():
            self.appearance.addItem(label, value)
        self.appearance.setCurrentIndex(
            max(0, self.appearance.findData(settings.get(keys.APPEARANCE)))
        )
        self.appearance.currentIndexChanged.connect(self._appearance_chosen)
        self.pattern = QLineEdit(library.key_pattern(), objectName="keyPattern")
        self.pattern.textChanged.connect(self._preview)
        self.preview = QLabel(objectName="keyPreview")
        self.preview.setWordWrap(True)
        self.regenerate = QPushButton("Regenerate keys…", objectName="regenerateKeys")
        self.regenerate.clicked.connect(self.regenerate_keys)
        form = QFormLayout()
        form.addRow("Appearance", self.appearance)
        form.addRow("Citation key pattern", self.pattern)
        form.addRow(
            "",
            QLabel(
                "[auth] [year] [shorttitle] [title] [veryshorttitle], "
                ":lower :upper :abbr, alternatives [auth|title]"
            ),
        )
        form.addRow("Preview", self.preview)
        form.addRow("", self.regenerate)
        consent = settings.get(keys.LOOKUP_CONSENT)
        self.lookups = QCheckBox("Look up metadata online", objectName="lookupsEnabled")
        self.lookups.setChecked(consent == "yes")
        self._lookups_were = self.lookups.isChecked()
        self.lookups.setToolTip(
            "Sends arXiv ids, DOIs, titles and short phrases of abstracts to arXiv and "
            "Crossref to find each paper's real record. Off: nothing is sent anywhere."
        )
        form.addRow("Metadata", self.lookups)
        self.contact = QLineEdit(settings.get(keys.LOOKUP_CONTACT), objectName="lookupContact")
        self.contact.setPlaceholderText("you@university.edu (optional)")
        self.contact.setToolTip(
            "Crossref asks clients for a contact address, sent with each request, so they "
            "can reach you before blocking a misbehaving client. Nothing else is sent."
        )
        form.addRow("Contact for Crossref", self.contact)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._preview()

    def _appearance_chosen(self) -> None:
        apply_appearance(QApplication.instance(), self.appearance.currentData())

    def _sample(self) -> list[int]:
        return self.library.paper_ids(order_by="id")[:5]

    def _preview(self) -> None:
        try:
            plan = self.library.preview_keys(self._sample(), self.pattern.text())
        except UserError as error:
            self.preview.setText(f"<i>{html.escape(str(error))}</i>")
            self.regenerate.setEnabled(False)
            return
        self.regenerate.setEnabled(True)
        shown = {pid: new for pid, _, new in plan}
        lines = [
            html.escape(f"{p.key} → {shown.get(p.id, p.key)}")
            for p in (self.library.paper(i) for i in self._sample())
        ]
        self.preview.setText("<br>".join(lines) or "<i>no papers yet</i>")

    def regenerate_keys(self) -> None:
        ids = self.library.paper_ids(order_by="id")
        plan = self.library.preview_keys(ids, self.pattern.text())
        if not plan:
            QMessageBox.information(self, "Regenerate keys", "Every key already follows it.")
            return
        if KeyPlanDialog(plan, self).exec() == QDialog.DialogCode.Accepted:
            self.library.set_key_pattern(self.pattern.text())
            self.changes = self.library.regenerate_keys(ids, self.pattern.text())
            self._preview()

    def save(self) -> None:
        try:
            self.library.set_key_pattern(self.pattern.text())
        except UserError as error:
            self.preview.setText(f"<i>{html.escape(str(error))}</i>")
            return
        self.settings.set(keys.APPEARANCE, self.appearance.currentData())
        if self.lookups.isChecked() != self._lookups_were:  # untouched: still to be asked
            self.settings.set(keys.LOOKUP_CONSENT, "yes" if self.lookups.isChecked() else "no")
        self.settings.set(keys.LOOKUP_CONTACT, self.contact.text().strip())
        self.accept()


class KeyPlanDialog(QDialog):
    """Old → new keys, before any of them changes."""

    def __init__(self, plan: list[tuple[int, str, str]], parent=None):
        super().__init__(parent)
        self.setObjectName("keyPlanDialog")
        self.setWindowTitle(f"Regenerate {len(plan)} citation keys")
        self.resize(520, 480)
        table = QTableWidget(len(plan), 2, objectName="keyPlan")
        table.setHorizontalHeaderLabels(["Old key", "New key"])
        for row, (_, old, new) in enumerate(plan):
            table.setItem(row, 0, QTableWidgetItem(old))
            table.setItem(row, 1, QTableWidgetItem(new))
        table.horizontalHeader().setStretchLastSection(True)
        table.resizeColumnsToContents()
        self.table = table
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("These keys will change (Edit → Undo takes it back):"))
        layout.addWidget(table)
        layout.addWidget(buttons)
