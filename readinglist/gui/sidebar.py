"""The sidebar: smart lists, reading lists (nested), saved searches and tags, with counts.

Files dropped on a reading list or a tag are imported into it; papers dragged from the
table onto one join it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from readinglist.gui.safe_text import plain_rich
from readinglist.library import Library
from readinglist.models import SmartList

PAPER_IDS_MIME = "application/x-readinglist-paper-ids"
TargetRole = Qt.ItemDataRole.UserRole + 10
NameRole = Qt.ItemDataRole.UserRole + 11

SMART_TITLES = {
    SmartList.ALL: "All papers",
    SmartList.UNREAD: "Unread",
    SmartList.READING: "Reading",
    SmartList.READ: "Read",
    SmartList.RECENT: "Recently added",
    SmartList.UNTAGGED: "Untagged",
    SmartList.NEEDS_REVIEW: "Needs review",
    SmartList.TRASH: "Trash",
}


@dataclass(frozen=True)
class Target:
    """What a sidebar item stands for: ("smart", SmartList), ("list", id), ("tag", name),
    or ("search", query)."""

    kind: str
    value: object

    @property
    def accepts_papers(self) -> bool:
        return self.kind in ("list", "tag")


class Sidebar(QTreeWidget):
    target_selected = Signal(object)  # Target
    item_action = Signal(str, object, str)  # "rename", "delete", "color", "lookup"; Target, name
    files_dropped = Signal(list, object)  # paths, Target
    papers_dropped = Signal(list, object)  # paper ids, Target

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.library = library
        self.setObjectName("sidebar")
        self.setHeaderHidden(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(True)
        self.setMinimumWidth(200)
        self.itemSelectionChanged.connect(self._selection_changed)
        self._suppress = False
        self._counts: dict[SmartList, int] | None = None  # shown by the smart lists
        self._smart_items: dict[SmartList, QTreeWidgetItem] = {}
        # Hundreds of tags (a BibTeX library's keywords) stay usable: a filter box, and
        # tags collapsed beyond the top level unless opened (remembered across refreshes).
        self.tag_filter = QLineEdit(objectName="tagFilter")
        self.tag_filter.setPlaceholderText("Filter tags…")
        self.tag_filter.setClearButtonEnabled(True)
        self.tag_filter.textChanged.connect(self.filter_tags)
        self._expanded_tags: set[str] = set()
        self.itemExpanded.connect(lambda item: self._remember_expanded(item, True))
        self.itemCollapsed.connect(lambda item: self._remember_expanded(item, False))
        self.refresh()

    def panel(self) -> QWidget:
        """The sidebar with its tag filter box above it, as the window shows it."""
        panel = QWidget(objectName="sidebarPanel")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.tag_filter)
        layout.addWidget(self)
        return panel

    def current_target(self) -> Target | None:
        item = self.currentItem()
        return item.data(0, TargetRole) if item is not None else None

    def item_for(self, target: Target) -> QTreeWidgetItem | None:
        for item in self._all_items():
            if item.data(0, TargetRole) == target:
                return item
        return None

    def select(self, target: Target) -> None:
        item = self.item_for(target)
        if item is not None:
            self.setCurrentItem(item)

    def _all_items(self):
        stack = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            item = stack.pop()
            yield item
            stack.extend(item.child(i) for i in range(item.childCount()))

    def refresh(self, *, counts_later: bool = False) -> None:
        """Rebuild from the library, keeping the selection and the expanded groups.
        ``counts_later``: the smart lists keep the counts they showed, until
        ``show_counts`` gives the new ones (counted on another thread)."""
        selected = self.current_target() or Target("smart", SmartList.ALL)
        self._suppress = True
        self.clear()
        if not counts_later or self._counts is None:
            self._counts = self.library.smart_counts()
        library_group = self._group("Library")
        self._smart_items = {
            smart: self._item(library_group, "", Target("smart", smart)) for smart in SMART_TITLES
        }
        self.show_counts(self._counts)
        lists_group = self._group("Reading lists")
        parents: dict[int | None, QTreeWidgetItem] = {None: lists_group}
        for reading_list in self.library.reading_lists():
            parent = parents.get(reading_list.parent_id, lists_group)
            parents[reading_list.id] = self._item(
                parent,
                f"{reading_list.name} ({reading_list.count})",
                Target("list", reading_list.id),
            )
        searches = self.library.saved_searches()
        if searches:
            searches_group = self._group("Saved searches")
            for search in searches:
                item = self._item(searches_group, search.name, Target("search", search.query))
                item.setData(0, NameRole, search.name)
                item.setToolTip(0, plain_rich(search.query))
        tags_group = self._group("Tags")
        tag_items: dict[str, QTreeWidgetItem] = {}

        def tag_parent(name: str) -> QTreeWidgetItem:
            """The item of ``name``'s parent tag, made if only its children exist."""
            parent_name = name.rpartition("/")[0]
            if not parent_name:
                return tags_group
            if parent_name.casefold() not in tag_items:
                leaf = parent_name.rpartition("/")[2]
                tag_items[parent_name.casefold()] = self._item(
                    tag_parent(parent_name), leaf, Target("tag", parent_name)
                )
            return tag_items[parent_name.casefold()]

        for tag in self.library.tags():
            leaf = tag.name.rpartition("/")[2]
            item = self._item(
                tag_parent(tag.name), f"{leaf} ({tag.count})", Target("tag", tag.name)
            )
            if tag.color:
                item.setIcon(0, _swatch(tag.color))
            tag_items[tag.name.casefold()] = item
        self._tag_items = tag_items
        self._tags_group = tags_group
        self.blockSignals(True)  # expanding by program is not the user opening a tag
        for item in self._all_items():
            target = item.data(0, TargetRole)
            if target is None or target.kind != "tag":
                item.setExpanded(True)  # groups and nested reading lists
            else:
                item.setExpanded(str(target.value).casefold() in self._expanded_tags)
        self.blockSignals(False)
        self.tag_filter.setVisible(bool(tag_items))
        self.filter_tags(self.tag_filter.text())
        chosen = self.item_for(selected)
        parent = chosen.parent() if chosen is not None else None
        while parent is not None:  # the chosen tag is never hidden in a closed parent
            parent.setExpanded(True)
            parent = parent.parent()
        self.select(selected)  # the same view again: no target_selected signal
        self._suppress = False
        if self.currentItem() is None:  # the selected list or tag is gone
            self.select(Target("smart", SmartList.ALL))

    def _remember_expanded(self, item: QTreeWidgetItem, expanded: bool) -> None:
        target = item.data(0, TargetRole)
        if target is not None and target.kind == "tag" and not self.tag_filter.text():
            name = str(target.value).casefold()
            if expanded:
                self._expanded_tags.add(name)
            else:
                self._expanded_tags.discard(name)

    def filter_tags(self, text: str) -> None:
        """Show only the tags whose name holds ``text`` (and their parents, opened)."""
        needle = " ".join(text.split()).casefold()
        tag_items = getattr(self, "_tag_items", {})
        if not needle:  # back to the tags as the user left them open or closed
            self.blockSignals(True)
            for folded, item in tag_items.items():
                item.setHidden(False)
                item.setExpanded(folded in self._expanded_tags)
            self.blockSignals(False)
            return
        shown: set[int] = set()
        for folded, item in tag_items.items():
            if needle in folded:
                node = item
                while node is not None and id(node) not in shown:
                    shown.add(id(node))
                    node = node.parent()
        self.blockSignals(True)
        for item in tag_items.values():
            item.setHidden(id(item) not in shown)
            if id(item) in shown:
                item.setExpanded(True)
        self.blockSignals(False)
        self._tags_group.setExpanded(True)

    def visible_tags(self) -> list[str]:
        """The tags a user can see now: not filtered out, not inside a closed parent."""
        found = []
        for item in self._tag_items.values():
            node, visible = item, True
            while node is not None and node is not self._tags_group:
                if node.isHidden() or (node is not item and not node.isExpanded()):
                    visible = False
                    break
                node = node.parent()
            if visible:
                found.append(str(item.data(0, TargetRole).value))
        return found

    def _group(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self, [title])
        font = QFont(item.font(0))
        font.setBold(True)
        item.setFont(0, font)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        item.setForeground(0, QBrush(QColor("#666666")))
        return item

    def show_counts(self, counts: dict[SmartList, int]) -> None:
        """The smart lists' counts, as "Unread (49)"."""
        self._counts = counts
        for smart, item in self._smart_items.items():
            item.setText(0, f"{SMART_TITLES[smart]} ({counts[smart]})")

    @staticmethod
    def _item(parent: QTreeWidgetItem, text: str, target: Target) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [text])
        item.setData(0, TargetRole, target)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if target.accepts_papers:
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        item.setFlags(flags)
        return item

    # Managing lists, saved searches and tags from their items

    def actions_for(self, item: QTreeWidgetItem) -> list[QAction]:
        target = item.data(0, TargetRole) if item is not None else None
        if target is None or target.kind not in ("list", "search", "tag"):
            return []
        name = item.data(0, NameRole) or str(target.value)
        labels = [("rename", "Rename…"), ("delete", "Delete…")]
        if target.kind == "tag":
            labels.append(("color", "Colour…"))
        if target.kind == "list":
            labels.append(("lookup", "Look Up Metadata"))
        actions = []
        for action_name, text in labels:
            action = QAction(text, self)
            action.setObjectName(f"sidebar-{action_name}")
            action.triggered.connect(
                lambda _=False, a=action_name: self.item_action.emit(a, target, name)
            )
            actions.append(action)
        return actions

    def contextMenuEvent(self, event) -> None:
        actions = self.actions_for(self.itemAt(event.pos()))
        if actions:
            menu = QMenu(self)
            menu.addActions(actions)
            menu.exec(event.globalPos())

    def _selection_changed(self) -> None:
        if not self._suppress:
            target = self.current_target()
            if target is not None:
                self.target_selected.emit(target)

    # Drops: files are imported into the item, papers join it

    def _target_at(self, event) -> Target | None:
        item = self.itemAt(event.position().toPoint())
        target = item.data(0, TargetRole) if item is not None else None
        return target if target is not None and target.accepts_papers else None

    def _acceptable(self, event) -> bool:
        mime = event.mimeData()
        return mime.hasUrls() or mime.hasFormat(PAPER_IDS_MIME)

    def dragEnterEvent(self, event) -> None:
        if self._acceptable(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self._acceptable(event) and self._target_at(event) is not None:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        target = self._target_at(event)
        mime = event.mimeData()
        if target is None or not self._acceptable(event):
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        if mime.hasFormat(PAPER_IDS_MIME):
            raw = bytes(mime.data(PAPER_IDS_MIME).data()).decode()
            ids = [int(part) for part in raw.split(",") if part]
            QTimer.singleShot(0, lambda: self.papers_dropped.emit(ids, target))
        else:
            paths = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
            # Return from the drop at once; the import starts from the event loop.
            QTimer.singleShot(0, lambda: self.files_dropped.emit(paths, target))


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)
