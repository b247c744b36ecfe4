"""Organising from the window: coloured tag entries that name their tags, a drop on a
reading list or a tag that is one undo step."""

from __future__ import annotations

from readinglist.gui.sidebar import Target
from tests.gui.test_window_import import drop_files


def test_coloured_tag_entries_name_their_tags(qtbot, seeded_window):
    window = seeded_window
    window.library.add_tags(["spdf"], ["rlhf", "systems"])
    window.apply_changes(window.library.set_tag_color("systems", "#3f7cb8"))
    window.apply_changes(window.library.set_tag_color("rlhf", "#d9534f"))
    texts = [action.text() for action in window.coloured_tag_actions]
    assert texts[0] == "Apply Coloured Tag 1: rlhf"
    assert texts[1] == "Apply Coloured Tag 2: systems"
    assert texts[2] == "Apply Coloured Tag 3 (none yet: give a tag a colour)"
    assert window.coloured_tag_actions[0].shortcut().toString() == "Ctrl+1"


def test_a_drop_on_a_reading_list_is_one_undo_step(qtbot, window, seeds):
    list_id = window.library.create_list("To read")
    window.sidebar.refresh()
    item = window.sidebar.item_for(Target("list", list_id))
    position = window.sidebar.visualItemRect(item).center()
    with qtbot.waitSignal(window.import_finished, timeout=30_000):
        drop_files(window.sidebar.viewport(), [seeds / "arxiv-listing.txt"], position)
    assert len(window.library.list_order(list_id)) == 7
    assert window.undo_action.text() == "&Undo Import arxiv-listing.txt"
    window.undo_action.trigger()
    assert window.library.count() == 0
    assert window.library.list_order(list_id) == []
    assert window.undo_action.text() == "&Undo New reading list To read"  # the step before


def test_a_drop_on_a_tag_is_one_undo_step(qtbot, seeded_window, seeds):
    window = seeded_window
    window.apply_changes(window.library.add_tags(["spdf"], ["inbox"]))
    item = window.sidebar.item_for(Target("tag", "inbox"))
    position = window.sidebar.visualItemRect(item).center()
    steps_before = window.undo_action.text()
    with qtbot.waitSignal(window.import_finished, timeout=30_000):
        drop_files(window.sidebar.viewport(), [seeds / "arxiv-listing.txt"], position)
    tagged = window.library.paper_ids(window._filter_for(Target("tag", "inbox")))
    assert len(tagged) == 8  # spdf and the seven papers of the listing, already there
    window.undo_action.trigger()
    assert window.undo_action.text() == steps_before
