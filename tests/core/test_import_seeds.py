"""Importing the sample files and the real-abstract test data: every paper, exactly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from readinglist.library import Library

LISTING_SEED = "arxiv-listing.txt"
DAILY_SEED = "daily-papers-mar-14.txt"
DAILY_HEADER = [
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "byAK and the research community",
    "Mar 14",
]


def paragraphs(path: Path) -> list[str]:
    """The blank-line-separated paragraphs of a file, read independently of the reader."""
    text = path.read_text(encoding="utf-8")
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def seed_expectations(seeds: Path) -> tuple[list[tuple[str, str]], list[str]]:
    daily = paragraphs(seeds / DAILY_SEED)
    assert daily[:5] == DAILY_HEADER
    body = daily[5:]
    daily_pairs = list(zip(body[0::2], body[1::2], strict=True))
    listing_lines = (seeds / LISTING_SEED).read_text(encoding="utf-8").splitlines()
    listing_abstracts = [line.removeprefix("Abstract:").strip() for line in listing_lines]
    return daily_pairs, listing_abstracts


def test_seed_files_give_53_papers_exactly(seeded_library: Library, seeds: Path):
    daily_pairs, listing_abstracts = seed_expectations(seeds)
    assert len(daily_pairs) == 46 and len(listing_abstracts) == 7

    papers = seeded_library.papers()
    assert len(papers) == 53
    titled = [p for p in papers if not p.title_inferred]
    inferred = [p for p in papers if p.title_inferred]
    assert [(p.title, p.abstract) for p in titled] == daily_pairs
    assert sorted(p.abstract for p in inferred) == sorted(listing_abstracts)
    assert len(inferred) == 7
    assert all(p.title.strip() for p in inferred)
    assert {p.date_listed for p in titled} == {"Mar 14"}
    assert {p.source_format for p in titled} == {"daily-papers"}
    assert {p.source_format for p in inferred} == {"listing"}
    assert {Path(p.source_file).name for p in inferred} == {LISTING_SEED}


def test_seed_titles_name_the_contribution(seeded_library: Library):
    titles = {p.title for p in seeded_library.papers() if p.title_inferred}
    assert any(t.startswith("Nemotron-H") for t in titles)
    assert any(t.startswith("Adv-RM") for t in titles)
    for title in titles:
        assert len(title) <= 90
        assert "\n" not in title


def test_seed_keys_unique_ascii_readable(seeded_library: Library):
    keys = [p.key for p in seeded_library.papers()]
    assert len(keys) == len(set(keys)) == 53
    assert all(re.fullmatch(r"[a-z][a-z0-9]*", key) for key in keys), keys
    assert {"nemotronh", "flashattention2", "advrm", "megatronlm", "tulu3"} <= set(keys)
    # Keys and lookups agree.
    assert seeded_library.paper("flashattention2").title.startswith("FlashAttention-2")
    assert seeded_library.paper("nemotronh").title.startswith("Nemotron-H")


def test_seed_code_urls(seeded_library: Library):
    by_title = {p.title: p for p in seeded_library.papers()}
    prox = next(p for t, p in by_title.items() if t.startswith("Programming Every Example"))
    assert prox.code_url == "https://github.com/GAIR-NLP/ProX"
    assert prox.abstract.endswith("Code: https://github.com/GAIR-NLP/ProX")


def test_reimporting_seeds_adds_nothing(seeded_library: Library, seeds: Path):
    before = [(p.id, p.key, p.title, p.abstract, p.modified) for p in seeded_library.papers()]
    report = seeded_library.import_files([seeds / LISTING_SEED, seeds / DAILY_SEED])
    assert (report.added, report.merged, report.duplicates) == (0, 0, 53)
    assert not report.failed
    after = [(p.id, p.key, p.title, p.abstract, p.modified) for p in seeded_library.papers()]
    assert after == before


def test_seed_report_per_file(library: Library, seeds: Path):
    report = library.import_files([seeds / DAILY_SEED, seeds / LISTING_SEED])
    daily, listing = report.files
    assert (daily.format, daily.added, daily.skipped) == ("daily-papers", 46, [])
    assert (listing.format, listing.added, listing.skipped) == ("listing", 7, [])
    assert daily.warnings == listing.warnings == []


# The real-abstract test data: 83 papers in both formats


@pytest.fixture
def real(testdata: Path) -> tuple[Path, Path, list[dict]]:
    folder = testdata / "real-abstracts"
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    assert len(truth) == 83
    return folder / "listing.txt", folder / "daily-papers.txt", truth


def test_real_listing_exact(library: Library, real):
    listing, _, truth = real
    report = library.import_files([listing])
    assert (report.added, report.skipped, report.failed) == (83, 0, [])
    papers = library.papers()
    assert [p.abstract for p in papers] == [t["abstract"] for t in truth]
    assert all(p.title_inferred and p.title for p in papers)


def test_real_daily_exact(library: Library, real):
    _, daily, truth = real
    report = library.import_files([daily])
    assert (report.added, report.skipped, report.failed) == (83, 0, [])
    papers = library.papers()
    assert [p.title for p in papers] == [t["title"] for t in truth]
    assert [p.abstract for p in papers] == [t["abstract_b"] for t in truth]
    assert not any(p.title_inferred for p in papers)


@pytest.mark.parametrize("order", ["listing-first", "daily-first"])
def test_real_both_files_merge_into_83_titled(library: Library, real, order):
    listing, daily, truth = real
    files = [listing, daily] if order == "listing-first" else [daily, listing]
    report = library.import_files(files)
    first, second = report.files
    assert first.added == 83
    assert second.added == 0
    assert second.merged + second.duplicates == 83
    if order == "listing-first":
        assert second.merged == 83  # every inferred title replaced by the real one
    papers = library.papers()
    assert len(papers) == 83
    assert sorted(p.title for p in papers) == sorted(t["title"] for t in truth)
    assert not any(p.title_inferred for p in papers)
    # The abstract kept is the one imported first.
    field = "abstract" if order == "listing-first" else "abstract_b"
    assert sorted(p.abstract for p in papers) == sorted(t[field] for t in truth)


def test_real_reimport_adds_nothing(library: Library, real):
    listing, daily, _ = real
    library.import_files([listing, daily])
    keys = [p.key for p in library.papers()]
    report = library.import_files([daily, listing])
    assert (report.added, report.merged, report.duplicates) == (0, 0, 166)
    assert [p.key for p in library.papers()] == keys  # keys never change on their own


def test_user_edited_title_is_not_overwritten(library: Library, real):
    listing, daily, truth = real
    library.import_files([listing])
    first = library.papers()[0]
    assert first.title_inferred
    library.db["papers"].update(first.id, {"title": "My Own Title", "title_inferred": 0})
    key_before = first.key

    report = library.import_files([daily])
    assert report.added == 0
    assert report.merged + report.duplicates == 83
    edited = library.paper(first.id)
    assert edited.title == "My Own Title"
    assert not edited.title_inferred
    assert edited.date_listed == "Apr 2"  # what was missing is still filled in
    assert edited.key == key_before
    others = [p for p in library.papers() if p.id != first.id]
    assert [p.title for p in others] == [t["title"] for t in truth[1:]]
