"""Window actions that manage the library's structure and open its dialogs: saving
searches; renaming, deleting and colouring lists, saved searches and tags; export,
preferences and statistics.

A mixin of ``MainWindow``; every change goes through ``Library`` and ``apply_changes``.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QApplication, QColorDialog, QInputDialog, QMessageBox

from readinglist.gui import settings as keys
from readinglist.gui.auto_export_dialog import AutoExportDialog
from readinglist.gui.dialogs import SearchHelpDialog
from readinglist.gui.export_dialog import ExportDialog
from readinglist.gui.preferences import PreferencesDialog, apply_appearance
from readinglist.gui.safe_text import plain_rich
from readinglist.gui.sidebar import Target
from readinglist.gui.statistics import StatisticsDialog
from readinglist.models import Changes


class OrganiseActions:
    def save_current_search(self) -> None:
        query = self.search_edit.text().strip()
        if not query:
            self.show_error("Type a search first; then save it under a name.")
            return
        name, ok = QInputDialog.getText(self, "Save search", "Name:", text=query)
        if ok and name.strip():

            def save() -> Changes:
                self.library.save_search(name, query)
                return Changes(saved_searches=True)

            self._run(save)

    def manage_sidebar_item(self, action: str, target: Target, name: str) -> None:
        """Rename, delete or colour a reading list, saved search or tag; look a list up."""
        library = self.library
        if action == "lookup":
            self.look_up_list(int(target.value))
        elif action == "rename":
            new, ok = QInputDialog.getText(self, "Rename", "New name:", text=name)
            if not ok or not new.strip() or new.strip() == name:
                return
            rename = {
                "list": lambda: library.rename_list(target.value, new.strip()),
                "search": lambda: library.rename_saved_search(name, new.strip()),
                "tag": lambda: library.rename_tag(name, new.strip()),
            }[target.kind]
            self._run(rename)
        elif action == "delete":
            kind = {"list": "reading list", "search": "saved search", "tag": "tag"}[target.kind]
            answer = QMessageBox.question(
                self,
                "Delete",
                plain_rich(f"Delete the {kind} “{name}”? Its papers stay in the library."),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            delete = {
                "list": lambda: library.delete_list(target.value),
                "search": lambda: library.delete_saved_search(name),
                "tag": lambda: library.delete_tag(name),
            }[target.kind]
            self._run(delete)
        elif action == "color":
            color = QColorDialog.getColor(parent=self, title=f"Colour of {name}")
            if color.isValid():
                self._run(lambda: library.set_tag_color(name, color.name()))

    def show_export(self) -> ExportDialog:
        dialog = ExportDialog(
            self.library,
            selection=self.selected_ids(),
            query=self.search_edit.text().strip(),
            start_folder=self.settings.get(keys.LAST_IMPORT_DIR),
            parent=self,
        )
        dialog.accepted.connect(
            lambda: self.statusBar().showMessage(f"Exported to {dialog.written}", 6000)
        )
        dialog.open()
        return dialog

    def show_preferences(self) -> PreferencesDialog:
        dialog = PreferencesDialog(self.library, self.settings, self)
        dialog.finished.connect(lambda _result: self._preferences_closed(dialog))
        dialog.open()
        return dialog

    def _preferences_closed(self, dialog: PreferencesDialog) -> None:
        apply_appearance(QApplication.instance(), self.settings.get(keys.APPEARANCE))
        self.update_lookup_actions()
        changes = getattr(dialog, "changes", None)
        if changes is not None:
            self.apply_changes(changes)

    def show_statistics(self) -> StatisticsDialog:
        dialog = StatisticsDialog(self.library, self)
        dialog.open()
        return dialog

    def show_auto_exports(self) -> AutoExportDialog:
        dialog = AutoExportDialog(self.library, self)
        dialog.open()
        return dialog

    def show_search_help(self) -> None:
        SearchHelpDialog(self.library.query_syntax(), self).exec()

    def show_about(self) -> None:
        from readinglist import __version__

        QMessageBox.about(
            self,
            "About readinglist",
            f"<b>readinglist {__version__}</b><p>A reading-list manager for researchers.</p>"
            f"<p>Library: {html.escape(str(self.library.folder))}</p>",
        )
