"""Sharing a library: members converge, conflicts keep both values, duplicates are
recognised on the server, read-only members read. Against a real PostgreSQL."""

from __future__ import annotations

import shutil
import time

import pytest

from readinglist.errors import LibraryReadOnly, UserError
from readinglist.library import Library
from readinglist.sync import SyncOffline, safe_url
from tests.sync.helpers import content, listing, sync_until_quiet


@pytest.fixture
def pair(make_library, server_url, seeds):
    first = make_library("first")
    first.import_files([seeds])
    first.sync.share(server_url, name="lab")
    second = make_library("second")
    second.sync.join(server_url)
    return first, second


def test_a_library_never_shared_has_no_triggers(library: Library):
    triggers = library.db.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_%'"
    ).fetchone()[0]
    assert triggers == 0
    library.import_text(listing("ferns"))
    assert library.sync.status().state == "local"
    assert library.sync.pending() == 0


def test_join_copies_everything_and_changes_travel_both_ways(pair):
    first, second = pair
    assert second.count() == first.count() == 53
    assert content(second) == content(first)
    paper = first.papers()[0]
    first.add_tags([paper.id], ["ml", "Reading group"])
    first.set_status([paper.id], "read")
    first.add_note(paper.id, "Read this for Tuesday")
    first.create_list("To read")
    first.add_to_list("To read", [paper.id])
    other = second.paper(paper.key)
    second.set_rating([other.id], 4)
    second.add_note(other.id, "Section 3 is the key")
    sync_until_quiet(first, second)
    assert content(second) == content(first)
    seen = content(second)["papers"][paper.key.lower()]
    assert seen[1] == "read" and seen[2] == 4
    assert seen[4] == {"ml", "reading group"}
    assert seen[5] == {"To read"}
    assert seen[6] == ["Read this for Tuesday", "Section 3 is the key"]
    # The joined library searches what it received.
    second.rebuild_index()
    first.rebuild_index()
    assert second.search("language").total == first.search("language").total > 0
    assert second.search("tag:ml").total == 1
    assert first.sync.status().state == "synced"


def test_same_field_on_two_members_later_wins_and_the_other_is_kept(pair):
    first, second = pair
    paper = first.papers()[0]
    other = second.paper(paper.key)
    first.edit(paper.id, title="Title from the first")
    time.sleep(0.01)  # the second edit is the later write
    second.edit(other.id, title="Title from the second")
    sync_until_quiet(first, second)
    assert first.paper(paper.id).title == "Title from the second"
    assert second.paper(other.id).title == "Title from the second"
    for member in (first, second):
        [conflict] = member.sync.conflicts()
        assert (conflict.field, conflict.kept, conflict.other) == (
            "title",
            "Title from the second",
            "Title from the first",
        )
        assert conflict.paper_id == member.paper(paper.key).id
    assert first.sync.status().state == "conflict"
    # The user takes the other value back: a new edit that travels, undoable locally.
    first.sync.restore_conflict(first.sync.conflicts()[0].id)
    assert first.paper(paper.id).title == "Title from the first"
    sync_until_quiet(first, second)
    assert second.paper(other.id).title == "Title from the first"
    assert first.sync.conflicts() == []


def test_edits_of_different_fields_merge_without_conflict(pair):
    first, second = pair
    paper = first.papers()[0]
    first.set_status([paper.id], "reading")
    second.set_rating([second.paper(paper.key).id], 5)
    sync_until_quiet(first, second)
    assert first.paper(paper.id).status == "reading" and first.paper(paper.id).rating == 5
    assert first.sync.conflicts() == [] and second.sync.conflicts() == []


def test_sequential_edits_are_not_conflicts(pair):
    first, second = pair
    paper = first.papers()[0]
    first.edit(paper.id, title="One")
    sync_until_quiet(first, second)
    second.edit(second.paper(paper.key).id, title="Two")
    sync_until_quiet(first, second)
    assert first.paper(paper.id).title == "Two"
    assert first.sync.conflicts() == []


def test_tags_added_on_both_sides_merge(pair):
    first, second = pair
    paper = first.papers()[0]
    first.add_tags([paper.id], ["alpha"])
    second.add_tags([second.paper(paper.key).id], ["beta"])
    sync_until_quiet(first, second)
    assert content(first) == content(second)
    assert content(first)["papers"][paper.key.lower()][4] == {"alpha", "beta"}


def test_trashed_by_one_and_edited_by_the_other_stays_with_the_edit(pair):
    first, second = pair
    paper = first.papers()[0]
    first.trash([paper.id])
    second.edit(second.paper(paper.key).id, title="Still worth reading")
    sync_until_quiet(first, second)
    for member in (first, second):
        title, _, _, trashed, *_ = content(member)["papers"][paper.key.lower()]
        assert (title, trashed) == ("Still worth reading", False)


def test_a_deleted_note_edited_elsewhere_comes_back(pair):
    first, second = pair
    paper = first.papers()[0]
    note = first.add_note(paper.id, "first draft")
    sync_until_quiet(first, second)
    [theirs] = second.notes(paper.key)
    first.delete_note(note)
    second.edit_note(theirs.id, "second draft, much better")
    sync_until_quiet(first, second)
    assert [n.body for n in first.notes(paper.key)] == ["second draft, much better"]
    assert [n.body for n in second.notes(paper.key)] == ["second draft, much better"]


def test_the_same_file_imported_by_two_members_is_one_set_of_papers(pair, tmp_path):
    first, second = pair
    text = listing("ferns", "mosses", "lichens")
    first.import_text(text)
    second.import_text(text)
    second.add_tags([p.id for p in second.papers() if "mosses" in p.title], ["bryophytes"])
    sync_until_quiet(first, second)
    assert first.count() == second.count() == 56
    assert content(first) == content(second)
    mosses = [p for p in first.papers() if "mosses" in p.title]
    assert len(mosses) == 1
    assert [t.name for t in first.tags() if t.name == "bryophytes"]


def test_different_papers_with_the_same_key_both_stay(pair):
    first, second = pair
    first.import_text(listing("ferns"))
    second.import_text(listing("ferns in winter"))  # the same first author and year
    sync_until_quiet(first, second)
    assert first.count() == second.count() == 55
    assert content(first) == content(second)
    keys = [p.key.lower() for p in first.papers()]
    assert len(set(keys)) == len(keys)


def test_lists_made_on_both_sides_under_one_name_are_one_list(pair):
    first, second = pair
    paper = first.papers()[0]
    first.create_list("Journal club")
    first.add_to_list("Journal club", [paper.id])
    second.create_list("Journal club")
    second.add_to_list("Journal club", [second.papers()[1].id])
    sync_until_quiet(first, second)
    assert content(first) == content(second)
    assert content(first)["lists"] == ["Journal club"]
    assert len(first.list_order("Journal club")) == 2


def test_undo_stays_local_and_its_result_travels(pair):
    first, second = pair
    paper = first.papers()[0]
    second.set_status([second.paper(paper.key).id], "reading")
    sync_until_quiet(first, second)
    first.add_tags([paper.id], ["mine"])
    assert first.undo_label().startswith("Tag")  # the pulled change is not the user's step
    first.undo()
    sync_until_quiet(first, second)
    assert content(first) == content(second)
    assert first.paper(paper.id).status == "reading"
    assert second.undo_label().startswith("Mark")


def test_read_only_member_reads_searches_and_is_told_on_writes(
    postgres, make_library, server_url, seeds
):
    owner = make_library("owner")
    owner.import_files([seeds])
    owner.sync.share(server_url)
    database = server_url.split("/")[3].split("?")[0]
    with postgres.admin(database) as conn:
        conn.execute("DROP ROLE IF EXISTS reader")
        conn.execute("CREATE ROLE reader LOGIN")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    reader = make_library("reader")
    note = reader.sync.join(postgres.url(database, user="reader"))
    assert "read-only shared library" in note
    assert reader.count() == 53
    reader.rebuild_index()
    assert reader.search("language").total > 0
    with pytest.raises(LibraryReadOnly, match="read-only shared library"):
        reader.add_tags([reader.papers()[0].id], ["nope"])
    with pytest.raises(LibraryReadOnly, match="read-only shared library"):
        reader.import_text(listing("ferns"))
    owner.set_status([owner.papers()[0].id], "read")
    owner.sync.run()
    result = reader.sync.run()
    assert result.pulled >= 1 and result.pushed == 0
    assert reader.paper(owner.papers()[0].key).status == "read"
    assert reader.sync.status().read_only


def test_unreachable_server_says_offline_and_keeps_changes(pair, postgres):
    first, _ = pair
    first.add_tags([first.papers()[0].id], ["queued"])
    postgres.stop("fast")
    try:
        with pytest.raises(SyncOffline, match=r"offline: 1 changes pending"):
            first.sync.run()
        assert first.sync.status(ask_server=True).state == "offline"
        assert first.sync.pending() == 1
    finally:
        postgres.start()
    first.sync.run()
    assert first.sync.pending() == 0


def test_passwords_are_never_stored():
    clean, password = safe_url("postgresql://ada:s3cr%40t@db.example.org/lab?sslmode=verify-full")
    assert password == "s3cr@t"
    assert clean == "postgresql://ada@db.example.org/lab?sslmode=verify-full"
    assert safe_url("postgresql://ada@h/lab?password=x&sslmode=require") == (
        "postgresql://ada@h/lab?sslmode=require",
        "x",
    )
    with pytest.raises(UserError, match="not a PostgreSQL address"):
        safe_url("mysql://ada@h/lab")


def test_a_shared_library_cannot_be_shared_again_or_joined_into_a_full_library(
    pair, make_library, server_url
):
    first, _ = pair
    with pytest.raises(UserError, match="already shared"):
        first.sync.share(server_url)
    other = make_library("other")
    other.import_text(listing("ferns"))
    with pytest.raises(UserError, match="already holds papers"):
        other.sync.join(server_url)
    with pytest.raises(UserError, match="join it"):
        other.sync.share(server_url)


def test_renamed_and_deleted_tags_follow(pair):
    first, second = pair
    ids = [p.id for p in first.papers()[:3]]
    first.add_tags(ids, ["ml", "old"])
    sync_until_quiet(first, second)
    first.rename_tag("ml", "machine learning")
    first.delete_tag("old")
    sync_until_quiet(first, second)
    assert content(first) == content(second)
    assert [t.name for t in second.tags()] == ["machine learning"]
    assert {t.name: t.count for t in second.tags()} == {"machine learning": 3}
    second.merge_tags("machine learning", "ML")
    sync_until_quiet(first, second)
    assert content(first) == content(second)
    assert [t.name for t in first.tags()] == ["ML"]


def test_a_copied_library_folder_syncs_only_once_confirmed(pair, tmp_path, monkeypatch):
    first, second = pair
    first.add_tags([first.papers()[0].id], ["before-the-copy"])
    # Another installation (its own secret key) receives a copy of the folder.
    copy_folder = tmp_path / "copy"
    first.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copytree(first.folder, copy_folder)
    with monkeypatch.context() as elsewhere:
        elsewhere.setenv("READINGLIST_CONFIG", str(tmp_path / "elsewhere"))
        with Library(copy_folder) as copy:
            status = copy.sync.status()
            assert status.shared and not status.confirmed and status.state == "unconfirmed"
            with pytest.raises(UserError, match="set up by another installation"):
                copy.sync.run()
            copy.sync.confirm()
            assert copy.sync.device != first.sync.device
            copy.add_tags([copy.papers()[1].id], ["from-the-copy"])
            copy.sync.run()
    first.sync.run()
    second.sync.run()
    tags = {t.name for t in second.tags()}
    assert {"before-the-copy", "from-the-copy"} <= tags
