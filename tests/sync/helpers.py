"""What the sync tests compare: a library's content as members see it, without local ids."""

from __future__ import annotations

from readinglist.library import Library

ABSTRACT = (
    "We study how {topic} behaves when many agents share one memory, and we show with "
    "experiments on seven benchmarks that a careful choice of the update rule improves "
    "accuracy while the cost of each step stays the same as before; the code is public."
)


def listing(*topics: str) -> str:
    """An abstract listing with one paper per topic (long abstracts: evidence of identity)."""
    return "\n".join(
        f"Title: A study of {topic}\nAuthors: Ada Lovelace, Alan Turing\n"
        f"Abstract: {ABSTRACT.format(topic=topic)}\n"
        for topic in topics
    )


def content(lib: Library) -> dict:
    """Everything a member sees, keyed by citation key."""
    db = lib.db
    papers = {}
    for paper_id, key, title, status, rating, deleted in db.execute(
        "SELECT id, key, title, status, rating, deleted IS NOT NULL FROM papers"
    ):
        tags = {
            row[0]
            for row in db.execute(
                "SELECT t.folded FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                "WHERE pt.paper_id = ?",
                [paper_id],
            )
        }
        lists = {
            row[0]
            for row in db.execute(
                "SELECT l.name FROM list_items li JOIN lists l ON l.id = li.list_id "
                "WHERE li.paper_id = ?",
                [paper_id],
            )
        }
        notes = sorted(
            row[0] for row in db.execute("SELECT body FROM notes WHERE paper_id = ?", [paper_id])
        )
        papers[key.lower()] = (title, status, rating, bool(deleted), tags, lists, notes)
    list_names = sorted(row[0] for row in db.execute("SELECT name FROM lists"))
    # A tag travels with its papers: one left without papers may stay where it was made.
    tag_names = sorted(
        row[0]
        for row in db.execute("SELECT folded FROM tags WHERE id IN (SELECT tag_id FROM paper_tags)")
    )
    return {"papers": papers, "lists": list_names, "tags": tag_names}


def sync_until_quiet(*libs: Library, rounds: int = 8) -> None:
    """Sync every member in turn until a whole round moves nothing."""
    for _ in range(rounds):
        moved = 0
        for lib in libs:
            result = lib.sync.run()
            moved += result.pushed + result.pulled
        if not moved:
            return
    raise AssertionError("sync did not settle")
