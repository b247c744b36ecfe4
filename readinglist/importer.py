"""Bring files into the library: one transaction per file, duplicates recognised.

A file is imported whole or not at all: an error or a cancel rolls its transaction back,
so a library never holds half a file. Records meet the library through ``RecordSink``,
which decides for each one: a new paper, a merge into a paper already there (a real title
for an inferred one, a missing code url), or a duplicate; which paper a record already is
decides ``readinglist.same_paper``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import sqlite_utils

from readinglist import citekeys, fingerprints
from readinglist.candidates import find_candidates
from readinglist.db import papers as paper_queries
from readinglist.db import tags
from readinglist.db.connection import write_transaction
from readinglist.errors import ImportCancelled, UserError
from readinglist.formats import textfile
from readinglist.formats.abstracts import read_abstracts
from readinglist.formats.bibtex_reader import read_bibtex, read_bibtex_lines
from readinglist.formats.detect import looks_like_bibtex
from readinglist.import_stage import (
    CANCEL_CHECK_EVERY,
    Cancel,
    pattern_key,
    staged,
    usable_entry_key,
)
from readinglist.models import FileReport, ParsedRecord, SkippedRecord, utc_now
from readinglist.same_paper import SamePaper, file_name, weak_fingerprint

log = logging.getLogger(__name__)

# The paper fields whose origin field_sources records.
SOURCED_FIELDS = frozenset(
    ["title", "abstract", "authors", "year", "venue", "url", "code_url", "arxiv_id", "doi", "key"]
)

Progress = Callable[[int, int, str], None]


def expand_paths(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Files as given, and the regular text files inside folders (recursively, hidden
    ones skipped); see ``readinglist.candidates`` for what a walk leaves out."""
    return iter(find_candidates(paths).files)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with textfile.open_regular(path) as handle:
        while chunk := handle.read(textfile.CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


class RecordSink:
    """Adds the records of one file to the library inside the caller's transaction."""

    def __init__(self, db: sqlite_utils.Database, report: FileReport, source: str, fmt: str):
        self.db = db
        self.report = report
        self.source = source
        self.source_name = file_name(source)
        self.format = fmt
        self.timestamp = utc_now()
        self.import_id = (
            db["imports"]
            .insert(
                {
                    "path": source,
                    "format": fmt,
                    "sha256": "",
                    "finished": "",
                    "added": 0,
                    "merged": 0,
                    "duplicates": 0,
                    "skipped": 0,
                }
            )
            .last_pk
        )
        self.formats_seen: set[str] = set()
        self.same_paper = SamePaper(db, self.import_id, self.source_name, fmt)
        self._key_pattern = citekeys.key_pattern(db)
        # (pattern, key) worked out for the record being added before the write
        # transaction began (see import_stage.staged); None: work it out here.
        self.prepared_key: tuple[str, str] | None = None
        self._has_field_sources = "field_sources" in db.table_names()

    def add(self, record: ParsedRecord) -> None:
        existing = self.same_paper.find(record)
        if existing is None:
            self.report.added_ids.append(self._insert(record))
            self.report.added += 1
        elif self._merge(existing, record):
            self.report.merged_ids.append(existing["id"])
            self.report.merged += 1
            if self.format == "bibtex" and file_name(existing["source_file"]) != self.source_name:
                self.report.completed += 1  # an entry for a paper that came from elsewhere
        else:
            self.report.duplicate_ids.append(existing["id"])
            self.report.duplicates += 1

    def finish(self, sha256: str) -> None:
        self.db["imports"].update(
            self.import_id,
            {
                "sha256": sha256,
                "finished": utc_now(),
                "added": self.report.added,
                "merged": self.report.merged,
                "duplicates": self.report.duplicates,
                "skipped": len(self.report.skipped),
            },
        )

    def _insert(self, record: ParsedRecord) -> int:
        key = self._key_for(record)
        weak = weak_fingerprint(record, self.format)  # of the record as read
        if not record.title.strip():
            # An entry without a title (a crossref child, a @set): shown by its key.
            record = replace(record, title=key, title_inferred=True)
        cursor = self.db.execute(
            "INSERT INTO papers (key, title, title_inferred, abstract, authors, year, venue, "
            "url, code_url, arxiv_id, doi, source_file, source_format, date_listed, added, "
            "modified, abstract_fingerprint, record_fingerprint, import_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                key,
                record.title,
                int(record.title_inferred),
                record.abstract,
                json.dumps(list(record.authors), ensure_ascii=False),
                record.year,
                record.venue,
                record.url,
                record.code_url,
                fingerprints.normalise_arxiv_id(record.arxiv_id),
                fingerprints.normalise_doi(record.doi),
                self.source,
                record.kind or self.format,
                record.date_listed,
                self.timestamp,
                self.timestamp,
                fingerprints.abstract_fingerprint(record.abstract),
                weak,
                self.import_id,
            ],
        )
        paper_id = cursor.lastrowid
        if record.citation_key and key == record.citation_key:
            citekeys.pin_keys(self.db, [paper_id])  # the author's own key, cited already
        self._add_tags(paper_id, record)
        if record.entry_type or record.extra_fields:
            self._insert_bibtex(paper_id, record)
        return paper_id

    def _add_tags(self, paper_id: int, record: ParsedRecord) -> None:
        """Keywords become tags; one that is no usable tag name is reported, not fatal."""
        usable = []
        for name in record.tags:
            try:
                tags.clean_name(name)
            except UserError:
                self.report.warnings.append(
                    f"line {record.line}: keyword {name!r} is not a usable tag name; left out"
                )
            else:
                usable.append(name)
        if usable:
            tags.add_tags(self.db, [paper_id], usable)

    def _key_for(self, record: ParsedRecord) -> str:
        """The entry's own key when it is usable and free; otherwise a new one, reported."""

        def taken(key: str) -> bool:
            return paper_queries.key_taken(self.db, key)

        wanted = record.citation_key
        # Any key BibTeX accepts is kept, numeric ones (JabRef's "1102917") included:
        # renaming it would break every \cite that uses it.
        usable = bool(wanted) and usable_entry_key(wanted)
        if usable and not taken(wanted):
            if wanted.isdigit() and paper_queries.paper_exists(self.db, int(wanted)):
                self.report.warnings.append(
                    f"line {record.line}: key {wanted!r} is kept; it is also another "
                    f"paper's id, which the command line reads first ({wanted!r} shows "
                    "that paper)"
                )
            return wanted
        prepared, self.prepared_key = self.prepared_key, None
        if prepared is not None and prepared[0] == self._key_pattern:
            base = prepared[1]
        else:
            base = pattern_key(self._key_pattern, record)
        key = citekeys.unique_key(base, taken)
        if wanted:
            why = "is already used by another paper" if usable else "is not a valid BibTeX key"
            self.report.warnings.append(
                f"line {record.line}: key {wanted!r} {why}; the entry was given {key!r}"
            )
        return key

    def _merge(self, existing: dict, record: ParsedRecord) -> bool:
        """Fill what the library lacks from the new record; True if anything changed.

        Only empty fields are filled, and never one the user set (even to nothing). A
        BibTeX entry also brings its key, when ours is still provisional, and the fields
        the library keeps for export (volume, pages, ...). A provisional key is remade when
        the title, authors or year arrive."""
        paper_id = existing["id"]
        user_fields = self._user_fields(paper_id)
        updates: dict = {}
        if existing["title_inferred"] and record.title and not record.title_inferred:
            # An inferred title gives way to a real one; a title the user edited is not
            # inferred any more, so it is never overwritten here.
            updates["title"] = record.title
            updates["title_inferred"] = 0
        for column in ("venue", "url", "code_url", "date_listed"):
            value = getattr(record, column)
            if value and not existing[column]:
                updates[column] = value
        if record.year and not existing["year"]:
            updates["year"] = record.year
        if record.authors and existing["authors"] == "[]":
            updates["authors"] = json.dumps(list(record.authors), ensure_ascii=False)
        for column, value in (
            ("arxiv_id", fingerprints.normalise_arxiv_id(record.arxiv_id)),
            ("doi", fingerprints.normalise_doi(record.doi)),
        ):
            if value and not existing[column]:
                updates[column] = value
        if record.abstract.strip() and not existing["abstract"].strip():
            updates["abstract"] = record.abstract
            updates["abstract_fingerprint"] = fingerprints.abstract_fingerprint(record.abstract)
        elif self._spaced_again(existing, record):
            updates["abstract"] = record.abstract  # the same text, with its spaces
        for name in user_fields & set(updates):
            del updates[name]
        if "title" not in updates:
            updates.pop("title_inferred", None)
        if "abstract" not in updates:
            updates.pop("abstract_fingerprint", None)
        entry_key = self._entry_key_for(existing, record)
        if entry_key:
            updates["key"] = entry_key
        had_tags = {
            row[0]
            for row in self.db.execute(
                "SELECT tag_id FROM paper_tags WHERE paper_id = ?", [paper_id]
            )
        }
        self._add_tags(paper_id, record)
        tags_changed = had_tags != {
            row[0]
            for row in self.db.execute(
                "SELECT tag_id FROM paper_tags WHERE paper_id = ?", [paper_id]
            )
        }
        extras_added = self._add_entry_extras(paper_id, record)
        if not updates:
            return tags_changed or extras_added
        updates["modified"] = utc_now()
        self.db["papers"].update(paper_id, updates)
        self._record_sources(paper_id, updates)
        if entry_key:
            citekeys.pin_keys(self.db, [paper_id])
        elif updates.keys() & {"title", "authors", "year"}:
            citekeys.regenerate_provisional_keys(self.db, [paper_id])
        return True

    def _spaced_again(self, existing: dict, record: ParsedRecord) -> bool:
        """The paper's abstract lost its spaces (pasted from a PDF) and the record has the
        same text with them; no highlight is anchored in the space-less text."""
        return (
            fingerprints.lost_spaces(existing["abstract"])
            and not fingerprints.lost_spaces(record.abstract)
            and existing["abstract_fingerprint"] is not None
            and fingerprints.abstract_fingerprint(record.abstract)
            == existing["abstract_fingerprint"]
            and self.db.execute(
                "SELECT 1 FROM highlights WHERE paper_id = ? LIMIT 1", [existing["id"]]
            ).fetchone()
            is None
        )

    def _entry_key_for(self, existing: dict, record: ParsedRecord) -> str:
        """The BibTeX entry's own key for the paper it completes, when the paper's key is
        still provisional and the entry's is usable and free; '' to keep ours."""
        wanted = record.citation_key
        if self.format != "bibtex" or not wanted or existing["key"] == wanted:
            return ""
        if not usable_entry_key(wanted):
            return ""
        if citekeys.is_pinned(self.db, existing["id"]):
            return ""  # ours has been cited: it stays
        owner = self.db.execute(
            "SELECT id FROM papers WHERE key = ? COLLATE NOCASE", [wanted]
        ).fetchone()
        if owner and owner[0] != existing["id"]:
            self.report.warnings.append(
                f"line {record.line}: key {wanted!r} is already used by another paper; "
                f"the paper it completes keeps {existing['key']!r}"
            )
            return ""
        return wanted

    def _add_entry_extras(self, paper_id: int, record: ParsedRecord) -> bool:
        """The entry's type and extra fields for a paper that has none yet."""
        if not (record.entry_type or record.extra_fields):
            return False
        if self.db.execute("SELECT 1 FROM paper_bibtex WHERE paper_id = ?", [paper_id]).fetchone():
            return False
        self._insert_bibtex(paper_id, record)
        return True

    def _insert_bibtex(self, paper_id: int, record: ParsedRecord) -> None:
        """The entry type and the fields without a column, written back on export."""
        self.db.execute(
            "INSERT INTO paper_bibtex (paper_id, entry_type, fields) VALUES (?, ?, ?)",
            [
                paper_id,
                record.entry_type,
                json.dumps([list(pair) for pair in record.extra_fields], ensure_ascii=False),
            ],
        )

    def _user_fields(self, paper_id: int) -> set[str]:
        """The fields the user set on this paper, which no import overwrites."""
        if not self._has_field_sources:
            return set()
        return {
            row[0]
            for row in self.db.execute(
                "SELECT field FROM field_sources WHERE paper_id = ? AND source = 'user'",
                [paper_id],
            )
        }

    def _record_sources(self, paper_id: int, updates: dict) -> None:
        """Remember where the filled fields came from: this BibTeX entry, or this file."""
        if not self._has_field_sources:
            return
        source = "bibtex" if self.format == "bibtex" else "file"
        for name in updates.keys() & SOURCED_FIELDS:
            self.db.execute(
                "DELETE FROM field_sources WHERE paper_id = ? AND field = ?", [paper_id, name]
            )
            self.db.execute(
                "INSERT INTO field_sources (paper_id, field, source) VALUES (?, ?, ?)",
                [paper_id, name, source],
            )


def import_file(
    db: sqlite_utils.Database,
    path: Path,
    *,
    progress: Callable[[int], None] | None = None,
    cancel: Cancel | None = None,
) -> FileReport:
    """Import one file in one transaction. Errors go into the report; cancel raises."""
    report = FileReport(path=str(path))
    try:
        info = textfile.sniff(path)
        if looks_like_bibtex(textfile.read_lines(path, info)):
            return _import_bibtex(db, path, info, report, cancel)
        report.warnings.extend(info.warnings)
        lines = textfile.read_lines(path, info, too_long=_too_long(report))
        with staged(db, read_abstracts(_counting(lines, progress)), cancel) as records:
            sha256 = file_sha256(path)
            with write_transaction(db):
                sink = RecordSink(db, report, str(path.resolve()), "abstracts")
                _consume(records, sink, report, cancel)
                report.format = _format_name(report, sink)
                db["imports"].update(sink.import_id, {"format": report.format})
                sink.finish(sha256)
    except (UserError, OSError, UnicodeError, sqlite3.OperationalError) as error:
        report.error = _describe(error)
        report.added_ids.clear()
        report.added = report.merged = report.duplicates = 0
        report.skipped.clear()
        return report
    if not (report.added or report.merged or report.duplicates):
        if report.skipped:
            report.warnings.append("no papers found: every paragraph was skipped")
        elif path.stat().st_size == 0 or not _has_text(path, info):
            report.warnings.append("the file is empty: no papers in it")
        else:
            report.warnings.append("no papers found in this file")
    return report


def _import_bibtex(
    db: sqlite_utils.Database,
    path: Path,
    info: textfile.TextInfo,
    report: FileReport,
    cancel: Cancel | None,
) -> FileReport:
    """A .bib file: every entry with a distinct key is a distinct paper."""
    lines = textfile.read_lines(path, info, too_long=_too_long(report))
    report.warnings.extend(info.warnings)
    with staged(db, read_bibtex_lines(lines), cancel) as records:
        sha256 = file_sha256(path)
        with write_transaction(db):
            sink = RecordSink(db, report, str(path.resolve()), "bibtex")
            _consume(records, sink, report, cancel)
            report.format = "bibtex"
            db["imports"].update(sink.import_id, {"format": "bibtex"})
            sink.finish(sha256)
    if not (report.added or report.merged or report.duplicates):
        report.warnings.append("no entries found in this BibTeX file")
    return report


def import_text(db: sqlite_utils.Database, text: str, *, name: str = "pasted text") -> FileReport:
    """Import abstracts or BibTeX from text in memory (a paste), in one transaction."""
    report = FileReport(path=name)
    lines = list(textfile.split_text_lines(text))
    bibtex = looks_like_bibtex(iter(lines))
    try:
        parsed = read_bibtex(text) if bibtex else read_abstracts(iter(lines))
        with staged(db, parsed, None) as records, write_transaction(db):
            sink = RecordSink(db, report, name, "bibtex" if bibtex else "pasted")
            _consume(records, sink, report, None)
            report.format = "bibtex" if bibtex else _format_name(report, sink)
            db["imports"].update(sink.import_id, {"format": report.format})
            sink.finish(hashlib.sha256(text.encode("utf-8")).hexdigest())
    except sqlite3.OperationalError as error:
        report.error = _describe(error)
        report.added_ids.clear()
        report.added = report.merged = report.duplicates = 0
        return report
    if not (report.added or report.merged or report.duplicates):
        report.warnings.append("no abstracts found in the pasted text")
    return report


def _consume(
    items: Iterator[tuple[ParsedRecord | SkippedRecord, tuple[str, str] | None]],
    sink: RecordSink,
    report: FileReport,
    cancel: Cancel | None,
) -> None:
    for count, (item, prepared_key) in enumerate(items, start=1):
        if isinstance(item, SkippedRecord):
            report.skipped.append(item)
        else:
            sink.prepared_key = prepared_key
            sink.add(item)
            sink.formats_seen.add(item.kind)
        if cancel is not None and count % CANCEL_CHECK_EVERY == 0 and cancel():
            raise ImportCancelled(str(report.path))
    report.skipped.sort(key=lambda skipped: skipped.line)  # lines too long come first


def _too_long(report: FileReport) -> textfile.TooLong:
    """Reports each line over the length limit: it is left out, never held whole."""

    def skip(number: int, length: int, head: str) -> None:
        report.skipped.append(
            SkippedRecord(
                number,
                f"a line of {length:,} characters, over the limit of "
                f"{textfile.MAX_LINE_CHARS:,}: left out",
                head[:200],
            )
        )

    return skip


def _counting(
    lines: Iterator[tuple[int, str]], progress: Callable[[int], None] | None
) -> Iterator[tuple[int, str]]:
    if progress is None:
        yield from lines
        return
    done = 0
    for number, line in lines:
        done += len(line) + 1
        if number % 2048 == 0:
            progress(done)
        yield number, line
    progress(done)


def _format_name(report: FileReport, sink: RecordSink) -> str:
    seen = sink.formats_seen
    if len(seen) == 1:
        return next(iter(seen))
    return "mixed" if seen else "abstracts"


def _has_text(path: Path, info: textfile.TextInfo) -> bool:
    return any(line.strip() for _, line in textfile.read_lines(path, info))


def _describe(error: Exception) -> str:
    if isinstance(error, UserError):
        return str(error)
    if isinstance(error, sqlite3.OperationalError):
        return f"the library could not be written, nothing was imported: {error}"
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, IsADirectoryError):
        return "is a folder"
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return f"cannot decode the text: {error}"
