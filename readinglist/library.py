"""The one facade every caller uses: the command line, the window, scripts and tests.

Everything the window can do goes through ``Library``, so it works the same without Qt.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from readinglist import importer
from readinglist.db import open_database
from readinglist.db import papers as paper_queries
from readinglist.errors import ImportCancelled, LibraryError, PaperNotFound
from readinglist.models import FileReport, ImportReport, Paper
from readinglist.paths import DATABASE_NAME, default_library_dir

log = logging.getLogger(__name__)


class Library:
    """A library folder: ``library.sqlite3`` (the truth) plus derived data beside it."""

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = Path(folder) if folder is not None else default_library_dir()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise LibraryError(
                f"cannot create the library folder {self.folder}: {error}"
            ) from error
        self.db = open_database(self.folder / DATABASE_NAME)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # Reading

    def count(self) -> int:
        return paper_queries.count_papers(self.db)

    def papers(self, *, order_by: str = "id") -> list[Paper]:
        return list(paper_queries.iter_papers(self.db, order_by=order_by))

    def paper(self, id_or_key: int | str) -> Paper:
        """The paper with this id (a number) or citation key; PaperNotFound otherwise."""
        paper_id = self.resolve(id_or_key)
        paper = paper_queries.get_paper(self.db, paper_id)
        if paper is None:  # pragma: no cover - resolve() already checked
            raise PaperNotFound(f"no paper with id {paper_id}")
        return paper

    def resolve(self, id_or_key: int | str) -> int:
        """The id of the paper with this id or citation key (keys never are all digits)."""
        text = str(id_or_key).strip()
        if text.isdigit() and paper_queries.paper_exists(self.db, int(text)):
            return int(text)
        paper_id = paper_queries.id_for_key(self.db, text)
        if paper_id is None:
            raise PaperNotFound(f"no paper with id or key {text!r}")
        return paper_id

    # Importing

    def import_files(
        self,
        paths: Iterable[str | os.PathLike],
        *,
        progress: importer.Progress | None = None,
        cancel: importer.Cancel | None = None,
    ) -> ImportReport:
        """Import files and folders (recursively). Each file is one transaction.

        ``progress(done, total, path)`` is called with bytes read across all files;
        ``cancel()`` is polled and, when it returns True, the file being read is rolled
        back and the import stops (files finished before it stay imported).
        """
        files = list(importer.expand_paths(paths))
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
