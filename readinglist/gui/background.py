"""Work the window hands to worker threads: imports, catching the search index up, and
rewriting auto-export files. Each worker opens its own ``Library`` (SQLite connections
stay in their thread) and reports back through signals on the GUI thread.

A mixin of ``MainWindow``, kept apart so neither file grows past a screenful of concerns.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox

from readinglist.candidates import CONFIRM_FILES
from readinglist.errors import TooManyFiles
from readinglist.gui import settings as keys
from readinglist.gui.dialogs import ImportReportDialog
from readinglist.gui.sidebar import Target
from readinglist.gui.tasks import run_task
from readinglist.library import Library
from readinglist.models import Changes, ImportReport
from readinglist.paths import seeds_dir

INLINE_INDEX_PAPERS = 200  # about half a second of indexing; more goes to a worker
INDEX_RETRY_MS = 2_000
IMPORT_FILE_FILTER = (
    "Abstracts and BibTeX (*.txt *.text *.abs *.abstracts *.bib *.bibtex);;"
    "BibTeX (*.bib *.bibtex);;Text files (*.txt *.text);;All files (*)"
)


def nothing_found_message(report: ImportReport) -> str:
    """What a drop or a folder import that found no file to read says."""
    left_out = (
        f" ({len(report.skipped_files)} file(s) left out: see the report)"
        if report.skipped_files
        else ""
    )
    return (
        "Nothing importable found: readinglist imports abstract text files (.txt) and "
        f"BibTeX (.bib){left_out}."
    )


class BackgroundWork:
    # The search index: caught up inline after small changes, in the background after
    # big ones (an import, a bulk tag) and when it must be rebuilt

    def sync_index_soon(self) -> None:
        if self.closing:
            return  # a retry timer may fire after the window (and its library) closed
        if self.index_task is not None or self.import_task is not None:
            return  # the running task's own sync, or the one after it, takes these too
        if self.library.index_ready and self.library.index_pending() <= INLINE_INDEX_PAPERS:
            self.library.sync_index()
            return
        folder = self.library.folder

        def work(progress, cancelled) -> bool:
            with Library(folder) as worker_library:
                return worker_library.sync_index(
                    progress=lambda done, total: progress(done, total, ""), cancel=cancelled
                )

        self.index_status.setText("Updating the search index…")
        self.index_status.setVisible(True)
        self.index_task = run_task(
            work,
            on_done=self._index_synced,
            on_error=self._index_failed,
            on_progress=self._index_progress,
        )

    def _index_progress(self, done: int, total: int, _path: str) -> None:
        # A big import's catch-up takes a minute (200,000 papers): show how far it is.
        self.index_status.setText(f"Updating the search index… {100 * done // max(total, 1)}%")

    def _index_synced(self, _finished: bool) -> None:
        self.index_task = None
        self.index_status.setVisible(False)
        self.library.refresh_search()
        if self.search_edit.text().strip():
            self.reload()
        self.index_synced.emit()
        if self.library.index_pending():
            # Changes made meanwhile, or another program holds the index: try again soon.
            QTimer.singleShot(INDEX_RETRY_MS, self.sync_index_soon)

    def refresh_auto_exports(self) -> None:
        if self.auto_export_task is not None:
            self.auto_export_timer.start()  # once the running one is done
            return
        if not self.library.auto_exports():
            return
        folder = self.library.folder

        def work(_progress, _cancelled) -> list[str]:
            with Library(folder) as worker_library:
                return worker_library.refresh_auto_exports()

        self.auto_export_task = run_task(
            work, on_done=self._auto_exported, on_error=self._auto_export_failed
        )

    def _auto_exported(self, written: list[str]) -> None:
        self.auto_export_task = None
        if written:
            self.statusBar().showMessage(f"Updated {', '.join(written)}", 5000)
        self.auto_exports_written.emit(written)

    def _auto_export_failed(self, error: Exception) -> None:
        self.auto_export_task = None
        self.show_error(f"An auto-export could not be written: {error}")

    def _index_failed(self, error: Exception) -> None:
        self.index_task = None
        self.index_status.setVisible(False)
        self.show_error(f"The search index could not be updated: {error}")

    def _start_progress(self, message: str) -> None:
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.cancel_button.setEnabled(True)
        self.statusBar().showMessage(message)

    # Importing

    def choose_files(self) -> None:
        start = self.settings.get(keys.LAST_IMPORT_DIR)
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            "Import abstract files",
            start,
            IMPORT_FILE_FILTER,
        )
        if paths:
            self.settings.set(keys.LAST_IMPORT_DIR, str(Path(paths[0]).parent))
            self.import_paths(paths)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of abstract files")
        if folder:
            self.import_paths([folder])

    def import_samples(self) -> None:
        self.import_paths([str(seeds_dir())])

    def import_paths(
        self, paths: list[str], target: Target | None = None, *, confirmed: bool = False
    ) -> None:
        """Import on a worker: folders are walked there too (with progress and Cancel),
        and more than CONFIRM_FILES files are asked about first, unless ``confirmed``."""
        if not paths:
            return
        if self.import_task is not None:
            self.show_error("An import is already running; wait for it or cancel it.")
            return
        if self.lookup_task is not None or self.lookup_apply_task is not None:
            self.show_error("A lookup is running; import once it has finished or cancel it.")
            return
        self._import_target = target
        folder = self.library.folder

        def work(progress, cancelled) -> ImportReport | TooManyFiles:
            # The worker has its own connection: SQLite connections stay in their thread.
            with Library(folder) as worker_library:
                try:
                    return worker_library.import_files(
                        paths,
                        progress=progress,
                        cancel=cancelled,
                        max_files=None if confirmed else CONFIRM_FILES,
                        # A drop on a list or a tag is one undo step with the import.
                        into_list=int(target.value) if target and target.kind == "list" else None,
                        into_tag=str(target.value) if target and target.kind == "tag" else None,
                    )
                except TooManyFiles as error:  # nothing imported: ask first
                    error.paths, error.target = paths, target
                    return error

        self._start_progress("Importing…")
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.import_task = run_task(
            work,
            on_done=self._import_done,
            on_error=self._import_failed,
            on_progress=self._import_progress,
        )

    def _import_progress(self, done: int, total: int, path: str) -> None:
        if total == 0:  # folders being walked: files found so far
            self.progress.setRange(0, 0)
            if self.cancel_button.isEnabled():
                self.statusBar().showMessage(f"Looking for files to import… {done:,} found")
            return
        if self.cancel_button.isEnabled():
            self.statusBar().showMessage("Importing…")
        # Progress in kilobytes keeps the bar's int range safe for big files.
        self.progress.setRange(0, max(1, total // 1024))
        self.progress.setValue(done // 1024)

    def cancel_import(self) -> None:
        if self.import_task is not None:
            self.import_task.cancel()
            self.cancel_button.setEnabled(False)
            self.statusBar().showMessage("Cancelling…")

    def _finish_import_ui(self) -> None:
        self.import_task = None
        self._update_undo_actions()
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.statusBar().clearMessage()

    def _import_done(self, report: ImportReport | TooManyFiles) -> None:
        self._finish_import_ui()
        if isinstance(report, TooManyFiles):
            self._confirm_big_import(report)
            return
        self.last_report = report
        self._import_target = None  # the papers went into it with the import
        self.apply_changes(Changes(added=frozenset(report.added_ids), tags=True, lists=True))
        if not report.files and not report.cancelled:
            self.statusBar().showMessage(nothing_found_message(report), 15000)
            self.import_finished.emit(report)
            if self.show_report_dialog and report.skipped_files:
                ImportReportDialog(report, self).open()
            return
        self.statusBar().showMessage(
            f"Imported: {report.added} added, {report.merged} merged, "
            f"{report.duplicates} duplicates, {report.skipped} skipped"
            + (f", {len(report.skipped_files)} left out" if report.skipped_files else "")
            + (f"; completed {report.completed} papers" if report.completed else ""),
            8000,
        )
        self.import_finished.emit(report)
        if self.show_report_dialog and (report.files or report.cancelled or report.skipped_files):
            ImportReportDialog(report, self).open()

    def _confirm_big_import(self, error: TooManyFiles) -> None:
        """A folder with thousands of files is more often a mistake (a home folder, a
        disk) than a wish: ask, without blocking the window, before importing them."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Import many files?",
            f"{error}.\n\nImport them all? It may take a while; Cancel stops it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("confirmBigImport")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def answered() -> None:
            if box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes:
                self.import_paths(error.paths, error.target, confirmed=True)
            else:
                self.statusBar().showMessage("Import cancelled: nothing was imported", 8000)

        box.finished.connect(answered)
        self.big_import_question = box  # for tests
        box.open()

    def _import_failed(self, error: Exception) -> None:
        self._finish_import_ui()
        self.show_error(f"The import failed: {error}")
