"""Reading lists: nesting, names, manual order, membership without copies, undo/redo."""

from __future__ import annotations

import pytest

from readinglist.errors import PaperNotFound, UserError
from readinglist.models import PaperFilter
from tests.core.organise_support import check_undo_redo, snapshot


def names(library) -> list[tuple[str, int | None, int]]:
    by_id = {item.id: item.name for item in library.reading_lists()}
    return [
        (item.name, by_id.get(item.parent_id) if item.parent_id else None, item.count)
        for item in library.reading_lists()
    ]


def test_create_nested_lists_undo_redo(seeded_copy):
    lib = seeded_copy
    thesis = check_undo_redo(lib, lambda: lib.create_list("Thesis"))
    check_undo_redo(lib, lambda: lib.create_list("Chapter 2", parent="thesis"))
    check_undo_redo(lib, lambda: lib.create_list("Chapter 1", parent=thesis))

    assert names(lib) == [
        ("Thesis", None, 0),
        ("Chapter 2", "Thesis", 0),
        ("Chapter 1", "Thesis", 0),
    ]
    assert lib.find_list("THESIS/chapter 1") == lib.find_list("Thesis/Chapter 1")
    assert lib.find_list(str(thesis)) == thesis
    with pytest.raises(UserError):
        lib.create_list("thesis")  # case-insensitive among siblings
    with pytest.raises(UserError):
        lib.create_list("a/b")
    with pytest.raises(UserError):
        lib.create_list("   ")
    with pytest.raises(UserError):
        lib.find_list("Thesis/Chapter 3")
    lib.create_list("Chapter 1")  # the same name elsewhere in the tree is fine


def test_ensure_list_creates_the_missing_levels_in_one_step(seeded_copy):
    lib = seeded_copy
    lib.create_list("Reading group")
    state = snapshot(lib)

    list_id, created = lib.ensure_list("reading group/2025/Spring")

    assert created
    assert lib.undo_label() == "New reading list reading group/2025/Spring"
    assert names(lib) == [
        ("Reading group", None, 0),
        ("2025", "Reading group", 0),
        ("Spring", "2025", 0),
    ]
    assert lib.ensure_list("Reading Group/2025/spring") == (list_id, False)
    lib.undo()
    assert snapshot(lib) == state


def test_rename_move_and_delete_lists_undo_redo(seeded_copy):
    lib = seeded_copy
    a = lib.create_list("A")
    b = lib.create_list("B", parent=a)
    c = lib.create_list("C", parent=b)
    lib.create_list("D")
    lib.add_to_list(b, ["nemotronh", "flashattention2"])
    lib.add_to_list(c, ["nemotronh"])

    check_undo_redo(lib, lambda: lib.rename_list("A/B", "Bee"))
    assert lib.find_list("A/Bee/C") == c
    with pytest.raises(UserError):
        lib.rename_list("D", "a")

    check_undo_redo(lib, lambda: lib.move_list("A/Bee", "D"))
    assert lib.find_list("D/Bee/C") == c
    with pytest.raises(UserError):
        lib.move_list("D", "D/Bee/C")  # into its own descendant
    check_undo_redo(lib, lambda: lib.move_list(b, None))
    assert lib.find_list("Bee") == b

    papers_before = lib.count()
    changes = check_undo_redo(lib, lambda: lib.delete_list("Bee"))
    assert changes.modified == {lib.resolve("nemotronh"), lib.resolve("flashattention2")}
    assert [item.name for item in lib.reading_lists()] == ["A", "D"]
    assert lib.count() == papers_before  # the papers stay in the library
    assert lib.lists_of("nemotronh") == []
    lib.undo()
    assert lib.list_order("Bee/C") == [lib.resolve("nemotronh")]
    assert lib.lists_of("nemotronh") == ["Bee", "C"]


def test_adding_to_lists_never_copies_the_paper(seeded_copy):
    lib = seeded_copy
    count, paper = lib.count(), lib.paper("nemotronh")
    to_read, survey = lib.create_list("To read"), lib.create_list("Survey")

    check_undo_redo(lib, lambda: lib.add_to_list(to_read, ["nemotronh", "flashattention2"]))
    lib.add_to_list(survey, [paper.id])
    again = lib.add_to_list(to_read, ["nemotronh"])

    assert not again.modified  # already there: nothing to do
    assert lib.count() == count
    assert lib.db.execute("SELECT count(*) FROM papers").fetchone()[0] == count
    assert lib.lists_of(paper.id) == ["Survey", "To read"]
    lib.add_tags(["nemotronh"], ["seen"])  # one paper: a change shows in every list
    for list_id in (to_read, survey):
        shown = lib.papers(PaperFilter(list_id=list_id), order_by="list")
        assert next(p for p in shown if p.id == paper.id).tags == ["seen"]
    assert {item.name: item.count for item in lib.reading_lists()} == {"To read": 2, "Survey": 1}
    with pytest.raises(PaperNotFound):
        lib.add_to_list(to_read, ["no-such-paper"])


def test_manual_order_undo_redo(seeded_copy):
    lib = seeded_copy
    ids = lib.paper_ids(order_by="id")[:5]
    reading = lib.create_list("Reading")
    lib.add_to_list(reading, ids[2:])
    lib.add_to_list(reading, ids[:2])
    assert lib.list_order(reading) == ids[2:] + ids[:2]

    check_undo_redo(lib, lambda: lib.move_in_list(reading, ids[0], 0))
    assert lib.list_order(reading) == [ids[0], ids[2], ids[3], ids[4], ids[1]]
    lib.move_in_list(reading, ids[0], 99)  # past the end: last
    lib.move_in_list(reading, lib.paper(ids[1]).key, -5)  # before the start: first
    expected = [ids[1], ids[2], ids[3], ids[4], ids[0]]
    assert lib.list_order(reading) == expected
    assert lib.paper_ids(PaperFilter(list_id=reading), order_by="list") == expected
    assert (
        lib.paper_ids(PaperFilter(list_id=reading), order_by="list", descending=True)
        == (expected[::-1])
    )
    with pytest.raises(UserError):
        lib.move_in_list(reading, ids[-1] + 1, 0)  # not in the list
    with pytest.raises(UserError):
        lib.paper_ids(PaperFilter(), order_by="list")

    check_undo_redo(lib, lambda: lib.remove_from_list(reading, [ids[3], ids[4]]))
    assert lib.list_order(reading) == [ids[1], ids[2], ids[0]]
    lib.add_to_list(reading, [ids[4]])  # back at the end
    assert lib.list_order(reading)[-1] == ids[4]


def test_bulk_list_of_1000_papers_undo_redo(big_library):
    ids = big_library.paper_ids(order_by="id")
    target = big_library.create_list("Everything")

    changes = check_undo_redo(big_library, lambda: big_library.add_to_list(target, ids[::-1]))

    assert changes.modified == frozenset(ids)
    assert big_library.list_order(target) == ids[::-1]  # the order they were given in
    assert big_library.reading_lists()[0].count == 1000
    assert big_library.count() == 1000

    check_undo_redo(big_library, lambda: big_library.remove_from_list(target, ids[::2]))
    assert big_library.list_order(target) == ids[::-1][::2]  # the odd ones, still in order

    big_library.trash(ids[:10])  # five of them are still in the list
    assert big_library.reading_lists()[0].count == 495  # the trash is not counted
    shown = big_library.paper_ids(PaperFilter(list_id=target), order_by="list")
    assert shown == [pid for pid in ids[::-1][::2] if pid not in ids[:10]]


def test_reorder_moves_several_papers_keeping_their_order(seeded_library):
    library = seeded_library
    list_id, _ = library.ensure_list("Order")
    ids = [library.resolve(k) for k in ("nemotronh", "spdf", "moma", "flashattention2")]
    library.add_to_list(list_id, ids)
    a, b, c, d = ids
    library.reorder_list(list_id, [a], 3)  # dropped before d
    assert library.list_order(list_id) == [b, c, a, d]
    library.reorder_list(list_id, [d, b], 0)  # to the top, in list order
    assert library.list_order(list_id) == [b, d, c, a]
    library.undo()
    assert library.list_order(list_id) == [b, c, a, d]
