"""Keeping the search index in step with SQLite.

SQLite is the truth; the index is derived. A *generation* number in the ``settings``
table is bumped in the same transaction as (or before) every write the index follows, and
the index records the generation it reflects. When the two differ (a crash between the
database commit and the index update, another program's write, a damaged index) the
index is rebuilt from SQLite, and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import sqlite_utils

from readinglist.db import papers as paper_queries
from readinglist.search import SearchDocument, document_from_paper

GENERATION = "index_generation"


def current_generation(db: sqlite_utils.Database) -> str:
    row = db.execute("SELECT value FROM settings WHERE name = ?", [GENERATION]).fetchone()
    return row[0] if row else "0"


def bump_generation(db: sqlite_utils.Database) -> str:
    db.execute(
        "INSERT INTO settings (name, value) VALUES (?, '1') ON CONFLICT(name) DO UPDATE "
        "SET value = CAST(value AS INTEGER) + 1",
        [GENERATION],
    )
    return current_generation(db)


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
