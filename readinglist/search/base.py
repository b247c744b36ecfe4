"""The search interface ``Library`` talks to, and the values that cross it.

The index is derived data: SQLite is the truth. Each index carries a *stamp*, an opaque
string the caller also keeps in SQLite; when the two differ (or the index is missing,
corrupt or from an older schema) ``open()`` returns False and the caller rebuilds.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from readinglist.models import Paper

Progress = Callable[[int, int], None]
"""``progress(done, total)``: called during a rebuild, every few hundred documents."""

Cancel = Callable[[], bool]
"""``cancel()``: polled during a rebuild; returning True stops it, leaving the old index."""

# The index reads at most this much of any one text (a title, an abstract, a note): what
# an import accepts. Older libraries or edits may hold more; its start is searchable.
MAX_INDEXED_CHARS = 1024 * 1024

MARK_START = "<b>"
MARK_END = "</b>"
_MARKS = re.compile(r"</?b>")


def strip_marks(snippet: str) -> str:
    """A snippet as plain text: marks removed and HTML entities decoded (for the CLI)."""
    import html

    return html.unescape(_MARKS.sub("", snippet))


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """Everything the index knows about one paper."""

    id: int
    key: str
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    comments: tuple[str, ...] = ()  # highlight comments
    lists: tuple[str, ...] = ()  # reading lists the paper is on
    year: int | None = None
    status: str = "unread"
    title_inferred: bool = False
    added: str = ""  # ISO-8601, e.g. "2024-03-14T09:30:00+00:00"


def document_from_paper(
    paper: Paper,
    notes: Iterable[str] = (),
    comments: Iterable[str] = (),
    lists: Iterable[str] = (),
) -> SearchDocument:
    """The index's view of ``paper`` plus its notes, highlight comments and reading lists
    (each text cut to MAX_INDEXED_CHARS: indexing time and memory stay bounded)."""
    cut = MAX_INDEXED_CHARS
    return SearchDocument(
        id=paper.id,
        key=paper.key,
        title=paper.title[:cut],
        abstract=paper.abstract[:cut],
        authors=tuple(paper.authors),
        tags=tuple(paper.tags),
        notes=tuple(note[:cut] for note in notes),
        comments=tuple(comment[:cut] for comment in comments),
        lists=tuple(lists),
        year=paper.year,
        status=str(paper.status),
        title_inferred=paper.title_inferred,
        added=paper.added,
    )


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One ranked match. Snippets are HTML-escaped text with matches wrapped in
    ``<b>``…``</b>`` (ready for a Qt rich-text label; ``strip_marks`` gives plain text).
    They are empty when the search ran with ``highlight=False``."""

    id: int
    key: str
    title: str
    score: float
    title_snippet: str = ""
    abstract_snippet: str = ""


@dataclass(slots=True)
class SearchResults:
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0  # every match, not only the hits returned
    # The index terms the query matched (stemmed, folded), for ``mark()``.
    matched_terms: frozenset[str] = frozenset()
    # Set when the query could not be understood and ran as plain words instead.
    fallback_message: str = ""
    # "Did you mean" query text, offered when nothing was found.
    suggestion: str = ""

    @property
    def ids(self) -> list[int]:
        return [hit.id for hit in self.hits]

    def mark(self, text: str) -> str:
        """``text`` HTML-escaped, with the words this query matched wrapped in ``<b>``.

        For the detail view: it finds the same words the index matched, so "models"
        is marked for a search for "model", and "Düsseldorf" for "dusseldorf".
        """
        from readinglist.search.highlight import mark_text

        return mark_text(text, self.matched_terms)


class SearchIndex(abc.ABC):
    """A full-text index over papers, kept in step with the library by its caller."""

    @abc.abstractmethod
    def open(self, stamp: str) -> bool:
        """Open the index; False if it must be rebuilt (missing, corrupt, old, stale)."""

    @abc.abstractmethod
    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        total: int,
        stamp: str,
        *,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
    ) -> bool:
        """Replace the index with ``documents``; False if cancelled (old index kept)."""

    @abc.abstractmethod
    def update(self, documents: Iterable[SearchDocument], *, stamp: str | None = None) -> None:
        """Add or replace documents, committed and searchable when this returns."""

    @abc.abstractmethod
    def delete(self, ids: Iterable[int], *, stamp: str | None = None) -> None:
        """Remove papers by id, committed when this returns."""

    @abc.abstractmethod
    def stamp(self) -> str: ...

    @abc.abstractmethod
    def set_stamp(self, stamp: str) -> None: ...

    @abc.abstractmethod
    def search(
        self, query: str, *, limit: int | None = 20, highlight: bool = True
    ) -> SearchResults: ...

    @abc.abstractmethod
    def search_ids(self, query: str, *, limit: int | None = None) -> list[int]:
        """Only the ranked ids: cheap enough for every match in a large library."""

    @abc.abstractmethod
    def related(self, paper_id: int, *, limit: int = 10) -> SearchResults: ...

    @abc.abstractmethod
    def suggest_tags(self, paper_id: int, *, limit: int = 5) -> list[str]: ...

    @abc.abstractmethod
    def doc_count(self) -> int: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
