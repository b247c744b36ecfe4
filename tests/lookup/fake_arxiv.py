"""Local stand-ins for the arXiv API and Crossref's REST API, serving real records.

``FakeServices(records)`` starts one ``http.server`` on 127.0.0.1 (port 0) in a thread:

- ``GET /api/query`` answers like ``export.arxiv.org/api/query`` (the arXiv API User's
  Manual): ``id_list`` (ids with or without ``vN``), ``search_query`` with ``ti: au: abs:
  co: jr: cat: rn: id: all:`` prefixes, ``"phrases"``, ``AND``/``OR``/``ANDNOT`` and
  parentheses, ``start``, ``max_results`` (default 10, at most 2000), ``sortBy`` and
  ``sortOrder``; an Atom 1.0 feed with the ``opensearch`` and ``arxiv`` namespaces; HTTP 400
  with a one-entry error feed for a malformed id or parameter;
- ``GET /works/{doi}`` and ``GET /works?query.bibliographic=...&rows=...`` answer like
  ``api.crossref.org``, built from the records' DOIs and journal references (the record's
  abstract as JATS for every other work, as Crossref has abstracts for some works only).

Records are the objects of ``shared/testdata/arxiv-metadata/records.jsonl``. Tests can make
the server fail: ``fail(status, times, retry_after)`` answers the next requests with an
error, ``fail_after(count, status)`` lets ``count`` requests through and then fails for
good, ``stall_after(count, seconds)`` answers late (a time-out half-way). ``requests``
lists every path asked. Used by tests/lookup and bench/lookup_bench.py.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import unicodedata
import urllib.parse
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

# New ids are YYMM.NNNN(N) with a real month; old ones archive(.SC)/YYMMNNN.
ID_PATTERN = re.compile(
    r"^(\d\d(0[1-9]|1[0-2])\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d\d(0[1-9]|1[0-2])\d{3})(v\d+)?$"
)
FIELDS = ("ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all")
ATOM_NS = 'xmlns="http://www.w3.org/2005/Atom"'
EXTRA_NS = (
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom"'
)


def load_records(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]


def tokens(text: str) -> list[str]:
    """Lower-case words without accents: how the stand-in indexes and reads queries."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", text.casefold())


class _Indexed:
    def __init__(self, record: dict):
        self.record = record
        self.fields = {
            "ti": tokens(record["title"]),
            "au": tokens(" ".join(record["authors_api"])),
            "abs": tokens(record["abstract"]),
            "co": tokens(record.get("comments") or ""),
            "jr": tokens(record.get("journal_ref") or ""),
            "cat": [c.casefold() for c in record["categories"]],
            "rn": tokens(record.get("report_no") or ""),
            "id": tokens(record["id"]),
        }
        self.fields["all"] = [
            w for name in ("ti", "au", "abs", "co", "jr") for w in self.fields[name]
        ]
        self.sets = {name: set(words) for name, words in self.fields.items()}

    def has(self, field: str, words: list[str]) -> bool:
        if field == "cat":
            wanted = " ".join(words)
            return any(c == wanted or c.startswith(wanted + ".") for c in self.fields["cat"])
        if not words:
            return False
        if len(words) == 1:
            word = words[0]
            if word.endswith("*"):
                return any(w.startswith(word[:-1]) for w in self.sets[field])
            return word in self.sets[field]
        if not all(w in self.sets[field] for w in words):
            return False
        sequence = self.fields[field]
        n = len(words)
        return any(sequence[i : i + n] == words for i in range(len(sequence) - n + 1))


# The query language


class QueryError(ValueError):
    pass


_TOKEN = re.compile(r'\s*(\(|\)|ANDNOT\b|AND\b|OR\b|(?:(\w+):)?("([^"]*)"|[^\s()"]+))')


def parse_query(text: str):
    """A tree: ("term", field, words) | (op, left, right) with op in AND, OR, ANDNOT."""
    pieces = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise QueryError(f"cannot read the query at {text[pos : pos + 20]!r}")
        pos = match.end()
        whole = match.group(1)
        if whole in ("(", ")", "AND", "OR", "ANDNOT"):
            pieces.append(whole)
            continue
        field = (match.group(2) or "all").casefold()
        if field not in FIELDS:
            raise QueryError(f"unknown field prefix {field!r}")
        value = match.group(4) if match.group(4) is not None else match.group(3)
        words = tokens(value) if not value.endswith("*") else [*tokens(value[:-1]), "*"]
        if words and words[-1] == "*":
            words = [*words[:-2], words[-2] + "*"] if len(words) > 1 else []
        pieces.append(("term", field, words))
    tree, rest = _expression(pieces)
    if rest:
        raise QueryError("unbalanced parentheses")
    return tree


def _expression(pieces: list):
    left, pieces = _operand(pieces)
    while pieces and pieces[0] != ")":
        op = pieces[0] if pieces[0] in ("AND", "OR", "ANDNOT") else "OR"
        if op == pieces[0]:
            pieces = pieces[1:]
        right, pieces = _operand(pieces)
        left = (op, left, right)
    return left, pieces


def _operand(pieces: list):
    if not pieces:
        raise QueryError("the query ends too early")
    head, rest = pieces[0], pieces[1:]
    if head == "(":
        inner, rest = _expression(rest)
        if not rest or rest[0] != ")":
            raise QueryError("unbalanced parentheses")
        return inner, rest[1:]
    if isinstance(head, tuple):
        return head, rest
    raise QueryError(f"unexpected {head!r}")


def evaluate(tree, item: _Indexed) -> bool:
    if tree[0] == "term":
        return item.has(tree[1], tree[2])
    op, left, right = tree
    if op == "AND":
        return evaluate(left, item) and evaluate(right, item)
    if op == "OR":
        return evaluate(left, item) or evaluate(right, item)
    return evaluate(left, item) and not evaluate(right, item)


# Answers


def _latest(record: dict) -> dict:
    return record["versions"][-1]


def entry_xml(record: dict) -> str:
    first, latest = record["versions"][0], _latest(record)
    title = record.get("wrapped", {}).get("title") or record["title"]
    parts = [
        "<entry>",
        f"<id>http://arxiv.org/abs/{record['id']}{latest['version']}</id>",
        f"<updated>{latest['date']}</updated>",
        f"<published>{first['date']}</published>",
        f"<title>{escape(title)}</title>",
        f"<summary>{escape(record['abstract'])}</summary>",
    ]
    for name, affiliations in zip(record["authors_api"], record["affiliations"], strict=False):
        inner = "".join(f"<arxiv:affiliation>{escape(a)}</arxiv:affiliation>" for a in affiliations)
        parts.append(f"<author><name>{escape(name)}</name>{inner}</author>")
    if record.get("doi"):
        parts.append(f"<arxiv:doi>{escape(record['doi'])}</arxiv:doi>")
        first_doi = record["doi"].split()[0]
        parts.append(
            f'<link title="doi" href={quoteattr("http://dx.doi.org/" + first_doi)} rel="related"/>'
        )
    if record.get("comments"):
        parts.append(f"<arxiv:comment>{escape(record['comments'])}</arxiv:comment>")
    if record.get("journal_ref"):
        parts.append(f"<arxiv:journal_ref>{escape(record['journal_ref'])}</arxiv:journal_ref>")
    parts.append(
        f'<link href="http://arxiv.org/abs/{record["id"]}{latest["version"]}" rel="alternate" '
        'type="text/html"/>'
    )
    parts.append(
        f'<link title="pdf" href="http://arxiv.org/pdf/{record["id"]}{latest["version"]}" '
        'rel="related" type="application/pdf"/>'
    )
    primary = record["categories"][0] if record["categories"] else record["id"].split("/")[0]
    parts.append(
        f'<arxiv:primary_category term={quoteattr(primary)} scheme="http://arxiv.org/schemas/atom"/>'
    )
    for category in record["categories"]:
        parts.append(
            f'<category term={quoteattr(category)} scheme="http://arxiv.org/schemas/atom"/>'
        )
    parts.append("</entry>")
    return "\n  ".join(parts)


def feed_xml(query: str, entries: list[str], total: int, start: int, per_page: int) -> str:
    link = escape("http://arxiv.org/api/query?" + query)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<feed {ATOM_NS} {EXTRA_NS}>\n"
        f'<link href="{link}" rel="self" type="application/atom+xml"/>\n'
        f'<title type="html">ArXiv Query: {escape(query)}</title>\n'
        "<id>http://arxiv.org/api/fake</id>\n"
        f"<updated>{time.strftime('%Y-%m-%dT00:00:00-04:00')}</updated>\n"
        f"<opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"<opensearch:startIndex>{start}</opensearch:startIndex>\n"
        f"<opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>\n"
        + "".join(f"{entry}\n" for entry in entries)
        + "</feed>\n"
    )


def error_feed(message: str) -> str:
    entry = (
        "<entry><id>http://arxiv.org/api/errors#" + escape(message.replace(" ", "_")) + "</id>"
        "<title>Error</title>"
        f"<summary>{escape(message)}</summary>"
        "<updated>2007-10-08T00:00:00-04:00</updated>"
        '<link href="http://arxiv.org/api/errors" rel="alternate" type="text/html"/>'
        "<author><name>arXiv api core</name></author></entry>"
    )
    return feed_xml("error", [entry], 1, 0, 1)


# Crossref


def _crossref_work(record: dict, doi: str, *, with_abstract: bool) -> dict:
    year = int(record["versions"][0]["date"][:4])
    found = re.search(
        r"\((1[89]\d\d|20\d\d)\)|\b(1[89]\d\d|20\d\d)\b", record.get("journal_ref") or ""
    )
    if found:
        year = int(found.group(1) or found.group(2))
    authors = []
    for name in record["authors_api"]:
        words = name.split()
        authors.append(
            {"given": " ".join(words[:-1]), "family": words[-1], "sequence": "additional"}
            if len(words) > 1
            else {"name": name}
        )
    work = {
        "DOI": doi.upper() if doi.startswith("10.1103") else doi,
        "type": "journal-article",
        "title": [record["title"]],
        "author": authors,
        "container-title": [re.split(r"[\d(]", record.get("journal_ref") or "")[0].strip()],
        "issued": {"date-parts": [[year]]},
        "URL": f"http://dx.doi.org/{doi}",
    }
    if with_abstract:
        work["abstract"] = "<jats:p>" + escape(" ".join(record["abstract"].split())) + "</jats:p>"
    return work


class FakeServices:
    """One local server for both services; ``arxiv_url`` and ``crossref_url`` point at it."""

    def __init__(self, records: Iterable[dict]):
        self.records = list(records)
        self.indexed = [_Indexed(r) for r in self.records]
        self.by_id = {r["id"]: r for r in self.records}
        self.by_doi: dict[str, tuple[dict, str]] = {}
        for number, record in enumerate(self.records):
            for doi in (record.get("doi") or "").split():
                self.by_doi.setdefault(doi.casefold(), (record, doi, number % 2 == 0))
        self.requests: list[str] = []
        self.user_agents: list[str] = []
        self._lock = threading.Lock()
        self._fail: list[tuple[int, float | None]] = []
        self._fail_after: tuple[int, int] | None = None
        self._stall_after: tuple[int, float] | None = None
        self._served = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def arxiv_url(self) -> str:
        return f"{self.base}/api/query"

    @property
    def crossref_url(self) -> str:
        return self.base

    def start(self) -> FakeServices:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeServices:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # Failures

    def fail(self, status: int, times: int = 1, retry_after: float | None = None) -> None:
        with self._lock:
            self._fail.extend([(status, retry_after)] * times)

    def fail_after(self, count: int, status: int = 503) -> None:
        with self._lock:
            self._fail_after = (self._served + count, status)

    def stall_after(self, count: int, seconds: float) -> None:
        with self._lock:
            self._stall_after = (self._served + count, seconds)

    def heal(self) -> None:
        with self._lock:
            self._fail.clear()
            self._fail_after = self._stall_after = None

    def _next_failure(self) -> tuple[int, float | None] | tuple[str, float] | None:
        with self._lock:
            self._served += 1
            if self._fail:
                return self._fail.pop(0)
            if self._fail_after and self._served > self._fail_after[0]:
                return (self._fail_after[1], None)
            if self._stall_after and self._served > self._stall_after[0]:
                return ("stall", self._stall_after[1])
        return None

    # Answers

    def arxiv_answer(self, params: dict[str, list[str]]) -> tuple[int, str]:
        def one(name: str, default: str) -> str:
            return params.get(name, [default])[-1]

        try:
            start = int(one("start", "0"))
            max_results = int(one("max_results", "10"))
        except ValueError:
            return 400, error_feed("start and max_results must be integers")
        if start < 0 or not 0 <= max_results <= 2000:
            return 400, error_feed("max_results must be between 0 and 2000")
        ids = [i.strip() for i in one("id_list", "").split(",") if i.strip()]
        for wanted in ids:
            if not ID_PATTERN.match(wanted):
                return 400, error_feed(f"incorrect id format for {wanted}")
        query_text = one("search_query", "")
        tree = None
        if query_text:
            try:
                tree = parse_query(query_text)
            except QueryError as error:
                return 400, error_feed(str(error))
        if ids:
            chosen = [
                self.by_id[re.sub(r"v\d+$", "", i)]
                for i in ids
                if re.sub(r"v\d+$", "", i) in self.by_id
            ]
            if tree is not None:
                keep = {
                    r["id"]
                    for r, item in zip(self.records, self.indexed, strict=True)
                    if evaluate(tree, item)
                }
                chosen = [r for r in chosen if r["id"] in keep]
        elif tree is not None:
            chosen = [item.record for item in self.indexed if evaluate(tree, item)]
        else:
            chosen = []
        sort_by = one("sortBy", "relevance")
        if sort_by in ("submittedDate", "lastUpdatedDate"):
            key = (
                (lambda r: r["versions"][0]["date"])
                if sort_by == "submittedDate"
                else (lambda r: _latest(r)["date"])
            )
            chosen = sorted(chosen, key=key, reverse=one("sortOrder", "descending") == "descending")
        page = chosen[start : start + max_results]
        query = urllib.parse.urlencode({k: v[-1] for k, v in params.items()})
        return 200, feed_xml(query, [entry_xml(r) for r in page], len(chosen), start, len(page))

    def crossref_work(self, doi: str) -> tuple[int, str]:
        found = self.by_doi.get(doi.casefold())
        if found is None:
            return 404, "Resource not found."
        record, written, with_abstract = found
        message = _crossref_work(record, written, with_abstract=with_abstract)
        return 200, json.dumps(
            {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message}
        )

    def crossref_search(self, params: dict[str, list[str]]) -> tuple[int, str]:
        query = tokens(params.get("query.bibliographic", [""])[-1])
        try:
            rows = int(params.get("rows", ["20"])[-1])
        except ValueError:
            return 400, json.dumps(
                {
                    "status": "failed",
                    "message-type": "validation-failure",
                    "message": [
                        {
                            "type": "integer-not-valid",
                            "message": "Integer specified as rows is not a positive integer",
                            "value": params["rows"][-1],
                        }
                    ],
                }
            )
        wanted = set(query)
        scored = []
        for doi, (record, _written, _with_abstract) in self.by_doi.items():
            words = set(
                tokens(
                    record["title"]
                    + " "
                    + " ".join(record["authors_api"])
                    + " "
                    + (record.get("journal_ref") or "")
                )
            )
            overlap = len(wanted & words)
            if overlap:
                scored.append((-overlap, doi))
        items = []
        for rank, (overlap, doi) in enumerate(sorted(scored)[:rows]):
            record, written, with_abstract = self.by_doi[doi]
            work = _crossref_work(record, written, with_abstract=with_abstract)
            work["score"] = float(-overlap) * 10 - rank / 100
            items.append(work)
        body = {
            "status": "ok",
            "message-type": "work-list",
            "message-version": "1.0.0",
            "message": {
                "total-results": len(scored),
                "items": items,
                "items-per-page": rows,
                "query": {"start-index": 0, "search-terms": None},
            },
        }
        return 200, json.dumps(body)

    def _handler(self):
        services = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # http.server calls it by this name
                services.requests.append(self.path)
                services.user_agents.append(self.headers.get("User-Agent", ""))
                failure = None if self.path == "/_stats" else services._next_failure()
                if failure and failure[0] == "stall":
                    time.sleep(failure[1])
                elif failure:
                    status, retry_after = failure
                    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
                    self._send(status, "text/plain", "busy, try later", headers)
                    return
                parts = urllib.parse.urlsplit(self.path)
                params = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
                if parts.path == "/_stats":  # for a benchmark in another process
                    body = json.dumps({"requests": len(services.requests) - 1})
                    self._send(200, "application/json", body)
                elif parts.path == "/api/query":
                    status, body = services.arxiv_answer(params)
                    self._send(status, "application/atom+xml; charset=utf-8", body)
                elif parts.path.startswith("/works/"):
                    status, body = services.crossref_work(
                        urllib.parse.unquote(parts.path[len("/works/") :])
                    )
                    kind = "application/json" if status == 200 else "text/plain"
                    self._send(status, kind, body)
                elif parts.path == "/works":
                    status, body = services.crossref_search(params)
                    self._send(status, "application/json", body)
                else:
                    self._send(404, "text/plain", "not here")

            def _send(self, status: int, kind: str, body: str, headers: dict | None = None) -> None:
                data = body.encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a time-out test)

        return Handler


def main() -> None:
    """``python -m tests.lookup.fake_arxiv RECORDS.jsonl``: serve until killed; prints the
    base URL on the first line (``GET /_stats`` counts the requests)."""
    import sys

    with FakeServices(load_records(Path(sys.argv[1]))) as services:
        print(services.base, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            services.thread.join()


if __name__ == "__main__":
    main()
