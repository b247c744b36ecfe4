"""Export a scope of the library (chosen papers, a tag, everything) to a file, atomically.

A file is written to a temporary file in the same folder, flushed to disk and renamed over
the target, so a LaTeX build reading it never sees half a bibliography; when the content
is unchanged the file is not touched (its mtime stays, editors and latexmk stay quiet).
Only regular files (or new names in existing folders) are written: a device, a FIFO, a
socket or a folder is refused after a stat, never opened; a killed export's temporary
(``.NAME.readinglist-tmp-XXXXXXXX``) is removed by a later export to the same folder.
Auto-export bindings use the same path: ``refresh_binding`` after each change.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from readinglist.db import papers as paper_queries
from readinglist.errors import UserError
from readinglist.formats import csl, markdown, ris
from readinglist.formats.bibtex import BibExtras, to_bibtex
from readinglist.formats.textfile import file_kind
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
        paper_id: BibExtras(entry_type, _pairs(fields))
        for paper_id, entry_type, fields in db.execute(
            f"SELECT paper_id, entry_type, fields FROM {EXTRAS_TABLE}"
        )
    }


def _pairs(stored: str) -> tuple[tuple[str, str], ...]:
    """The (name, value) pairs of a stored JSON list; anything else in it is left out (a
    library may come from anyone)."""
    try:
        value = json.loads(stored or "[]")
    except (ValueError, RecursionError, TypeError):
        return ()
    if not isinstance(value, list):
        return ()
    return tuple(
        (pair[0], pair[1])
        for pair in value
        if isinstance(pair, list)
        and len(pair) == 2
        and isinstance(pair[0], str)
        and isinstance(pair[1], str)
    )


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
    UserError for a target that is not a regular file or whose folder is missing; OSError
    (full disk, no permission) reaches the caller; the old file is then intact."""
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


def write_atomically(path: Path, text: str, *, create_folders: bool = False) -> bool:
    """Replace ``path`` with ``text`` (UTF-8) unless it already holds exactly that.

    ``path`` must be a regular file, a symlink to one (the file it points to is
    replaced), or a new name in an existing folder (``create_folders`` makes missing
    folders); anything else (a device, a FIFO, a socket, a folder) raises UserError
    before anything is opened."""
    data = text.encode("utf-8")
    target = check_target(path, create_folders=create_folders)
    if create_folders:
        target.parent.mkdir(parents=True, exist_ok=True)
    _sweep_stale_temporaries(target.parent)
    if _holds(target, data):
        return False
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}{TEMP_MARK}", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        _keep_mode(target, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)
    return True


def check_target(path: str | os.PathLike, *, create_folders: bool = False) -> Path:
    """The file an export to ``path`` writes: ``path`` itself, or the regular file a
    symlink points to. Raises UserError for anything but a regular file or a new name
    in an existing folder. Only stat/lstat: a FIFO or a device is never opened."""
    path = Path(path)
    if not str(path).strip():
        raise UserError("no file to export to")
    try:
        status = os.stat(path)  # follows symlinks: a link to a device is a device
    except FileNotFoundError:
        status = None
    except NotADirectoryError:
        raise UserError(f"cannot export to {path}: a part of the path is not a folder") from None
    except OSError as error:
        raise UserError(f"cannot export to {path}: {error.strerror or error}") from error
    if status is not None:
        if not stat.S_ISREG(status.st_mode):
            raise UserError(
                f"cannot export to {path}: it is {file_kind(status.st_mode)}, not a regular file"
            )
        return Path(os.path.realpath(path)) if path.is_symlink() else path
    if path.is_symlink():
        raise UserError(f"cannot export to {path}: it is a symlink to nothing")
    folder = path.parent
    try:
        folder_status = os.stat(folder)
    except FileNotFoundError:
        if create_folders:
            return path
        raise UserError(f"cannot export to {path}: the folder {folder} does not exist") from None
    except OSError as error:
        raise UserError(f"cannot export to {path}: {error.strerror or error}") from error
    if not stat.S_ISDIR(folder_status.st_mode):
        raise UserError(f"cannot export to {path}: {folder} is not a folder")
    return path


def _holds(path: Path, data: bytes) -> bool:
    """True if the regular file ``path`` holds exactly ``data``. Reads at most
    len(data) + 1 bytes, and nothing unless the file is regular and of that size."""
    try:
        before = os.stat(path)
    except OSError:
        return False
    if not stat.S_ISREG(before.st_mode) or before.st_size != len(data):
        return False
    # O_NONBLOCK: should the name have become a FIFO since the stat, opening it must
    # not wait for a writer; fstat then tells it is not the file looked at.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return False
    try:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (
            before.st_dev,
            before.st_ino,
        ):
            return False
        chunks, remaining = [], len(data) + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks) == data
    except OSError:
        return False
    finally:
        os.close(descriptor)


# Temporaries are ".NAME.readinglist-tmp-XXXXXXXX" (mkstemp's 8 random characters), so a
# killed export's leftovers are recognisably ours; older versions wrote ".NAME.XXXXXXXX.tmp".
TEMP_MARK = ".readinglist-tmp-"
STALE_AFTER = 10 * 60  # seconds: older than any export still running
_OURS = re.compile(r"^\..+" + re.escape(TEMP_MARK) + r"[a-z0-9_]{8}$")
_swept: set[str] = set()


def _sweep_stale_temporaries(folder: Path) -> None:
    """Remove temporaries a killed export left in ``folder``: only our own names, only
    regular files (never through a symlink), only when older than STALE_AFTER. Once per
    folder and process: leftovers come from an earlier run."""
    key = os.path.abspath(folder)
    if key in _swept:
        return
    _swept.add(key)
    cutoff = time.time() - STALE_AFTER
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if not _OURS.match(entry.name):
                    continue
                try:
                    status = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(status.st_mode) and status.st_mtime < cutoff:
                        os.unlink(entry.path)
                        log.info("removed a stale export temporary %s", entry.path)
                except OSError:
                    continue
    except OSError:
        return


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
