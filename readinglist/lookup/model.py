"""The data a lookup produces: records from a service, candidates, results, a report.

Shared by the lookup core, the window and the command line; fields may be added, never
renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["matched", "ambiguous", "not_found", "error"]


@dataclass(frozen=True)
class Record:
    """One paper as a service describes it."""

    source: str  # "arxiv" | "crossref"
    source_id: str  # "2312.00752v2" / DOI
    title: str
    authors: tuple[str, ...]  # "Family, Given", in order
    year: int | None
    date: str  # ISO date of the first version / publication
    abstract: str
    arxiv_id: str  # without version
    arxiv_version: str  # "v2"
    primary_class: str
    doi: str
    venue: str  # journal ref / container title
    url: str
    entry_type: str  # "misc" for arXiv-only, "article"/"inproceedings" when published


@dataclass(frozen=True)
class Candidate:
    """A record that may be the paper, with the evidence for it."""

    record: Record
    score: float  # abstract similarity 0..1 (1.0 for identifier matches)
    evidence: str  # "arxiv id", "doi", "abstract 0.97", ...


@dataclass
class LookupResult:
    """What a lookup found for one paper."""

    paper_id: int
    key: str
    status: Status
    source: str = ""
    source_id: str = ""
    changed: dict[str, tuple[object, object]] = field(default_factory=dict)  # field -> (old, new)
    candidates: list[Candidate] = field(default_factory=list)  # "ambiguous" (and the match)
    message: str = ""  # "error"/"not_found" reason

    def to_json(self) -> dict:
        """The command line's ``--json`` shape."""
        return {
            "id": self.paper_id,
            "key": self.key,
            "status": self.status,
            "source": self.source,
            "source_id": self.source_id,
            "changed": {name: [old, new] for name, (old, new) in self.changed.items()},
        }


@dataclass
class LookupReport:
    """The results of one lookup run."""

    results: list[LookupResult]
    cancelled: bool = False
    unreachable: bool = False  # a service could not be reached at all (CLI exit 1)
    message: str = ""
