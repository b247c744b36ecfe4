"""The tag list is counted again only when the database has changed: by this library
(writes, undo) or by another connection to the same file."""

from __future__ import annotations

from readinglist.library import Library


def _counted(library, statements: list[str]):
    library.db.conn.set_trace_callback(statements.append)
    try:
        return {tag.name: tag.count for tag in library.tags()}
    finally:
        library.db.conn.set_trace_callback(None)


def test_tags_are_counted_again_only_after_a_change(seeded_library):
    library = seeded_library
    paper = library.paper_ids()[0]
    library.add_tags([paper], ["method/rl"])
    statements: list[str] = []
    first = _counted(library, statements)
    assert first["method/rl"] == 1
    statements.clear()
    assert _counted(library, statements) == first
    assert not [s for s in statements if "FROM tags" in s], "nothing changed: not counted"

    library.add_tags([library.paper_ids()[1]], ["method/rl"])
    assert _counted(library, statements)["method/rl"] == 2
    library.undo()
    assert _counted(library, statements)["method/rl"] == 1
    library.trash([paper])
    assert _counted(library, statements)["method/rl"] == 0
    library.set_tag_color("method/rl", "#ff0000")
    assert {t.name: t.color for t in library.tags()}["method/rl"] == "#ff0000"


def test_a_change_by_another_connection_is_counted(seeded_library):
    library = seeded_library
    before = {tag.name: tag.count for tag in library.tags()}
    with Library(library.folder) as other:
        other.add_tags(other.paper_ids()[:3], ["elsewhere"])
    after = {tag.name: tag.count for tag in library.tags()}
    assert "elsewhere" not in before and after["elsewhere"] == 3


def test_the_list_returned_is_the_callers_own(seeded_library):
    library = seeded_library
    library.add_tags(library.paper_ids()[:1], ["mine"])
    library.tags().clear()
    assert [tag.name for tag in library.tags()] == ["mine"]
