"""Plain data: the values that travel between the layers. No I/O, no Qt."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import IntEnum, StrEnum


def authors_of(stored: str | None) -> list[str]:
    """The authors cell (a JSON list of names) as a list; what is not a list of names (a
    library may come from anyone, or from an older bug) gives the names it holds, if any,
    never an error."""
    try:
        value = json.loads(stored or "[]")
    except (ValueError, RecursionError):  # RecursionError: nesting beyond Python's stack
        return []
    return [name for name in value if isinstance(name, str)] if isinstance(value, list) else []


def utc_now() -> str:
    """The timestamp format stored everywhere: ISO 8601, UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


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
    # From BibTeX: the key as written (kept when unique), the entry type, keywords (as
    # tags), and the fields the library has no column for, (name, LaTeX value) pairs
    # written back on export.
    citation_key: str = ""
    entry_type: str = ""
    tags: tuple[str, ...] = ()
    extra_fields: tuple[tuple[str, str], ...] = ()


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
    # Filled by a metadata lookup: the arXiv version and primary category, and the ISO date
    # of the first version (or of publication).
    arxiv_version: str = ""
    primary_class: str = ""
    date: str = ""
    priority: int = 1  # a Priority: 0 low, 1 normal, 2 high

    def to_dict(self) -> dict:
        data = asdict(self)
        data["status"] = str(self.status)
        data["priority"] = Priority(self.priority).name.lower()
        return data


@dataclass(frozen=True, slots=True)
class PaperSummary:
    """What a table row shows: no abstract, loaded for the visible rows only."""

    id: int
    key: str
    title: str
    title_inferred: bool
    authors: tuple[str, ...]
    year: int | None
    status: Status
    rating: int
    added: str
    tags: tuple[str, ...]
    deleted: bool = False


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
    # Of the merged: BibTeX entries that completed a paper from another file (authors,
    # year, ids, key), rather than adding a second copy of it.
    completed: int = 0

    @property
    def ok(self) -> bool:
        return not self.error

    def to_dict(self) -> dict:
        data = asdict(self)
        data["ok"] = self.ok
        return data


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file or folder an import left out, and why (a FIFO, a symlink out of the folder)."""

    path: str
    reason: str


@dataclass(slots=True)
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    cancelled: bool = False
    skipped_files: list[SkippedFile] = field(default_factory=list)

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
    def completed(self) -> int:
        return sum(f.completed for f in self.files)

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
            "completed": self.completed,
            "skipped": self.skipped,
            "failed": len(self.failed),
            "cancelled": self.cancelled,
            "files": [f.to_dict() for f in self.files],
            "skipped_files": [asdict(s) for s in self.skipped_files],
        }


class Priority(IntEnum):
    LOW = 0
    NORMAL = 1
    HIGH = 2


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    color: str = ""
    count: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ReadingList:
    id: int
    name: str
    parent_id: int | None
    position: int
    count: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    paper_id: int
    body: str
    created: str
    modified: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Highlight:
    """A passage of a paper's abstract. ``start``/``end`` are -1 when the passage is no
    longer in the abstract (it was edited away); ``quote`` always keeps the text."""

    id: int
    paper_id: int
    start: int
    end: int
    quote: str
    color: str
    comment: str
    created: str

    @property
    def anchored(self) -> bool:
        return self.start >= 0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["anchored"] = self.anchored
        return data


@dataclass(frozen=True, slots=True)
class SavedSearch:
    id: int
    name: str
    query: str

    def to_dict(self) -> dict:
        return asdict(self)


class SmartList(StrEnum):
    ALL = "all"
    UNREAD = "unread"
    READING = "reading"
    READ = "read"
    RECENT = "recent"
    UNTAGGED = "untagged"
    NEEDS_REVIEW = "needs-review"
    TRASH = "trash"


@dataclass(frozen=True, slots=True)
class PaperFilter:
    """Which papers a view shows. Fields combine with AND; None means "any"."""

    smart: SmartList = SmartList.ALL
    tag: str | None = None  # includes sub-tags: "method" matches "method/rl"
    status: Status | None = None
    list_id: int | None = None
    ids: frozenset[int] | None = None  # e.g. search hits


@dataclass(frozen=True, slots=True)
class Changes:
    """What a write touched, so views refresh only what concerns them.

    ``everything`` is set when the write cannot say (undo/redo of a large step).
    """

    added: frozenset[int] = frozenset()
    modified: frozenset[int] = frozenset()
    removed: frozenset[int] = frozenset()
    tags: bool = False
    lists: bool = False
    saved_searches: bool = False
    everything: bool = False
    label: str = ""

    @property
    def papers(self) -> frozenset[int]:
        return self.added | self.modified | self.removed

    def __bool__(self) -> bool:
        return bool(
            self.papers or self.tags or self.lists or self.saved_searches or self.everything
        )
