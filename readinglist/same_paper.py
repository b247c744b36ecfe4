"""Which paper already in the library an imported record is, if any.

Two different papers are never merged: a record is the same paper only on strong
evidence (the same arXiv id, DOI or full abstract), or when it is the same record of a
file of the same name imported before. Boilerplate proves nothing: hundreds of papers
titled "Editorial" or with the abstract "Not Available" stay apart, and distinct keys
in one ``.bib`` are distinct entries.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import sqlite_utils

from readinglist import fingerprints
from readinglist.models import ParsedRecord


def file_name(path: str) -> str:
    """The file name, compared in NFC: macOS hands out NFD names for the same file."""
    return unicodedata.normalize("NFC", Path(path).name)


def weak_fingerprint(record: ParsedRecord, fmt: str) -> str:
    """The record as read (title, and key for BibTeX, with the abstract): how the same
    record is known again in a later import of the same file, not evidence of identity."""
    title = f"{record.citation_key}\x1f{record.title}" if fmt == "bibtex" else record.title
    return fingerprints.record_fingerprint(title, record.abstract)


class SamePaper:
    """Finds, for the records of one import, the papers they already are."""

    def __init__(self, db: sqlite_utils.Database, import_id: int, source_name: str, fmt: str):
        self.db = db
        self.import_id = import_id
        self.source_name = source_name
        self.format = fmt
        self._weak_seen: Counter[str] = Counter()
        self._matched: set[int] = set()  # papers an entry of this file already matched
        self._titles: dict[str, list[int]] | None = None  # title fingerprint -> ids, lazily

    def find(self, record: ParsedRecord) -> dict | None:
        """The paper already in the library that ``record`` is, or None."""
        if self.format == "bibtex":
            return self._find_existing_entry(record)
        arxiv_id = fingerprints.normalise_arxiv_id(record.arxiv_id)
        doi = fingerprints.normalise_doi(record.doi)
        for column, value in (("arxiv_id", arxiv_id), ("doi", doi)):
            if value:
                found = self._first(f"{column} = ?", [value])
                if found:
                    return found
        strong = fingerprints.abstract_fingerprint(record.abstract)
        if strong:
            return self._first("abstract_fingerprint = ?", [strong])
        # Short or boilerplate abstracts prove nothing: only a re-import of the same file
        # (same name, same title and abstract, same occurrence) counts as the same paper.
        return self._same_occurrence_in_earlier_import(record)

    def _same_occurrence_in_earlier_import(self, record: ParsedRecord) -> dict | None:
        """The paper that the same record, at the same occurrence, became when a file of
        the same name was imported before: how a re-import is recognised without
        evidence of identity."""
        weak = weak_fingerprint(record, self.format)
        occurrence = self._weak_seen[weak]
        self._weak_seen[weak] += 1
        earlier = [
            row
            for row in self.db.query(
                "SELECT * FROM papers WHERE record_fingerprint = ? AND deleted IS NULL "
                "AND import_id IS NOT ? ORDER BY id",
                [weak, self.import_id],
            )
            if file_name(row["source_file"]) == self.source_name
        ]
        return earlier[occurrence] if occurrence < len(earlier) else None

    def _find_existing_entry(self, record: ParsedRecord) -> dict | None:
        """For BibTeX: distinct keys in one file are distinct entries, so only papers from
        before this import can match, and none twice. A re-import of the same file is
        recognised first (so a preprint and its published version, sharing an eprint,
        each find themselves); then the same arXiv id, DOI or full abstract."""
        found = self._same_occurrence_in_earlier_import(record)
        if found is None and record.citation_key:
            # The same key from a file of the same name: the entry, edited since.
            candidate = self._first(
                "key = ? COLLATE NOCASE AND import_id IS NOT ?",
                [record.citation_key, self.import_id],
            )
            if candidate and file_name(candidate["source_file"]) == self.source_name:
                found = candidate
        for column, value in (
            ("arxiv_id", fingerprints.normalise_arxiv_id(record.arxiv_id)),
            ("doi", fingerprints.normalise_doi(record.doi)),
            ("abstract_fingerprint", fingerprints.abstract_fingerprint(record.abstract)),
        ):
            if found is None and value:
                found = self._first(f"{column} = ? AND import_id IS NOT ?", [value, self.import_id])
        if found is None:
            found = self._same_title(record)
        if found is not None and found["id"] in self._matched:
            return None  # already the match of another entry of this file: keep both
        if found is not None:
            self._matched.add(found["id"])
        return found

    def _same_title(self, record: ParsedRecord) -> dict | None:
        """The one paper from before this import with the entry's title, when the title is
        specific (not "Editorial"), no other paper has it, and nothing contradicts it: not
        an abstract that tells another story, not another arXiv id or DOI."""
        wanted = fingerprints.title_fingerprint(record.title)
        if wanted is None:
            return None
        if self._titles is None:
            self._titles = {}
            for paper_id, title in self.db.execute(
                "SELECT id, title FROM papers WHERE deleted IS NULL AND title_inferred = 0 "
                "AND import_id IS NOT ?",
                [self.import_id],
            ):
                fingerprint = fingerprints.title_fingerprint(title)
                if fingerprint:
                    self._titles.setdefault(fingerprint, []).append(paper_id)
        ids = [i for i in self._titles.get(wanted, []) if i not in self._matched]
        if len(ids) != 1:
            return None  # none, or several papers of that title: which one is unknowable
        found = self._first("id = ?", ids)
        if found is None or not fingerprints.abstracts_agree(found["abstract"], record.abstract):
            return None
        for column, value in (
            ("arxiv_id", fingerprints.normalise_arxiv_id(record.arxiv_id)),
            ("doi", fingerprints.normalise_doi(record.doi)),
        ):
            if value and found[column] and found[column] != value:
                return None
        return found

    def _first(self, where: str, params: list) -> dict | None:
        rows = list(
            self.db.query(
                f"SELECT * FROM papers WHERE {where} AND deleted IS NULL ORDER BY id LIMIT 1",
                params,
            )
        )
        return rows[0] if rows else None
