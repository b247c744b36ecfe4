"""Sorting puts papers without a value last in both directions; a search that finds
nothing says so, with its suggestion, in the empty table itself."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from readinglist.gui.paper_model import COLUMN_INDEX


def click_header(qtbot, window, column: str) -> None:
    header = window.table.horizontalHeader()
    section = COLUMN_INDEX[column]
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def years_shown(window) -> list[int | None]:
    return [window.model.summary(row).year for row in range(window.model.rowCount())]


def test_papers_without_a_year_sort_last_both_ways(qtbot, seeded_window):
    window = seeded_window
    ids = window.library.paper_ids(order_by="id")
    for paper_id, year in zip(ids[:4], (2021, 2019, 2024, 2020), strict=True):
        window.library.edit(paper_id, year=year)
    window.reload()
    click_header(qtbot, window, "year")
    if window.sort_descending:  # a first click on a new column sorts ascending
        click_header(qtbot, window, "year")
    assert years_shown(window)[:5] == [2019, 2020, 2021, 2024, None]
    click_header(qtbot, window, "year")
    assert window.sort_descending
    shown = years_shown(window)
    assert shown[:5] == [2024, 2021, 2020, 2019, None]
    assert set(shown[4:]) == {None}


def test_papers_without_a_rating_sort_last(qtbot, seeded_window):
    window = seeded_window
    ids = window.library.paper_ids(order_by="id")
    window.library.set_rating(ids[:2], 5)
    window.library.set_rating(ids[2:3], 2)
    for descending in (False, True):
        shown = window.library.paper_ids(order_by="rating", descending=descending)
        ratings = [window.library.paper(i).rating for i in shown[:4]]
        assert ratings == ([2, 5, 5, 0] if not descending else [5, 5, 2, 0])


def test_no_match_and_did_you_mean_show_in_the_empty_table(qtbot, seeded_window):
    window = seeded_window
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        qtbot.keyClicks(window.search_edit, "transformre")
    assert window.model.rowCount() == 0
    label = window.empty_label
    assert label.isVisible()
    assert "No papers match" in label.text() and "Did you mean" in label.text()
    assert label.geometry().intersects(window.table.viewport().rect())
    # The suggestion is a link: following it searches for it.
    suggestion = label.text().split('href="')[1].split('"')[0]
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        label.linkActivated.emit(suggestion)
    assert window.search_edit.text() == suggestion
    assert window.model.rowCount() > 0 and not label.isVisible()


def test_a_query_that_matches_nothing_says_so_in_the_table(qtbot, seeded_window):
    window = seeded_window
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        qtbot.keyClicks(window.search_edit, "zzqxv")
    assert window.empty_label.isVisible()
    assert "No papers match" in window.empty_label.text()
