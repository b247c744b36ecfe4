"""Tags: bulk add/remove, case-insensitive names, hierarchy, counts, rename, merge,
delete, colours, each with its undo and redo."""

from __future__ import annotations

import pytest

from readinglist.errors import PaperNotFound, UserError
from readinglist.models import PaperFilter, SmartList
from tests.core.conftest import BIG_LIBRARY_TAGS
from tests.core.organise_support import check_undo_redo, snapshot, tag_sets


def tag_counts(library) -> dict[str, int]:
    return {tag.name: tag.count for tag in library.tags()}


def test_big_library_has_the_expected_tags(big_library):
    ids = big_library.paper_ids(order_by="id")
    assert len(ids) == 1000
    expected = {
        paper_id: {name for name, every in BIG_LIBRARY_TAGS.items() if n % every == 0}
        for n, paper_id in enumerate(ids)
    }
    assert tag_sets(big_library) == expected


def test_bulk_tag_of_1000_papers_undo_redo(big_library):
    assert big_library.sync_index()  # this one keeps the search index in step too
    ids = big_library.paper_ids()
    before = tag_sets(big_library)

    changes = check_undo_redo(big_library, lambda: big_library.add_tags(ids, ["to-read/2025"]))

    assert changes.modified == frozenset(ids)
    assert changes.tags
    after = tag_sets(big_library)
    assert after == {pid: tags | {"to-read/2025"} for pid, tags in before.items()}
    assert tag_counts(big_library)["to-read/2025"] == 1000
    assert len(big_library.paper_ids(PaperFilter(tag="to-read"))) == 1000
    assert big_library.smart_counts()[SmartList.UNTAGGED] == 0
    assert big_library.search("tag:to-read", limit=None).total == 1000


def test_bulk_untag_undo_redo(big_library):
    ids = big_library.paper_ids(order_by="id")
    before = tag_sets(big_library)

    changes = check_undo_redo(big_library, lambda: big_library.remove_tags(ids, ["rlhf"]))

    assert changes.modified == frozenset(ids[::2])  # only papers that had it
    assert tag_sets(big_library) == {pid: tags - {"RLHF"} for pid, tags in before.items()}
    assert tag_counts(big_library)["RLHF"] == 0  # the tag itself stays, unused


def test_tagging_papers_that_have_the_tag_changes_nothing(big_library):
    ids = big_library.paper_ids(order_by="id")
    label = big_library.undo_label()
    state = snapshot(big_library)

    changes = big_library.add_tags(ids[::2], ["rlhf"])

    assert not changes.modified
    assert snapshot(big_library) == state
    assert big_library.undo_label() == label  # no empty step on the undo stack


def test_case_insensitive_names_keep_the_first_spelling(seeded_copy):
    lib = seeded_copy
    lib.add_tags(["nemotronh"], ["RLHF"])
    changes = lib.add_tags(["nemotronh", "flashattention2"], ["rlhf", "Rlhf"])

    assert changes.modified == {lib.resolve("flashattention2")}
    assert [(t.name, t.count) for t in lib.tags()] == [("RLHF", 2)]
    assert lib.paper("flashattention2").tags == ["RLHF"]
    assert len(lib.paper_ids(PaperFilter(tag="rLhF"))) == 2
    lib.remove_tags(["nemotronh"], ["rlhf"])
    assert lib.paper("nemotronh").tags == []


def test_tag_names_are_cleaned_and_bad_ones_refused(seeded_copy):
    lib = seeded_copy
    lib.add_tags(["nemotronh"], ["  method /  deep   rl "])
    assert lib.paper("nemotronh").tags == ["method/deep rl"]
    for bad in ("", "   ", "a//b", "/a", "a/"):
        with pytest.raises(UserError):
            lib.add_tags(["nemotronh"], [bad])
    with pytest.raises(PaperNotFound):
        lib.add_tags(["no-such-key"], ["x"])
    assert lib.paper("nemotronh").tags == ["method/deep rl"]


def test_hierarchical_tags_are_found_by_their_parent(big_library):
    ids = big_library.paper_ids(order_by="id")
    method = set(big_library.paper_ids(PaperFilter(tag="method")))

    with_method = {pid for n, pid in enumerate(ids) if n % 3 == 0 or n % 5 == 0 or n % 7 == 0}
    assert method == with_method  # method, method/rl, method/sft; never methodology
    assert set(big_library.paper_ids(PaperFilter(tag="METHOD/RL"))) == set(ids[::3])
    assert set(big_library.paper_ids(PaperFilter(tag="methodology"))) == set(ids[::13])
    assert big_library.paper_ids(PaperFilter(tag="method/r")) == []


def test_tag_counts_leave_out_the_trash(big_library):
    ids = big_library.paper_ids(order_by="id")
    counts = tag_counts(big_library)
    assert counts == {name: len(ids[::every]) for name, every in BIG_LIBRARY_TAGS.items()}

    big_library.trash(ids[:30])  # 15 RLHF, 10 method/rl, 6 method/sft, 5 method, 3 survey
    counts = tag_counts(big_library)
    assert counts["RLHF"] == 500 - 15
    assert counts["method/rl"] == 334 - 10
    assert counts["survey"] == 91 - 3
    assert [t.name for t in big_library.tags()] == sorted(counts, key=str.casefold)


def test_rename_keeps_every_paper_tags_and_renames_sub_tags(big_library):
    before = tag_sets(big_library)

    def renamed(tags: set[str]) -> set[str]:
        return {"approach" + t[6:] if t.split("/")[0] == "method" else t for t in tags}

    changes = check_undo_redo(big_library, lambda: big_library.rename_tag("Method", "approach"))

    assert tag_sets(big_library) == {pid: renamed(tags) for pid, tags in before.items()}
    touched = {pid for pid, tags in before.items() if tags & {"method", "method/rl", "method/sft"}}
    assert changes.modified == touched
    assert "methodology" in tag_counts(big_library)
    assert len(big_library.paper_ids(PaperFilter(tag="approach"))) == len(touched)


def test_rename_onto_an_existing_tag_merges(big_library):
    before = tag_sets(big_library)

    check_undo_redo(big_library, lambda: big_library.rename_tag("survey", "rlhf"))

    expected = {
        pid: (tags - {"survey"}) | ({"RLHF"} if "survey" in tags else set())
        for pid, tags in before.items()
    }
    assert tag_sets(big_library) == expected
    assert "survey" not in tag_counts(big_library)
    assert tag_counts(big_library)["RLHF"] == sum("RLHF" in tags for tags in expected.values())


def test_rename_into_its_own_sub_tree(big_library):
    """``method`` -> ``method/rl``: the old ``method/rl`` moves to ``method/rl/rl`` first,
    whatever order the tags were created in."""
    before = tag_sets(big_library)

    check_undo_redo(big_library, lambda: big_library.rename_tag("method", "method/rl"))

    def renamed(tag: str) -> str:
        return "method/rl" + tag[len("method") :] if tag.split("/")[0] == "method" else tag

    expected = {pid: {renamed(t) for t in tags} for pid, tags in before.items()}
    assert tag_sets(big_library) == expected
    assert {"method/rl", "method/rl/rl", "method/rl/sft"} <= set(tag_counts(big_library))


def test_rename_by_another_spelling_whose_fold_is_longer(seeded_copy):
    lib = seeded_copy
    lib.add_tags(["nemotronh"], ["Straße", "Straße/karte"])
    lib.rename_tag("STRASSE", "road")
    assert lib.paper("nemotronh").tags == ["road", "road/karte"]


def test_rename_changes_the_spelling_only(seeded_copy):
    lib = seeded_copy
    lib.add_tags(["nemotronh"], ["rlhf"])
    check_undo_redo(lib, lambda: lib.rename_tag("rlhf", "RLHF"))
    assert lib.paper("nemotronh").tags == ["RLHF"]
    with pytest.raises(UserError):
        lib.rename_tag("no-such-tag", "x")


def test_merge_keeps_every_paper_tags(big_library):
    before = tag_sets(big_library)
    big_library.set_tag_color("method/sft", "#e8a33d")

    changes = check_undo_redo(big_library, lambda: big_library.merge_tags("method/sft", "rlhf"))

    expected = {
        pid: (tags - {"method/sft"}) | ({"RLHF"} if "method/sft" in tags else set())
        for pid, tags in before.items()
    }
    assert tag_sets(big_library) == expected
    assert changes.modified == {pid for pid, tags in before.items() if "method/sft" in tags}
    tags = {tag.name: tag for tag in big_library.tags()}
    assert "method/sft" not in tags
    assert tags["RLHF"].color == "#e8a33d"  # the target had none: it takes the source's
    assert tags["RLHF"].count == sum("RLHF" in t for t in expected.values())


def test_merge_into_a_new_tag_and_onto_itself(seeded_copy):
    lib = seeded_copy
    lib.add_tags(["nemotronh", "flashattention2"], ["llm"])
    lib.merge_tags("llm", "language models")
    assert [(t.name, t.count) for t in lib.tags()] == [("language models", 2)]
    assert not lib.merge_tags("LANGUAGE MODELS", "language models").modified
    with pytest.raises(UserError):
        lib.merge_tags("no-such-tag", "x")


def test_delete_tag_undo_redo(big_library):
    before = tag_sets(big_library)

    changes = check_undo_redo(big_library, lambda: big_library.delete_tag("Method/RL"))

    assert tag_sets(big_library) == {pid: tags - {"method/rl"} for pid, tags in before.items()}
    assert changes.modified == {pid for pid, tags in before.items() if "method/rl" in tags}
    assert "method/rl" not in tag_counts(big_library)
    with pytest.raises(UserError):
        big_library.delete_tag("method/rl")


def test_tag_color_undo_redo(seeded_copy):
    lib = seeded_copy
    lib.add_tags(["nemotronh"], ["rlhf"])
    changes = check_undo_redo(lib, lambda: lib.set_tag_color("RLHF", "red"))
    assert changes.tags
    assert lib.tags()[0].color == "red"
    with pytest.raises(UserError):
        lib.set_tag_color("missing", "red")
