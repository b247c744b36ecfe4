"""Keeping the search index in step with SQLite.

SQLite is the truth; the index is derived. Triggers record every paper whose index entry
falls behind in ``index_queue``, in the same transaction as the change, whichever program
made it. Before answering a search, the queue is drained into the index; an index that is
missing, damaged, from another version or from another library is rebuilt from SQLite.
Nothing the user wrote can be lost by the index.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator

import sqlite_utils

from readinglist.db import papers as paper_queries
from readinglist.db.connection import write_transaction
from readinglist.search import SearchDocument, document_from_paper


def library_id(db: sqlite_utils.Database) -> str:
    """A random id made when the library was created: an index belongs to one library."""
    return db.execute("SELECT value FROM library_info WHERE name = 'id'").fetchone()[0]


def index_stamp(db: sqlite_utils.Database) -> str:
    """What an index must carry to be in step with this database: the library's id and
    the token of the last rebuild or catch-up that this database recorded.

    The index lives outside the library folder, so the folder can be replaced under it
    (a restored copy, a synced folder): a database that did not record the index's last
    catch-up has a different token, and the index is rebuilt rather than trusted."""
    row = db.execute("SELECT value FROM library_info WHERE name = 'index_token'").fetchone()
    return f"{library_id(db)}:{row[0] if row else ''}"


def new_stamp(db: sqlite_utils.Database) -> tuple[str, str]:
    """(a fresh token, the stamp it makes) for an index about to change."""
    token = secrets.token_hex(8)
    return token, f"{library_id(db)}:{token}"


def record_caught_up(db: sqlite_utils.Database, up_to: int, token: str) -> None:
    """In one transaction: forget the queue entries the index now reflects and record its
    new token. Raises if the database cannot be written (a read-only library): the
    queue then stays, and the index keeps its old stamp."""
    with write_transaction(db):
        clear_queue(db, up_to)
        db.execute(
            "INSERT INTO library_info (name, value) VALUES ('index_token', ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            [token],
        )


def pending(db: sqlite_utils.Database, after: int = 0) -> tuple[int, list[int]]:
    """(the last queue entry, the distinct papers queued after ``after`` up to it)."""
    last = db.execute("SELECT ifnull(max(seq), 0) FROM index_queue").fetchone()[0]
    ids = [
        row[0]
        for row in db.execute(
            "SELECT DISTINCT paper_id FROM index_queue WHERE seq > ? AND seq <= ? "
            "ORDER BY paper_id",
            [after, last],
        )
    ]
    return last, ids


def pending_count(db: sqlite_utils.Database, after: int = 0) -> int:
    return db.execute(
        "SELECT count(DISTINCT paper_id) FROM index_queue WHERE seq > ?", [after]
    ).fetchone()[0]


def last_queued(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT ifnull(max(seq), 0) FROM index_queue").fetchone()[0]


def clear_queue(db: sqlite_utils.Database, up_to: int) -> None:
    """Forget queue entries the index now reflects (later ones stay for the next drain)."""
    db.execute("DELETE FROM index_queue WHERE seq <= ?", [up_to])


def _texts_by_paper(db: sqlite_utils.Database, sql: str, ids: list[int] | None) -> dict:
    result: dict[int, list[str]] = {}
    params: list = []
    if ids is not None:
        sql += f" WHERE paper_id IN ({','.join('?' * len(ids))})"
        params = ids
    for paper_id, text in db.execute(sql, params):
        result.setdefault(paper_id, []).append(text)
    return result


def documents(db: sqlite_utils.Database, ids: list[int] | None = None) -> Iterator[SearchDocument]:
    """Index documents for these papers (all papers outside the trash if ``ids`` is None).

    Papers in the trash yield nothing: the caller deletes them from the index.
    """
    chunks: Iterable[list[int] | None] = (
        [None] if ids is None else (ids[i : i + 500] for i in range(0, len(ids), 500))
    )
    for chunk in chunks:
        notes = _texts_by_paper(db, "SELECT paper_id, body FROM notes", chunk)
        comments = _texts_by_paper(
            db,
            "SELECT paper_id, comment FROM (SELECT * FROM highlights WHERE comment != '')",
            chunk,
        )
        lists = _texts_by_paper(
            db,
            "SELECT paper_id, name FROM (SELECT list_items.paper_id, lists.name FROM list_items "
            "JOIN lists ON lists.id = list_items.list_id)",
            chunk,
        )
        papers = (
            paper_queries.iter_papers(db)
            if chunk is None
            else paper_queries.papers_by_ids(db, chunk, include_trash=False)
        )
        for paper in papers:
            yield document_from_paper(
                paper,
                notes.get(paper.id, ()),
                comments.get(paper.id, ()),
                lists.get(paper.id, ()),
            )
