"""Reading lists: nested, ordered by hand, holding references (never copies) to papers."""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from readinglist.db.papers import as_row_id
from readinglist.errors import UserError
from readinglist.models import ReadingList, utc_now


def _clean(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UserError("a reading list needs a name")
    if "/" in cleaned:
        raise UserError("a reading list name cannot contain '/' (it separates nested lists)")
    return cleaned


def find_list(db: sqlite_utils.Database, name_or_id: str | int) -> int:
    """A list by id, by name, or by path ``Parent/Child``."""
    text = str(name_or_id).strip()
    list_id = as_row_id(text)
    if list_id is not None and db.execute("SELECT 1 FROM lists WHERE id = ?", [list_id]).fetchone():
        return list_id
    parent: int | None = None
    found: int | None = None
    for part in text.split("/"):
        row = db.execute(
            "SELECT id FROM lists WHERE ifnull(parent_id, 0) = ? AND name = ? COLLATE NOCASE",
            [parent or 0, part.strip()],
        ).fetchone()
        if row is None:
            found = None
            break
        found = parent = row[0]
    if found is None and "/" not in text:
        # A nested list by its own name, when that name is unique in the library.
        rows = db.execute("SELECT id FROM lists WHERE name = ? COLLATE NOCASE", [text]).fetchall()
        if len(rows) > 1:
            raise UserError(f"several reading lists are named {text!r}: give its path, A/B")
        found = rows[0][0] if rows else None
    if found is None:
        raise UserError(f"no reading list named {text!r}")
    return found


def ensure_list(db: sqlite_utils.Database, path: str) -> tuple[int, bool]:
    """The list at ``Parent/Child``, creating the missing levels; (id, whether created)."""
    parent: int | None = None
    created = False
    for part in path.split("/"):
        existing = _sibling_named(db, _clean(part), parent)
        if existing is None:
            existing, created = create_list(db, part, parent), True
        parent = existing
    assert parent is not None
    return parent, created


def create_list(db: sqlite_utils.Database, name: str, parent_id: int | None = None) -> int:
    cleaned = _clean(name)
    if _sibling_named(db, cleaned, parent_id) is not None:
        raise UserError(f"a reading list named {cleaned!r} already exists there")
    position = db.execute(
        "SELECT ifnull(max(position) + 1, 0) FROM lists WHERE ifnull(parent_id, 0) = ?",
        [parent_id or 0],
    ).fetchone()[0]
    return db.execute(
        "INSERT INTO lists (name, parent_id, position, created) VALUES (?, ?, ?, ?)",
        [cleaned, parent_id, position, utc_now()],
    ).lastrowid


def _sibling_named(db: sqlite_utils.Database, name: str, parent_id: int | None) -> int | None:
    row = db.execute(
        "SELECT id FROM lists WHERE ifnull(parent_id, 0) = ? AND name = ? COLLATE NOCASE",
        [parent_id or 0, name],
    ).fetchone()
    return row[0] if row else None


def rename_list(db: sqlite_utils.Database, list_id: int, name: str) -> None:
    cleaned = _clean(name)
    parent = db.execute("SELECT parent_id FROM lists WHERE id = ?", [list_id]).fetchone()[0]
    other = _sibling_named(db, cleaned, parent)
    if other is not None and other != list_id:
        raise UserError(f"a reading list named {cleaned!r} already exists there")
    db.execute("UPDATE lists SET name = ? WHERE id = ?", [cleaned, list_id])


def move_list(db: sqlite_utils.Database, list_id: int, parent_id: int | None) -> None:
    ancestor = parent_id
    while ancestor is not None:
        if ancestor == list_id:
            raise UserError("a reading list cannot be moved into itself")
        ancestor = db.execute("SELECT parent_id FROM lists WHERE id = ?", [ancestor]).fetchone()[0]
    name = db.execute("SELECT name FROM lists WHERE id = ?", [list_id]).fetchone()[0]
    if _sibling_named(db, name, parent_id) not in (None, list_id):
        raise UserError(f"a reading list named {name!r} already exists there")
    db.execute("UPDATE lists SET parent_id = ? WHERE id = ?", [parent_id, list_id])


def delete_list(db: sqlite_utils.Database, list_id: int) -> set[int]:
    """Delete a list and its sub-lists; the papers stay in the library."""
    family = _descendants(db, list_id) | {list_id}
    marks = ",".join("?" * len(family))
    members = {
        row[0]
        for row in db.execute(
            f"SELECT paper_id FROM list_items WHERE list_id IN ({marks})", list(family)
        )
    }
    # Children first, so the undo log restores parents before children.
    for lid in sorted(family, key=lambda i: -_depth(db, i)):
        db.execute("DELETE FROM list_items WHERE list_id = ?", [lid])
        db.execute("DELETE FROM lists WHERE id = ?", [lid])
    return members


def _descendants(db: sqlite_utils.Database, list_id: int) -> set[int]:
    rows = db.execute(
        "WITH RECURSIVE sub(id) AS (SELECT id FROM lists WHERE parent_id = ? "
        "UNION SELECT lists.id FROM lists JOIN sub ON lists.parent_id = sub.id) SELECT id FROM sub",
        [list_id],
    )
    return {row[0] for row in rows}


def _depth(db: sqlite_utils.Database, list_id: int) -> int:
    depth = 0
    parent = db.execute("SELECT parent_id FROM lists WHERE id = ?", [list_id]).fetchone()[0]
    while parent is not None:
        depth += 1
        parent = db.execute("SELECT parent_id FROM lists WHERE id = ?", [parent]).fetchone()[0]
    return depth


def add_papers(db: sqlite_utils.Database, list_id: int, paper_ids: Iterable[int]) -> set[int]:
    present = {
        row[0] for row in db.execute("SELECT paper_id FROM list_items WHERE list_id = ?", [list_id])
    }
    new = [p for p in dict.fromkeys(paper_ids) if p not in present]
    start = db.execute(
        "SELECT ifnull(max(position) + 1, 0) FROM list_items WHERE list_id = ?", [list_id]
    ).fetchone()[0]
    now = utc_now()
    db.conn.executemany(
        "INSERT INTO list_items (list_id, paper_id, position, added) VALUES (?, ?, ?, ?)",
        [(list_id, paper_id, start + offset, now) for offset, paper_id in enumerate(new)],
    )
    return set(new)


def remove_papers(db: sqlite_utils.Database, list_id: int, paper_ids: Iterable[int]) -> set[int]:
    ids = set(paper_ids)
    present = {
        row[0] for row in db.execute("SELECT paper_id FROM list_items WHERE list_id = ?", [list_id])
    }
    gone = ids & present
    db.conn.executemany(
        "DELETE FROM list_items WHERE list_id = ? AND paper_id = ?", [(list_id, p) for p in gone]
    )
    return gone


def list_order(db: sqlite_utils.Database, list_id: int) -> list[int]:
    return [
        row[0]
        for row in db.execute(
            "SELECT paper_id FROM list_items WHERE list_id = ? ORDER BY position, paper_id",
            [list_id],
        )
    ]


def move_paper(db: sqlite_utils.Database, list_id: int, paper_id: int, index: int) -> None:
    """Put ``paper_id`` at ``index`` in the list's manual order (0 = first)."""
    order = list_order(db, list_id)
    if paper_id not in order:
        raise UserError("that paper is not in this reading list")
    order.remove(paper_id)
    order.insert(max(0, min(index, len(order))), paper_id)
    for position, pid in enumerate(order):
        db.execute(
            "UPDATE list_items SET position = ? WHERE list_id = ? AND paper_id = ? "
            "AND position != ?",
            [position, list_id, pid, position],
        )


def all_lists(db: sqlite_utils.Database) -> list[ReadingList]:
    """Every list, parents before children, siblings in their order, with paper counts."""
    rows = db.execute(
        "SELECT lists.id, lists.name, lists.parent_id, lists.position, count(papers.id) "
        "FROM lists LEFT JOIN list_items ON list_items.list_id = lists.id "
        "LEFT JOIN papers ON papers.id = list_items.paper_id AND papers.deleted IS NULL "
        "GROUP BY lists.id"
    ).fetchall()
    items = [ReadingList(*row) for row in rows]
    children: dict[int | None, list[ReadingList]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    ordered: list[ReadingList] = []

    def walk(parent: int | None) -> None:
        for item in sorted(children.get(parent, []), key=lambda i: (i.position, i.name.casefold())):
            ordered.append(item)
            walk(item.id)

    walk(None)
    return ordered


def lists_of_paper(db: sqlite_utils.Database, paper_id: int) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            "SELECT lists.name FROM list_items JOIN lists ON lists.id = list_items.list_id "
            "WHERE list_items.paper_id = ? ORDER BY lists.name COLLATE NOCASE",
            [paper_id],
        )
    ]
