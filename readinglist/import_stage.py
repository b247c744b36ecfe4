"""An imported file, read and given keys before its write transaction begins.

Reading and parsing a big file takes seconds, and so does making keys from titles;
nothing needs the library for that. ``staged`` does it first, keeping the records in
this connection's temporary database, so the importer holds the library's write lock
only while its records meet the library.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator

import sqlite_utils

from readinglist import citekeys
from readinglist.errors import ImportCancelled, UserError
from readinglist.formats.bibtex import KEY_PATTERN as BIBTEX_KEY
from readinglist.models import ParsedRecord, SkippedRecord

CANCEL_CHECK_EVERY = 256
STAGE_BATCH = 500

Cancel = Callable[[], bool]


def usable_entry_key(key: str) -> bool:
    """A BibTeX entry's own key the library keeps: any key BibTeX and the exporter
    accept, all-digit JabRef keys included (see ``Library.resolve`` for how a number
    that is both an id and a key is read)."""
    return BIBTEX_KEY.fullmatch(key) is not None


@contextlib.contextmanager
def staged(
    db: sqlite_utils.Database,
    items: Iterable[ParsedRecord | SkippedRecord],
    cancel: Cancel | None,
) -> Iterator[Iterator[tuple[ParsedRecord | SkippedRecord, tuple[str, str] | None]]]:
    """Read a whole file before its write transaction begins; yields its records again,
    each with the key the key pattern gives it (or None).

    Reading and parsing a big file takes seconds, and so does making keys from titles;
    nothing needs the library for that: the write lock is then held only while the
    records meet the library, so the window and other commands wait less (a 20,000-paper
    listing: see ``BUSY_TIMEOUT_MS``). The records wait in a table of this connection's
    temporary database, which no other connection sees or locks and which SQLite keeps on
    disk: memory stays bounded however big the file is. The file stays one transaction:
    whole or nothing."""
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS import_stage (seq INTEGER PRIMARY KEY, "
        "skipped INTEGER NOT NULL, fields TEXT NOT NULL, pattern_key TEXT)"
    )
    pattern = citekeys.key_pattern(db)
    try:
        db.execute("DELETE FROM temp.import_stage")
        batch: list[tuple] = []
        for count, item in enumerate(items, start=1):
            fields = json.dumps(_record_fields(item), ensure_ascii=False)
            skipped = isinstance(item, SkippedRecord)
            key = None if skipped else _prepared_key(pattern, item)
            batch.append((count, skipped, fields, key))
            if len(batch) == STAGE_BATCH:
                _stage_batch(db, batch)
            if cancel is not None and count % CANCEL_CHECK_EVERY == 0 and cancel():
                raise ImportCancelled("cancelled while reading")
        _stage_batch(db, batch)
        yield _unstaged(db, pattern)
    finally:
        with contextlib.suppress(sqlite3.Error):  # never hide why the import stopped
            db.execute("DELETE FROM temp.import_stage")


def pattern_key(pattern: str, record: ParsedRecord) -> str:
    """The key ``pattern`` makes for a record, before collisions are resolved."""
    return citekeys.make_key(
        pattern,
        title=citekeys.key_title(
            record.title or record.citation_key,
            inferred=record.title_inferred,
            abstract=record.abstract,
        ),
        authors=record.authors,
        year=record.year,
    )


def _prepared_key(pattern: str, record: ParsedRecord) -> str | None:
    """The pattern's key for a record that will need one: not for an entry that brings
    its own usable key (it keeps it, unless another paper has it already)."""
    if record.citation_key and usable_entry_key(record.citation_key):
        return None
    try:
        return pattern_key(pattern, record)
    except UserError:
        return None  # a pattern this version refuses: the sink says so, as before


def _stage_batch(db: sqlite_utils.Database, batch: list) -> None:
    insert = "INSERT INTO temp.import_stage VALUES (?, ?, ?, ?)"
    if db.conn.in_transaction:  # the caller's transaction: part of it
        db.conn.executemany(insert, batch)
    else:
        # Only the temporary database is written: this transaction takes no lock on the
        # library, and one commit per batch is cheaper than one per record.
        db.execute("BEGIN")
        try:
            db.conn.executemany(insert, batch)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    batch.clear()


def _unstaged(
    db: sqlite_utils.Database, pattern: str
) -> Iterator[tuple[ParsedRecord | SkippedRecord, tuple[str, str] | None]]:
    last = 0
    while True:
        rows = db.execute(
            "SELECT seq, skipped, fields, pattern_key FROM temp.import_stage WHERE seq > ? "
            "ORDER BY seq LIMIT ?",
            [last, STAGE_BATCH],
        ).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        for _, skipped, fields, key in rows:
            kind = SkippedRecord if skipped else ParsedRecord
            item = kind(**{name: _tuples(value) for name, value in json.loads(fields).items()})
            yield item, (pattern, key) if key is not None else None


def _record_fields(item: ParsedRecord | SkippedRecord) -> dict:
    return {field.name: getattr(item, field.name) for field in dataclasses.fields(item)}


def _tuples(value):
    """JSON brings tuples back as lists; records hold tuples (authors, tags, pairs)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value
