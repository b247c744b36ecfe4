"""What the library remembers about lookups: field sources, and each paper's last lookup.

``field_sources`` (undoable with the edit that wrote it) says where a field's value came
from; a field without a row came with the paper's import ('bibtex' for a .bib, 'file'
otherwise). ``lookup_state`` is bookkeeping, not user data (like the search index's
queue): the last outcome, and for an ambiguous paper the candidates the user picks from.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, fields

import sqlite_utils

from readinglist.lookup.model import Candidate, Record
from readinglist.models import utc_now

log = logging.getLogger(__name__)

# The paper fields a lookup may fill, with their column and whether they are lists.
SOURCED_FIELDS = (
    "title",
    "authors",
    "year",
    "date",
    "arxiv_id",
    "arxiv_version",
    "primary_class",
    "doi",
    "venue",
    "url",
)
_RECORD_FIELDS = {f.name for f in fields(Record)}
_MAX_CANDIDATES = 20


def field_sources(db: sqlite_utils.Database, paper_id: int) -> dict[str, str]:
    """Field -> source for every field that has a value (or a recorded source)."""
    row = db.execute(
        "SELECT title, authors, year, venue, url, arxiv_id, doi, arxiv_version, "
        "primary_class, date, source_format, abstract, code_url FROM papers WHERE id = ?",
        [paper_id],
    ).fetchone()
    if row is None:
        return {}
    names = [
        "title",
        "authors",
        "year",
        "venue",
        "url",
        "arxiv_id",
        "doi",
        "arxiv_version",
        "primary_class",
        "date",
        "source_format",
        "abstract",
        "code_url",
    ]
    values = dict(zip(names, row, strict=True))
    origin = "bibtex" if values.pop("source_format") == "bibtex" else "file"
    result = {name: origin for name, value in values.items() if value not in (None, "", "[]")}
    for name, source in db.execute(
        "SELECT field, source FROM field_sources WHERE paper_id = ?", [paper_id]
    ):
        result[name] = source
    return result


def set_sources(
    db: sqlite_utils.Database, paper_id: int, names: Iterable[str], source: str
) -> None:
    for name in names:
        db.execute(
            "INSERT OR REPLACE INTO field_sources (paper_id, field, source) VALUES (?, ?, ?)",
            [paper_id, name, source],
        )


def user_fields(db: sqlite_utils.Database, paper_id: int) -> set[str]:
    return {
        row[0]
        for row in db.execute(
            "SELECT field FROM field_sources WHERE paper_id = ? AND source = 'user'", [paper_id]
        )
    }


def save_state(
    db: sqlite_utils.Database, paper_id: int, status: str, candidates: list[Candidate] = ()
) -> None:
    """Remember a lookup's outcome ('matched', 'ambiguous' or 'not_found')."""
    payload = json.dumps(
        [_candidate_json(c) for c in list(candidates)[:_MAX_CANDIDATES]], ensure_ascii=False
    )
    db.execute(
        "INSERT OR REPLACE INTO lookup_state (paper_id, status, checked, candidates) "
        "VALUES (?, ?, ?, ?)",
        [paper_id, status, utc_now(), payload],
    )


def state(db: sqlite_utils.Database, paper_id: int) -> str:
    row = db.execute("SELECT status FROM lookup_state WHERE paper_id = ?", [paper_id]).fetchone()
    return row[0] if row else ""


def stored_candidates(db: sqlite_utils.Database, paper_id: int) -> list[Candidate]:
    row = db.execute(
        "SELECT candidates FROM lookup_state WHERE paper_id = ? AND status = 'ambiguous'",
        [paper_id],
    ).fetchone()
    if row is None:
        return []
    try:
        data = json.loads(row[0])
    except (ValueError, RecursionError):  # the library may come from anyone
        return []
    candidates = []
    for item in data if isinstance(data, list) else []:
        candidate = _candidate_from_json(item)
        if candidate is not None:
            candidates.append(candidate)
    return candidates


def _candidate_json(candidate: Candidate) -> dict:
    return {
        "record": asdict(candidate.record),
        "score": candidate.score,
        "evidence": candidate.evidence,
    }


def _candidate_from_json(item: object) -> Candidate | None:
    """A stored candidate, checked field by field (a library folder can come from anyone)."""
    if not isinstance(item, dict) or not isinstance(item.get("record"), dict):
        return None
    raw = item["record"]
    if set(raw) != _RECORD_FIELDS:
        return None
    values = {}
    for name in _RECORD_FIELDS:
        value = raw[name]
        if name == "authors":
            if not (isinstance(value, list) and all(isinstance(a, str) for a in value)):
                return None
            value = tuple(value)
        elif name == "year":
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                return None
        elif not isinstance(value, str):
            return None
        values[name] = value
    score, evidence = item.get("score"), item.get("evidence")
    if not isinstance(score, int | float) or not isinstance(evidence, str):
        return None
    return Candidate(Record(**values), float(score), evidence)


def not_found_ids(db: sqlite_utils.Database) -> set[int]:
    return {
        row[0] for row in db.execute("SELECT paper_id FROM lookup_state WHERE status = 'not_found'")
    }
