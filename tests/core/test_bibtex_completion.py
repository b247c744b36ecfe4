"""A .bib entry for a paper already in the library completes it instead of adding a copy.

Evidence is the same arXiv id or DOI, or the same title (normalised) when the title is
specific, exactly one paper has it, and no abstract, arXiv id or DOI contradicts it.
"Editorial" proves nothing; distinct keys in one .bib stay distinct entries.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readinglist import fingerprints
from readinglist.cli import main
from readinglist.library import Library
from tests.core.conftest import daily_page

TESTDATA = Path(__file__).resolve().parents[3] / "shared" / "testdata"
ABSTRACT = (
    "We study the real-time domain-wall dynamics near a quantum critical point of the "
    "one-dimensional anisotropic ferromagnetic spin 1/2 chain. By numerical simulation, we "
    "find the domain wall is dissolved in time, and the magnetization relaxes in a "
    "characteristic way near the critical point, with a diffusion constant that diverges."
)
OTHER_ABSTRACT = (
    "Vortices are pervasive in nature, representing the breakdown of laminar fluid flow and "
    "hence playing a key role in turbulence. The fluid rotation associated with a vortex can "
    "be parameterized by the circulation about the vortex, where the velocity field is taken."
)
TITLE = "Domain Wall Dynamics near a Quantum Critical Point"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def import_daily(library: Library, tmp_path: Path, papers: list[tuple[str, str]]) -> list[int]:
    return library.import_files([write(tmp_path, "daily.txt", daily_page(papers))]).added_ids


def field_sources(library: Library, paper_id: int) -> dict[str, str]:
    rows = library.db.execute(
        "SELECT field, source FROM field_sources WHERE paper_id = ?", [paper_id]
    )
    return dict(rows.fetchall())


def test_an_entry_with_the_same_title_completes_the_paper(library, tmp_path):
    [paper_id] = import_daily(library, tmp_path, [(TITLE, ABSTRACT)])
    bib = write(
        tmp_path,
        "refs.bib",
        "@article{Ogata2008,\n  author = {Ogata, Yoshiko and Tasaki, Hal},\n"
        "  title = {Domain wall dynamics near a {Quantum} critical point},\n"
        "  journal = {Phys. Rev. B}, volume = {77}, pages = {054406}, year = {2008},\n"
        "  doi = {10.1103/PhysRevB.77.054406}, eprint = {0707.0001}, archivePrefix = {arXiv}\n}\n",
    )
    report = library.import_files([bib])
    assert (report.added, report.merged, report.completed) == (0, 1, 1)
    assert library.count() == 1
    paper = library.paper(paper_id)
    assert paper.title == TITLE  # ours: the entry's has other capitals only
    assert paper.authors == ["Ogata, Yoshiko", "Tasaki, Hal"]
    assert (paper.year, paper.venue, paper.doi, paper.arxiv_id) == (
        2008,
        "Phys. Rev. B",
        "10.1103/physrevb.77.054406",
        "0707.0001",
    )
    assert paper.key == "Ogata2008" and library.key_pinned(paper_id)  # theirs, and cited
    sources = field_sources(library, paper_id)
    assert {sources[name] for name in ("authors", "year", "venue", "doi", "arxiv_id")} == {"bibtex"}
    exported = library.export_text("bibtex")
    assert "@article{Ogata2008," in exported and "volume = {77}" in exported


def test_a_pinned_key_stays_when_an_entry_completes_the_paper(library, tmp_path):
    [paper_id] = import_daily(library, tmp_path, [(TITLE, ABSTRACT)])
    key = library.paper(paper_id).key
    library.cite_keys([paper_id])  # \cite{...} copied: the key is in someone's document
    bib = write(tmp_path, "refs.bib", f"@misc{{theirs, title = {{{TITLE}}}, year = 2008}}\n")
    report = library.import_files([bib])
    assert report.completed == 1
    assert library.paper(paper_id).key == key
    assert library.paper(paper_id).year == 2008


def test_what_the_user_set_is_never_overwritten(library, tmp_path):
    [paper_id] = import_daily(library, tmp_path, [(TITLE, ABSTRACT)])
    library.edit(paper_id, authors=["Me, Myself"], venue="Workshop")
    library.edit(paper_id, venue="")  # typed, then cleared: the user wants it empty
    bib = write(
        tmp_path,
        "refs.bib",
        f"@article{{k, title = {{{TITLE}}}, author = {{Ogata, Y.}}, journal = {{PRB}},"
        " year = 2008}\n",
    )
    assert library.import_files([bib]).completed == 1
    paper = library.paper(paper_id)
    assert paper.authors == ["Me, Myself"] and paper.venue == "" and paper.year == 2008
    assert field_sources(library, paper_id)["authors"] == "user"


def test_editorial_twice_stays_two(library, tmp_path):
    import_daily(library, tmp_path, [("Editorial", "Not Available")])
    bib = write(
        tmp_path,
        "refs.bib",
        "@article{ed1, title = {Editorial}, author = {Smith, A.}, journal = {J}, year = 2001}\n"
        "@article{ed2, title = {Editorial}, author = {Jones, B.}, journal = {K}, year = 2002}\n",
    )
    report = library.import_files([bib])
    assert (report.added, report.completed) == (2, 0)
    assert library.count() == 3


@pytest.mark.parametrize(
    "title",
    [
        "Editorial",
        "Erratum: " + TITLE,
        "Reply to the comment on " + TITLE,
        "Concluding Remarks",
        "Single",
    ],
)
def test_generic_titles_are_no_evidence(title):
    assert fingerprints.title_fingerprint(title) is None


def test_a_contradicting_abstract_keeps_two_papers(library, tmp_path):
    import_daily(library, tmp_path, [(TITLE, ABSTRACT)])
    bib = write(
        tmp_path,
        "refs.bib",
        f"@misc{{other, title = {{{TITLE}}}, abstract = {{{OTHER_ABSTRACT}}}}}\n",
    )
    report = library.import_files([bib])
    assert (report.added, report.completed) == (1, 0)
    assert library.count() == 2


def test_the_same_abstract_in_latex_agrees():
    latex = ABSTRACT.replace("one-dimensional", "{one-dimensional}").replace("1/2", "$1/2$")
    assert fingerprints.abstracts_agree(ABSTRACT, latex)
    assert not fingerprints.abstracts_agree(ABSTRACT, OTHER_ABSTRACT)


def test_another_arxiv_id_contradicts_the_title(library, tmp_path):
    [paper_id] = import_daily(library, tmp_path, [(TITLE, ABSTRACT)])
    library.edit(paper_id, arxiv_id="0707.0001")
    bib = write(tmp_path, "refs.bib", f"@misc{{x, title = {{{TITLE}}}, eprint = {{0801.0002}}}}\n")
    assert library.import_files([bib]).added == 1


def test_distinct_keys_in_one_file_are_distinct_entries(library, tmp_path):
    import_daily(library, tmp_path, [(TITLE, ABSTRACT)])
    bib = write(
        tmp_path,
        "refs.bib",
        f"@misc{{first, title = {{{TITLE}}}, year = 2008}}\n"
        f"@misc{{second, title = {{{TITLE}}}, year = 2009}}\n",
    )
    report = library.import_files([bib])
    assert (report.completed, report.added) == (1, 1)
    assert sorted(p.key for p in library.papers()) == ["first", "second"]


def test_two_papers_of_one_title_are_not_guessed_between(library, tmp_path):
    import_daily(library, tmp_path, [(TITLE, ABSTRACT)])
    library.import_files([write(tmp_path, "again.txt", daily_page([(TITLE, OTHER_ABSTRACT)]))])
    bib = write(tmp_path, "refs.bib", f"@misc{{k, title = {{{TITLE}}}, year = 2008}}\n")
    assert library.import_files([bib]).added == 1


def test_the_command_line_report_says_completed(tmp_path, capsys):
    folder = tmp_path / "lib"
    daily = write(tmp_path, "daily.txt", daily_page([(TITLE, ABSTRACT)]))
    bib = write(tmp_path, "refs.bib", f"@misc{{k, title = {{{TITLE}}}, year = 2008}}\n")
    assert main(["--library", str(folder), "import", str(daily)]) == 0
    capsys.readouterr()
    assert main(["--library", str(folder), "import", str(bib)]) == 0
    out = capsys.readouterr().out
    assert "completed 1 papers" in out
    assert main(["--library", str(folder), "import", "--json", str(bib)]) == 0
    assert json.loads(capsys.readouterr().out)["completed"] == 0  # already complete


def _real_bib(records: list[dict]) -> str:
    """A .bib of the real papers as a reference manager would write it (no abstracts)."""
    entries = []
    for record in records:
        names = " and ".join(
            f"{n.rpartition(' ')[2]}, {n.rpartition(' ')[0]}".strip(", ") for n in record["authors"]
        )
        title = " ".join(record["title"].split())
        year = record["versions"][0]["date"][:4]
        key = record["id"].replace("/", "-").replace(".", "-")
        entries.append(
            f"@misc{{arxiv-{key},\n  author = {{{names}}},\n  title = {{{title}}},\n"
            f"  year = {{{year}}},\n  eprint = {{{record['id']}}},\n"
            f"  archivePrefix = {{arXiv}},\n  primaryClass = {{{record['categories'][0]}}}\n}}\n"
        )
    return "\n".join(entries)


def test_real_bibtex_completes_the_real_abstracts(library, tmp_path):
    """The listing (no titles) and the daily page (titles) give 83 papers; a .bib of the
    74 that are on arXiv, as Zotero or arXiv would export them, completes each of them
    with authors, year and arXiv id, adds nothing, and gives each its key."""
    real = TESTDATA / "real-abstracts"
    metadata = TESTDATA / "arxiv-metadata"
    if not (real.is_dir() and metadata.is_dir()):
        pytest.skip(f"shared test data not found at {TESTDATA}")
    ids = json.loads((metadata / "real-abstracts-ids.json").read_text(encoding="utf-8"))
    wanted = {entry["arxiv_id"]: entry["index"] for entry in ids if entry["arxiv_id"]}
    records = [
        record
        for record in map(json.loads, (metadata / "records.jsonl").read_text().splitlines())
        if record["id"] in wanted
    ]
    library.import_files([real / "listing.txt", real / "daily-papers.txt"])
    assert library.count() == 83
    report = library.import_files([write(tmp_path, "real.bib", _real_bib(records))])
    assert len(records) == len(wanted) == 74
    assert (report.added, report.completed) == (0, 74)
    assert library.count() == 83
    by_arxiv = {p.arxiv_id: p for p in library.papers() if p.arxiv_id}
    assert set(by_arxiv) == set(wanted)
    for record in records:
        paper = by_arxiv[record["id"]]
        assert paper.authors and paper.year == int(record["versions"][0]["date"][:4])
        assert paper.key == "arxiv-" + record["id"].replace("/", "-").replace(".", "-")
