"""Plain data: the values that travel between the layers. No I/O, no Qt."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Status(StrEnum):
    UNREAD = "unread"
    READING = "reading"
    READ = "read"


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    """One paper as a reader found it in a file, before it meets the library.

    ``line`` is the 1-based line where the record starts, so reports can point at it.
    """

    abstract: str
    line: int
    title: str = ""
    title_inferred: bool = False
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str = ""
    url: str = ""
    code_url: str = ""
    arxiv_id: str = ""
    doi: str = ""
    date_listed: str = ""
    kind: str = ""  # the format it was read from: "listing", "daily-papers", "bibtex"


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """Something in a file that did not become a paper, and why."""

    line: int
    reason: str
    text: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class Paper:
    id: int
    key: str
    title: str
    title_inferred: bool
    abstract: str
    authors: list[str]
    year: int | None
    venue: str
    url: str
    code_url: str
    arxiv_id: str
    doi: str
    source_file: str
    source_format: str
    date_listed: str
    added: str
    modified: str
    status: Status
    read_date: str | None
    rating: int
    tags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["status"] = str(self.status)
        return data


@dataclass(slots=True)
class FileReport:
    """What happened to one file during an import."""

    path: str
    format: str = ""
    added: int = 0
    merged: int = 0
    duplicates: int = 0
    skipped: list[SkippedRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    added_ids: list[int] = field(default_factory=list)
    merged_ids: list[int] = field(default_factory=list)
    duplicate_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error

    def to_dict(self) -> dict:
        data = asdict(self)
        data["ok"] = self.ok
        return data


@dataclass(slots=True)
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    cancelled: bool = False

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def merged(self) -> int:
        return sum(f.merged for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(len(f.skipped) for f in self.files)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if not f.ok]

    @property
    def added_ids(self) -> list[int]:
        return [i for f in self.files for i in f.added_ids]

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "merged": self.merged,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "failed": len(self.failed),
            "cancelled": self.cancelled,
            "files": [f.to_dict() for f in self.files],
        }


@dataclass(frozen=True, slots=True)
class Changes:
    """What a write touched, so views refresh only what concerns them."""

    added: frozenset[int] = frozenset()
    modified: frozenset[int] = frozenset()
    removed: frozenset[int] = frozenset()
    tags: bool = False

    def __bool__(self) -> bool:
        return bool(self.added or self.modified or self.removed or self.tags)
