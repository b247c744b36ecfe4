"""Fixtures for the lookup tests: the real arXiv records served by a local stand-in of
the arXiv API and Crossref (tests/lookup/fake_arxiv.py), and the environment that points
the library at it. Nothing here reaches the internet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readinglist.lookup import http
from tests.conftest import SHARED_TESTDATA
from tests.lookup.fake_arxiv import FakeServices, load_records

METADATA = SHARED_TESTDATA / "arxiv-metadata"
REAL_ABSTRACTS = SHARED_TESTDATA / "real-abstracts"


def _need_testdata() -> None:
    if not (METADATA / "records.jsonl").is_file():
        pytest.skip(f"shared arXiv records not found at {METADATA} (shared test data absent)")


@pytest.fixture(scope="session")
def records() -> list[dict]:
    _need_testdata()
    return load_records(METADATA / "records.jsonl")


@pytest.fixture(scope="session")
def real_ids() -> list[str | None]:
    """For each paper of real-abstracts (file order), its arXiv id among the records."""
    _need_testdata()
    return [m["arxiv_id"] for m in json.loads((METADATA / "real-abstracts-ids.json").read_text())]


@pytest.fixture(scope="session")
def _server(records):
    with FakeServices(records) as fake:
        yield fake


@pytest.fixture
def fake(_server: FakeServices) -> FakeServices:
    """The stand-in, healed and with an empty request log."""
    _server.heal()
    _server.requests.clear()
    yield _server
    _server.heal()


@pytest.fixture
def lookup_env(monkeypatch, tmp_path: Path, fake: FakeServices) -> Path:
    """Point lookups at the stand-in, with no delay, a private cache and quick retries."""
    monkeypatch.setenv(http.ARXIV_API_ENV, fake.arxiv_url)
    monkeypatch.setenv(http.CROSSREF_API_ENV, fake.crossref_url)
    monkeypatch.setenv(http.DELAY_ENV, "0")
    monkeypatch.setenv(http.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(http, "BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(http, "TIMEOUT_SECONDS", 2.0)
    return tmp_path / "cache"


@pytest.fixture
def real_abstracts() -> Path:
    if not REAL_ABSTRACTS.is_dir():
        pytest.skip(f"real abstracts not found at {REAL_ABSTRACTS} (shared test data absent)")
    return REAL_ABSTRACTS
