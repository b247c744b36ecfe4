"""Reading status, rating, priority, metadata edits, citation keys, notes, highlights,
trash, smart lists, saved searches and sorted views, each with undo and redo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from readinglist.db import notes as note_queries
from readinglist.errors import UserError
from readinglist.models import PaperFilter, Priority, SmartList, Status
from tests.core.conftest import daily_page
from tests.core.organise_support import (
    check_undo_redo,
    snapshot,
    synthetic_abstracts,
    write_listing,
)


def row(library, paper_id: int, *columns: str) -> tuple:
    return library.db.execute(
        f"SELECT {', '.join(columns)} FROM papers WHERE id = ?", [paper_id]
    ).fetchone()


# Status, rating, priority


def test_bulk_status_of_1000_papers_sets_read_date(big_library):
    ids = big_library.paper_ids(order_by="id")

    changes = check_undo_redo(big_library, lambda: big_library.set_status(ids, "read"))

    assert changes.modified == frozenset(ids)
    dates = {row(big_library, pid, "status", "read_date") for pid in ids}
    assert len(dates) == 1
    status, read_date = dates.pop()
    assert status == "read"
    assert abs(datetime.fromisoformat(read_date) - datetime.now(UTC)) < timedelta(minutes=1)
    counts = big_library.smart_counts()
    assert (counts[SmartList.READ], counts[SmartList.UNREAD]) == (1000, 0)

    again = big_library.set_status(ids[:10], Status.READ)  # already read: untouched
    assert not again.modified
    big_library.set_status(ids[:10], "reading")
    assert row(big_library, ids[0], "status", "read_date") == ("reading", None)
    assert big_library.smart_counts()[SmartList.READING] == 10
    big_library.undo()
    assert row(big_library, ids[0], "status", "read_date") == ("read", read_date)


def test_rating_bounds_and_undo(seeded_copy):
    lib = seeded_copy
    changes = check_undo_redo(lib, lambda: lib.set_rating(["nemotronh", "flashattention2"], 5))
    assert len(changes.modified) == 2
    assert lib.paper("nemotronh").rating == 5
    for bad in (-1, 6, 100):
        with pytest.raises(UserError):
            lib.set_rating(["nemotronh"], bad)
    assert lib.paper("nemotronh").rating == 5
    lib.set_rating(["nemotronh"], 0)  # 0 is "no rating"
    assert lib.paper("nemotronh").rating == 0


def test_priority_undo_redo(seeded_copy):
    lib = seeded_copy
    paper_id = lib.resolve("nemotronh")
    assert row(lib, paper_id, "priority") == (Priority.NORMAL,)
    check_undo_redo(lib, lambda: lib.set_priority([paper_id], Priority.HIGH))
    assert row(lib, paper_id, "priority") == (Priority.HIGH,)
    with pytest.raises(ValueError):
        lib.set_priority([paper_id], 7)


# Metadata and citation keys


def test_edit_metadata_undo_redo(seeded_copy):
    lib = seeded_copy
    paper = lib.paper("nemotronh")

    changes = check_undo_redo(
        lib,
        lambda: lib.edit(
            "nemotronh",
            authors=["Ada  Lovelace", " ", "Alan Turing"],
            year="2025",
            venue=" ICML ",
            url="https://example.org/p",
            code_url="https://github.com/x/y",
            arxiv_id="arXiv:2504.03624v2",
            doi="https://doi.org/10.1000/XYZ.1",
        ),
    )

    assert changes.modified == {paper.id}
    edited = lib.paper(paper.id)
    assert edited.authors == ["Ada Lovelace", "Alan Turing"]
    assert (edited.year, edited.venue) == (2025, "ICML")
    assert edited.arxiv_id == "2504.03624"
    assert edited.doi.lower() == "10.1000/xyz.1"
    assert edited.abstract == paper.abstract
    assert not lib.edit("nemotronh", venue="ICML").modified  # no change, no step
    for bad in ({"year": "soon"}, {"year": 99}, {"title": "  "}, {"key": "x"}, {"doi": "x"}):
        with pytest.raises(UserError):
            lib.edit("nemotronh", **bad)
    assert lib.paper(paper.id) == edited


def test_title_edit_clears_inferred_and_an_import_keeps_it(library, tmp_path: Path):
    abstracts = synthetic_abstracts(2, seed=3)
    library.import_files([write_listing(tmp_path / "listing.txt", abstracts)])
    mine, other = library.paper_ids(order_by="id")
    assert library.paper(mine).title_inferred
    assert library.smart_counts()[SmartList.NEEDS_REVIEW] == 2

    check_undo_redo(library, lambda: library.edit(mine, title="My Own Title"))
    assert not library.paper(mine).title_inferred
    assert library.paper_ids(PaperFilter(smart=SmartList.NEEDS_REVIEW)) == [other]

    page = tmp_path / "daily.txt"
    page.write_text(
        daily_page([("Their Title One", abstracts[0]), ("Their Title Two", abstracts[1])]),
        encoding="utf-8",
    )
    report = library.import_files([page])

    assert report.added == 0
    assert library.paper(mine).title == "My Own Title"
    assert library.paper(other).title == "Their Title Two"  # an inferred title gives way
    assert library.smart_counts()[SmartList.NEEDS_REVIEW] == 0


def test_set_key_refuses_duplicates_and_bad_keys(seeded_copy):
    lib = seeded_copy
    paper_id = lib.resolve("nemotronh")

    changes = check_undo_redo(lib, lambda: lib.set_key(paper_id, "hybrid2025"))

    assert changes.modified == {paper_id}
    assert lib.resolve("hybrid2025") == paper_id
    with pytest.raises(UserError, match="already used"):
        lib.set_key(paper_id, "flashattention2")
    for bad in ("", "2025x", "has space", "naïve", "{brace}"):
        with pytest.raises(UserError):
            lib.set_key(paper_id, bad)
    assert not lib.set_key(paper_id, "hybrid2025").modified
    assert lib.paper(paper_id).key == "hybrid2025"


# Notes and highlights


def test_notes_with_created_and_modified(seeded_copy, monkeypatch):
    lib = seeded_copy
    clock = iter(["2025-01-01T10:00:00+00:00", "2025-01-02T11:00:00+00:00"])
    monkeypatch.setattr(note_queries, "utc_now", lambda: next(clock))

    first = check_undo_redo(lib, lambda: lib.add_note("nemotronh", "# Summary\n\n*hybrid*"))
    second = lib.add_note("nemotronh", "second thought")
    monkeypatch.setattr(note_queries, "utc_now", lambda: "2025-02-03T12:00:00+00:00")
    check_undo_redo(lib, lambda: lib.edit_note(first, "# Summary\n\nMamba **hybrid**"))

    notes = lib.notes("nemotronh")
    assert [(n.id, n.created, n.modified) for n in notes] == [
        (first, "2025-01-01T10:00:00+00:00", "2025-02-03T12:00:00+00:00"),
        (second, "2025-01-02T11:00:00+00:00", "2025-01-02T11:00:00+00:00"),
    ]
    assert notes[0].body == "# Summary\n\nMamba **hybrid**"
    assert lib.notes("flashattention2") == []

    changes = check_undo_redo(lib, lambda: lib.delete_note(second))
    assert changes.modified == {lib.resolve("nemotronh")}
    assert [n.id for n in lib.notes("nemotronh")] == [first]
    for action in (
        lambda: lib.add_note("nemotronh", "  \n"),
        lambda: lib.edit_note(first, " "),
        lambda: lib.edit_note(9999, "x"),
        lambda: lib.delete_note(second),
    ):
        with pytest.raises(UserError):
            action()


def test_highlights_re_anchor_after_abstract_edits(seeded_copy):
    lib = seeded_copy
    paper = lib.paper("nemotronh")
    abstract = paper.abstract
    quote = "hybrid Mamba-Transformer models"
    start = abstract.index(quote)
    tail_start = len(abstract) - 20

    hid = check_undo_redo(
        lib, lambda: lib.add_highlight(paper.id, start, start + len(quote), comment="key idea")
    )
    tail = lib.add_highlight(paper.id, tail_start, len(abstract), color="green")
    assert [(h.start, h.quote) for h in lib.highlights(paper.id)] == [
        (start, quote),
        (tail_start, abstract[tail_start:]),
    ]

    # Text moved: inserted before the passage, so it is found again further on.
    moved = "Preface sentence. " + abstract
    check_undo_redo(lib, lambda: lib.edit(paper.id, abstract=moved))
    highlight = {h.id: h for h in lib.highlights(paper.id)}[hid]
    assert (highlight.start, highlight.end) == (start + 18, start + 18 + len(quote))
    assert moved[highlight.start : highlight.end] == quote

    # Passage deleted: the highlight stays, not anchored, quote and comment kept.
    lib.edit(paper.id, abstract=moved.replace(quote, "models"))
    highlight = {h.id: h for h in lib.highlights(paper.id)}[hid]
    assert (highlight.start, highlight.end, highlight.anchored) == (-1, -1, False)
    assert (highlight.quote, highlight.comment) == (quote, "key idea")
    assert {h.id: h for h in lib.highlights(paper.id)}[tail].anchored

    # Undo the deletion: the highlight is anchored again where it was.
    lib.undo()
    highlight = {h.id: h for h in lib.highlights(paper.id)}[hid]
    assert highlight.start == start + 18


def test_highlight_finds_the_nearest_occurrence_and_comes_back(seeded_copy):
    lib = seeded_copy
    paper_id = lib.resolve("flashattention2")
    lib.edit(paper_id, abstract="alpha beta gamma. alpha beta gamma. alpha beta gamma.")
    hid = lib.add_highlight(paper_id, 18, 28)  # the second "alpha beta"
    lib.edit(paper_id, abstract="x. alpha beta gamma. alpha beta gamma. alpha beta gamma.")
    assert lib.highlights(paper_id)[0].start == 21
    lib.edit(paper_id, abstract="nothing left")
    assert lib.highlights(paper_id)[0].start == -1
    lib.edit(paper_id, abstract="now alpha beta is back")
    assert (lib.highlights(paper_id)[0].start, lib.highlights(paper_id)[0].id) == (4, hid)


def test_highlight_edit_delete_and_bounds(seeded_copy):
    lib = seeded_copy
    paper = lib.paper("nemotronh")
    hid = lib.add_highlight(paper.id, 0, 10)
    check_undo_redo(lib, lambda: lib.edit_highlight(hid, color="blue", comment="why"))
    assert (lib.highlights(paper.id)[0].color, lib.highlights(paper.id)[0].comment) == (
        "blue",
        "why",
    )
    check_undo_redo(lib, lambda: lib.delete_highlight(hid))
    assert lib.highlights(paper.id) == []
    for start, end in ((-1, 5), (5, 5), (10, 5), (0, len(paper.abstract) + 1)):
        with pytest.raises(UserError):
            lib.add_highlight(paper.id, start, end)
    with pytest.raises(UserError):
        lib.edit_highlight(hid, comment="gone")


# Trash


def test_trash_and_restore_1000_papers(big_library):
    ids = big_library.paper_ids(order_by="id")
    tags_before = big_library.tags()

    changes = check_undo_redo(big_library, lambda: big_library.trash(ids))

    assert changes.removed == frozenset(ids)
    assert big_library.count() == 0
    assert big_library.paper_ids() == []
    assert set(big_library.paper_ids(PaperFilter(smart=SmartList.TRASH))) == set(ids)
    assert all(tag.count == 0 for tag in big_library.tags())

    changes = check_undo_redo(big_library, lambda: big_library.restore(ids[:600]))
    assert changes.added == frozenset(ids[:600])
    big_library.restore(ids)
    assert big_library.tags() == tags_before
    assert not big_library.restore(ids).added  # nothing left in the trash


def test_empty_trash_takes_everything_with_it_and_undo_brings_it_back(seeded_copy):
    lib = seeded_copy
    gone, kept = lib.resolve("nemotronh"), lib.resolve("flashattention2")
    lib.add_tags([gone, kept], ["hybrid"])
    reading = lib.create_list("Reading")
    lib.add_to_list(reading, [gone, kept])
    note = lib.add_note(gone, "note")
    lib.add_highlight(gone, 0, 5, comment="c")
    lib.trash([gone])
    assert lib.paper_ids(PaperFilter(smart=SmartList.TRASH)) == [gone]
    count = lib.count()

    changes = check_undo_redo(lib, lambda: lib.empty_trash())

    assert changes.removed == {gone}
    assert lib.count() == count
    assert lib.db.execute("SELECT count(*) FROM papers WHERE id = ?", [gone]).fetchone() == (0,)
    for table in ("notes", "highlights", "paper_tags", "list_items"):
        assert lib.db.execute(
            f"SELECT count(*) FROM {table} WHERE paper_id = ?", [gone]
        ).fetchone() == (0,)
    assert lib.list_order(reading) == [kept]
    assert lib.smart_counts()[SmartList.TRASH] == 0

    lib.undo()
    assert lib.paper_ids(PaperFilter(smart=SmartList.TRASH)) == [gone]
    assert [n.id for n in lib.notes(gone)] == [note]
    assert lib.highlights(gone)[0].comment == "c"
    assert lib.list_order(reading) == [gone, kept]
    assert lib.paper(gone).tags == ["hybrid"]
    lib.restore([gone])
    assert lib.count() == count + 1
    assert not lib.empty_trash().removed


# Smart lists, sorted views, saved searches


def test_smart_counts(seeded_copy):
    lib = seeded_copy
    ids = lib.paper_ids(order_by="id")
    inferred = len(lib.paper_ids(PaperFilter(smart=SmartList.NEEDS_REVIEW)))
    lib.set_status(ids[:5], "read")
    lib.set_status(ids[5:8], "reading")
    lib.add_tags(ids[:10], ["t"])
    lib.trash(ids[-2:])
    old = (datetime.now(UTC) - timedelta(days=30)).isoformat(timespec="seconds")
    lib.db.execute("UPDATE papers SET added = ? WHERE id IN (?, ?, ?)", [old, *ids[:3]])

    counts = lib.smart_counts()

    assert counts == {
        SmartList.ALL: 51,
        SmartList.UNREAD: 51 - 8,
        SmartList.READING: 3,
        SmartList.READ: 5,
        SmartList.RECENT: 51 - 3,
        SmartList.UNTAGGED: 51 - 10,
        SmartList.NEEDS_REVIEW: inferred - sum(lib.paper(pid).title_inferred for pid in ids[-2:]),
        SmartList.TRASH: 2,
    }
    for smart, count in counts.items():
        assert len(lib.paper_ids(PaperFilter(smart=smart))) == count, smart
    both = PaperFilter(smart=SmartList.RECENT, status=Status.READ, tag="T")
    assert lib.paper_ids(both, order_by="id") == ids[3:5]


def test_views_sort_in_sql(seeded_copy):
    lib = seeded_copy
    papers = lib.papers()
    by_title = [p.id for p in sorted(papers, key=lambda p: (p.title.casefold(), p.id))]
    assert lib.paper_ids(order_by="title") == by_title
    assert lib.paper_ids(order_by="title", descending=True)[0] == by_title[-1]
    by_year = [p.id for p in sorted(papers, key=lambda p: (p.year or 0, p.id))]
    assert lib.paper_ids(order_by="year") == by_year
    assert lib.paper_ids(order_by="added") == sorted(lib.paper_ids(order_by="id"))
    with pytest.raises(UserError):
        lib.paper_ids(order_by="abstract; DROP TABLE papers")


def test_saved_searches_undo_redo(seeded_copy):
    lib = seeded_copy
    first = check_undo_redo(lib, lambda: lib.save_search("RL papers", "tag:method/rl"))
    lib.save_search("attention", "attention AND year:2023")
    with pytest.raises(UserError):
        lib.save_search("rl PAPERS", "x")  # names are case-insensitive
    with pytest.raises(UserError):
        lib.save_search("empty", "  ")

    check_undo_redo(lib, lambda: lib.rename_saved_search("RL papers", "Reinforcement"))
    with pytest.raises(UserError):
        lib.rename_saved_search(first, "Attention")
    assert [(s.name, s.query) for s in lib.saved_searches()] == [
        ("attention", "attention AND year:2023"),
        ("Reinforcement", "tag:method/rl"),
    ]
    check_undo_redo(lib, lambda: lib.delete_saved_search(str(first)))
    assert [s.name for s in lib.saved_searches()] == ["attention"]
    with pytest.raises(UserError):
        lib.delete_saved_search("Reinforcement")


def test_failed_writes_leave_no_trace(seeded_copy):
    lib = seeded_copy
    state, label = snapshot(lib), lib.undo_label()
    for action in (
        lambda: lib.set_rating(["nemotronh"], 9),
        lambda: lib.add_tags(["nemotronh", "missing-key"], ["x"]),
        lambda: lib.edit("nemotronh", title="New", year="never"),
        lambda: lib.add_note("nemotronh", ""),
        lambda: lib.rename_list("missing", "x"),
    ):
        with pytest.raises(UserError):
            action()
    assert snapshot(lib) == state
    assert lib.undo_label() == label
