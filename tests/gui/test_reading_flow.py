"""The keyboard-first reading flow, driven with key presses on the paper table."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from readinglist.models import Status
from tests.gui.conftest import select_paper


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    window.table.setFocus()
    qtbot.keyClick(window.table, key, modifier)


def test_j_and_k_move_between_papers(qtbot, seeded_window):
    window = seeded_window
    select_paper(qtbot, window, "nemotronh")
    first = window.selected_ids()[0]
    press(qtbot, window, Qt.Key.Key_J)
    second = window.selected_ids()[0]
    assert second != first and window.detail.paper.id == second
    press(qtbot, window, Qt.Key.Key_K)
    assert window.selected_ids() == [first]


def test_space_toggles_read_and_digits_rate(qtbot, seeded_window):
    window = seeded_window
    paper_id = select_paper(qtbot, window, "spdf")
    press(qtbot, window, Qt.Key.Key_Space)
    assert window.library.paper(paper_id).status is Status.READ
    press(qtbot, window, Qt.Key.Key_R)
    assert window.library.paper(paper_id).status is Status.UNREAD
    press(qtbot, window, Qt.Key.Key_4)
    assert window.library.paper(paper_id).rating == 4
    press(qtbot, window, Qt.Key.Key_0)
    assert window.library.paper(paper_id).rating == 0


def test_t_focuses_tags_and_ctrl_digit_applies_a_coloured_tag(qtbot, seeded_window):
    window = seeded_window
    window.library.add_tags(["flashattention2"], ["systems"])
    window.library.set_tag_color("systems", "#3f7cb8")
    paper_id = select_paper(qtbot, window, "spdf")
    press(qtbot, window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.library.paper(paper_id).tags == ["systems"]
    press(qtbot, window, Qt.Key.Key_T)
    assert window.detail.tags_edit.hasFocus()


def test_copying_bibtex_and_cite_to_the_clipboard(qtbot, seeded_window):
    window = seeded_window
    select_paper(qtbot, window, "flashattention2")
    press(
        qtbot,
        window,
        Qt.Key.Key_K,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert QGuiApplication.clipboard().text() == "\\cite{flashattention2}"
    press(
        qtbot,
        window,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    text = QGuiApplication.clipboard().text()
    assert text.startswith("@misc{flashattention2,") and "{FlashAttention}-2" in text


def test_keys_typed_in_the_search_bar_are_not_shortcuts(qtbot, seeded_window):
    window = seeded_window
    paper_id = select_paper(qtbot, window, "spdf")
    with qtbot.waitSignal(window.search_finished, timeout=5_000):
        qtbot.keyClicks(window.search_edit, "r 3")
    assert window.library.paper(paper_id).rating == 0
    assert window.library.paper(paper_id).status is Status.UNREAD


def test_the_shortcuts_help_lists_every_shortcut(qtbot, seeded_window):
    from readinglist.gui.reading_flow import ShortcutsDialog

    dialog = ShortcutsDialog(seeded_window.menuBar().actions(), seeded_window)
    qtbot.addWidget(dialog)
    table = dialog.table
    actions = {
        table.item(row, 1).text(): table.item(row, 2).text() for row in range(table.rowCount())
    }
    assert actions["Toggle Read"] == "Space, R"
    assert actions["Next Paper"] == "J"
    assert "Ctrl+Shift+C" in actions["Copy BibTeX"]
    assert "Undo" in " ".join(actions)


def test_related_papers_and_a_suggested_tag_accepted_in_one_click(qtbot, seeded_window):
    window = seeded_window
    window.library.add_tags(["mixtureofmamba"], ["method/ssm"])
    with qtbot.waitSignal(window.detail.related_shown, timeout=10_000):
        paper_id = select_paper(qtbot, window, "nemotronh")
    related = window.detail.related_list
    titles = [related.item(i).text() for i in range(related.count())]
    assert any(t.startswith("Mixture-of-Mamba") for t in titles)
    buttons = window.detail.suggestions.findChildren(type(window.detail.add_note_button))
    suggested = [b for b in buttons if b.objectName() == "suggestedTag"]
    assert suggested and suggested[0].text() == "+ method/ssm"
    with qtbot.waitSignal(window.detail.related_shown, timeout=10_000):
        qtbot.mouseClick(suggested[0], Qt.MouseButton.LeftButton)
    assert "method/ssm" in window.library.paper(paper_id).tags
    # Choosing a related paper shows it.
    titles = [related.item(i).text() for i in range(related.count())]
    target_row = next(i for i, t in enumerate(titles) if t.startswith("Mixture-of-Mamba"))
    with qtbot.waitSignal(window.detail.related_shown, timeout=10_000):
        related.itemActivated.emit(related.item(target_row))
    assert window.detail.paper.key == "mixtureofmamba"


def test_file_export_writes_the_chosen_scope_and_format(qtbot, seeded_window, tmp_path):
    window = seeded_window
    window.library.add_tags(["nemotronh", "spdf"], ["to-cite"])
    window.sidebar.refresh()
    dialog = window.show_export()
    scope = dialog.scope_box
    scope.setCurrentIndex(
        next(i for i in range(scope.count()) if "Tag: to-cite" in scope.itemText(i))
    )
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("biblatex"))
    target = tmp_path / "thesis.bib"
    dialog.path_edit.setText(str(target))
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        qtbot.mouseClick(
            dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton
        )
    text = target.read_text(encoding="utf-8")
    assert text.count("\n@") + text.startswith("@") == 2
    assert "@online{nemotronh," in text or "@misc{nemotronh," in text
    assert "Exported to" in window.statusBar().currentMessage()


def test_save_the_current_search_then_rename_and_delete_it(qtbot, seeded_window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    from readinglist.gui.sidebar import Target

    window = seeded_window
    with qtbot.waitSignal(window.search_finished, timeout=5_000):
        qtbot.keyClicks(window.search_edit, "mamba")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Mamba papers", True))
    window.save_current_search()
    item = window.sidebar.item_for(Target("search", "mamba"))
    assert item is not None and item.text(0) == "Mamba papers"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("SSMs", True))
    rename = window.sidebar.actions_for(item)[0]
    rename.trigger()
    assert [s.name for s in window.library.saved_searches()] == ["SSMs"]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    item = window.sidebar.item_for(Target("search", "mamba"))
    window.sidebar.actions_for(item)[1].trigger()
    assert window.library.saved_searches() == []


def test_rename_a_tag_from_the_sidebar(qtbot, seeded_window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from readinglist.gui.sidebar import Target

    window = seeded_window
    window.library.add_tags(["spdf"], ["sparse"])
    window.sidebar.refresh()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("sparsity", True))
    window.sidebar.actions_for(window.sidebar.item_for(Target("tag", "sparse")))[0].trigger()
    assert window.library.paper("spdf").tags == ["sparsity"]
    assert window.sidebar.item_for(Target("tag", "sparsity")) is not None


def test_statistics_show_the_numbers_of_a_known_library(qtbot, seeded_window):
    window = seeded_window
    window.library.set_status(["spdf", "flashattention2", "moma"], "read")
    window.library.set_status(["nemotronh"], "reading")
    window.library.add_tags(["spdf", "moma"], ["sparse"])
    window.library.add_tags(["flashattention2"], ["systems"])
    dialog = window.show_statistics()
    qtbot.addWidget(dialog)
    assert dialog.added.values[-1] == 53  # all added this week
    assert sum(dialog.added.values) == 53
    assert dialog.read.values[-1] == 3
    assert dict(zip(dialog.status.labels, dialog.status.values, strict=True)) == {
        "Unread": 49,
        "Reading": 1,
        "Read": 3,
    }
    assert list(zip(dialog.tags.labels, dialog.tags.values, strict=True)) == [
        ("sparse", 2),
        ("systems", 1),
    ]
    dialog.grab()  # paints without error


def test_preferences_preview_keys_regenerate_and_switch_to_dark(qtbot, seeded_window, monkeypatch):
    from PySide6.QtWidgets import QApplication, QDialog

    from readinglist.gui import preferences

    window = seeded_window
    dialog = window.show_preferences()
    dialog.pattern.setText("[veryshorttitle:upper]")
    assert "nemotronh → NEMOTRONH" in dialog.preview.text()
    monkeypatch.setattr(preferences.KeyPlanDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    dialog.regenerate_keys()
    assert window.library.paper(1).key == "NEMOTRONH"
    dialog.appearance.setCurrentIndex(dialog.appearance.findData("dark"))
    assert QApplication.instance().palette().window().color().name() == "#2b2d31"
    with qtbot.waitSignal(dialog.finished, timeout=5_000):
        dialog.save()
    assert window.settings.get(preferences.keys.APPEARANCE) == "dark"
    window.undo_action.trigger()  # key regeneration is one undoable step
    assert window.library.paper(1).key == "nemotronh"
    preferences.apply_appearance(QApplication.instance(), "system")


def test_auto_export_dialog_binds_shows_and_unbinds_a_file(qtbot, seeded_window, tmp_path):
    window = seeded_window
    window.library.add_tags(["spdf", "moma"], ["sparse"])
    dialog = window.show_auto_exports()
    qtbot.addWidget(dialog)
    dialog.scope.setCurrentIndex(dialog.scope.findText("Tag: sparse"))
    target = tmp_path / "sparse.bib"
    dialog.add(str(target))
    assert target.read_text(encoding="utf-8").count("@misc{") == 2
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "Tag: sparse"
    assert dialog.table.item(0, 3).text() != "not yet"
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 0 and window.library.auto_exports() == []


def test_dragging_rows_reorders_a_reading_list(qtbot, seeded_window):
    from PySide6.QtCore import QModelIndex

    from readinglist.gui.sidebar import Target

    window = seeded_window
    library = window.library
    list_id, _ = library.ensure_list("Thesis")
    keys = ["nemotronh", "spdf", "moma", "flashattention2"]
    library.add_to_list(list_id, keys)
    window.sidebar.refresh()
    window.sidebar.select(Target("list", list_id))
    model = window.model
    assert [model.summary(r).key for r in range(model.rowCount())] == keys
    # Drag "flashattention2" (last row) to the top, as the view would on a drop.
    mime = model.mimeData([model.index(3, 0)])
    assert model.canDropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    new_order = ["flashattention2", "nemotronh", "spdf", "moma"]
    assert [model.summary(r).key for r in range(model.rowCount())] == new_order
    window.undo_action.trigger()
    assert [model.summary(r).key for r in range(model.rowCount())] == keys


def test_n_starts_a_note_and_l_adds_to_a_list_from_the_picker(qtbot, seeded_window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    window = seeded_window
    paper_id = select_paper(qtbot, window, "spdf")
    press(qtbot, window, Qt.Key.Key_N)
    assert window.detail.note_editor.hasFocus()
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("To read/Today", True))
    window.table.setFocus()
    select_paper(qtbot, window, "spdf")
    press(qtbot, window, Qt.Key.Key_L)
    assert window.library.lists_of(paper_id) == ["Today"]
