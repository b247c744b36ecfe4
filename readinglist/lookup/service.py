"""The configured lookup: services, clients and cache from the environment.

``READINGLIST_ARXIV_API`` and ``READINGLIST_CROSSREF_API`` (base URLs, for tests and
mirrors), ``READINGLIST_LOOKUP_DELAY`` (seconds between requests to one service; each
service's own etiquette otherwise), ``READINGLIST_MAILTO`` (the contact Crossref asks for),
``READINGLIST_CACHE`` (the cache root; ``lookup/`` inside it).
"""

from __future__ import annotations

import os

from readinglist.lookup import arxiv, crossref
from readinglist.lookup.finder import Finder
from readinglist.lookup.http import (
    ARXIV_API_ENV,
    CROSSREF_API_ENV,
    DEFAULT_ARXIV_API,
    DEFAULT_CROSSREF_API,
    DiskCache,
    Service,
    cache_dir,
    configured_delay,
    shared_clock,
    user_agent,
)


def make_finder() -> Finder:
    cache = DiskCache(cache_dir())
    agent = user_agent()
    arxiv_service = Service(
        "arXiv",
        delay=configured_delay(arxiv.DEFAULT_DELAY),
        cache=cache,
        user_agent=agent,
        clock=shared_clock("arxiv"),
    )
    crossref_service = Service(
        "Crossref",
        delay=configured_delay(crossref.DEFAULT_DELAY),
        cache=cache,
        user_agent=agent,
        clock=shared_clock("crossref"),
    )
    return Finder(
        arxiv.ArxivClient(arxiv_service, os.environ.get(ARXIV_API_ENV) or DEFAULT_ARXIV_API),
        crossref.CrossrefClient(
            crossref_service, os.environ.get(CROSSREF_API_ENV) or DEFAULT_CROSSREF_API
        ),
    )
