"""The Whoosh schema, and how a ``SearchDocument`` becomes the fields stored in it."""

from __future__ import annotations

from datetime import UTC, datetime

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from readinglist.search.analysis import name_analyzer, text_analyzer
from readinglist.search.base import SearchDocument
from readinglist.search.packed import PackedPositions
from readinglist.search.text import decode_latex

# Bump whenever the schema, the analyzers or what goes into a field changes: an index
# written with another version is rebuilt on open.
SCHEMA_VERSION = 2

# Fields a plain word searches, with their weights. The title is boosted: a word in the
# title says more about a paper than the same word somewhere in its abstract.
DEFAULT_FIELDS = {"title": 3.0, "abstract": 1.0, "author": 1.5, "tag": 2.0, "note": 1.0}
# Text fields whose matches are worth highlighting.
TEXT_FIELDS = ("title", "abstract", "author", "note")
TAG_SEPARATOR = "/"


def _text(**options) -> TEXT:
    """A text field whose positions are stored packed (``packed.py``), for phrases."""
    field = TEXT(multitoken_query="phrase", **options)
    field.format = PackedPositions(field_boost=field.format.field_boost)
    return field


def build_schema() -> Schema:
    return Schema(
        # The paper id as text: the unique field update_document() replaces by.
        pid=ID(unique=True),
        id=NUMERIC(int, bits=64, stored=True, sortable=True),
        key=KEYWORD(stored=True, lowercase=True),
        title=_text(analyzer=text_analyzer(), stored=True),
        abstract=_text(analyzer=text_analyzer(), stored=True),
        author=_text(analyzer=name_analyzer()),
        # Hierarchical tags are indexed with their ancestors, so tag:method also finds
        # papers tagged method/rl; "tagnames" keeps them as the user wrote them.
        tag=KEYWORD(commas=True, lowercase=True, scorable=True),
        tagnames=STORED(),
        note=_text(analyzer=text_analyzer()),
        list=KEYWORD(commas=True, lowercase=True),
        year=NUMERIC(int, bits=32),
        status=KEYWORD(lowercase=True),
        # Flags a paper has, searched as is:NAME (is:untitled for inferred titles).
        flags=KEYWORD(lowercase=True),
        # The day the paper was added, as the number YYYYMMDD, for added: ranges.
        added=NUMERIC(int, bits=32),
    )


def tag_terms(tags: tuple[str, ...]) -> str:
    """Tags and all their ancestors, comma-separated: "method/rl" -> "method/rl,method"."""
    terms: dict[str, None] = {}
    for tag in tags:
        parts = [p.strip() for p in tag.strip().split(TAG_SEPARATOR) if p.strip()]
        for depth in range(len(parts), 0, -1):
            terms[TAG_SEPARATOR.join(parts[:depth])] = None
    return ",".join(terms)


def day_number(iso: str) -> int | None:
    """ "2024-03-14T09:30:00+00:00" -> 20240314 (the UTC day); None if unreadable."""
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.year * 10000 + moment.month * 100 + moment.day


def fields_for(doc: SearchDocument) -> dict:
    """The keyword arguments for ``writer.add_document`` / ``update_document``."""
    fields = {
        "pid": str(doc.id),
        "id": doc.id,
        "key": doc.key,
        "title": decode_latex(doc.title),
        "abstract": decode_latex(doc.abstract),
        "status": doc.status or "unread",
    }
    if doc.authors:
        fields["author"] = decode_latex("\n".join(doc.authors))
    if doc.tags:
        fields["tag"] = tag_terms(doc.tags)
        fields["tagnames"] = list(doc.tags)
    if doc.notes or doc.comments:
        fields["note"] = decode_latex("\n".join((*doc.notes, *doc.comments)))
    if doc.lists:
        fields["list"] = ",".join(doc.lists)
    if doc.year is not None:
        fields["year"] = doc.year
    if doc.title_inferred:
        fields["flags"] = "untitled"
    added = day_number(doc.added)
    if added is not None:
        fields["added"] = added
    return fields
