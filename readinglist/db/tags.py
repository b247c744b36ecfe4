"""Tags: case-insensitive names (the first spelling wins), colours, ``a/b`` hierarchy.

Functions run inside the caller's transaction and return the ids of the papers whose tags
changed, so the caller can report them and refresh the search index.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import sqlite_utils

from readinglist.errors import UserError
from readinglist.models import Tag

SEPARATOR = "/"


def clean_name(name: str) -> str:
    """Trim spaces around the name and around each ``/`` level; refuse empty levels."""
    parts = [" ".join(part.split()) for part in unicodedata.normalize("NFC", name).split("/")]
    if not name.strip() or any(not part for part in parts):
        raise UserError(f"not a valid tag name: {name!r}")
    return SEPARATOR.join(parts)


def fold(name: str) -> str:
    return clean_name(name).casefold()


def tag_id(db: sqlite_utils.Database, name: str) -> int | None:
    row = db.execute("SELECT id FROM tags WHERE folded = ?", [fold(name)]).fetchone()
    return row[0] if row else None


def require_tag(db: sqlite_utils.Database, name: str) -> int:
    found = tag_id(db, name)
    if found is None:
        raise UserError(f"no tag named {name!r}")
    return found


def ensure_tag(db: sqlite_utils.Database, name: str) -> int:
    """The id of the tag, creating it with this spelling if no spelling of it exists."""
    found = tag_id(db, name)
    if found is not None:
        return found
    cleaned = clean_name(name)
    return db.execute(
        "INSERT INTO tags (name, folded) VALUES (?, ?)", [cleaned, cleaned.casefold()]
    ).lastrowid


def add_tags(db: sqlite_utils.Database, paper_ids: Iterable[int], names: Iterable[str]) -> set[int]:
    ids = list(paper_ids)
    changed: set[int] = set()
    for name in names:
        tid = ensure_tag(db, name)
        missing = _without_tag(db, ids, tid)
        db.conn.executemany(
            "INSERT INTO paper_tags (paper_id, tag_id) VALUES (?, ?)", [(p, tid) for p in missing]
        )
        changed.update(missing)
    return changed


def remove_tags(
    db: sqlite_utils.Database, paper_ids: Iterable[int], names: Iterable[str]
) -> set[int]:
    ids = list(paper_ids)
    changed: set[int] = set()
    for name in names:
        tid = tag_id(db, name)
        if tid is None:
            continue
        having = set(ids) - set(_without_tag(db, ids, tid))
        db.conn.executemany(
            "DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?", [(p, tid) for p in having]
        )
        changed.update(having)
    return changed


def _without_tag(db: sqlite_utils.Database, paper_ids: list[int], tid: int) -> list[int]:
    having = {
        row[0] for row in db.execute("SELECT paper_id FROM paper_tags WHERE tag_id = ?", [tid])
    }
    return [p for p in dict.fromkeys(paper_ids) if p not in having]


def papers_with_tag(db: sqlite_utils.Database, tid: int) -> set[int]:
    return {row[0] for row in db.execute("SELECT paper_id FROM paper_tags WHERE tag_id = ?", [tid])}


def rename_tag(db: sqlite_utils.Database, old: str, new: str) -> set[int]:
    """Rename a tag and its sub-tags (``method`` -> ``approach`` renames ``method/rl`` too).

    Renaming onto an existing tag is a merge. ``method`` may exist only as the parent of
    ``method/rl``: renaming it renames the family.
    """
    old_name, new_name = clean_name(old), clean_name(new)
    family = _family(db, old_name)
    if not family:
        raise UserError(f"no tag named {old!r}")
    changed: set[int] = set()
    depth = old_name.count(SEPARATOR) + 1
    # Deepest first, so that renaming into the family's own sub-tree (``a`` -> ``a/b``)
    # moves ``a/b`` out of the way before ``a`` takes its name.
    for tid, name in sorted(family, key=lambda item: -item[1].count(SEPARATOR)):
        # By levels, not characters: a casefolded spelling may differ in length (ß, ss).
        target = SEPARATOR.join([new_name, *name.split(SEPARATOR)[depth:]])
        existing = tag_id(db, target)
        if existing is not None and existing != tid:
            changed |= _merge_ids(db, tid, existing)
        else:
            db.execute(
                "UPDATE tags SET name = ?, folded = ? WHERE id = ?",
                [target, target.casefold(), tid],
            )
            changed |= papers_with_tag(db, tid)
    return changed


def _family(db: sqlite_utils.Database, name: str) -> list[tuple[int, str]]:
    prefix = name.casefold() + SEPARATOR
    rows = db.execute("SELECT id, name, folded FROM tags").fetchall()
    return [
        (tid, n)
        for tid, n, folded in rows
        if folded == name.casefold() or folded.startswith(prefix)
    ]


def merge_tags(db: sqlite_utils.Database, source: str, target: str) -> set[int]:
    """Every paper tagged ``source`` gets ``target``; ``source`` disappears."""
    source_id = require_tag(db, source)
    target_id = ensure_tag(db, target)
    if source_id == target_id:
        return set()
    return _merge_ids(db, source_id, target_id)


def _merge_ids(db: sqlite_utils.Database, source_id: int, target_id: int) -> set[int]:
    changed = papers_with_tag(db, source_id)
    db.execute(
        "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) "
        "SELECT paper_id, ? FROM paper_tags WHERE tag_id = ?",
        [target_id, source_id],
    )
    db.execute("DELETE FROM paper_tags WHERE tag_id = ?", [source_id])
    color = db.execute("SELECT color FROM tags WHERE id = ?", [source_id]).fetchone()[0]
    db.execute("UPDATE tags SET color = ? WHERE id = ? AND color = ''", [color, target_id])
    db.execute("DELETE FROM tags WHERE id = ?", [source_id])
    return changed


def delete_tag(db: sqlite_utils.Database, name: str) -> set[int]:
    tid = require_tag(db, name)
    changed = papers_with_tag(db, tid)
    db.execute("DELETE FROM paper_tags WHERE tag_id = ?", [tid])
    db.execute("DELETE FROM tags WHERE id = ?", [tid])
    return changed


def set_color(db: sqlite_utils.Database, name: str, color: str) -> None:
    db.execute("UPDATE tags SET color = ? WHERE id = ?", [color, require_tag(db, name)])


def list_tags(db: sqlite_utils.Database) -> list[Tag]:
    """All tags with the number of papers (outside the trash) carrying each."""
    rows = db.execute(
        "SELECT tags.name, tags.color, count(papers.id) FROM tags "
        "LEFT JOIN paper_tags ON paper_tags.tag_id = tags.id "
        "LEFT JOIN papers ON papers.id = paper_tags.paper_id AND papers.deleted IS NULL "
        "GROUP BY tags.id ORDER BY tags.folded"
    )
    return [Tag(name, color, count) for name, color, count in rows]
