"""Export a scope of the library (chosen papers, a tag, everything) to a file, atomically.

A file is written to a temporary file in the same folder, flushed to disk and renamed over
the target, so a LaTeX build reading it never sees half a bibliography; when the content
is unchanged the file is not touched (its mtime stays, editors and latexmk stay quiet).
Auto-export bindings use the same path: ``refresh_binding`` after each change.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from readinglist.db import papers as paper_queries
from readinglist.formats import csl, markdown, ris
from readinglist.formats.bibtex import BibExtras, to_bibtex
from readinglist.models import Paper

log = logging.getLogger(__name__)

FORMATS = ("bibtex", "biblatex", "csljson", "ris", "markdown")
EXTRAS_TABLE = "paper_bibtex"


@dataclass(frozen=True, slots=True)
class Binding:
    """An auto-export: a scope ("library", "tag" or "ids"), its value, a file and a format."""

    path: str
    scope: str = "library"
    value: str = ""
    format: str = "bibtex"


def select_papers(
    db: sqlite_utils.Database, *, ids: Iterable[int] | None = None, tag: str | None = None
) -> list[Paper]:
    """Papers of a scope, not in the trash: the given ids, those tagged ``tag`` (case
    does not matter), or the whole library when neither is given."""
    papers = paper_queries.iter_papers(db)
    if ids is not None:
        wanted = set(ids)
        return [paper for paper in papers if paper.id in wanted]
    if tag is not None:
        folded = tag.casefold()
        return [paper for paper in papers if folded in {t.casefold() for t in paper.tags}]
    return list(papers)


def load_extras(db: sqlite_utils.Database) -> dict[int, BibExtras]:
    """What BibTeX imports preserved, when the library has the table for it."""
    if EXTRAS_TABLE not in db.table_names():
        return {}
    return {
        paper_id: BibExtras(entry_type, tuple(tuple(pair) for pair in json.loads(fields)))
        for paper_id, entry_type, fields in db.execute(
            f"SELECT paper_id, entry_type, fields FROM {EXTRAS_TABLE}"
        )
    }


def render(
    papers: Sequence[Paper],
    fmt: str,
    *,
    include_abstract: bool = True,
    include_notes: bool = False,
    notes_by_paper: Mapping[int, Sequence[str]] | None = None,
    extras_by_paper: Mapping[int, BibExtras] | None = None,
    statuses: bool = True,
) -> str:
    """The text of ``papers`` in ``fmt`` (one of FORMATS)."""
    if fmt in ("bibtex", "biblatex"):
        return to_bibtex(
            papers,
            dialect=fmt,
            include_abstract=include_abstract,
            include_notes=include_notes,
            notes_by_paper=notes_by_paper,
            extras_by_paper=extras_by_paper,
        )
    if fmt == "csljson":
        return csl.to_csl_json(papers, include_abstract=include_abstract)
    if fmt == "ris":
        return ris.to_ris(papers, include_abstract=include_abstract)
    if fmt == "markdown":
        return markdown.to_markdown(
            papers, notes_by_paper=notes_by_paper if include_notes else None, statuses=statuses
        )
    raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")


def export_to_file(
    db: sqlite_utils.Database,
    path: str | os.PathLike,
    *,
    fmt: str = "bibtex",
    ids: Iterable[int] | None = None,
    tag: str | None = None,
    include_abstract: bool = True,
    include_notes: bool = False,
    notes_by_paper: Mapping[int, Sequence[str]] | None = None,
) -> bool:
    """Write a scope to ``path``; True if the file changed, False if it already said this.
    OSError (full disk, no permission) reaches the caller; the old file is then intact."""
    papers = select_papers(db, ids=ids, tag=tag)
    text = render(
        papers,
        fmt,
        include_abstract=include_abstract,
        include_notes=include_notes,
        notes_by_paper=notes_by_paper,
        extras_by_paper=load_extras(db) if fmt in ("bibtex", "biblatex") else None,
    )
    return write_atomically(Path(path), text)


def refresh_binding(db: sqlite_utils.Database, binding: Binding, **options) -> bool:
    """Rewrite an auto-export file after a change; True if its content changed."""
    scope: dict = {}
    if binding.scope == "tag":
        scope["tag"] = binding.value
    elif binding.scope == "ids":
        scope["ids"] = [int(part) for part in binding.value.split(",") if part.strip()]
    elif binding.scope != "library":
        raise ValueError(f"unknown auto-export scope {binding.scope!r}")
    return export_to_file(db, binding.path, fmt=binding.format, **scope, **options)


def write_atomically(path: Path, text: str) -> bool:
    """Replace ``path`` with ``text`` (UTF-8) unless it already holds exactly that."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass  # missing or unreadable: write it
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        _keep_mode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)
    return True


def _keep_mode(path: Path, temporary: str) -> None:
    """mkstemp makes a private file; an export replacing a file keeps that file's mode."""
    try:
        os.chmod(temporary, path.stat().st_mode & 0o777)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder entry is on disk (POSIX; no-op elsewhere).
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        log.debug("could not sync folder %s", folder)
    finally:
        os.close(descriptor)
