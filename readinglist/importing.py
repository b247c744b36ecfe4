"""``Library``'s imports: files and folders (each file one transaction, all of them one
undoable step), pasted text, and what a walk of folders would read."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from readinglist import importer
from readinglist.candidates import Candidates, find_candidates
from readinglist.db import lists, tags
from readinglist.db.connection import write_transaction
from readinglist.errors import ImportCancelled, TooManyFiles
from readinglist.models import Changes, FileReport, ImportReport

log = logging.getLogger(__name__)


class ImportMixin:
    """Imports (a part of ``Library``: it uses its database, undo log, sync state,
    ``find_list`` and ``_done``)."""

    def import_files(
        self,
        paths: Iterable[str | os.PathLike],
        *,
        progress: importer.Progress | None = None,
        cancel: importer.Cancel | None = None,
        max_files: int | None = None,
        into_list: str | int | None = None,
        into_tag: str | None = None,
    ) -> ImportReport:
        """Import files and folders (recursively). Each file is one transaction.
        ``into_list`` / ``into_tag``: the papers read (added, merged or already there) also
        go into this reading list or get this tag, in the same undoable step (a drop on
        the sidebar).

        ``progress(done, total, path)`` is called with bytes read across all files (and
        with ``(files found, 0, folder)`` while folders are walked); ``cancel()`` is
        polled and, when it returns True, the file being read is rolled back and the
        import stops (files finished before it stay imported). Only regular files are
        read from folders: what a walk left out is in ``report.skipped_files``. With
        ``max_files``, more files than that raise TooManyFiles before any is read.
        """
        self.sync.check_writable()
        paths = list(paths)
        try:
            found = self.import_candidates(paths, cancel=cancel, limit=max_files, progress=progress)
        except ImportCancelled:
            return ImportReport(cancelled=True)
        if not found.complete:
            where = Path(paths[0]).name or str(paths[0]) if len(paths) == 1 else "these folders"
            raise TooManyFiles(
                f"{where} holds more than {max_files:,} files to import",
                found=len(found.files),
                limit=max_files or 0,
            )
        label = f"Import {Path(paths[0]).name}" if len(paths) == 1 else f"Import {len(paths)} items"
        list_id = self.find_list(into_list) if into_list is not None else None
        with self.undo_log.long_step(label):
            report = self._import(found.files, progress, cancel)
            read = report.added_ids + [
                i for f in report.files for i in f.merged_ids + f.duplicate_ids
            ]
            if read and (list_id is not None or into_tag):
                with write_transaction(self.db):
                    if list_id is not None:
                        lists.add_papers(self.db, list_id, read)
                    if into_tag:
                        tags.add_tags(self.db, read, [into_tag])
        report.skipped_files = found.skipped
        self._done(
            Changes(
                added=frozenset(report.added_ids),
                modified=frozenset(i for f in report.files for i in f.merged_ids),
            )
        )
        return report

    def import_text(self, text: str, *, name: str = "pasted text") -> ImportReport:
        """Import abstracts from text (a paste): one transaction, one undoable step."""
        self.sync.check_writable()
        with self.undo_log.long_step("Paste abstracts"):
            file_report = importer.import_text(self.db, text, name=name)
        self._done(Changes(added=frozenset(file_report.added_ids)))
        return ImportReport(files=[file_report])

    def import_candidates(
        self,
        paths: Iterable[str | os.PathLike],
        *,
        cancel: importer.Cancel | None = None,
        limit: int | None = None,
        progress: importer.Progress | None = None,
    ) -> Candidates:
        """The files ``import_files(paths)`` would read, and what it would leave out and
        why; nothing is read. The walk stops past ``limit`` files (``complete`` is then
        False) and raises ImportCancelled when ``cancel()`` says so."""
        walking = None
        if progress is not None:

            def walking(found: int, folder: str) -> None:
                progress(found, 0, folder)

        return find_candidates(paths, cancel=cancel, limit=limit, walking=walking)

    def _import(self, files: list[Path], progress, cancel) -> ImportReport:
        sizes = [_size(path) for path in files]
        total = sum(sizes)
        report = ImportReport()
        done_before = 0
        for path, size in zip(files, sizes, strict=True):
            if cancel is not None and cancel():
                report.cancelled = True
                break

            def file_progress(done: int, path=path, size=size, base=done_before) -> None:
                if progress is not None:
                    progress(base + min(done, size), total, str(path))

            try:
                file_report = importer.import_file(
                    self.db, path, progress=file_progress, cancel=cancel
                )
            except ImportCancelled:
                report.cancelled = True
                break
            except Exception:  # a bug: keep going with the other files, log the traceback
                log.exception("importing %s failed", path)
                file_report = FileReport(
                    path=str(path), error="internal error while importing (see the log)"
                )
            report.files.append(file_report)
            done_before += size
            if progress is not None:
                progress(done_before, total, str(path))
        return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
