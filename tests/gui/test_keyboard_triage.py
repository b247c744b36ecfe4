"""Triage fifty papers with the keyboard alone, as a reader does each morning: in the
Unread view, Space marks a paper read (it leaves the view and the next one is there),
a digit rates, T + tags + Return tags, J moves on."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from readinglist.gui.sidebar import Target
from readinglist.models import SmartList, Status


def key(qtbot, text_or_key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the focus is, as a user's keyboard sends it."""
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, text_or_key, modifier)


def test_triage_fifty_papers_with_the_keyboard(qtbot, seeded_window):
    window = seeded_window
    window.activateWindow()
    sidebar = window.sidebar
    sidebar.setFocus()
    qtbot.waitUntil(lambda: sidebar.hasFocus())
    sidebar.setCurrentItem(sidebar.item_for(Target("smart", SmartList.ALL)))
    key(qtbot, Qt.Key.Key_Down)  # All papers → Unread
    assert window.target == Target("smart", SmartList.UNREAD)
    order = window.model.ids()
    assert len(order) == 53
    key(qtbot, Qt.Key.Key_Tab)  # the sidebar's tag filter box is above it: Tab goes on
    while not window.table.hasFocus():
        key(qtbot, Qt.Key.Key_Tab)
    key(qtbot, Qt.Key.Key_J)  # the first paper
    expected: dict[int, tuple[Status, int, list[str]]] = {}
    for number, paper_id in enumerate(order[:50]):
        assert window.selected_ids() == [paper_id], number
        status, rating, tags = Status.UNREAD, 0, []
        action = number % 4
        if action == 0:  # read it: it leaves Unread and the next paper takes its place
            key(qtbot, Qt.Key.Key_Space)
            status = Status.READ
        elif action == 1:  # rate it, go on
            rating = number % 5 + 1
            key(qtbot, str(rating))
            key(qtbot, Qt.Key.Key_J)
        elif action == 2:  # tag it, go on
            # Each tag starts with its own letter: offscreen, a completion popup keeps the
            # window's activation and the focus would not come back to the table.
            tags = [f"{'abcdefghijklm'[number // 4]}-pile"]
            key(qtbot, Qt.Key.Key_T)
            assert window.detail.tags_edit.hasFocus(), number
            qtbot.keyClicks(window.detail.tags_edit, tags[0])
            key(qtbot, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: window.table.hasFocus())
            key(qtbot, Qt.Key.Key_J)
        else:  # leave it unread, move on
            key(qtbot, Qt.Key.Key_J)
        expected[paper_id] = (status, rating, tags)
    library = window.library
    for paper_id, (status, rating, tags) in expected.items():
        paper = library.paper(paper_id)
        assert (paper.status, paper.rating, paper.tags) == (status, rating, tags), paper.key
    assert sum(s is Status.READ for s, _r, _t in expected.values()) == 13
    # The reader ends on the paper after the fifty, in the Unread view.
    assert window.selected_ids() == [order[50]]
    assert window.model.rowCount() == 53 - 13
