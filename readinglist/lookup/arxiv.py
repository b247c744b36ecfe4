"""The arXiv API (``export.arxiv.org/api/query``): papers by id and by search, as Records.

Why not the ``arxiv`` package (4.0.2, the well-kept client on PyPI)? Its ``Client`` can be
pointed elsewhere (``Client.query_url_format``) and spaces requests (``delay_seconds``,
3 s), but it sends them through ``requests`` without a time-out (a silent server blocks a
lookup for ever), retries at once and a fixed number of times without reading
``Retry-After``, reads answers of any size, has no cache, and parses with ``lxml``: two
more dependencies for one GET and one small feed. Everything that matters here (time-outs,
backoff, a shared rate limit per service, a disk cache so a restarted lookup loses
nothing) would have to be wrapped around it through a custom ``requests`` adapter. So
requests go through ``readinglist.lookup.http.Service`` and the feed is read here with the
standard library's namespace-aware ElementTree, which is all the API needs: elements are
found by namespace and name, never by position, prefix or layout (arXiv's 2025 move to a
new service changed whitespace, order and namespace declarations), and anything odd in an
answer is skipped rather than trusted.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable

from readinglist.fingerprints import normalise_arxiv_id, normalise_doi
from readinglist.formats.latex_decode import decode
from readinglist.lookup.http import BadRequest, LookupServiceError, Service
from readinglist.lookup.model import Record
from readinglist.lookup.names import family_given

log = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
DEFAULT_DELAY = 3.0  # arXiv's API terms: no more than one request every three seconds
MAX_IDS_PER_REQUEST = 50
MAX_ENTRIES = 2000
_ABS_ID = re.compile(r"/abs/(?P<id>.+?)(?P<version>v\d+)?$")
_SPACES = re.compile(r"\s+")
# Control characters mean nothing in metadata and could end a BibTeX entry or RIS record.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# hep-th, cs.LG, cond-mat.mes-hall, physics.optics: anything else is no category (an
# attribute keeps "&#10;" as a line break, which no paper field should hold).
_CATEGORY = re.compile(r"[A-Za-z][A-Za-z\-]{0,40}(?:\.[A-Za-z][A-Za-z\-]{0,40})?")
_LIMITS = {"title": 2_000, "summary": 50_000, "name": 500, "text": 2_000}


class ArxivClient:
    """Queries to one arXiv API endpoint through a rate-limited, cached ``Service``."""

    def __init__(self, service: Service, base_url: str):
        self.service = service
        self.base_url = check_base_url(base_url)

    def url(self, params: dict[str, str]) -> str:
        return f"{self.base_url}?{urllib.parse.urlencode(params)}"

    def by_ids(self, arxiv_ids: Iterable[str]) -> dict[str, Record]:
        """Records by arXiv id (without version); ids arXiv does not know are left out."""
        wanted = list(dict.fromkeys(i for i in map(normalise_arxiv_id, arxiv_ids) if i))
        found: dict[str, Record] = {}
        for start in range(0, len(wanted), MAX_IDS_PER_REQUEST):
            chunk = wanted[start : start + MAX_IDS_PER_REQUEST]
            params = {"id_list": ",".join(chunk), "max_results": str(len(chunk))}
            for record in self._feed(self.url(params)):
                if record.arxiv_id in chunk:
                    found[record.arxiv_id] = record
        return found

    def search(self, query: str, *, max_results: int = 10) -> list[Record]:
        """Records for a ``search_query`` (``ti:``, ``abs:``, phrases, ``AND``/``OR``)."""
        params = {"search_query": query, "start": "0", "max_results": str(max_results)}
        return self._feed(self.url(params))

    def _feed(self, url: str) -> list[Record]:
        try:
            response = self.service.get(url, accept="application/atom+xml")
        except BadRequest as error:
            reason = feed_error(error.body) if error.body else ""
            raise BadRequest(f"arXiv refused the query: {reason or error}") from None
        if response.status == 404:
            raise LookupServiceError(f"no arXiv API at {self.base_url} (HTTP 404)")
        try:
            return parse_feed(response.text)
        except LookupServiceError:
            self.service.forget(url)
            raise


def check_base_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LookupServiceError(f"not an http(s) address for a lookup service: {url!r}")
    return url.strip().rstrip("?")


# Queries


def phrase(field: str, words: Iterable[str]) -> str:
    """``abs:"some rare words"``: a phrase of plain words (quotes and operators removed)."""
    clean = [re.sub(r"[^\w\-]", "", word) for word in words]
    text = " ".join(word for word in clean if word)
    return f'{field}:"{text}"'


def all_of(terms: Iterable[str]) -> str:
    return " AND ".join(terms)


# Parsing


def _parse_xml(text: str) -> ElementTree.Element:
    # A DOCTYPE has no business in an Atom feed; refusing it rules out entity tricks.
    if "<!DOCTYPE" in text[:4096].upper() or "<!ENTITY" in text.upper():
        raise LookupServiceError("the arXiv answer declares a DOCTYPE; refusing it")
    try:
        return ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise LookupServiceError(f"the arXiv answer is not XML ({error})") from None


def feed_error(text: str) -> str:
    """The reason an arXiv error feed gives (``incorrect id format for 1234.12345``)."""
    try:
        root = _parse_xml(text)
    except LookupServiceError:
        return ""
    for entry in root.iter(f"{ATOM}entry"):
        if _text(entry, f"{ATOM}title") == "Error":
            return _text(entry, f"{ATOM}summary", "summary")
    return ""


def total_results(text: str) -> int | None:
    try:
        root = _parse_xml(text)
        return int(_text(root, f"{OPENSEARCH}totalResults") or "x")
    except (LookupServiceError, ValueError):
        return None


def parse_feed(text: str) -> list[Record]:
    """Records of an Atom feed from the arXiv API; entries that make no sense are skipped."""
    root = _parse_xml(text)
    if root.tag != f"{ATOM}feed":
        raise LookupServiceError("the arXiv answer is not an Atom feed")
    records = []
    for count, entry in enumerate(root.iter(f"{ATOM}entry")):
        if count >= MAX_ENTRIES:
            break
        if _text(entry, f"{ATOM}title") == "Error" and "/api/errors" in _text(entry, f"{ATOM}id"):
            raise BadRequest(f"arXiv refused the query: {_text(entry, f'{ATOM}summary')}")
        try:
            record = _record(entry)
        except (ValueError, TypeError, AttributeError) as error:
            log.info("skipping an arXiv entry: %s", error)
            continue
        if record is not None:
            records.append(record)
    return records


def _text(element: ElementTree.Element, tag: str, limit: str = "text") -> str:
    child = element.find(tag)
    if child is None:
        return ""
    text = "".join(child.itertext())[: _LIMITS[limit]]
    return CONTROL.sub("", _SPACES.sub(" ", text)).strip()


def _record(entry: ElementTree.Element) -> Record | None:
    match = _ABS_ID.search(_text(entry, f"{ATOM}id"))
    arxiv_id = normalise_arxiv_id(match.group("id")) if match else ""
    if not arxiv_id:
        return None
    version = match.group("version") or ""
    published = _text(entry, f"{ATOM}published")
    date = published[:10] if re.match(r"^\d{4}-\d\d-\d\d", published) else ""
    year = int(date[:4]) if date else None
    authors = []
    for author in entry.findall(f"{ATOM}author")[:2000]:
        name = _text(author, f"{ATOM}name", "name")
        if name:
            authors.append(family_given(name))
    primary = entry.find(f"{ARXIV}primary_category")
    primary_class = (primary.get("term") or "") if primary is not None else ""
    if not primary_class:
        first = entry.find(f"{ATOM}category")
        primary_class = (first.get("term") or "") if first is not None else ""
    dois = [normalise_doi(d) for d in _text(entry, f"{ARXIV}doi").split()]
    doi = next((d for d in dois if d), "")
    venue = _text(entry, f"{ARXIV}journal_ref")
    return Record(
        source="arxiv",
        source_id=arxiv_id + version,
        title=decode(_text(entry, f"{ATOM}title", "title")),  # accents decoded; math kept
        authors=tuple(authors),
        year=year,
        date=date,
        abstract=_text(entry, f"{ATOM}summary", "summary"),
        arxiv_id=arxiv_id,
        arxiv_version=version,
        primary_class=primary_class if _CATEGORY.fullmatch(primary_class) else "",
        doi=doi,
        venue=venue,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        entry_type="article" if venue else "misc",
    )
