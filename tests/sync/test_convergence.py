"""Property: whatever three members do, in whatever order they sync, once everyone has
synced until nothing moves they hold the same library, and no note is lost."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readinglist.library import Library
from tests.sync.helpers import content, listing, sync_until_quiet

TOPICS = ["ferns", "mosses", "lichens", "liverworts", "algae", "fungi"]
TAGS = ["ml", "ML", "botany", "to/read"]
MEMBERS = st.integers(0, 2)
PAPER = st.integers(0, 50)
OPERATIONS = st.one_of(
    st.tuples(st.just("import"), MEMBERS, st.sampled_from(TOPICS)),
    st.tuples(st.just("tag"), MEMBERS, PAPER, st.sampled_from(TAGS)),
    st.tuples(st.just("untag"), MEMBERS, PAPER, st.sampled_from(TAGS)),
    st.tuples(st.just("note"), MEMBERS, PAPER),
    st.tuples(st.just("edit_note"), MEMBERS, PAPER),
    st.tuples(st.just("status"), MEMBERS, PAPER, st.sampled_from(["unread", "reading", "read"])),
    st.tuples(st.just("title"), MEMBERS, PAPER, st.sampled_from(["Alpha", "Beta", "Gamma"])),
    st.tuples(st.just("trash"), MEMBERS, PAPER),
    st.tuples(st.just("restore"), MEMBERS, PAPER),
    st.tuples(st.just("list_add"), MEMBERS, PAPER),
    st.tuples(st.just("list_remove"), MEMBERS, PAPER),
    st.tuples(st.just("rename_tag"), MEMBERS, st.sampled_from(TAGS), st.sampled_from(TAGS)),
    st.tuples(st.just("delete_tag"), MEMBERS, st.sampled_from(TAGS)),
    st.tuples(st.just("sync"), MEMBERS),
)


def _apply(members: list[Library], op: tuple, counter: list[int]) -> None:
    name, who, *rest = op
    lib = members[who]
    ids = [row[0] for row in lib.db.execute("SELECT id FROM papers ORDER BY key")]
    live = lib.paper_ids()
    pick = ids[rest[0] % len(ids)] if ids and rest and isinstance(rest[0], int) else None
    match name:
        case "import":
            lib.import_text(listing(rest[0]))
        case "tag":
            lib.add_tags([pick], [rest[1]])
        case "untag":
            lib.remove_tags([pick], [rest[1]])
        case "note":
            counter[0] += 1
            lib.add_note(pick, f"note {counter[0]} by member {who}")
        case "edit_note":
            notes = lib.notes(pick)
            if notes:
                lib.edit_note(notes[0].id, notes[0].body + " (edited)")
        case "status":
            lib.set_status([pick], rest[1])
        case "title":
            lib.edit(pick, title=f"{rest[1]} by member {who}")
        case "trash":
            if pick in live:
                lib.trash([pick])
        case "restore":
            if pick not in live:
                lib.restore([pick])
        case "list_add":
            lib.ensure_list("Shared")
            lib.add_to_list("Shared", [pick])
        case "list_remove":
            if lib.reading_lists():
                lib.remove_from_list("Shared", [pick])
        case "rename_tag":
            names = {t.name.casefold() for t in lib.tags()}
            if rest[0].casefold() in names and rest[1].casefold() not in names:
                lib.rename_tag(rest[0], rest[1] + "2")
        case "delete_tag":
            if rest[0].casefold() in {t.name.casefold() for t in lib.tags()}:
                lib.delete_tag(rest[0])
        case "sync":
            lib.sync.run()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATIONS, min_size=5, max_size=30))
def test_three_members_converge(postgres, operations):
    folder = Path(tempfile.mkdtemp(prefix="readinglist-converge-"))
    members: list[Library] = []
    try:
        url = postgres.url(postgres.new_database())
        owner = Library(folder / "m0")
        members.append(owner)
        owner.import_text(listing("ferns", "mosses"))
        owner.sync.share(url)
        for i in (1, 2):
            members.append(Library(folder / f"m{i}"))
            members[-1].sync.join(url)
        counter = [0]
        for op in operations:
            _apply(members, op, counter)
        sync_until_quiet(*members)
        first = content(members[0])
        assert content(members[1]) == first
        assert content(members[2]) == first
        notes = [body for paper in first["papers"].values() for body in paper[6]]
        assert len(notes) == counter[0]  # no note lost, none doubled
        keys = list(first["papers"])
        assert len(keys) == len(set(keys))
    finally:
        for lib in members:
            lib.close()
        shutil.rmtree(folder, ignore_errors=True)
