"""An index over the 53 seed papers, with tags, notes, years, statuses and dates added
to some of them (the organising features that set those do not exist yet)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from readinglist.library import Library
from readinglist.paths import seeds_dir
from readinglist.search import SearchDocument, WhooshIndex, document_from_paper

STAMP = "stamp-1"
OLD = "2024-01-15T10:00:00+00:00"
RECENT = (datetime.now(UTC) - timedelta(days=2)).isoformat(timespec="seconds")

# Paper ids in the seed library (import order).
NEMOTRON_H = 1  # "Nemotron-H: ... hybrid Mamba-Transformer models" (title inferred)
ADV_RM = 2
MIXTURE_OF_MAMBA = 16
MEGATRON = 22
DEPS = 23  # "DεpS: Delayed ε-Shrinking ..."
OLMO = 26  # mentions "Tülu 3" in its abstract
FLASH_ATTENTION = 27
CSWIN = 28
TRANSKD = 29
TULU = 37  # "TÜLU 3: Pushing Frontiers ..."
TRICKLE = 43  # reward (in-)consistency in RLHF
HERDING = 47  # reward model ensembles
ALIGNMENT_FAKING = 52
PRETRAINING_PREFS = 53
UNTITLED = {1, 2, 3, 4, 5, 6, 7}

CHANGES = {
    NEMOTRON_H: {"tags": ("method",), "year": 2025},
    ADV_RM: {"tags": ("topic/reward-models",)},
    MIXTURE_OF_MAMBA: {"year": 2025, "status": "reading", "tags": ("to-read",)},
    MEGATRON: {"year": 2019},
    FLASH_ATTENTION: {"year": 2023, "status": "read"},
    TULU: {"year": 2024, "authors": ("Nathan Lambert", "Hamish Ivison")},
    TRICKLE: {"tags": ("method/rl",)},
    HERDING: {"tags": ("topic/reward-models",)},
    ALIGNMENT_FAKING: {
        "added": "2024-06-01T09:00:00+00:00",
        "notes": ('Discussed at the reading group in D\\"{u}sseldorf.',),
    },
    PRETRAINING_PREFS: {"year": 2023, "added": RECENT, "comments": ("conditional training",)},
}


def _documents(library) -> dict[int, SearchDocument]:
    documents = {}
    for paper in library.papers():
        doc = dataclasses.replace(document_from_paper(paper), added=OLD)
        documents[paper.id] = dataclasses.replace(doc, **CHANGES.get(paper.id, {}))
    return documents


def _build(folder: Path, documents: dict[int, SearchDocument]) -> WhooshIndex:
    ix = WhooshIndex(folder)
    assert ix.open(STAMP) is False  # nothing there yet
    assert ix.rebuild(documents.values(), len(documents), STAMP)
    return ix


@pytest.fixture
def seed_documents(seeded_library) -> dict[int, SearchDocument]:
    return _documents(seeded_library)


@pytest.fixture
def index_folder(tmp_path: Path) -> Path:
    return tmp_path / "search-index"


@pytest.fixture
def index(index_folder: Path, seed_documents) -> WhooshIndex:
    """A fresh index per test, for tests that change or damage it."""
    ix = _build(index_folder, seed_documents)
    yield ix
    ix.close()


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory) -> WhooshIndex:
    """One index for the read-only query tests: importing the seeds and building the
    index per test would take most of the test run. Tests must not change it."""
    folder = tmp_path_factory.mktemp("shared")
    with Library(folder / "library") as library:
        library.import_files([seeds_dir()])
        documents = _documents(library)
    ix = _build(folder / "search-index", documents)
    yield ix
    ix.close()


def ids(index: WhooshIndex, query: str) -> set[int]:
    results = index.search(query, limit=None)
    assert results.fallback_message == "", results.fallback_message
    return set(results.ids)
