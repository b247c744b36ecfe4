"""Shared fixtures. Qt must not try to reach a display: set the platform before any
QApplication exists (pytest-qt creates it lazily, after this module is imported)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from readinglist.library import Library
from readinglist.paths import seeds_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_TESTDATA = REPO_ROOT.parent / "shared" / "testdata"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch) -> Path:
    """Each test gets its own cache and config folders (search indexes, lookup responses,
    the installation key), so tests never share state with each other or with the user
    running them. Subprocesses (the command line, crash tests) inherit them."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("READINGLIST_CACHE", str(cache))
    monkeypatch.setenv("READINGLIST_CONFIG", str(tmp_path_factory.mktemp("config")))
    return cache


@pytest.fixture
def library(tmp_path: Path):
    """A fresh, empty library in a temporary folder."""
    with Library(tmp_path / "library") as lib:
        yield lib


@pytest.fixture
def seeds() -> Path:
    return seeds_dir()


@pytest.fixture
def seeded_library(library: Library, seeds: Path) -> Library:
    report = library.import_files([seeds])
    assert report.added == 53, report.to_dict()
    return library


@pytest.fixture
def testdata() -> Path:
    """The shared real-world test files; tests that need them skip where they are absent."""
    if not SHARED_TESTDATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_TESTDATA}")
    return SHARED_TESTDATA
