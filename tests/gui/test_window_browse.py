"""Browsing, searching and editing in the window, driven through its widgets."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from readinglist.gui.sidebar import Target
from readinglist.models import SmartList, Status
from tests.gui.conftest import row_titles, select_paper


def test_models_pass_the_model_tester(qtmodeltester, seeded_window):
    qtmodeltester.check(seeded_window.model)


def test_typing_a_search_filters_the_table(qtbot, seeded_window):
    window = seeded_window
    with qtbot.waitSignal(window.search_finished, timeout=5_000):
        qtbot.keyClicks(window.search_edit, "mamba")
    titles = row_titles(window)
    assert len(titles) == 2
    assert any(t.startswith("Mixture-of-Mamba") for t in titles)
    assert any(t.startswith("Nemotron-H") for t in titles)
    assert window.search_message.text().startswith("2 papers found")
    with qtbot.waitSignal(window.search_finished, timeout=5_000):
        window.search_edit.clear()
    assert window.model.rowCount() == 53


def test_a_typo_offers_did_you_mean(qtbot, seeded_window):
    window = seeded_window
    with qtbot.waitSignal(window.search_finished, timeout=5_000):
        qtbot.keyClicks(window.search_edit, "mambo")
    assert window.model.rowCount() == 0
    assert "Did you mean" in window.search_message.text()


def test_editing_the_title_confirms_it(qtbot, seeded_window):
    window = seeded_window
    paper_id = select_paper(qtbot, window, "nemotronh")
    assert window.detail.review_label.isVisible()
    window.detail.title_edit.clear()
    qtbot.keyClicks(window.detail.title_edit, "Nemotron-H: Hybrid Mamba-Transformer Models")
    qtbot.keyClick(window.detail.title_edit, Qt.Key.Key_Return)
    paper = window.library.paper(paper_id)
    assert paper.title == "Nemotron-H: Hybrid Mamba-Transformer Models"
    assert not paper.title_inferred
    assert not window.detail.review_label.isVisible()
    row = window.model.row_of(paper_id)
    assert window.model.index(row, 0).data() == "Nemotron-H: Hybrid Mamba-Transformer Models"
    # Undo and redo through the Edit menu's actions.
    window.undo_action.trigger()
    assert window.library.paper(paper_id).title_inferred
    window.redo_action.trigger()
    assert window.library.paper(paper_id).title == "Nemotron-H: Hybrid Mamba-Transformer Models"


def test_tags_status_and_rating_from_the_detail_pane(qtbot, seeded_window):
    window = seeded_window
    paper_id = select_paper(qtbot, window, "flashattention2")
    qtbot.keyClicks(window.detail.tags_edit, "attention, method/kernels")
    qtbot.keyClick(window.detail.tags_edit, Qt.Key.Key_Return)
    assert sorted(window.library.paper(paper_id).tags) == ["attention", "method/kernels"]
    assert window.sidebar.item_for(Target("tag", "attention")).text(0) == "attention (1)"
    assert window.sidebar.item_for(Target("tag", "method")) is not None  # implied parent
    window.detail.status_box.setFocus()
    qtbot.keyClick(window.detail.status_box, Qt.Key.Key_Down)
    assert window.library.paper(paper_id).status is Status.READING
    window.detail.rating_box.setFocus()
    qtbot.keyClick(window.detail.rating_box, Qt.Key.Key_Down)
    assert window.library.paper(paper_id).rating == 1
    reading = window.sidebar.item_for(Target("smart", SmartList.READING))
    assert reading.text(0) == "Reading (1)"


def test_notes_are_written_and_previewed(qtbot, seeded_window):
    window = seeded_window
    paper_id = select_paper(qtbot, window, "spdf")
    qtbot.mouseClick(window.detail.add_note_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(window.detail.note_editor, "**Sparse** then dense")
    qtbot.mouseClick(window.detail.save_note_button, Qt.MouseButton.LeftButton)
    notes = window.library.notes(paper_id)
    assert [note.body for note in notes] == ["**Sparse** then dense"]
    window.detail.note_tabs.setCurrentIndex(1)
    assert "Sparse then dense" in window.detail.note_preview.toPlainText()
    assert window.detail.note_list.count() == 1


def test_highlighting_a_selected_passage(qtbot, seeded_window):
    window = seeded_window
    paper_id = select_paper(qtbot, window, "flashattention2")
    abstract = window.library.paper(paper_id).abstract
    passage = "FlashAttention"
    start = abstract.index(passage)
    window.detail.abstract_view.select_span(start, start + len(passage))
    qtbot.keyClicks(window.detail.comment_edit, "the method")
    qtbot.mouseClick(window.detail.highlight_button, Qt.MouseButton.LeftButton)
    highlights = window.library.highlights(paper_id)
    assert [(h.quote, h.comment) for h in highlights] == [(passage, "the method")]
    assert window.detail.highlight_list.count() == 1


def test_sidebar_selects_smart_lists_and_sort_requeries(qtbot, seeded_window):
    window = seeded_window
    window.sidebar.select(Target("smart", SmartList.NEEDS_REVIEW))
    assert window.model.rowCount() == 7
    header = window.table.horizontalHeader()
    title_section = QPoint(header.sectionViewportPosition(0) + 5, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=title_section)
    titles = row_titles(window)
    assert titles == sorted(titles, key=str.casefold)


def test_trash_with_the_delete_key_and_restore(qtbot, seeded_window):
    window = seeded_window
    paper_id = select_paper(qtbot, window, "spdf")
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert window.model.row_of(paper_id) is None
    assert window.library.smart_counts()[SmartList.TRASH] == 1
    window.undo_action.trigger()
    assert window.model.row_of(paper_id) is not None


def test_a_note_draft_survives_a_rating_change_and_is_saved_on_leaving(qtbot, seeded_window):
    window = seeded_window
    paper_id = select_paper(qtbot, window, "spdf")
    qtbot.mouseClick(window.detail.add_note_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(window.detail.note_editor, "half-written thought")
    window.detail.rating_box.setFocus()
    qtbot.keyClick(window.detail.rating_box, Qt.Key.Key_Down)  # refreshes the pane
    assert window.library.paper(paper_id).rating == 1
    assert window.detail.note_editor.toPlainText() == "half-written thought"
    select_paper(qtbot, window, "flashattention2")  # leaving the paper keeps the draft
    assert [n.body for n in window.library.notes(paper_id)] == ["half-written thought"]


def test_undo_is_off_while_an_import_runs(qtbot, seeded_window, seeds):
    window = seeded_window
    window.library.add_tags(["spdf"], ["x"])
    window.apply_changes(window.library.undo() and window.library.redo())
    assert window.undo_action.isEnabled()
    with qtbot.waitSignal(window.import_finished, timeout=30_000):
        window.import_paths([str(seeds)])
        assert not window.undo_action.isEnabled()
    assert window.undo_action.isEnabled()


def test_a_change_from_the_command_line_shows_in_the_open_window(qtbot, seeded_window):
    from readinglist.cli import main as cli

    window = seeded_window
    folder = str(window.library.folder)
    with qtbot.waitSignal(window.outside_change_shown, timeout=5_000):
        assert cli(["--library", folder, "tag", "add", "spdf", "--tag", "from-cli"]) == 0
    assert window.sidebar.item_for(Target("tag", "from-cli")).text(0) == "from-cli (1)"


def test_plain_cells_paint_what_the_model_gives_by_role(qtbot, seeded_window):
    """The table's own cell painter draws each cell's text in the model's style for it:
    an inferred title in its colour and italics, a real one in the text colour."""
    from PySide6.QtCore import Qt

    from readinglist.gui.paper_model import INFERRED_COLOR

    window, model = seeded_window, seeded_window.model
    rows = range(model.rowCount())
    inferred = next(row for row in rows if model.summary(row).title_inferred)
    titled = next(row for row in rows if not model.summary(row).title_inferred)
    for row in (inferred, titled):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            text, italic, centred = model.cell_look(row, column)
            assert text == (index.data() or "")
            assert italic == (index.data(Qt.ItemDataRole.FontRole) is not None)
            alignment = index.data(Qt.ItemDataRole.TextAlignmentRole)
            assert centred == (alignment == int(Qt.AlignmentFlag.AlignCenter))

    def colours(row: int) -> set[str]:
        index = model.index(row, 0)
        window.table.scrollTo(index)
        rect = window.table.visualRect(index)
        image = window.table.viewport().grab().toImage()
        return {
            image.pixelColor(x, y).name()
            for x in range(rect.left(), rect.right())
            for y in range(rect.top(), rect.bottom())
        }

    window.table.clearSelection()
    assert INFERRED_COLOR in colours(inferred)
    titled_colours = colours(titled)
    assert INFERRED_COLOR not in titled_colours
    text_colour = window.table.palette().text().color().name()
    assert text_colour in titled_colours
