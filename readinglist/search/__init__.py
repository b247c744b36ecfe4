"""Full-text search over the library, behind a small interface.

``Library`` owns one ``SearchIndex`` (``WhooshIndex`` on the ``search-index`` folder):
it calls ``open(stamp)`` when the library opens and ``rebuild(...)`` when that returns
False, then ``update``/``delete`` after every write. The query language is described in
``QUERY_SYNTAX.md`` (also available as ``QUERY_SYNTAX``).
"""

from importlib import resources

from readinglist.search.base import (
    MARK_END,
    MARK_START,
    Cancel,
    Progress,
    SearchDocument,
    SearchHit,
    SearchIndex,
    SearchResults,
    document_from_paper,
    strip_marks,
)
from readinglist.search.schema import SCHEMA_VERSION
from readinglist.search.whoosh_index import WhooshIndex


def _query_syntax() -> str:
    try:
        return resources.files(__package__).joinpath("QUERY_SYNTAX.md").read_text("utf-8")
    except OSError:  # pragma: no cover - a broken installation
        return ""


QUERY_SYNTAX = _query_syntax()

__all__ = [
    "MARK_END",
    "MARK_START",
    "QUERY_SYNTAX",
    "SCHEMA_VERSION",
    "Cancel",
    "Progress",
    "SearchDocument",
    "SearchHit",
    "SearchIndex",
    "SearchResults",
    "WhooshIndex",
    "document_from_paper",
    "strip_marks",
]
