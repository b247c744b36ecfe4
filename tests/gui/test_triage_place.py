"""Triage keeps its place: after an edit, an undo, a change from the command line or a
finished import, J and K go on from the paper the reader was on."""

from __future__ import annotations

from PySide6.QtCore import Qt

from readinglist.gui.sidebar import Target
from readinglist.library import Library
from readinglist.models import SmartList, Status
from tests.gui.conftest import select_paper


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    window.table.setFocus()
    qtbot.keyClick(window.table, key, modifier)


def click_row(qtbot, window, row: int) -> int:
    index = window.model.index(row, 0)
    window.table.scrollTo(index)
    rect = window.table.visualRect(index)
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.selected_ids() == [window.model.id_at(row)]
    return window.model.id_at(row)


def current_row(window) -> int:
    return window.table.currentIndex().row()


def test_j_space_j_goes_on_from_the_paper_marked_read(qtbot, seeded_window):
    window = seeded_window
    ids = window.model.ids()
    click_row(qtbot, window, 6)
    press(qtbot, window, Qt.Key.Key_J)
    assert window.selected_ids() == [ids[7]]
    press(qtbot, window, Qt.Key.Key_Space)
    assert window.library.paper(ids[7]).status is Status.READ
    assert window.selected_ids() == [ids[7]] and current_row(window) == 7
    press(qtbot, window, Qt.Key.Key_J)
    assert window.selected_ids() == [ids[8]]
    assert window.detail.paper.id == ids[8]


def test_rating_tagging_and_undo_keep_the_place(qtbot, seeded_window):
    window = seeded_window
    ids = window.model.ids()
    click_row(qtbot, window, 10)
    press(qtbot, window, Qt.Key.Key_4)
    press(qtbot, window, Qt.Key.Key_J)
    assert window.selected_ids() == [ids[11]]
    window.detail.tags_edit.setFocus()
    qtbot.keyClicks(window.detail.tags_edit, "to-read")
    qtbot.keyClick(window.detail.tags_edit, Qt.Key.Key_Return)
    assert window.library.paper(ids[11]).tags == ["to-read"]
    press(qtbot, window, Qt.Key.Key_J)
    assert window.selected_ids() == [ids[12]]
    window.undo()  # the tag goes; the reader stays where they are
    assert window.library.paper(ids[11]).tags == []
    assert window.selected_ids() == [ids[12]]
    press(qtbot, window, Qt.Key.Key_K)
    assert window.selected_ids() == [ids[11]]


def test_a_paper_leaving_the_view_hands_over_to_the_next(qtbot, seeded_window):
    window = seeded_window
    window.sidebar.select(Target("smart", SmartList.UNREAD))
    window._target_selected(Target("smart", SmartList.UNREAD))
    ids = window.model.ids()
    click_row(qtbot, window, 6)
    press(qtbot, window, Qt.Key.Key_Space)  # read: it leaves Unread
    assert ids[6] not in window.model.ids()
    assert window.selected_ids() == [ids[7]] and window.detail.paper.id == ids[7]
    press(qtbot, window, Qt.Key.Key_J)
    assert window.selected_ids() == [ids[8]]


def test_the_scroll_position_survives_an_edit(qtbot, seeded_window):
    window = seeded_window
    window.resize(1280, 800)
    ids = window.model.ids()
    click_row(qtbot, window, 40)
    bar = window.table.verticalScrollBar()
    assert bar.value() > 0
    before = bar.value()
    press(qtbot, window, Qt.Key.Key_3)
    assert bar.value() == before
    assert window.selected_ids() == [ids[40]]


def test_a_change_from_the_command_line_keeps_the_place(qtbot, seeded_window):
    window = seeded_window
    ids = window.model.ids()
    click_row(qtbot, window, 5)
    with (
        qtbot.waitSignal(window.outside_change_shown, timeout=10_000),
        Library(window.library.folder) as elsewhere,  # as the command line would
    ):
        elsewhere.set_rating([ids[20]], 5)
    assert window.library.paper(ids[20]).rating == 5
    assert window.selected_ids() == [ids[5]]
    press(qtbot, window, Qt.Key.Key_J)
    assert window.selected_ids() == [ids[6]]


def test_escape_in_an_editor_cancels_the_edit(qtbot, seeded_window):
    window = seeded_window
    paper_id = select_paper(qtbot, window, "spdf")
    detail = window.detail
    title = window.library.paper(paper_id).title
    for edit in (detail.tags_edit, detail.title_edit):
        edit.setFocus()
        before = edit.text()
        qtbot.keyClicks(edit, ", typed by mistake")
        qtbot.keyClick(edit, Qt.Key.Key_Escape)
        assert edit.text() == before
        window.table.setFocus()  # the editor loses focus: nothing is saved
    assert window.library.paper(paper_id).tags == []
    assert window.library.paper(paper_id).title == title
    detail.add_note()
    qtbot.keyClicks(detail.note_editor, "half a thought")
    qtbot.keyClick(detail.note_editor, Qt.Key.Key_Escape)
    assert detail.note_editor.toPlainText() == ""
    window.table.setFocus()
    press(qtbot, window, Qt.Key.Key_J)
    assert window.library.notes(paper_id) == []


def test_a_finished_import_keeps_the_place(qtbot, seeded_window, tmp_path):
    window = seeded_window
    ids = window.model.ids()
    click_row(qtbot, window, 5)
    listing = tmp_path / "new.txt"
    listing.write_text(
        "Abstract: We measure how quickly a reader gets through a morning of new papers "
        "when the list keeps their place, across forty readers and six weeks of arXiv.\n"
    )
    with qtbot.waitSignal(window.import_finished, timeout=30_000):
        window.import_paths([str(listing)])
    assert window.library.count() == 54
    assert window.selected_ids() == [ids[5]] and window.detail.paper.id == ids[5]
    press(qtbot, window, Qt.Key.Key_J)
    assert window.selected_ids() == [ids[6]]


def test_a_big_view_is_listed_again_in_the_background(qtbot, seeded_window, monkeypatch):
    """After a change, a big view is listed on the search thread (the window does not
    wait 40 to 130 ms at 100,000 papers for each key of triage), and so are the
    sidebar's counts. The view keeps its place: the
    paper marked read leaves Unread and the next one takes its place, and a J pressed
    before the list came back is kept, not undone by it."""
    from readinglist.gui import search_flow

    monkeypatch.setattr(search_flow, "BACKGROUND_VIEW_ROWS", 0)  # every view is "big"
    window = seeded_window
    window.sidebar.select(Target("smart", SmartList.UNREAD))
    ids = window.model.ids()
    click_row(qtbot, window, 3)
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        press(qtbot, window, Qt.Key.Key_Space)
        assert window.model.ids() == ids, "listed in the background, not before"
    assert window.library.paper(ids[3]).status is Status.READ
    assert window.model.ids() == ids[:3] + ids[4:]
    assert window.selected_ids() == [ids[4]] and current_row(window) == 3
    # The sidebar's counts, made on the search thread too, follow.
    unread = window.sidebar._smart_items[SmartList.UNREAD]
    qtbot.waitUntil(lambda: unread.text(0) == f"Unread ({len(ids) - 1})", timeout=10_000)

    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        press(qtbot, window, Qt.Key.Key_Space)  # ids[4] read
        press(qtbot, window, Qt.Key.Key_J)  # on, twice, before the list is back
        press(qtbot, window, Qt.Key.Key_J)
        moved_to = window.selected_ids()
    assert moved_to == [ids[6]]
    assert window.selected_ids() == [ids[6]]
    assert ids[4] not in window.model.ids()
