"""Changes to papers themselves: reading status, rating, priority, metadata, key, trash."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import sqlite_utils

from readinglist import citekeys, fingerprints
from readinglist.db.notes import reanchor
from readinglist.errors import UserError
from readinglist.models import Priority, Status, utc_now

EDITABLE_FIELDS = (
    "title",
    "abstract",
    "authors",
    "year",
    "venue",
    "url",
    "code_url",
    "arxiv_id",
    "doi",
)
KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_:.\-+/]*$")
# Links and identifiers are copied into every export as they are: a tab, a line break or
# another control character in one has no meaning and could end a BibTeX entry or a RIS
# record, so an edit refuses it (ends are still stripped).
LINK_FIELDS = ("url", "code_url", "doi")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _update_many(
    db: sqlite_utils.Database, paper_ids: Iterable[int], assignments: str, params: list
) -> set[int]:
    ids = list(dict.fromkeys(paper_ids))
    changed: set[int] = set()
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        marks = ",".join("?" * len(chunk))
        cursor = db.execute(
            f"UPDATE papers SET {assignments}, modified = ? WHERE id IN ({marks}) RETURNING id",
            [*params, utc_now(), *chunk],
        )
        changed.update(row[0] for row in cursor.fetchall())
    return changed


def set_status(db: sqlite_utils.Database, paper_ids: Iterable[int], status: Status) -> set[int]:
    status = Status(status)
    read_date = utc_now() if status is Status.READ else None
    return _update_many(
        db,
        _ids_where(db, paper_ids, "status != ?", [str(status)]),
        "status = ?, read_date = ?",
        [str(status), read_date],
    )


def set_rating(db: sqlite_utils.Database, paper_ids: Iterable[int], rating: int) -> set[int]:
    if not 0 <= int(rating) <= 5:
        raise UserError("a rating goes from 0 (none) to 5")
    return _update_many(
        db, _ids_where(db, paper_ids, "rating != ?", [int(rating)]), "rating = ?", [int(rating)]
    )


def set_priority(
    db: sqlite_utils.Database, paper_ids: Iterable[int], priority: Priority
) -> set[int]:
    value = int(Priority(priority))
    return _update_many(
        db, _ids_where(db, paper_ids, "priority != ?", [value]), "priority = ?", [value]
    )


def _ids_where(
    db: sqlite_utils.Database, paper_ids: Iterable[int], condition: str, params: list
) -> list[int]:
    ids = list(dict.fromkeys(paper_ids))
    result: list[int] = []
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        marks = ",".join("?" * len(chunk))
        result.extend(
            row[0]
            for row in db.execute(
                f"SELECT id FROM papers WHERE id IN ({marks}) AND {condition}", [*chunk, *params]
            )
        )
    return result


def edit_paper(db: sqlite_utils.Database, paper_id: int, fields: dict) -> bool:
    """Edit metadata. Editing the title makes it the user's (no longer inferred)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise UserError(f"cannot edit {', '.join(sorted(unknown))}")
    current = next(db.query("SELECT * FROM papers WHERE id = ?", [paper_id]))
    updates: dict = {}
    for name, value in fields.items():
        value = _normalise_field(name, value)
        if value != current[name]:
            updates[name] = value
    if "title" in fields:
        if not str(fields["title"]).strip():
            raise UserError("the title cannot be empty")
        if current["title_inferred"]:
            updates["title_inferred"] = 0
    if "abstract" in updates:
        updates["abstract_fingerprint"] = fingerprints.abstract_fingerprint(updates["abstract"])
        reanchor(db, paper_id, updates["abstract"])
    if not updates:
        return False
    updates["modified"] = utc_now()
    db["papers"].update(paper_id, updates)
    # Confirming an inferred title (even unchanged) makes it the user's too.
    edited = {"title" if name == "title_inferred" else name for name in updates}
    mark_user_fields(db, paper_id, edited & set(EDITABLE_FIELDS))
    return True


def mark_user_fields(db: sqlite_utils.Database, paper_id: int, names: Iterable[str]) -> None:
    """What the user typed is theirs: a metadata lookup never overwrites it."""
    for name in names:
        db.execute(
            "INSERT OR REPLACE INTO field_sources (paper_id, field, source) VALUES (?, ?, 'user')",
            [paper_id, name],
        )


def _normalise_field(name: str, value):
    if name in LINK_FIELDS and value and _CONTROL.search(str(value).strip()):
        label = {"code_url": "code URL", "doi": "DOI"}.get(name, "URL")
        shown = repr(str(value).strip()[:80])
        raise UserError(
            f"the {label} {shown} holds a tab, line break or other control character: "
            "give it on one line, without them"
        )
    if name == "authors":
        authors = [" ".join(a.split()) for a in (value or []) if a and a.strip()]
        return json.dumps(authors, ensure_ascii=False)
    if name == "year":
        if value in (None, ""):
            return None
        try:
            year = int(value)
        except (TypeError, ValueError):
            raise UserError(f"not a year: {value!r}") from None
        if not 1000 <= year <= 2999:
            raise UserError(f"not a plausible year: {year}")
        return year
    if name == "arxiv_id" and value:
        normal = fingerprints.normalise_arxiv_id(value)
        if not normal:
            raise UserError(f"not an arXiv id: {value!r}")
        return normal
    if name == "doi" and value:
        normal = fingerprints.normalise_doi(value)
        if not normal:
            raise UserError(f"not a DOI: {value!r}")
        return normal
    return (value or "").strip() if name != "abstract" else (value or "")


def set_key(db: sqlite_utils.Database, paper_id: int, key: str, *, pin: bool = True) -> bool:
    """Give the paper this key; a key the user chose is pinned (``pin``): the key pattern
    never remakes it. True if the key changed."""
    key = key.strip()
    if not KEY_PATTERN.match(key) or not key.isascii():
        raise UserError(
            f"not a usable citation key: {key!r} (ASCII letters, digits and _:.-+/, "
            "starting with a letter)"
        )
    owner = db.execute("SELECT id FROM papers WHERE key = ? COLLATE NOCASE", [key]).fetchone()
    if owner and owner[0] != paper_id:
        raise UserError(f"the citation key {key!r} is already used by paper {owner[0]}")
    current = db.execute("SELECT key FROM papers WHERE id = ?", [paper_id]).fetchone()[0]
    if current != key:
        db.execute(
            "UPDATE papers SET key = ?, modified = ? WHERE id = ?", [key, utc_now(), paper_id]
        )
    if pin:
        citekeys.pin_keys(db, [paper_id])
    return current != key


def trash(db: sqlite_utils.Database, paper_ids: Iterable[int]) -> set[int]:
    ids = _ids_where(db, paper_ids, "deleted IS NULL", [])
    return _update_many(db, ids, "deleted = ?", [utc_now()])


def restore(db: sqlite_utils.Database, paper_ids: Iterable[int]) -> set[int]:
    ids = _ids_where(db, paper_ids, "deleted IS NOT NULL", [])
    return _update_many(db, ids, "deleted = NULL", []) if ids else set()


def empty_trash(db: sqlite_utils.Database) -> set[int]:
    """Destroy the papers in the trash (with their notes, highlights, tags and list places)."""
    ids = [row[0] for row in db.execute("SELECT id FROM papers WHERE deleted IS NOT NULL")]
    for table in ("notes", "highlights", "paper_tags", "list_items", "field_sources"):
        db.execute(
            f"DELETE FROM {table} WHERE paper_id IN "
            "(SELECT id FROM papers WHERE deleted IS NOT NULL)"
        )
    db.execute("DELETE FROM papers WHERE deleted IS NOT NULL")
    return set(ids)
