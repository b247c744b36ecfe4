"""The main window: sidebar, paper table, detail pane, search bar, import and undo.

Views refresh from one place, ``apply_changes``, fed by every write the window makes.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
)

from readinglist.errors import UserError
from readinglist.gui import settings as keys
from readinglist.gui.background import BackgroundWork
from readinglist.gui.delegates import SnippetDelegate, TagChipDelegate, TextDelegate
from readinglist.gui.detail import DetailPane
from readinglist.gui.dialogs import WelcomePanel
from readinglist.gui.drops import accept_file_drag, take_file_drop
from readinglist.gui.lookup_actions import LookupActions
from readinglist.gui.organise_actions import OrganiseActions
from readinglist.gui.paper_model import COLUMN_INDEX, COLUMNS, PaperTableModel
from readinglist.gui.reading_flow import ReadingFlow
from readinglist.gui.search_flow import SearchFlow, SearchRequest
from readinglist.gui.settings import Settings
from readinglist.gui.sidebar import Sidebar, Target
from readinglist.gui.sync_panel import SyncController
from readinglist.gui.tasks import Task
from readinglist.gui.view_loading import ViewLoading
from readinglist.library import Library
from readinglist.models import Changes, ImportReport, PaperFilter, SmartList

log = logging.getLogger(__name__)

AUTO_EXPORT_DELAY_MS = 1_500
WATCH_INTERVAL_MS = 1_000
SEARCH_PLACEHOLDER = (
    'Search (Ctrl+F): words, "phrases", title:, author:, tag:, year:2020..2024, prefix*, typo~'
)


class MainWindow(
    ViewLoading,
    SearchFlow,
    ReadingFlow,
    OrganiseActions,
    BackgroundWork,
    LookupActions,
    QMainWindow,
):
    library_changed = Signal(object)  # Changes
    import_finished = Signal(object)  # ImportReport
    search_finished = Signal(str)  # the query shown
    index_synced = Signal()
    auto_exports_written = Signal(list)
    outside_change_shown = Signal()

    def __init__(self, library: Library, settings: Settings | None = None):
        super().__init__()
        self.library = library
        self.settings = settings or Settings()
        self.import_task: Task | None = None
        self.index_task: Task | None = None
        # Searches run one at a time on a thread of their own, which reads the library
        # through a connection of its own. While one runs, only the newest text waits.
        self.search_pool = QThreadPool(self)
        self.search_pool.setMaxThreadCount(1)
        self.search_pool.setExpiryTimeout(-1)  # one thread, one connection, for good
        self.search_reader = library.reader()
        # Its connection opens now, not on the first key (opening and checking the
        # database takes tens of ms).
        self.search_pool.start(self._open_search_reader)
        self._search_task: Task | None = None
        self._pending_search: SearchRequest | None = None
        self._side_tasks: set[Task] = set()  # snippets and counts on the search thread
        self._counts_generation = 0
        self._search_generation = 0
        # What the last shown search cost, in ms (read by bench/gui_bench.py).
        self.search_timing: dict[str, float] = {}
        self._import_target: Target | None = None
        self.last_report: ImportReport | None = None
        self.show_report_dialog = True
        self.match_terms: frozenset[str] = frozenset()
        self._last_query = ""
        self.setWindowTitle("readinglist")
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self.model = PaperTableModel(library, self)
        self.model.snippet_loader = self._load_snippets
        self.table = QTableView(objectName="paperTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(False)  # sorting is a re-query, see _header_clicked
        # Always there: a long list after a short one is painted once, not again when
        # the bar appears, and the columns never shift while typing.
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.table.setItemDelegate(TextDelegate(self.table))
        self.table.setItemDelegateForColumn(COLUMN_INDEX["tags"], TagChipDelegate(self.table))
        self.table.setItemDelegateForColumn(COLUMN_INDEX["match"], SnippetDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._header_clicked)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for index, column in enumerate(COLUMNS):
            header.resizeSection(index, column.width)
            if column.name == "match":
                continue  # shown by the search, not by choice
            action = QAction(column.title, header, checkable=True, checked=True)
            action.toggled.connect(lambda on, i=index: self.table.setColumnHidden(i, not on))
            if index == 0:
                action.setEnabled(False)
            header.addAction(action)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        # "No papers match" and "Did you mean …?" show where the eye is: in the empty table.
        self.empty_label = QLabel(objectName="emptyTableMessage")
        self.empty_label.setTextFormat(Qt.TextFormat.RichText)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setContentsMargins(24, 24, 24, 24)
        self.empty_label.setVisible(False)
        empty_layout = QVBoxLayout(self.table.viewport())
        empty_layout.addWidget(self.empty_label, 0, Qt.AlignmentFlag.AlignTop)
        self.table.setDropIndicatorShown(True)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.model.reorder_requested.connect(self._reorder)
        self._list_sorted_by_header = False

        self.sidebar = Sidebar(library)
        self.sidebar.target_selected.connect(self._target_selected)
        self.sidebar.files_dropped.connect(self.import_paths)  # (paths, target)
        self.sidebar.papers_dropped.connect(self._papers_dropped)
        self.sidebar.item_action.connect(self.manage_sidebar_item)
        self.detail = DetailPane(library, self.settings)
        self.detail.changed.connect(self.apply_changes)
        self.detail.error.connect(self.show_error)
        self.detail.paper_requested.connect(self.show_paper)
        self.detail.done_editing.connect(self._back_to_table)

        self.splitter = QSplitter(objectName="mainSplitter")
        self.splitter.addWidget(self.sidebar.panel())
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([220, 640, 420])

        self.welcome = WelcomePanel()
        self.welcome.import_samples.connect(self.import_samples)
        self.welcome.import_files.connect(self.choose_files)
        self.welcome.files_dropped.connect(self.import_paths)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.splitter)
        self.setCentralWidget(self.stack)

        self._build_search_bar()
        self._build_status_bar()
        self._build_menus()
        self.sync_panel = SyncController(self)  # sharing through PostgreSQL
        self.sort_column = self.settings.get(keys.SORT_COLUMN)
        if self.sort_column not in {c.sort_key for c in COLUMNS if c.sort_key}:
            self.sort_column = keys.SORT_COLUMN.default
        self.sort_descending = self.settings.get(keys.SORT_DESCENDING)
        self._restore_state()
        self.target = self.sidebar.current_target() or Target("smart", SmartList.ALL)
        self.reload()
        last = self.settings.get(keys.LAST_PAPER)
        if last and self.model.row_of(last) is not None:
            self._reselect([last])

    # Building

    def _build_search_bar(self) -> None:
        toolbar = QToolBar("Search", objectName="searchToolbar")
        toolbar.setMovable(False)
        self.search_edit = QLineEdit(objectName="searchEdit")
        self.search_edit.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._search_text_changed)
        self.search_edit.returnPressed.connect(self.run_search)
        toolbar.addWidget(self.search_edit)
        help_button = QPushButton("?", objectName="searchHelpButton")
        help_button.setToolTip("Search syntax")
        help_button.setFixedWidth(28)
        help_button.clicked.connect(self.show_search_help)
        toolbar.addWidget(help_button)
        self.addToolBar(toolbar)
        # Changes from outside the window (the command line, another tool) show up
        # within a second: SQLite's data_version tells, at the cost of one PRAGMA.
        self.library.changed_elsewhere()
        self.watch_timer = QTimer(self)
        self.watch_timer.setInterval(WATCH_INTERVAL_MS)
        self.watch_timer.timeout.connect(self._check_outside_changes)
        self.watch_timer.start()
        # Bound .bib files are rewritten shortly after the last of a burst of changes.
        self.auto_export_timer = QTimer(self, singleShot=True)
        self.auto_export_timer.setInterval(AUTO_EXPORT_DELAY_MS)
        self.auto_export_timer.timeout.connect(self.refresh_auto_exports)
        self.auto_export_task: Task | None = None
        self.search_timer = QTimer(self, singleShot=True)
        self.search_timer.setInterval(self.settings.get(keys.SEARCH_DEBOUNCE_MS))
        self.search_timer.timeout.connect(self._search_typed)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.search_message = QLabel(objectName="searchMessage")
        self.search_message.setTextFormat(Qt.TextFormat.RichText)
        self.search_message.linkActivated.connect(self.search_edit.setText)
        self.empty_label.linkActivated.connect(self.search_edit.setText)
        bar.addWidget(self.search_message, 1)
        self.progress = QProgressBar(objectName="importProgress")
        self.progress.setMaximumWidth(220)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel", objectName="cancelImport")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_import)
        self.count_label = QLabel(objectName="countLabel")
        self.index_status = QLabel(objectName="indexStatus")
        self.index_status.setVisible(False)
        bar.addPermanentWidget(self.index_status)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        bar.addPermanentWidget(self.count_label)

    def _build_menus(self) -> None:
        def action(menu, text, slot, shortcut=None, name=None) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            if name:
                act.setObjectName(name)
            act.triggered.connect(slot)
            menu.addAction(act)
            return act

        file_menu = self.menuBar().addMenu("&File")
        action(file_menu, "&Import Files…", self.choose_files, QKeySequence.StandardKey.Open)
        action(file_menu, "Import &Folder…", self.choose_folder)
        action(file_menu, "Import the &Sample Papers", self.import_samples)
        file_menu.addSeparator()
        action(file_menu, "&Export…", self.show_export, "Ctrl+E", "exportAction")
        action(file_menu, "&Auto-export…", self.show_auto_exports, None, "autoExportAction")
        action(file_menu, "&Preferences…", self.show_preferences, "Ctrl+,", "preferencesAction")
        file_menu.addSeparator()
        action(file_menu, "S&hare Library…", lambda: self.sync_panel.share(), None, "shareAction")
        action(
            file_menu, "&Join Shared Library…", lambda: self.sync_panel.join(), None, "joinAction"
        )
        action(
            file_menu, "Sync &Now", lambda: self.sync_panel.sync_now_asked(), "F5", "syncNowAction"
        )
        action(
            file_menu,
            "Sync &Conflicts…",
            lambda: self.sync_panel.show_conflicts(),
            None,
            "conflictsAction",
        )
        file_menu.addSeparator()
        action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = action(
            edit_menu, "&Undo", self.undo, QKeySequence.StandardKey.Undo, "undoAction"
        )
        self.redo_action = action(edit_menu, "&Redo", self.redo, "Ctrl+Shift+Z", "redoAction")
        edit_menu.addSeparator()
        self.paste_action = action(
            edit_menu, "&Paste Abstracts", self.paste_abstracts, None, "pasteAction"
        )
        action(edit_menu, "&Find", self.focus_search, QKeySequence.StandardKey.Find)
        action(edit_menu, "&Save Search…", self.save_current_search, "Ctrl+Shift+S", "saveSearch")
        edit_menu.addSeparator()
        self.trash_action = action(edit_menu, "Move to &Trash", self.trash_selected, "Delete")
        self.trash_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.table.addAction(self.trash_action)
        action(edit_menu, "R&estore from Trash", self.restore_selected)
        action(edit_menu, "E&mpty Trash…", self.empty_trash)

        self._build_reading_flow()
        self._build_lookup()

        view_menu = self.menuBar().addMenu("&View")
        action(view_menu, "&Statistics", self.show_statistics, "Ctrl+Shift+T", "statisticsAction")

        help_menu = self.menuBar().addMenu("&Help")
        action(help_menu, "&Keyboard Shortcuts", self.show_shortcuts, "F1", "shortcutsAction")
        action(help_menu, "&Search Syntax", self.show_search_help)
        action(help_menu, "&About readinglist", self.show_about)

    def _filter_for(self, target: Target) -> PaperFilter:
        if target.kind == "smart":
            return PaperFilter(smart=SmartList(target.value))
        if target.kind == "list":
            return PaperFilter(list_id=int(target.value))
        if target.kind == "tag":
            return PaperFilter(tag=str(target.value))
        return PaperFilter()

    def _library_empty(self) -> bool:
        counts = self.library.smart_counts()
        return counts[SmartList.ALL] == 0 and counts[SmartList.TRASH] == 0

    def _update_counts(self) -> None:
        count = self.model.rowCount()
        self.count_label.setText(f"{count} paper{'s' if count != 1 else ''}")

    def _update_undo_actions(self) -> None:
        undo, redo = self.library.undo_label(), self.library.redo_label()
        if self.import_task is not None or self.lookup_apply_task is not None:
            undo = redo = None  # an import is one step: undo it once it has finished
        self.undo_action.setEnabled(undo is not None)
        self.undo_action.setText(f"&Undo {undo}" if undo else "&Undo")
        self.redo_action.setEnabled(redo is not None)
        self.redo_action.setText(f"&Redo {redo}" if redo else "&Redo")

    def show_paper(self, paper_id: int) -> None:
        """Select a paper, leaving the search and the sidebar view if it is not shown."""
        if self.model.row_of(paper_id) is None:
            self.search_edit.blockSignals(True)
            self.search_edit.clear()
            self.search_edit.blockSignals(False)
            self.sidebar.select(Target("smart", SmartList.ALL))
            self.target = Target("smart", SmartList.ALL)
            self.reload(keep_selection=False)
        self.table.clearSelection()
        self._reselect([paper_id])

    def _back_to_table(self) -> None:
        """After tags typed and Return (or Escape in an editor), J and K work again.
        The tag completer's popup may have taken the activation: take it back."""
        self.activateWindow()
        self.table.setFocus()

    def _selection_changed(self, *args) -> None:
        ids = self.selected_ids()
        self.detail.show_paper(ids[0] if len(ids) == 1 else None, self.match_terms)

    def _target_selected(self, target: Target) -> None:
        self.target = target
        self._list_sorted_by_header = False  # a reading list opens in its own order
        self.reload(keep_selection=False)

    def _reorder(self, ids: list[int], row: int) -> None:
        list_id = self.model.reorder_list_id
        if list_id is not None:
            self._run(lambda: self.library.reorder_list(list_id, ids, row))

    def _header_clicked(self, section: int) -> None:
        column = COLUMNS[section]
        if column.sort_key is None:
            return
        if self.sort_column == column.sort_key:
            self.sort_descending = not self.sort_descending
        else:
            self.sort_column, self.sort_descending = column.sort_key, False
        self._list_sorted_by_header = True
        self.search_edit.blockSignals(True)
        self.search_edit.clear()  # a sort leaves relevance order
        self.search_edit.blockSignals(False)
        self._show_sort_indicator()
        self.reload()

    def _show_sort_indicator(self) -> None:
        order = (
            Qt.SortOrder.DescendingOrder if self.sort_descending else Qt.SortOrder.AscendingOrder
        )
        section = next((i for i, c in enumerate(COLUMNS) if c.sort_key == self.sort_column), 0)
        self.table.horizontalHeader().setSortIndicator(section, order)

    # Writes: every one ends here

    def _check_outside_changes(self) -> None:
        if self.import_task is None and self.library.changed_elsewhere():
            self.library.refresh_search()
            self.apply_changes(Changes(everything=True, label="changed elsewhere"))
            self.outside_change_shown.emit()

    def apply_changes(self, changes: Changes) -> None:
        if not changes:
            self._update_undo_actions()
            return
        # Counts move with statuses, tags, trash and imports. Counting 100,000 papers
        # takes 36 ms: in a big library, on the search thread while the keys go on.
        big = self.big_view()
        self.sidebar.refresh(counts_later=big)
        if big:
            self._count_smart_lists()
        self.name_coloured_tags()
        self.reload(changed=True)
        self.model.refresh_papers(changes.modified)
        ids = self.selected_ids()
        if len(ids) == 1:
            self.detail.show_paper(ids[0], self.match_terms)
        self.library_changed.emit(changes)
        self.sync_index_soon()
        self.auto_export_timer.start()

    def _run(self, action) -> None:
        try:
            changes = action()
        except UserError as error:
            self.show_error(str(error))
            return
        self.apply_changes(changes)

    def undo(self) -> None:
        self._run(self.library.undo)

    def redo(self) -> None:
        self._run(self.library.redo)

    def trash_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self._run(lambda: self.library.trash(ids))

    def restore_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self._run(lambda: self.library.restore(ids))

    def empty_trash(self) -> None:
        count = self.library.smart_counts()[SmartList.TRASH]
        if count == 0:
            return
        answer = QMessageBox.question(
            self,
            "Empty the trash",
            f"Destroy the {count} paper(s) in the trash, with their notes and highlights?\n"
            "You can still undo this with Edit → Undo.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._run(self.library.empty_trash)

    def _papers_dropped(self, ids: list[int], target: Target) -> None:
        if target.kind == "list":
            self._run(lambda: self.library.add_to_list(int(target.value), ids))
        elif target.kind == "tag":
            self._run(lambda: self.library.add_tags(ids, [str(target.value)]))

    def paste_abstracts(self) -> None:
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self.show_error("The clipboard holds no text to import.")
            return
        report = self.library.import_text(text)
        self._import_done(report)

    # Drops on the window

    def dragEnterEvent(self, event) -> None:
        accept_file_drag(event)

    def dropEvent(self, event) -> None:
        take_file_drop(event, self.import_paths)

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_abstracts()
            return
        super().keyPressEvent(event)

    # Messages and state

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        log.info("shown to the user: %s", message)

    def _restore_state(self) -> None:
        geometry = self.settings.get(keys.GEOMETRY)
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        splitter = self.settings.get(keys.MAIN_SPLITTER)
        if not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        header = self.settings.get(keys.TABLE_HEADER)
        if not header.isEmpty() and self.settings.get(keys.TABLE_COLUMNS) == _column_names():
            self.table.horizontalHeader().restoreState(header)
        self._show_sort_indicator()

    def save_state(self) -> None:
        self.settings.set(keys.GEOMETRY, self.saveGeometry())
        self.settings.set(keys.MAIN_SPLITTER, self.splitter.saveState())
        self.settings.set(keys.TABLE_HEADER, self.table.horizontalHeader().saveState())
        self.settings.set(keys.TABLE_COLUMNS, _column_names())
        self.settings.set(keys.SORT_COLUMN, self.sort_column)
        self.settings.set(keys.SORT_DESCENDING, self.sort_descending)
        ids = self.selected_ids()
        self.settings.set(keys.LAST_PAPER, ids[0] if ids else 0)
        self.settings.sync()

    closing = False

    def closeEvent(self, event) -> None:
        self.closing = True
        exports_pending = self.auto_export_timer.isActive()
        for timer in (
            self.search_timer,
            self.auto_export_timer,
            self.watch_timer,
            self.detail.related_timer,
        ):
            timer.stop()
        if exports_pending:
            self.library.refresh_auto_exports()  # the last changes, before the window goes
        for task in (self.import_task, self.index_task, self.auto_export_task, self.lookup_task):
            if task is not None:
                task.cancel()
        self.save_state()
        self.sync_panel.stop()
        # Workers hold their own connections; let them roll back and close first.
        self._pending_search = None
        self.search_pool.start(self.search_reader.close)  # on the thread it belongs to
        self.search_pool.waitForDone(30_000)
        QThreadPool.globalInstance().waitForDone(30_000)
        super().closeEvent(event)


def _column_names() -> str:
    return ",".join(column.name for column in COLUMNS)
