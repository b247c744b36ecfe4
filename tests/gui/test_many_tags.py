"""A library with hundreds of tags stays usable: tags beyond the top level start closed,
a filter box finds a tag, and the table counts the chips that do not fit."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt

from readinglist.gui.paper_model import COLUMN_INDEX
from readinglist.gui.sidebar import Target


def many_tags(library) -> list[str]:
    ids = library.paper_ids(order_by="id")
    names = []
    for top in range(30):
        for child in range(10):
            name = f"field{top:02d}/topic{child}"
            names.append(name)
            library.add_tags([ids[(top * 10 + child) % len(ids)]], [name])
    library.add_tags(ids[:1], [f"keyword-{n}" for n in range(40)])
    return names


def test_hundreds_of_tags_stay_usable(qtbot, seeded_window):
    window = seeded_window
    many_tags(window.library)
    started = time.perf_counter()
    window.apply_changes(window.library.set_tag_color("field00/topic0", "#3f7cb8"))
    assert time.perf_counter() - started < 3
    sidebar = window.sidebar
    assert len(sidebar._tag_items) == 30 + 300 + 40
    visible = sidebar.visible_tags()
    assert len(visible) == 70  # the 30 parents and 40 flat keywords: children are closed
    assert "field03/topic4" not in visible
    # The filter box finds a tag, opening its parent.
    assert sidebar.tag_filter.isVisible()
    qtbot.keyClicks(sidebar.tag_filter, "topic4")
    visible = sidebar.visible_tags()
    assert "field03/topic4" in visible and "field03" in visible
    assert all("topic4" in name or "/" not in name for name in visible)
    assert "keyword-1" not in visible
    sidebar.tag_filter.clear()
    assert len(sidebar.visible_tags()) == 70
    # A parent the user opens stays open across refreshes.
    item = sidebar.item_for(Target("tag", "field05"))
    sidebar.expandItem(item)
    window.apply_changes(window.library.add_tags([window.model.id_at(0)], ["one-more"]))
    assert "field05/topic1" in sidebar.visible_tags()


def test_the_table_counts_the_tags_that_do_not_fit(qtbot, seeded_window):
    window = seeded_window
    paper_id = window.library.paper_ids(order_by="id")[0]
    window.apply_changes(window.library.add_tags([paper_id], [f"kw{n}" for n in range(12)]))
    index = window.model.index(window.model.row_of(paper_id), COLUMN_INDEX["tags"])
    tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert all(f"kw{n}" in tooltip for n in range(12))
    rect = window.table.visualRect(index)
    assert rect.width() > 0
    image = window.table.viewport().grab(rect).toImage()
    assert not image.isNull()
