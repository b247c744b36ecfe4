"""One door to each outside service: spacing, retries, time-outs, size limits and a cache.

A ``Service`` sends every request to one host: it waits the service's delay since its last
request (arXiv asks for one request every three seconds; Crossref's etiquette asks for a
contact in the ``User-Agent`` and, for the public and polite pools, a modest rate: one
second apart stays far below it), retries 429 and 5xx answers and dropped connections
with exponential backoff (honouring ``Retry-After``), gives up on a silent server after a
time-out, reads at most ``MAX_RESPONSE_BYTES``, and keeps every answer it will want again
(200, and 404 for "no such DOI") in a disk cache keyed by the URL, so a repeat, or a
lookup restarted after a crash, costs no request.

The standard library's ``urllib`` is enough here: each request is one GET, and the
behaviour above is what matters, which neither ``requests`` nor the service clients on
PyPI give together (see ``readinglist.lookup.arxiv`` for the comparison).
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import logging
import os
import re
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from readinglist import __version__
from readinglist.errors import UserError

log = logging.getLogger(__name__)

ARXIV_API_ENV = "READINGLIST_ARXIV_API"
CROSSREF_API_ENV = "READINGLIST_CROSSREF_API"
DELAY_ENV = "READINGLIST_LOOKUP_DELAY"
CACHE_ENV = "READINGLIST_CACHE"
MAILTO_ENV = "READINGLIST_MAILTO"
DEFAULT_ARXIV_API = "https://export.arxiv.org/api/query"
DEFAULT_CROSSREF_API = "https://api.crossref.org"
PROJECT_URL = "https://github.com/readinglist/readinglist"

MAX_RESPONSE_BYTES = 8 * 1024 * 1024
TIMEOUT_SECONDS = 20.0
RETRIES = 4  # after the first try: 1 + 4 requests at most
BACKOFF_SECONDS = 2.0  # 2, 4, 8, 16 s between tries (or what Retry-After asks, up to MAX_WAIT)
MAX_WAIT_SECONDS = 120.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CACHE_MAX_BYTES = 200 * 1024 * 1024
CACHE_MAX_AGE_SECONDS = 30 * 24 * 3600


class LookupServiceError(UserError):
    """A service could not answer (after retries), or answered something unusable."""


class ServiceUnreachable(LookupServiceError):
    """No answer at all: the host cannot be reached, times out, or keeps refusing (429/5xx)."""

    def __init__(self, message: str, service: str = ""):
        super().__init__(message)
        self.service = service  # "arxiv", "crossref"


class BadRequest(LookupServiceError):
    """The service refused the request itself (HTTP 400 and the like), or its answer."""

    def __init__(self, message: str, body: str = ""):
        super().__init__(message)
        self.body = body  # arXiv explains a 400 in an Atom feed


@dataclass(frozen=True, slots=True)
class Response:
    status: int  # 200, or 404 for "not found"
    text: str
    cached: bool = False


_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}")


def user_agent(*, mailto: str = "") -> str:
    """``readinglist/0.1 (+project URL; mailto:...)``: who is asking and how to reach them."""
    contact = mailto or os.environ.get(MAILTO_ENV, "").strip()
    # An address, nothing else: a line break in a header is refused by urllib (and would
    # be header injection elsewhere).
    if not _ADDRESS.fullmatch(contact):
        contact = ""
    suffix = f"; mailto:{contact}" if contact else ""
    return f"readinglist/{__version__} (+{PROJECT_URL}{suffix})"


def configured_delay(default: float) -> float:
    """``READINGLIST_LOOKUP_DELAY`` seconds between two requests to one service, if set."""
    raw = os.environ.get(DELAY_ENV, "").strip()
    if not raw:
        return default
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise UserError(f"{DELAY_ENV} is not a number of seconds: {raw!r}") from None


def cache_dir() -> Path:
    """``$READINGLIST_CACHE/lookup``, or ``lookup`` in this user's cache folder."""
    root = os.environ.get(CACHE_ENV, "").strip()
    base = Path(root).expanduser() if root else Path(platformdirs.user_cache_dir("readinglist"))
    return base / "lookup"


class DiskCache:
    """Answers by URL: one small JSON file each (never pickle), oldest dropped past a size."""

    def __init__(
        self,
        folder: Path,
        *,
        max_bytes: int = CACHE_MAX_BYTES,
        max_age: float = CACHE_MAX_AGE_SECONDS,
    ):
        self.folder = folder
        self.max_bytes = max_bytes
        self.max_age = max_age
        self._writes = 0
        self._lock = threading.Lock()

    def _path(self, url: str) -> Path:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.folder / digest[:2] / f"{digest}.json"

    def get(self, url: str) -> Response | None:
        path = self._path(url)
        try:
            if time.time() - path.stat().st_mtime > self.max_age:
                return None
            if path.stat().st_size > MAX_RESPONSE_BYTES * 2:
                return None
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        # Someone else may have written the folder: trust nothing but the exact shape.
        if (
            not isinstance(data, dict)
            or data.get("url") != url
            or data.get("status") not in (200, 404)
            or not isinstance(data.get("text"), str)
        ):
            return None
        return Response(status=data["status"], text=data["text"], cached=True)

    def put(self, url: str, response: Response) -> None:
        path = self._path(url)
        payload = json.dumps({"url": url, "status": response.status, "text": response.text})
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    file.write(payload)
                os.replace(temporary, path)
            except BaseException:
                with _suppress_os_error():
                    os.unlink(temporary)
                raise
        except OSError as error:  # a full or read-only cache only costs requests later
            log.warning("cannot write the lookup cache %s: %s", path, error)
            return
        with self._lock:
            self._writes += 1
            check = self._writes % 50 == 1
        if check:
            self.trim()

    def discard(self, url: str) -> None:
        """Forget the answer to ``url`` (one its reader could not use)."""
        with _suppress_os_error():
            self._path(url).unlink()

    def trim(self) -> None:
        """Drop the oldest answers until the folder is under its size limit."""
        try:
            files = [(p.stat().st_mtime, p.stat().st_size, p) for p in self.folder.glob("*/*.json")]
        except OSError:
            return
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            with _suppress_os_error():
                path.unlink()
                total -= size


class _suppress_os_error:
    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback) -> bool:
        return kind is not None and issubclass(kind, OSError)


class _WebRedirectsOnly(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to an http(s) address, and never from https down to http:
    urllib would also follow one to ``ftp:``, anywhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old, new = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(newurl)
        if new.scheme not in ("http", "https") or (old.scheme, new.scheme) == ("https", "http"):
            fp.close()
            raise BadRequest(f"the service redirected to {newurl[:200]!r}; not followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_WebRedirectsOnly)


class Clock:
    """When a service was last asked: shared by every lookup of this process, so two
    lookups running at once (two windows' workers) still keep the service's pace."""

    def __init__(self):
        self.lock = threading.Lock()
        self.last = 0.0
        self.min_gap = 0.0  # raised by a service's X-Rate-Limit headers


_CLOCKS: dict[str, Clock] = {}
_CLOCKS_LOCK = threading.Lock()


def shared_clock(service: str) -> Clock:
    with _CLOCKS_LOCK:
        return _CLOCKS.setdefault(service, Clock())


class Service:
    """Requests to one service, spaced by its delay; thread-safe."""

    def __init__(
        self,
        name: str,
        *,
        delay: float,
        cache: DiskCache | None,
        user_agent: str,
        timeout: float | None = None,
        retries: int | None = None,
        backoff: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock | None = None,
    ):
        self.name = name
        self.delay = delay
        self.cache = cache
        self.user_agent = user_agent
        self.timeout = TIMEOUT_SECONDS if timeout is None else timeout
        self.retries = RETRIES if retries is None else retries
        self.backoff = BACKOFF_SECONDS if backoff is None else backoff
        self.sleep = sleep
        self.requests = 0  # sent over the network (not answered from the cache)
        self._lock = threading.Lock()
        self.clock = clock or Clock()

    def get(self, url: str, *, accept: str = "*/*") -> Response:
        """The answer to a GET: 200 or 404 (cached); ``BadRequest`` for other 4xx;
        ``ServiceUnreachable`` when every try failed."""
        if self.cache is not None:
            cached = self.cache.get(url)
            if cached is not None:
                return cached
        last_problem = ""
        for attempt in range(self.retries + 1):
            wait = 0.0
            try:
                response = self._fetch(url, accept)
            except _Retry as retry:
                last_problem, wait = retry.problem, retry.wait
            else:
                if self.cache is not None:
                    self.cache.put(url, response)
                return response
            if attempt == self.retries:
                break
            wait = max(wait, self.backoff * (2**attempt))
            log.info("%s: %s; trying again in %.1f s", self.name, last_problem, wait)
            self.sleep(min(wait, MAX_WAIT_SECONDS))
        raise ServiceUnreachable(
            f"{self.name} could not be reached ({last_problem})", self.name.casefold()
        )

    def forget(self, url: str) -> None:
        """Drop a cached answer its client could not read (a maintenance page served with
        200, a truncated feed), so the next lookup asks again instead of for a month."""
        if self.cache is not None:
            self.cache.discard(url)

    def _space(self) -> None:
        clock = self.clock
        with clock.lock:
            gap = max(self.delay, clock.min_gap)
            due = clock.last + gap
            now = time.monotonic()
            if now < due:
                self.sleep(due - now)
            clock.last = time.monotonic()

    def _fetch(self, url: str, accept: str) -> Response:
        self._space()
        request = urllib.request.Request(
            url, headers={"User-Agent": self.user_agent, "Accept": accept}
        )
        with self._lock:
            self.requests += 1
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                self._note_rate_limit(answer.headers)
                body = _read_bounded(answer)
                return Response(status=200, text=_decode(body, answer.headers))
        except urllib.error.HTTPError as error:
            with error:
                if error.code == 404:
                    return Response(status=404, text="")
                if error.code in RETRY_STATUSES:
                    raise _Retry(
                        f"HTTP {error.code}", _retry_after(error.headers.get("Retry-After"))
                    ) from None
                try:
                    body = _decode(_read_bounded(error), error.headers)
                except (OSError, LookupServiceError):
                    body = ""
                raise BadRequest(
                    f"{self.name} refused the request (HTTP {error.code})", body
                ) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise _Retry(f"{reason or type(error).__name__}", 0.0) from None
        except (OSError, http.client.HTTPException) as error:  # cut off half-way, ...
            raise _Retry(str(error) or type(error).__name__, 0.0) from None

    def _note_rate_limit(self, headers) -> None:
        """Crossref announces its limit (``X-Rate-Limit-Limit: 50``, ``-Interval: 1s``)."""
        try:
            limit = int(headers.get("X-Rate-Limit-Limit", ""))
            interval = float(headers.get("X-Rate-Limit-Interval", "").rstrip("s"))
        except ValueError:
            return
        if limit > 0 and interval > 0:
            self.clock.min_gap = min(interval / limit, MAX_WAIT_SECONDS)


class _Retry(Exception):
    def __init__(self, problem: str, wait: float):
        super().__init__(problem)
        self.problem = problem
        self.wait = wait


def _retry_after(value: str | None) -> float:
    """Seconds from a ``Retry-After`` header (a number or an HTTP date); 0 if absent."""
    if not value:
        return 0.0
    value = value.strip()
    try:
        return max(0.0, min(float(value), MAX_WAIT_SECONDS))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, min(when.timestamp() - time.time(), MAX_WAIT_SECONDS))


def _read_bounded(answer) -> bytes:
    declared = answer.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        raise BadRequest(f"the answer is too large ({int(declared)} bytes)")
    body = answer.read(MAX_RESPONSE_BYTES + 1)
    if len(body) > MAX_RESPONSE_BYTES:
        raise BadRequest(f"the answer is larger than {MAX_RESPONSE_BYTES} bytes")
    return body


def _decode(body: bytes, headers) -> str:
    charset = headers.get_content_charset() or "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return body.decode("utf-8", errors="replace")
