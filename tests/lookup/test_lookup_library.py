"""Library's lookup methods against the local stand-in: propose changes nothing, apply is one
undoable step, the user's fields are never overwritten, ambiguous papers wait for the
user, and failures leave every paper either fully updated or untouched."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from readinglist.library import Library
from readinglist.lookup import http


def _listing(*abstracts: str) -> str:
    return "".join(f"Abstract:{' '.join(a.split())}\n" for a in abstracts)


def _daily(*papers: tuple[str, str]) -> str:
    return "".join(f"{title}\n\n{' '.join(abstract.split())}\n\n" for title, abstract in papers)


@pytest.fixture
def by_id(records) -> dict[str, dict]:
    return {record["id"]: record for record in records}


@pytest.fixture
def library(tmp_path: Path, lookup_env):
    with Library(tmp_path / "library") as lib:
        yield lib


def _state(library: Library) -> list[dict]:
    return [paper.to_dict() for paper in library.papers(order_by="id")]


def test_propose_changes_nothing_and_apply_is_one_undo_step(library: Library, by_id):
    chosen = ["0704.0410", "0704.0084", "0704.0155"]
    library.import_text(_listing(*(by_id[i]["abstract"] for i in chosen)))
    ids = [p.id for p in library.papers(order_by="id")]
    before = _state(library)
    sources_before = [library.field_sources(i) for i in ids]
    report = library.propose_lookup(ids)
    assert [r.status for r in report.results] == ["matched"] * 3
    assert [r.source_id.split("v")[0] for r in report.results] == chosen
    assert _state(library) == before  # proposing writes no paper
    first = report.results[0]
    assert first.changed["arxiv_id"] == ("", "0704.0410")
    assert first.changed["title"][1].startswith("Cyclotron Resonance")
    assert first.changed["authors"][0] == []
    assert first.to_json()["changed"]["year"] == [None, 2007]

    changes = library.apply_lookup(report.results)
    assert changes.modified == frozenset(ids)
    assert library.undo_label() == "Look up metadata for 3 papers"
    after = _state(library)
    assert [p["arxiv_id"] for p in after] == chosen
    sources = library.field_sources(ids[0])
    assert sources["title"] == sources["authors"] == sources["arxiv_id"] == "arxiv"
    assert sources["abstract"] == "file"

    library.undo()
    assert _state(library) == before
    assert [library.field_sources(i) for i in ids] == sources_before
    library.redo()
    assert _state(library) == after


def test_the_users_fields_are_never_overwritten(library: Library, by_id):
    library.import_text(_listing(by_id["0704.0410"]["abstract"]))
    paper = library.papers()[0]
    library.edit(paper.id, title="Graphene cyclotron resonance (my title)", authors=["Me, Myself"])
    assert library.field_sources(paper.id)["title"] == "user"
    report = library.lookup([paper.id])
    assert report.results[0].status == "matched"
    assert "title" not in report.results[0].changed
    assert "authors" not in report.results[0].changed
    paper = library.paper(paper.id)
    assert paper.title == "Graphene cyclotron resonance (my title)"
    assert paper.authors == ["Me, Myself"]
    assert (paper.arxiv_id, paper.year) == ("0704.0410", 2007)
    assert library.field_sources(paper.id)["year"] == "arxiv"


def test_a_real_title_from_the_file_stays(library: Library, by_id):
    record = by_id["0704.0084"]
    library.import_text(_daily(("Density blow-ups in granular gases", record["abstract"])))
    paper = library.papers()[0]
    assert not paper.title_inferred
    library.lookup([paper.id])
    paper = library.paper(paper.id)
    assert paper.title == "Density blow-ups in granular gases"
    assert paper.arxiv_id == "0704.0084"


def test_a_double_submission_is_ambiguous_until_the_user_picks(
    tmp_path: Path, library: Library, by_id
):
    # 0704.0026 and 0704.0112 are real double submissions: the same abstract.
    library.import_text(_listing(by_id["0704.0026"]["abstract"]))
    paper = library.papers()[0]
    before = _state(library)
    report = library.lookup([paper.id])
    result = report.results[0]
    assert result.status == "ambiguous"
    assert {c.record.arxiv_id for c in result.candidates} == {"0704.0026", "0704.0112"}
    assert _state(library) == before  # nothing attached
    assert library.undo_label() != "Look up metadata for 0 papers"
    library.close()

    with Library(tmp_path / "library") as reopened:  # the candidates are remembered
        pending = reopened.pending_candidates(paper.id)
        assert {c.record.arxiv_id for c in pending} == {"0704.0026", "0704.0112"}
        assert paper.id in reopened.papers_needing_lookup()
        pick = next(c for c in pending if c.record.arxiv_id == "0704.0112")
        reopened.choose_candidate(paper.id, pick)
        chosen = reopened.paper(paper.id)
        assert chosen.arxiv_id == "0704.0112"
        assert chosen.title.startswith("Placeholder Substructures III")
        assert reopened.pending_candidates(paper.id) == []
        assert paper.id not in reopened.papers_needing_lookup()
        reopened.undo()
        assert _state(reopened) == before
        assert len(reopened.pending_candidates(paper.id)) == 2


def test_none_of_these_forgets_the_candidates_and_attaches_nothing(library: Library, by_id):
    library.import_text(_listing(by_id["0704.0026"]["abstract"]))
    paper = library.papers()[0]
    assert library.lookup_status(paper.id) == ""
    library.lookup([paper.id])
    assert library.lookup_status(paper.id) == "ambiguous"
    before = _state(library)
    library.dismiss_candidates(paper.id)
    assert library.pending_candidates(paper.id) == []
    assert library.lookup_status(paper.id) == "not_found"
    assert _state(library) == before
    assert paper.id not in library.papers_needing_lookup()
    library.lookup([paper.id])  # asked again explicitly: the choice comes back
    assert len(library.pending_candidates(paper.id)) == 2


def test_the_title_settles_a_double_submission(library: Library, by_id):
    record = by_id["0704.0112"]
    library.import_text(_daily((record["title"], record["abstract"])))
    report = library.lookup([library.papers()[0].id])
    result = report.results[0]
    assert result.status == "matched"
    assert result.source_id.startswith("0704.0112")


def test_a_title_alone_is_not_enough(library: Library, by_id):
    # The title of a record in the pool, with an abstract that tells another story.
    record = by_id["0704.0410"]
    other = (
        "We measure the thermal conductivity of suspended carbon nanotube bundles between "
        "four and three hundred kelvin, using a self-heating bridge technique, and find a "
        "crossover from ballistic to diffusive phonon transport near forty kelvin that "
        "depends strongly on the bundle diameter and on the quality of the contacts."
    )
    library.import_text(_daily((record["title"], other)))
    paper = library.papers()[0]
    report = library.lookup([paper.id])
    assert report.results[0].status == "not_found"
    assert library.paper(paper.id).arxiv_id == ""


def test_identifiers_from_bibtex_are_looked_up_by_id(tmp_path: Path, library: Library, by_id):
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@misc{one, title = {Sparsity-certifying Graph Decompositions},\n"
        "  eprint = {0704.0002}, archivePrefix = {arXiv}}\n"
        "@article{two, title = {A paper known by its DOI},\n"
        "  doi = {10.1103/PhysRevB.76.081406}}\n",
        encoding="utf-8",
    )
    library.import_files([bib])
    one, two = library.papers(order_by="id")
    report = library.propose_lookup([one.id, two.id])
    first, second = report.results
    assert (first.status, first.source, first.candidates[0].evidence) == (
        "matched",
        "arxiv",
        "arxiv id",
    )
    assert (second.status, second.source) == ("matched", "crossref")
    library.apply_lookup(report.results)
    one, two = library.papers(order_by="id")
    assert one.authors == ["Streinu, Ileana", "Theran, Louis"]
    assert one.title == "Sparsity-certifying Graph Decompositions"  # the .bib's title stays
    assert two.authors[0] == "Deacon, R. S."
    assert two.year == 2007
    assert library.field_sources(two.id)["authors"] == "crossref"
    assert library.field_sources(two.id)["title"] == "bibtex"


def test_a_service_failing_half_way_leaves_each_paper_whole_and_a_rerun_finishes(
    tmp_path: Path, library: Library, fake, real_abstracts, real_ids
):
    library.import_files([real_abstracts / "listing.txt"])
    ids = library.papers_needing_lookup()
    before = {p["id"]: p for p in _state(library)}
    fake.fail_after(5, 503)
    report = library.lookup(ids)
    assert report.unreachable
    assert "arXiv could not be reached (HTTP 503)" in report.message
    for paper in _state(library):
        if paper["arxiv_id"]:  # fully updated ...
            assert paper["authors"] and paper["year"] and not paper["title_inferred"]
        else:  # ... or untouched
            assert paper == before[paper["id"]]
    done = sum(1 for p in _state(library) if p["arxiv_id"])
    assert done == 5
    answered = set(fake.requests[:5])  # the requests before the failures began
    # The papers that failed are still waiting; a second run asks only for them.
    fake.heal()
    fake.requests.clear()
    report = library.lookup(library.papers_needing_lookup())
    assert not report.unreachable
    assert sum(1 for p in _state(library) if p["arxiv_id"]) == 74
    assert not answered & set(fake.requests)


def test_too_many_requests_are_retried_after_the_time_asked(library: Library, fake, by_id):
    library.import_text(_listing(by_id["0704.0410"]["abstract"]))
    fake.fail(429, times=2, retry_after=0.3)
    started = time.monotonic()
    report = library.lookup([library.papers()[0].id])
    assert time.monotonic() - started >= 0.6  # Retry-After honoured, twice
    assert report.results[0].status == "matched"
    assert len(fake.requests) == 3


def test_a_server_that_stops_answering_times_out_with_a_clear_message(
    library: Library, fake, by_id, monkeypatch
):
    monkeypatch.setattr(http, "TIMEOUT_SECONDS", 0.3)
    monkeypatch.setattr(http, "RETRIES", 1)
    chosen = ["0704.0410", "0704.0084", "0704.0155"]
    library.import_text(_listing(*(by_id[i]["abstract"] for i in chosen)))
    before = _state(library)
    fake.stall_after(1, 1.5)
    report = library.lookup([p.id for p in library.papers(order_by="id")])
    assert report.unreachable
    assert "arXiv could not be reached (timed out)" in report.message
    statuses = [r.status for r in report.results]
    assert statuses == ["matched", "error", "error"]
    after = _state(library)
    assert after[0]["arxiv_id"] == "0704.0410"
    assert after[1:] == before[1:]


def test_a_lookup_stopped_half_way_loses_nothing(tmp_path: Path, lookup_env, fake, real_abstracts):
    folder = tmp_path / "library"
    with Library(folder) as library:
        library.import_files([real_abstracts / "listing.txt"])
        ids = library.papers_needing_lookup()
        seen: list[int] = []
        report = library.lookup(
            ids, progress=lambda done, total: seen.append(done), cancel=lambda: len(seen) >= 20
        )
        assert report.cancelled
        assert len(report.results) == 20
        asked = len(fake.requests)
    with Library(folder) as library:  # as after a restart
        report = library.lookup(library.papers_needing_lookup())
        assert not report.cancelled
        assert sum(1 for p in library.papers() if p.arxiv_id) == 74
    # Nothing was asked twice: both runs together cost what one run costs.
    assert asked > 0
    assert len(fake.requests) == len(set(fake.requests))


def test_papers_needing_lookup(library: Library, by_id):
    library.import_text(
        _listing(
            by_id["0704.0410"]["abstract"],
            "Too short to identify anything at all.",
        )
    )
    first, second = library.papers(order_by="id")
    assert library.papers_needing_lookup() == [first.id, second.id]
    report = library.lookup([second.id])
    assert report.results[0].status == "not_found"
    assert "too short" in report.results[0].message
    assert library.papers_needing_lookup() == [first.id]
    library.trash([first.id])
    assert library.papers_needing_lookup() == []


@pytest.mark.parametrize("stored", ["not json", "[" * 50_000, '{"a": 1}', "[1, null]"])
def test_stored_candidates_from_a_received_library_never_fail(tmp_path: Path, stored):
    bib = tmp_path / "one.bib"
    bib.write_text("@misc{one, title={One}, author={Doe, Jane}}\n", encoding="utf-8")
    with Library(tmp_path / "lib") as library:
        library.import_files([bib])
        library.db.execute(
            "INSERT INTO lookup_state (paper_id, status, checked, candidates) "
            "VALUES (1, 'ambiguous', '2026-01-01', ?)",
            [stored],
        )
        assert library.pending_candidates(1) == []
