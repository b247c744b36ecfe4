"""Crossref's REST API (``api.crossref.org``): works by DOI and by bibliographic query.

Why not ``habanero`` (2.9.2, Crossref's own Python client)? It takes a base URL and a
``mailto`` (``Crossref(base_url=..., mailto=...)``), but sends each request with a bare
module-level ``httpx2.get``: no retries or backoff on 429/503, no spacing between
requests, no cache and no way to put one in, and three more dependencies (``httpx2``,
``tqdm``, ``packaging``). Two GETs and a JSON body do not need them: requests go through
``readinglist.lookup.http.Service`` (spacing, backoff, time-out, size limit, cache) and
the JSON is read here, checking every type before use.

Crossref's etiquette (https://github.com/CrossRef/rest-api-doc, "Etiquette"): say who is
asking in the ``User-Agent`` with a ``mailto:`` contact (``READINGLIST_MAILTO``), keep the
rate well under the announced ``X-Rate-Limit`` (one request a second by default, slower
if the headers ask), ``select`` only the fields used, cache, and back off on 429.
"""

from __future__ import annotations

import html
import json
import logging
import re
import urllib.parse

from readinglist.fingerprints import normalise_arxiv_id, normalise_doi
from readinglist.formats.latex_decode import decode
from readinglist.lookup.arxiv import CONTROL, check_base_url
from readinglist.lookup.http import LookupServiceError, Service
from readinglist.lookup.model import Record

log = logging.getLogger(__name__)

DEFAULT_DELAY = 1.0
SELECT = (
    "DOI,title,author,issued,published-print,published-online,created,container-title,"
    "abstract,type,URL,volume,issue,page,relation"
)
ENTRY_TYPES = {
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "book-chapter": "incollection",
    "book": "book",
    "posted-content": "misc",
    "report": "techreport",
    "dissertation": "phdthesis",
}
_TAG = re.compile(r"<[^>]{0,500}>")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$", re.IGNORECASE)
_MAX_ITEMS = 100


class CrossrefClient:
    """Queries to one Crossref REST endpoint through a rate-limited, cached ``Service``."""

    def __init__(self, service: Service, base_url: str):
        self.service = service
        self.base_url = check_base_url(base_url).rstrip("/")

    def work(self, doi: str) -> Record | None:
        """The work with this DOI, or None when Crossref does not know it."""
        doi = normalise_doi(doi)
        if not doi:
            return None
        url = f"{self.base_url}/works/{urllib.parse.quote(doi, safe='/')}"
        response = self.service.get(url, accept="application/json")
        if response.status == 404:
            return None
        message = self._message(url, response.text)
        return parse_work(message) if isinstance(message, dict) else None

    def search(self, bibliographic: str, *, rows: int = 5) -> list[Record]:
        """Works for a free-text bibliographic query, best first."""
        params = {"query.bibliographic": bibliographic, "rows": str(rows), "select": SELECT}
        url = f"{self.base_url}/works?{urllib.parse.urlencode(params)}"
        response = self.service.get(url, accept="application/json")
        if response.status == 404:
            raise LookupServiceError(f"no Crossref API at {self.base_url} (HTTP 404)")
        message = self._message(url, response.text)
        items = message.get("items") if isinstance(message, dict) else None
        if not isinstance(items, list):
            return []
        records = [parse_work(item) for item in items[:_MAX_ITEMS] if isinstance(item, dict)]
        return [record for record in records if record is not None]

    def _message(self, url: str, text: str) -> object:
        try:
            return _message(text)
        except LookupServiceError:
            self.service.forget(url)  # not kept: the next lookup asks again
            raise


def _message(text: str) -> object:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
        raise LookupServiceError("the Crossref answer is not JSON") from None
    return data.get("message") if isinstance(data, dict) else None


def _first_string(value: object, limit: int = 2_000) -> str:
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str)), "")
    return CONTROL.sub("", " ".join(value[:limit].split())) if isinstance(value, str) else ""


def _date(work: dict) -> tuple[int | None, str]:
    """Year and ISO date (as precise as given) of the earliest publication date."""
    for name in ("published-print", "published-online", "issued", "created"):
        value = work.get(name)
        parts = value.get("date-parts") if isinstance(value, dict) else None
        if not (isinstance(parts, list) and parts and isinstance(parts[0], list)):
            continue
        numbers = [p for p in parts[0][:3] if isinstance(p, int) and not isinstance(p, bool)]
        if not numbers or not 1000 <= numbers[0] <= 2999:
            continue
        date = "-".join(f"{n:02d}" if i else f"{n:04d}" for i, n in enumerate(numbers))
        return numbers[0], date
    return None, ""


def _authors(work: dict) -> tuple[str, ...]:
    authors = work.get("author")
    if not isinstance(authors, list):
        return ()
    names = []
    for author in authors[:2000]:
        if not isinstance(author, dict):
            continue
        family = _first_string(author.get("family"), 300)
        given = _first_string(author.get("given"), 300)
        if family:
            names.append(f"{family}, {given}" if given else family)
        elif name := _first_string(author.get("name"), 300):  # an organisation
            names.append(name)
    return tuple(names)


def _markup_free(value: str) -> str:
    """``<i>Italic</i> &amp; plain`` -> ``Italic & plain`` (Crossref titles carry HTML)."""
    return " ".join(CONTROL.sub(" ", html.unescape(_TAG.sub("", value))).split())


def jats_text(value: str) -> str:
    """Plain text of a JATS abstract (``<jats:p>...</jats:p>``): tags out, entities decoded."""
    text = _TAG.sub(" ", value[:100_000])
    text = CONTROL.sub(" ", html.unescape(text))
    text = re.sub(r"^\s*Abstract\s+", "", " ".join(text.split()), flags=re.IGNORECASE)
    return text


def parse_work(work: dict) -> Record | None:
    doi = normalise_doi(_first_string(work.get("DOI"), 500))
    if not doi:
        return None
    year, date = _date(work)
    arxiv = _ARXIV_DOI.match(doi)
    kind = _first_string(work.get("type"), 100)
    abstract = work.get("abstract")
    return Record(
        source="crossref",
        source_id=doi,
        title=decode(_markup_free(_first_string(work.get("title")))),
        authors=_authors(work),
        year=year,
        date=date,
        abstract=jats_text(abstract) if isinstance(abstract, str) else "",
        arxiv_id=normalise_arxiv_id(arxiv.group("id")) if arxiv else "",
        arxiv_version="",
        primary_class="",
        doi=doi,
        venue=_first_string(work.get("container-title"), 500),
        url=f"https://doi.org/{doi}",
        entry_type=ENTRY_TYPES.get(kind, "misc"),
    )
