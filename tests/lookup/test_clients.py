"""The service door and the two clients: spacing, retries, Retry-After, time-outs, size
limits and the disk cache; feeds and JSON read defensively; the stand-in's query language."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from readinglist.lookup import http
from readinglist.lookup.arxiv import ArxivClient, parse_feed
from readinglist.lookup.crossref import CrossrefClient, jats_text, parse_work
from readinglist.lookup.http import (
    BadRequest,
    DiskCache,
    LookupServiceError,
    Response,
    Service,
    ServiceUnreachable,
)
from readinglist.lookup.names import family_given


def _service(cache: DiskCache | None = None, **options) -> Service:
    options.setdefault("backoff", 0.0)
    return Service("arXiv", delay=0, cache=cache, user_agent=http.user_agent(), **options)


@pytest.fixture
def arxiv(fake) -> ArxivClient:
    return ArxivClient(_service(), fake.arxiv_url)


@pytest.fixture
def crossref(fake) -> CrossrefClient:
    return CrossrefClient(_service(), fake.crossref_url)


# arXiv


def test_by_ids_with_and_without_versions(arxiv: ArxivClient):
    found = arxiv.by_ids(["0704.0002v1", "hep-th/9108002", "0704.9999"])
    assert set(found) == {"0704.0002", "hep-th/9108002"}
    record = found["0704.0002"]
    assert record.title == "Sparsity-certifying Graph Decompositions"
    assert record.authors == ("Streinu, Ileana", "Theran, Louis")
    assert (record.year, record.date, record.arxiv_version) == (2007, "2007-03-31", "v2")
    assert record.primary_class == "math.CO"
    assert record.source_id == "0704.0002v2"


def test_a_malformed_id_is_refused_with_arxivs_reason(arxiv: ArxivClient, fake):
    with pytest.raises(BadRequest, match=r"incorrect id format for 1234\.12345"):
        arxiv._feed(arxiv.url({"id_list": "1234.12345"}))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('ti:"Sparsity-certifying Graph"', {"0704.0002"}),
        ("ti:sparsity AND ti:graph", {"0704.0002"}),
        ("au:Streinu AND ti:pebble", set()),
        ('abs:"pebble game with colors" AND au:Theran', {"0704.0002"}),
        ("(ti:sparsity OR ti:sparse) ANDNOT cat:cs", set()),
        ("ti:sparsity ANDNOT au:Streinu", set()),
    ],
)
def test_the_stand_in_reads_the_query_language(arxiv: ArxivClient, query, expected):
    assert {r.arxiv_id for r in arxiv.search(query)} >= expected
    if not expected:
        assert not {r.arxiv_id for r in arxiv.search(query)} & {"0704.0002"}


def test_start_and_max_results_page_through(arxiv: ArxivClient):
    everything = [r.arxiv_id for r in arxiv.search("cat:hep-th", max_results=50)]
    page = arxiv._feed(arxiv.url({"search_query": "cat:hep-th", "start": "5", "max_results": "3"}))
    assert [r.arxiv_id for r in page] == everything[5:8]


FEED_VARIANT = """<?xml version='1.0'?>
<a:feed xmlns:a="http://www.w3.org/2005/Atom" xmlns:x="http://arxiv.org/schemas/atom">
 <a:entry><x:primary_category term="hep-th"/>
  <a:summary>  An abstract
     over lines.  </a:summary>
  <a:author><a:name>Ludwig van der Waals</a:name><x:affiliation>Leiden</x:affiliation></a:author>
  <a:title>A title
     over lines</a:title>
  <a:published>1991-08-01T00:00:00Z</a:published>
  <a:id>https://arxiv.org/abs/hep-th/9108002v3</a:id>
  <x:doi>10.1000/ONE 10.1000/two</x:doi>
 </a:entry>
 <a:entry><a:title>no id: skipped</a:title></a:entry>
 <a:entry><a:id>http://arxiv.org/abs/not an id</a:id></a:entry>
</a:feed>"""


def test_feeds_are_read_by_namespace_not_by_layout():
    (record,) = parse_feed(FEED_VARIANT)
    assert record.arxiv_id == "hep-th/9108002"
    assert record.arxiv_version == "v3"
    assert record.title == "A title over lines"
    assert record.abstract == "An abstract over lines."
    assert record.authors == ("van der Waals, Ludwig",)
    assert record.doi == "10.1000/one"
    assert (record.year, record.primary_class) == (1991, "hep-th")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not xml at all",
        "<html><body>Service unavailable</body></html>",
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><feed>&lol;</feed>',
        "<feed xmlns='http://www.w3.org/2005/Atom'><entry>" * 50,
    ],
    ids=["empty", "text", "html", "doctype", "unclosed"],
)
def test_hostile_answers_are_errors_not_crashes(text):
    with pytest.raises(LookupServiceError):
        parse_feed(text)


# Crossref


def test_crossref_by_doi_and_bibliographic_query(crossref: CrossrefClient):
    record = crossref.work("https://doi.org/10.1103/PhysRevB.76.081406")
    assert record is not None
    assert record.doi == "10.1103/physrevb.76.081406"
    assert record.authors[0] == "Deacon, R. S."
    assert (record.year, record.entry_type, record.source) == (2007, "article", "crossref")
    assert crossref.work("10.9999/nothing.here") is None
    found = crossref.search("Cyclotron Resonance graphene monolayers Deacon", rows=3)
    assert found[0].doi == "10.1103/physrevb.76.081406"
    assert len(found) <= 3


def test_crossref_works_are_read_defensively():
    assert parse_work({"DOI": 12}) is None
    assert parse_work({}) is None
    odd = parse_work(
        {
            "DOI": "10.1000/X",
            "title": [None, "<i>Italic</i> &amp;\x07 plain&#x1b;"],
            "author": [{"family": "Doe\x00", "given": "Jane"}, "junk", {"name": "CERN"}],
            "issued": {"date-parts": [[2020, 2, 30]]},
            "published-print": {"date-parts": [["2019"]]},
            "container-title": "Not a list",
            "abstract": "<jats:title>Abstract</jats:title><jats:p>Body &lt;3</jats:p>",
            "type": "proceedings-article",
        }
    )
    assert odd is not None
    assert odd.title == "Italic & plain"
    assert odd.authors == ("Doe, Jane", "CERN")
    assert (odd.year, odd.date) == (2020, "2020-02-30")
    assert odd.venue == "Not a list"
    assert odd.abstract == "Body <3"
    assert odd.entry_type == "inproceedings"
    assert jats_text("<jats:p>a</jats:p><jats:p>b</jats:p>") == "a b"


# The service door


class _Script(BaseHTTPRequestHandler):
    """Answers from a list of (status, headers, body) the test sets."""

    protocol_version = "HTTP/1.1"
    answers: ClassVar[list] = []
    seen: ClassVar[list] = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # http.server calls it by this name
        type(self).seen.append(dict(self.headers))
        status, headers, body = (
            type(self).answers.pop(0) if type(self).answers else (200, {}, b"ok")
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def scripted():
    class Handler(_Script):
        answers: ClassVar[list] = []
        seen: ClassVar[list] = []

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/x", Handler
    server.shutdown()
    server.server_close()


def test_retry_after_and_backoff_are_honoured(scripted):
    url, handler = scripted
    handler.answers = [(503, {"Retry-After": "7"}, b""), (429, {}, b""), (200, {}, b"done")]
    waits: list[float] = []
    service = _service(backoff=0.5, sleep=waits.append)
    assert service.get(url).text == "done"
    assert waits == [7.0, 1.0]  # Retry-After; then the backoff's second step (0.5 * 2)
    assert "mailto" not in handler.seen[0]["User-Agent"] or "@" in handler.seen[0]["User-Agent"]


def test_giving_up_names_the_service_and_the_reason(scripted):
    url, handler = scripted
    handler.answers = [(503, {}, b"")] * 3
    service = _service(retries=2)
    with pytest.raises(ServiceUnreachable, match=r"arXiv could not be reached \(HTTP 503\)"):
        service.get(url)
    assert service.requests == 3


def test_requests_are_spaced_by_the_delay(scripted):
    url, _ = scripted
    waits: list[float] = []
    service = Service("arXiv", delay=3.0, cache=None, user_agent="t", sleep=waits.append)
    service.get(url + "?1")
    service.get(url + "?2")
    assert len(waits) == 1 and 2.5 < waits[0] <= 3.0


def test_the_user_agent_carries_a_contact(monkeypatch, scripted):
    url, handler = scripted
    monkeypatch.setenv(http.MAILTO_ENV, "someone@example.org")
    Service("Crossref", delay=0, cache=None, user_agent=http.user_agent()).get(url)
    agent = handler.seen[0]["User-Agent"]
    assert agent.startswith("readinglist/") and "mailto:someone@example.org" in agent


def test_an_answer_too_large_is_refused(scripted, monkeypatch):
    url, handler = scripted
    monkeypatch.setattr(http, "MAX_RESPONSE_BYTES", 1000)
    handler.answers = [(200, {}, b"x" * 5000)]
    with pytest.raises(BadRequest, match="too large"):
        _service().get(url)


def test_the_cache_answers_repeats_and_trusts_only_its_own_shape(tmp_path: Path, scripted):
    url, handler = scripted
    cache = DiskCache(tmp_path / "cache")
    service = _service(cache)
    handler.answers = [(200, {}, b"first"), (200, {}, b"second")]
    assert service.get(url).text == "first"
    again = service.get(url)
    assert (again.text, again.cached, service.requests) == ("first", True, 1)
    # A file someone else put there, for another URL or of another shape, is ignored.
    path = cache._path(url)
    path.write_text(json.dumps({"url": "http://elsewhere/", "status": 200, "text": "evil"}))
    assert cache.get(url) is None
    path.write_text("[1, 2, 3]")
    assert cache.get(url) is None
    assert service.get(url).text == "second"


def test_the_cache_stays_under_its_size(tmp_path: Path):
    cache = DiskCache(tmp_path / "cache", max_bytes=2000)
    for number in range(20):
        cache.put(f"http://x/{number}", Response(200, "y" * 300))
    cache.trim()
    total = sum(p.stat().st_size for p in (tmp_path / "cache").glob("*/*.json"))
    assert total <= 2000
    assert cache.get("http://x/19") is not None  # the newest stay


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("Ileana Streinu", "Streinu, Ileana"),
        ("Robert P. C. de Marrais", "de Marrais, Robert P. C."),
        ("Jingyun Liang, Jr.", "Liang, Jr., Jingyun"),
        ("Madonna", "Madonna"),
        ("  José   García-Pérez ", "García-Pérez, José"),
    ],
)
def test_names_are_stored_family_first(name, stored):
    assert family_given(name) == stored


def test_two_lookups_at_once_keep_one_pace(scripted):
    url, _ = scripted
    waits: list[float] = []
    clock = http.Clock()
    first, second = (
        Service("arXiv", delay=3.0, cache=None, user_agent="t", sleep=waits.append, clock=clock)
        for _ in range(2)
    )
    first.get(url + "?1")
    second.get(url + "?2")
    assert len(waits) == 1 and 2.5 < waits[0] <= 3.0
    assert http.shared_clock("arxiv") is http.shared_clock("arxiv")


@pytest.mark.parametrize("text", ["[" * 100_000, '{"message": ' * 100_000])
def test_a_deeply_nested_crossref_answer_is_an_error_not_a_crash(text, crossref_stub):
    # A hostile or broken server: json.loads raises RecursionError, not ValueError.
    with pytest.raises(LookupServiceError):
        crossref_stub(text).work("10.1000/x")
    with pytest.raises(LookupServiceError):
        crossref_stub(text).search("anything")


@pytest.fixture
def crossref_stub():
    class _Answers:
        def __init__(self, text):
            self.text = text

        def get(self, url, *, accept="*/*"):
            return http.Response(status=200, text=self.text)

        def forget(self, url):
            pass

    return lambda text: CrossrefClient(_Answers(text), "https://crossref.invalid")


def test_an_arxiv_category_is_a_category_or_nothing():
    # An attribute keeps a character reference (&#10;) as the character itself.
    feed = (
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        "<entry><id>http://arxiv.org/abs/2401.12345v1</id><title>T</title><summary>S</summary>"
        '<arxiv:primary_category term="hep-th&#10;}@misc{x,&#9;"/></entry>'
        "<entry><id>http://arxiv.org/abs/2401.12346v1</id><title>U</title><summary>S</summary>"
        '<category term="cond-mat.mes-hall"/></entry></feed>'
    )
    first, second = parse_feed(feed)
    assert first.primary_class == ""
    assert second.primary_class == "cond-mat.mes-hall"


def test_services_are_asked_over_https_by_default():
    # Plain HTTP lets anyone on the network answer for arXiv: a record "found by its id"
    # is attached without further evidence.
    assert http.DEFAULT_ARXIV_API.startswith("https://")
    assert http.DEFAULT_CROSSREF_API.startswith("https://")


def test_a_redirect_is_followed_only_to_a_web_address(scripted):
    url, handler = scripted
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.3)
    ftp = f"ftp://127.0.0.1:{listener.getsockname()[1]}/x"
    try:
        handler.answers = [(302, {"Location": "/x?moved"}, b""), (200, {}, b"moved here")]
        assert _service().get(url).text == "moved here"  # an ordinary redirect still works
        handler.answers = [(302, {"Location": ftp}, b"")]
        with pytest.raises(LookupServiceError, match="redirect"):
            _service().get(url + "?2")
        with pytest.raises(TimeoutError):
            listener.accept()[0].close()  # nobody came
    finally:
        listener.close()


def test_an_unusable_answer_is_not_kept_in_the_cache(tmp_path: Path, scripted):
    # A maintenance page served with 200 must not answer the same question for a month.
    url, handler = scripted
    base = url.rsplit("/", 1)[0]
    work = {"message": {"DOI": "10.1000/x", "title": ["Found"]}}
    handler.answers = [
        (200, {}, b"<html>down for maintenance</html>"),
        (200, {}, json.dumps(work).encode()),
        (200, {}, b"<feed>unclosed"),
        (200, {}, b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>'),
    ]
    service = _service(DiskCache(tmp_path / "cache"))
    crossref = CrossrefClient(service, base)
    with pytest.raises(LookupServiceError):
        crossref.work("10.1000/x")
    record = crossref.work("10.1000/x")
    assert record is not None and record.title == "Found"
    arxiv = ArxivClient(service, base + "/api/query")
    with pytest.raises(LookupServiceError):
        arxiv.search("ti:x")
    assert arxiv.search("ti:x") == []
    assert service.requests == 4


def test_a_contact_that_is_not_an_address_is_not_sent(monkeypatch):
    from readinglist.lookup.http import user_agent

    monkeypatch.setenv("READINGLIST_MAILTO", "me@example.org\r\nX-Evil: 1")
    assert "mailto" not in user_agent() and "\n" not in user_agent()
    monkeypatch.setenv("READINGLIST_MAILTO", "me@example.org")
    assert user_agent().endswith("; mailto:me@example.org)")
