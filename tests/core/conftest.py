"""Fixtures for the core tests: hypothesis profiles, sample papers, and a parse helper.

Hypothesis runs a modest number of examples by default so CI stays fast;
``HYPOTHESIS_PROFILE=long`` runs many more (for a local soak before a release).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from readinglist.formats import textfile
from readinglist.formats.abstracts import read_abstracts
from readinglist.models import ParsedRecord, SkippedRecord

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "soak", max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Realistic papers (title, abstract): long multi-sentence abstracts, short one-line titles.
SAMPLE_PAPERS = [
    (
        "Sparse Mixtures of Experts for Düsseldorf Street Scenes",
        "We study naïve routing in sparse mixture-of-experts models for street scene "
        "segmentation. Our analysis shows that the router collapses onto a handful of experts "
        "early in training. We propose a balancing loss that keeps every expert busy and "
        "improves mIoU by 2.3 points on Cityscapes.",
    ),
    (
        "FlashAttention-2: Faster Attention with Better Parallelism and Work Partitioning",
        "Scaling Transformers to longer sequence lengths has been a major problem in the last "
        "several years. FlashAttention exploits the asymmetric GPU memory hierarchy to bring "
        "significant memory saving and runtime speedup. We propose FlashAttention-2, with "
        "better work partitioning, reaching 50-73% of the theoretical maximum FLOPs/s on A100.",
    ),
    (
        "On the “Curse” of Depth in $\\ell_1$-Regularised Networks",
        "We show that the $\\ell_1$ penalty interacts with depth in a surprising way: the "
        "effective regularisation grows as $O(L^2)$ with the number of layers $L$. Experiments "
        "on ResNets confirm the prediction, and a rescaled penalty removes the effect entirely.",
    ),
    (
        "多语言预训练模型的跨语言迁移研究",
        "本文研究多语言预训练模型在低资源语言上的跨语言迁移能力。我们提出一种基于对齐的微调方法，"
        "在十二种语言上取得了显著提升。实验结果表明，该方法在零样本设置下同样有效。",
    ),
]


@pytest.fixture
def sample_papers() -> list[tuple[str, str]]:
    return list(SAMPLE_PAPERS)


Parse = Callable[..., list[ParsedRecord | SkippedRecord]]


def parse_path(path: Path) -> list[ParsedRecord | SkippedRecord]:
    """Everything the reader makes of a file, as the importer reads it."""
    info = textfile.sniff(path)
    return list(read_abstracts(textfile.read_lines(path, info)))


@pytest.fixture
def parse_bytes(tmp_path: Path) -> Parse:
    """Write ``data`` (bytes or text, UTF-8) to a temporary file and read it back."""

    def parse(data: bytes | str, name: str = "abstracts.txt") -> list:
        path = tmp_path / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return parse_path(path)

    return parse


def daily_page(papers: list[tuple[str, str]], *, date: str = "Mar 14", newline: str = "\n") -> str:
    """A daily-papers page with the usual header and blank-line-separated pairs."""
    header = [
        "new",
        "Get trending papers in your email inbox!",
        "Subscribe",
        "byAK and the research community",
        date,
    ]
    blocks = header + [part for pair in papers for part in pair]
    return (newline + newline).join(blocks) + newline


def listing(abstracts: list[str], *, newline: str = "\n") -> str:
    return "".join(f"Abstract:{abstract}{newline}" for abstract in abstracts)


@pytest.fixture
def make_daily_page() -> Callable[..., str]:
    return daily_page


@pytest.fixture
def make_listing() -> Callable[..., str]:
    return listing


def records_only(items: list) -> list[ParsedRecord]:
    return [item for item in items if isinstance(item, ParsedRecord)]


def skipped_only(items: list) -> list[SkippedRecord]:
    return [item for item in items if isinstance(item, SkippedRecord)]


def pytest_collection_modifyitems(config, items):
    """Slow tests (a 50 MB full import) run only when asked for: ``pytest -m slow``."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


# A 1,000-paper library with tags, built once per session and copied for each test that
# asks for it (the import and the tagging take a few seconds; a copy takes milliseconds).
BIG_LIBRARY_TAGS = {
    "method/rl": 3,
    "method/sft": 5,
    "method": 7,
    "RLHF": 2,
    "survey": 11,
    "methodology": 13,
}


@pytest.fixture(scope="session")
def big_library_template(tmp_path_factory) -> Path:
    from readinglist.library import Library
    from tests.core.organise_support import synthetic_abstracts, write_listing

    folder = tmp_path_factory.mktemp("big") / "library"
    listing_file = write_listing(
        tmp_path_factory.mktemp("listing") / "thousand.txt", synthetic_abstracts(1000)
    )
    with Library(folder) as library:
        report = library.import_files([listing_file])
        assert report.added == 1000, report.to_dict()
        ids = library.paper_ids(order_by="id")
        for name, every in BIG_LIBRARY_TAGS.items():
            library.add_tags(ids[::every], [name])
    return folder


@pytest.fixture
def big_library(big_library_template: Path, tmp_path: Path):
    """A private copy of the 1,000-paper library (tags: ``BIG_LIBRARY_TAGS``, paper
    ``n`` in id order carries a tag when ``n`` is a multiple of its number)."""
    from tests.core.organise_support import copy_library

    library = copy_library(big_library_template, tmp_path / "big")
    # These tests check the SQLite state. Re-indexing up to 1,000 search documents after
    # every step would triple their run time, so the index is left behind here (as after
    # a crash: it is rebuilt when next needed); ``sync_index()`` switches it back on.
    library.index_ready = False
    yield library
    library.close()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path:
    """The seed papers imported once per session, for tests that copy them."""
    from readinglist.library import Library
    from readinglist.paths import seeds_dir

    folder = tmp_path_factory.mktemp("seeded") / "library"
    with Library(folder) as library:
        assert library.import_files([seeds_dir()]).added == 53
    return folder


@pytest.fixture
def seeded_copy(seeded_template: Path, tmp_path: Path):
    """Like ``seeded_library`` (53 seed papers, the import undoable), from a copy."""
    from tests.core.organise_support import copy_library

    library = copy_library(seeded_template, tmp_path / "seeded")
    yield library
    library.close()
