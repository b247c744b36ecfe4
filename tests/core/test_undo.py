"""Undo and redo: whole imports, order, labels, the redo stack, persistence, and one
stack shared by every ``Library`` open on the same folder (the window and the command line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from readinglist.db import undo as undo_module
from readinglist.errors import UserError
from readinglist.library import Library
from readinglist.models import SmartList
from tests.core.conftest import daily_page
from tests.core.organise_support import snapshot, synthetic_abstracts, write_listing


def keys_by_id(library: Library) -> dict[int, str]:
    return dict(library.db.execute("SELECT id, key FROM papers").fetchall())


def test_undo_a_whole_import_of_several_files(library, seeds):
    empty = snapshot(library)

    report = library.import_files([seeds])
    assert report.added == 53 and len(report.files) == 2
    imported, keys = snapshot(library), keys_by_id(library)
    assert library.undo_label() == "Import seeds"

    changes = library.undo()

    assert changes.modified == frozenset(report.added_ids)
    assert changes.label == "Import seeds"
    assert library.count() == 0
    assert snapshot(library) == empty
    assert library.undo_label() is None
    assert library.redo_label() == "Import seeds"

    library.redo()
    assert keys_by_id(library) == keys  # the same ids with the same keys
    assert snapshot(library) == imported


def test_undo_an_import_that_merged_into_existing_papers(library, tmp_path: Path):
    abstracts = synthetic_abstracts(3, seed=11)
    library.import_files([write_listing(tmp_path / "listing.txt", abstracts)])
    before = snapshot(library)
    page = tmp_path / "page.txt"
    page.write_text(daily_page([("A Real Title", abstracts[1])]), encoding="utf-8")

    report = library.import_files([page])
    assert (report.added, report.merged) == (0, 1)
    merged = report.files[0].merged_ids[0]
    assert library.paper(merged).title == "A Real Title"

    library.undo()
    assert snapshot(library) == before
    assert library.paper(merged).title_inferred


def test_everything_undone_back_to_empty_and_redone(big_library):
    """The 1,000-paper import and the six bulk tag steps after it."""
    full = snapshot(big_library)
    steps = 0
    while big_library.undo():
        steps += 1
    assert steps == 7
    assert big_library.count() == 0
    assert all(rows == [] for table, rows in snapshot(big_library).items() if table != "tags")
    while big_library.redo():
        steps -= 1
    assert steps == 0
    assert snapshot(big_library) == full


def test_steps_undo_newest_first_and_redo_in_order(seeded_copy):
    lib = seeded_copy
    states = [snapshot(lib)]
    actions = [
        lambda: lib.add_tags(["nemotronh"], ["a"]),
        lambda: lib.set_status(["nemotronh"], "read"),
        lambda: lib.ensure_list("L"),
        lambda: lib.add_to_list("L", ["nemotronh"]),
    ]
    for action in actions:
        action()
        states.append(snapshot(lib))

    labels = []
    for expected in reversed(states[:-1]):
        labels.append(lib.undo_label())
        changes = lib.undo()
        assert changes.everything and changes.label == labels[-1]
        assert snapshot(lib) == expected
    assert labels == [
        "Add 1 paper to a reading list",
        "New reading list L",
        "Mark 1 paper as read",
        "Tag 1 paper with a",
    ]
    for expected in states[1:]:
        lib.redo()
        assert snapshot(lib) == expected
    assert not lib.redo()


def test_undo_reports_what_changed(seeded_copy):
    lib = seeded_copy
    paper_id = lib.resolve("nemotronh")
    lib.add_tags([paper_id], ["x"])
    changes = lib.undo()
    assert changes.modified == {paper_id}
    assert changes.tags and not changes.lists
    lib.add_to_list(lib.create_list("L"), [paper_id])
    changes = lib.undo()
    assert changes.lists and changes.modified == {paper_id}


def test_nothing_to_undo_or_redo(library):
    assert library.undo_label() is None and library.redo_label() is None
    assert not library.undo()
    assert not library.redo()


def test_a_new_action_clears_the_redo_stack(seeded_copy):
    lib = seeded_copy
    lib.add_tags(["nemotronh"], ["a"])
    lib.add_tags(["nemotronh"], ["b"])
    lib.undo()
    lib.undo()
    assert lib.redo_label() == "Tag 1 paper with a"

    lib.set_rating(["flashattention2"], 4)

    assert lib.redo_label() is None
    assert not lib.redo()
    assert lib.paper("nemotronh").tags == []
    assert lib.undo_label() == "Rate 1 paper 4"


def test_an_action_that_changes_nothing_keeps_the_redo_stack(seeded_copy):
    lib = seeded_copy
    lib.set_status(["nemotronh"], "read")
    lib.undo()

    lib.set_status(["flashattention2"], "unread")  # already unread: nothing happens
    lib.remove_tags(["nemotronh"], ["never-used"])  # no such tag
    with pytest.raises(UserError):
        lib.set_rating(["nemotronh"], 7)  # refused

    assert lib.redo_label() == "Mark 1 paper as read"
    lib.redo()
    assert lib.paper("nemotronh").status == "read"


def test_undo_is_shared_by_two_libraries_on_one_folder(seeded_copy):
    window = seeded_copy
    with Library(window.folder) as command_line:
        window.add_tags(["nemotronh"], ["from-window"])
        command_line.set_status(["nemotronh"], "reading")
        assert command_line.undo_label() == "Mark 1 paper as reading"

        window.undo()  # the window undoes the command line's step first
        assert command_line.paper("nemotronh").status == "unread"
        assert command_line.undo_label() == "Tag 1 paper with from-window"
        command_line.undo()
        assert window.paper("nemotronh").tags == []

        window.redo()
        assert command_line.paper("nemotronh").tags == ["from-window"]
        assert command_line.redo_label() == "Mark 1 paper as reading"
        command_line.redo()
        assert window.paper("nemotronh").status == "reading"
        assert window.smart_counts()[SmartList.READING] == 1


def test_undo_survives_a_restart(tmp_path: Path, seeds):
    with Library(tmp_path / "lib") as lib:
        lib.import_files([seeds])
        lib.add_tags(["nemotronh"], ["kept"])
        lib.trash(["flashattention2"])
        lib.undo()
    with Library(tmp_path / "lib") as lib:
        assert lib.redo_label() == "Move 1 paper to the trash"
        assert lib.undo_label() == "Tag 1 paper with kept"
        lib.undo()
        assert lib.paper("nemotronh").tags == []
        lib.undo()
        assert lib.count() == 0


def test_old_steps_are_forgotten(seeded_copy, monkeypatch):
    monkeypatch.setattr(undo_module, "KEEP_STEPS", 3)
    lib = seeded_copy
    for rating in (1, 2, 3, 4, 5):
        lib.set_rating(["nemotronh"], rating)
    undone = 0
    while lib.undo():
        undone += 1
    assert undone == 3
    assert lib.paper("nemotronh").rating == 2
    assert lib.db.execute("SELECT count(*) FROM history").fetchone()[0] == 3


@pytest.mark.parametrize(
    "planted",
    [
        "DELETE FROM papers",
        "DELETE FROM papers WHERE id = 1 OR 1 = 1",
        "UPDATE papers SET title = 'x' WHERE id = 1; DROP TABLE notes",
        "INSERT INTO settings (name, value) VALUES ('backups_keep', '1')",
        "UPDATE papers SET title = (SELECT group_concat(sql) FROM sqlite_master) WHERE id = 1",
        # (bounded here; unbounded, it would run for ever)
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 9) "
        "SELECT count(*) FROM c",
    ],
)
def test_a_received_undo_history_replays_only_what_readinglist_writes(
    seeded_library: Library, planted
):
    """The undo log is SQL kept in the library, which may come from anyone: undoing a
    step replays only the row changes readinglist's own triggers write."""
    library = seeded_library
    before = snapshot(library)
    step = library.db.execute(
        "INSERT INTO history (label, created) VALUES ('Edit 1 paper', '2026-01-01')"
    ).lastrowid
    library.db.execute(
        "INSERT INTO undolog (step, tbl, paper_id, sql) VALUES (?, 'papers', 1, ?)",
        [step, planted],
    )
    with pytest.raises(UserError, match="undo history"):
        library.undo()
    assert snapshot(library) == before
    assert (
        library.db.execute("SELECT count(*) FROM settings WHERE name = 'backups_keep'").fetchone()[
            0
        ]
        == 0
    )
