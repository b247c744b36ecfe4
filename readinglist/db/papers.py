"""Queries on the papers table. Every function takes an open sqlite-utils Database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import sqlite_utils

from readinglist.models import Paper, PaperSummary, Status, authors_of

PAPER_COLUMNS = (
    "id, key, title, title_inferred, abstract, authors, year, venue, url, code_url, arxiv_id, "
    "doi, source_file, source_format, date_listed, added, modified, status, read_date, rating, "
    "arxiv_version, primary_class, date, priority"
)

SORTABLE = {
    "added": "added",
    "title": "title COLLATE NOCASE",
    "authors": "authors COLLATE NOCASE",
    "year": "year",
    "key": "key",
    "id": "id",
    "status": "status",
    "rating": "rating",
}


def row_to_paper(row: sqlite_utils.db.Row | dict, tags: list[str] | None = None) -> Paper:
    return Paper(
        id=row["id"],
        key=row["key"],
        title=row["title"],
        title_inferred=bool(row["title_inferred"]),
        abstract=row["abstract"],
        authors=authors_of(row["authors"]),
        year=row["year"],
        venue=row["venue"],
        url=row["url"],
        code_url=row["code_url"],
        arxiv_id=row["arxiv_id"],
        doi=row["doi"],
        source_file=row["source_file"],
        source_format=row["source_format"],
        date_listed=row["date_listed"],
        added=row["added"],
        modified=row["modified"],
        status=Status(row["status"]),
        read_date=row["read_date"],
        rating=row["rating"],
        tags=tags or [],
        arxiv_version=row["arxiv_version"],
        primary_class=row["primary_class"],
        date=row["date"],
        priority=row["priority"],
    )


def tags_by_paper(
    db: sqlite_utils.Database, ids: Iterable[int] | None = None
) -> dict[int, list[str]]:
    sql = (
        "SELECT paper_tags.paper_id, tags.name FROM paper_tags "
        "JOIN tags ON tags.id = paper_tags.tag_id"
    )
    params: list = []
    if ids is not None:
        ids = list(ids)
        sql += f" WHERE paper_tags.paper_id IN ({','.join('?' * len(ids))})"
        params = ids
    result: dict[int, list[str]] = {}
    for paper_id, name in db.execute(sql + " ORDER BY tags.name COLLATE NOCASE", params):
        result.setdefault(paper_id, []).append(name)
    return result


def iter_papers(
    db: sqlite_utils.Database, *, order_by: str = "id", include_trash: bool = False
) -> Iterator[Paper]:
    where = "" if include_trash else "WHERE deleted IS NULL"
    tags = tags_by_paper(db)
    cursor = db.execute(
        f"SELECT {PAPER_COLUMNS} FROM papers {where} ORDER BY {SORTABLE[order_by]}, id"
    )
    names = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        yield row_to_paper(row, tags.get(row["id"]))


def get_paper(db: sqlite_utils.Database, paper_id: int) -> Paper | None:
    rows = list(db.query(f"SELECT {PAPER_COLUMNS} FROM papers WHERE id = ?", [paper_id]))
    if not rows:
        return None
    return row_to_paper(rows[0], tags_by_paper(db, [paper_id]).get(paper_id))


def id_for_key(db: sqlite_utils.Database, key: str) -> int | None:
    if not _is_text(key):
        return None  # no key holds what is not Unicode text (bytes that were not UTF-8)
    row = db.execute("SELECT id FROM papers WHERE key = ? COLLATE NOCASE", [key]).fetchone()
    return row[0] if row else None


# SQLite's integers are 64-bit: a larger number cannot be any row's id.
MAX_ROW_ID = 2**63 - 1


def as_row_id(value: int | str) -> int | None:
    """The row id a user typed (ASCII digits, within SQLite's range), or None when the
    value cannot be an id ("12abc", "²", "99999999999999999999")."""
    if isinstance(value, int):
        return value if 0 <= value <= MAX_ROW_ID else None
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if number <= MAX_ROW_ID else None


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def paper_exists(db: sqlite_utils.Database, paper_id: int) -> bool:
    if as_row_id(paper_id) is None:
        return False
    return db.execute("SELECT 1 FROM papers WHERE id = ?", [paper_id]).fetchone() is not None


def key_taken(db: sqlite_utils.Database, key: str) -> bool:
    """Taken in any case: BibTeX treats ``Smith2020`` and ``smith2020`` as one key."""
    row = db.execute("SELECT 1 FROM papers WHERE key = ? COLLATE NOCASE", [key]).fetchone()
    return row is not None


def count_papers(db: sqlite_utils.Database, *, include_trash: bool = False) -> int:
    where = "" if include_trash else "WHERE deleted IS NULL"
    return db.execute(f"SELECT count(*) FROM papers {where}").fetchone()[0]


def papers_by_ids(
    db: sqlite_utils.Database, ids: list[int], *, include_trash: bool = True
) -> list[Paper]:
    """The papers with these ids, in the order given."""
    found: dict[int, Paper] = {}
    trash = "" if include_trash else " AND deleted IS NULL"
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        tags = tags_by_paper(db, chunk)
        sql = f"SELECT {PAPER_COLUMNS} FROM papers WHERE id IN ({marks}){trash}"
        for row in db.query(sql, chunk):
            found[row["id"]] = row_to_paper(row, tags.get(row["id"]))
    return [found[i] for i in ids if i in found]


def summaries(db: sqlite_utils.Database, ids: list[int]) -> dict[int, PaperSummary]:
    result: dict[int, PaperSummary] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        tags = tags_by_paper(db, chunk)
        rows = db.execute(
            "SELECT id, key, title, title_inferred, authors, year, status, rating, added, "
            f"deleted IS NOT NULL FROM papers WHERE id IN ({marks})",
            chunk,
        )
        for pid, key, title, inferred, authors, year, status, rating, added, deleted in rows:
            result[pid] = PaperSummary(
                id=pid,
                key=key,
                title=title,
                title_inferred=bool(inferred),
                authors=tuple(authors_of(authors)),
                year=year,
                status=Status(status),
                rating=rating,
                added=added,
                tags=tuple(tags.get(pid, ())),
                deleted=bool(deleted),
            )
    return result
