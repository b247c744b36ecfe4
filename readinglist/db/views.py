"""What a view shows: the ordered ids of the papers a filter selects, counts, saved searches.

Views hold ids only and fetch rows as they are displayed, so ordering happens here, in
SQL, on indexed columns.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlite_utils

from readinglist.db.papers import SORTABLE
from readinglist.db.tags import SEPARATOR, fold
from readinglist.errors import UserError
from readinglist.models import PaperFilter, SavedSearch, SmartList, Status

RECENT_DAYS = 7

_SMART_WHERE = {
    SmartList.ALL: "deleted IS NULL",
    SmartList.UNREAD: "deleted IS NULL AND status = 'unread'",
    SmartList.READING: "deleted IS NULL AND status = 'reading'",
    SmartList.READ: "deleted IS NULL AND status = 'read'",
    SmartList.RECENT: "deleted IS NULL AND added >= :recent",
    SmartList.UNTAGGED: "deleted IS NULL AND id NOT IN (SELECT paper_id FROM paper_tags)",
    SmartList.NEEDS_REVIEW: "deleted IS NULL AND title_inferred = 1",
    SmartList.TRASH: "deleted IS NOT NULL",
}


def _recent_cutoff() -> str:
    return (datetime.now(UTC) - timedelta(days=RECENT_DAYS)).isoformat(timespec="seconds")


def _where(db: sqlite_utils.Database, view: PaperFilter) -> tuple[str, dict]:
    clauses = [_SMART_WHERE[SmartList(view.smart)]]
    params: dict = {"recent": _recent_cutoff()}
    if view.status is not None:
        clauses.append("status = :status")
        params["status"] = str(Status(view.status))
    if view.tag is not None:
        clauses.append(
            "id IN (SELECT paper_id FROM paper_tags JOIN tags ON tags.id = paper_tags.tag_id "
            "WHERE tags.folded = :tag OR substr(tags.folded, 1, length(:tag_prefix)) = :tag_prefix)"
        )
        params["tag"] = fold(view.tag)
        params["tag_prefix"] = fold(view.tag) + SEPARATOR
    if view.list_id is not None:
        clauses.append("id IN (SELECT paper_id FROM list_items WHERE list_id = :list_id)")
        params["list_id"] = view.list_id
    if view.ids is not None:
        # Search hits: a temporary table keeps the statement small for 100,000 ids.
        db.execute("CREATE TEMP TABLE IF NOT EXISTS view_ids (id INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM temp.view_ids")
        db.conn.executemany("INSERT INTO temp.view_ids VALUES (?)", [(i,) for i in view.ids])
        clauses.append("id IN (SELECT id FROM temp.view_ids)")
    return " AND ".join(f"({c})" for c in clauses), params


# What "no value" is, per sortable column (the others always have one).
MISSING = {
    "year": "year IS NULL",
    "title": "trim(title) = ''",
    "authors": "authors = '[]'",
    "rating": "rating = 0",
}


def paper_ids(
    db: sqlite_utils.Database,
    view: PaperFilter,
    *,
    order_by: str = "added",
    descending: bool = False,
) -> list[int]:
    """Ids of the papers ``view`` selects, ordered in SQL (a reading list: its own order)."""
    if order_by not in SORTABLE and order_by != "list":
        raise UserError(f"cannot sort by {order_by!r}")
    where, params = _where(db, view)
    direction = "DESC" if descending else "ASC"
    if order_by == "list":
        if view.list_id is None:
            raise UserError("only a reading list has a manual order")
        sql = (
            "SELECT papers.id FROM papers JOIN list_items ON list_items.paper_id = papers.id "
            f"AND list_items.list_id = :list_id WHERE {where} "
            f"ORDER BY list_items.position {direction}, papers.id"
        )
    else:
        # Papers without a value come last in both directions, as in Zotero.
        missing = MISSING.get(order_by)
        first = f"({missing}) ASC, " if missing else ""
        sql = (
            f"SELECT id FROM papers WHERE {where} "
            f"ORDER BY {first}{SORTABLE[order_by]} {direction}, id"
        )
    return [row[0] for row in db.execute(sql, params)]


def smart_counts(db: sqlite_utils.Database) -> dict[SmartList, int]:
    """Every smart list's count in one pass over the papers (the sidebar asks after every
    change)."""
    order = list(_SMART_WHERE)
    sums = ", ".join(f"coalesce(sum({_SMART_WHERE[smart]}), 0)" for smart in order)
    row = db.execute(f"SELECT {sums} FROM papers", {"recent": _recent_cutoff()}).fetchone()
    return dict(zip(order, row, strict=True))


def save_search(db: sqlite_utils.Database, name: str, query: str) -> int:
    name = " ".join(name.split())
    if not name or not query.strip():
        raise UserError("a saved search needs a name and a query")
    if db.execute("SELECT 1 FROM saved_searches WHERE name = ?", [name]).fetchone():
        raise UserError(f"a saved search named {name!r} already exists")
    return db.execute(
        "INSERT INTO saved_searches (name, query) VALUES (?, ?)", [name, query.strip()]
    ).lastrowid


def find_saved_search(db: sqlite_utils.Database, name_or_id: str | int) -> int:
    text = str(name_or_id).strip()
    row = db.execute(
        "SELECT id FROM saved_searches WHERE name = ? OR CAST(id AS TEXT) = ?", [text, text]
    ).fetchone()
    if row is None:
        raise UserError(f"no saved search named {text!r}")
    return row[0]


def rename_saved_search(db: sqlite_utils.Database, search_id: int, name: str) -> None:
    name = " ".join(name.split())
    other = db.execute("SELECT id FROM saved_searches WHERE name = ?", [name]).fetchone()
    if not name or (other and other[0] != search_id):
        raise UserError(f"cannot rename the saved search to {name!r}")
    db.execute("UPDATE saved_searches SET name = ? WHERE id = ?", [name, search_id])


def delete_saved_search(db: sqlite_utils.Database, search_id: int) -> None:
    db.execute("DELETE FROM saved_searches WHERE id = ?", [search_id])


def saved_searches(db: sqlite_utils.Database) -> list[SavedSearch]:
    rows = db.execute("SELECT id, name, query FROM saved_searches ORDER BY name COLLATE NOCASE")
    return [SavedSearch(*row) for row in rows]


def statistics(db: sqlite_utils.Database, *, weeks: int = 12, top_tags: int = 10) -> dict:
    """Numbers for the statistics view: papers added and read per week (oldest week
    first, ISO weeks ending with the current one), the status breakdown, the top tags."""
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    starts = [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    labels = [start.isoformat() for start in starts]

    def per_week(column: str) -> list[int]:
        counts = [0] * weeks
        since = starts[0].isoformat()
        for (value,) in db.execute(
            f"SELECT {column} FROM papers WHERE deleted IS NULL AND {column} >= ?", [since]
        ):
            day = datetime.fromisoformat(value).date()
            index = (day - starts[0]).days // 7
            if 0 <= index < weeks:
                counts[index] += 1
        return counts

    statuses = dict.fromkeys(("unread", "reading", "read"), 0)
    for status, count in db.execute(
        "SELECT status, count(*) FROM papers WHERE deleted IS NULL GROUP BY status"
    ):
        statuses[status] = count
    tags = db.execute(
        "SELECT tags.name, count(*) AS n FROM paper_tags JOIN tags ON tags.id = tag_id "
        "JOIN papers ON papers.id = paper_id AND papers.deleted IS NULL "
        "GROUP BY tags.id ORDER BY n DESC, tags.folded LIMIT ?",
        [top_tags],
    ).fetchall()
    return {
        "weeks": labels,
        "added": per_week("added"),
        "read": per_week("read_date"),
        "status": statuses,
        "top_tags": [(name, count) for name, count in tags],
    }
