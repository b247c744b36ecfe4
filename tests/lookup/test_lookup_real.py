"""End to end on the shared real data: import the real abstracts, look everything up
against the local stand-in holding all 1057 records, and get exactly the right record for
each of the 74 papers in the pool and nothing for the 9 others. Wrong must be 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from readinglist.library import Library


def _score(library: Library, report, real_ids: list[str | None]) -> dict:
    papers = library.papers(order_by="id")
    assert len(papers) == len(real_ids) == 83
    by_paper = {result.paper_id: result for result in report.results}
    score = {"right": 0, "wrong": [], "ambiguous": [], "not_found": 0, "missed": []}
    for paper, wanted in zip(papers, real_ids, strict=True):
        result = by_paper[paper.id]
        if result.status == "matched":
            if paper.arxiv_id == wanted:
                score["right"] += 1
            else:
                score["wrong"].append((paper.id, paper.arxiv_id, wanted))
        elif result.status == "ambiguous":
            score["ambiguous"].append(paper.id)
        else:
            assert result.status == "not_found", result.message
            score["not_found"] += 1
            if wanted:
                score["missed"].append(wanted)
            # Nothing at all attached to a paper that is not in the pool.
            assert not paper.arxiv_id and not paper.doi and not paper.authors
            assert paper.year is None
    return score


@pytest.mark.parametrize("name", ["listing.txt", "daily-papers.txt"])
def test_every_pool_paper_gets_its_record_and_no_other_paper_gets_any(
    tmp_path: Path, lookup_env, fake, records, real_ids, real_abstracts, name
):
    by_id = {record["id"]: record for record in records}
    with Library(tmp_path / "library") as library:
        library.import_files([real_abstracts / name])
        needing = library.papers_needing_lookup()
        assert len(needing) == 83
        report = library.lookup(needing)
        score = _score(library, report, real_ids)
        assert score == {
            "right": 74,
            "wrong": [],
            "ambiguous": [],
            "not_found": 9,
            "missed": [],
        }
        assert not report.unreachable and not report.cancelled
        for paper, wanted in zip(library.papers(order_by="id"), real_ids, strict=True):
            if not wanted:
                continue
            record = by_id[wanted]
            # The record's own title, authors (family name first, in order) and year.
            assert " ".join(paper.title.split())
            assert not paper.title_inferred
            assert len(paper.authors) == len(record["authors_api"])
            for written, stored in zip(record["authors_api"], paper.authors, strict=True):
                family = stored.split(",")[0]
                assert family.split()[-1] in written, (written, stored)
            assert paper.year == int(record["versions"][0]["date"][:4])
            assert paper.date == record["versions"][0]["date"][:10]
            assert paper.arxiv_version == record["versions"][-1]["version"]
            assert paper.primary_class == record["categories"][0]
            assert paper.url == f"https://arxiv.org/abs/{wanted}"
            # Provisional keys follow the authors and year now known.
            assert str(paper.year) in paper.key
        # Found nowhere: not asked again by "look up all".
        assert len(library.papers_needing_lookup()) == 0


def test_listing_titles_are_the_records_titles(
    tmp_path: Path, lookup_env, records, real_ids, real_abstracts
):
    by_id = {record["id"]: record for record in records}
    with Library(tmp_path / "library") as library:
        library.import_files([real_abstracts / "listing.txt"])
        library.lookup(library.papers_needing_lookup())
        papers = library.papers(order_by="id")
        first = papers[0]
        assert first.title == (
            "Cyclotron Resonance study of the electron and hole velocity in graphene monolayers"
        )
        assert first.authors[:2] == ["Deacon, R. S.", "Chuang, K-C."]
        assert first.key == "deacon2007cyclotron"
        assert first.doi == "10.1103/physrevb.76.081406"
        assert first.venue == by_id["0704.0410"]["journal_ref"]
        # TeX in a title: accents decoded, math kept as written.
        for paper, wanted in zip(papers, real_ids, strict=True):
            if wanted and "$" in by_id[wanted]["title"]:
                assert "$" in paper.title


def test_a_repeat_costs_no_request(tmp_path: Path, lookup_env, fake, real_abstracts):
    with Library(tmp_path / "library") as library:
        library.import_files([real_abstracts / "daily-papers.txt"])
        ids = [p.id for p in library.papers()]
        first = library.propose_lookup(ids)
        asked = len(fake.requests)
        assert asked > 0
        again = library.propose_lookup(ids)
        assert len(fake.requests) == asked  # all from the disk cache
        assert [r.to_json() for r in again.results] == [r.to_json() for r in first.results]
