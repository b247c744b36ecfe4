"""Exports that cite properly: arXiv preprints and published papers as arXiv's own export
and Better BibTeX write them, checked by the real tools where they are installed.

arXiv's BibTeX: ``@misc`` with author, title, year, eprint, ``archivePrefix = {arXiv}``,
primaryClass and url. BibLaTeX: ``@online`` with ``eprinttype = {arxiv}``, eprintclass and
a full ``date``. A published paper (journal reference or DOI with a journal) is an
``@article`` with journal, volume and pages; at a conference an ``@inproceedings``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from readinglist.cite import ExportScope
from readinglist.formats.bibtex import journal_ref, to_bibtex
from readinglist.formats.csl import to_csl_json
from readinglist.formats.ris import to_ris
from tests.core.test_bibtex_tools import (
    biber_warnings,
    bibtex_problems,
    make_paper,
    pdflatex_problems,
)

METADATA = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "arxiv-metadata"

MAMBA = dict(
    title="Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
    authors=["Gu, Albert", "Dao, Tri"],
    year=2023,
    date="2023-12-01",
    arxiv_id="2312.00752",
    arxiv_version="v2",
    primary_class="cs.LG",
)
GRAPHENE = dict(
    title="Cyclotron Resonance study of the electron and hole velocity in graphene monolayers",
    authors=["Deacon, R. S.", "Chuang, K-C.", "Nicholas, R. J.", "Novoselov, K. S.", "Geim, A. K."],
    year=2007,
    date="2007-04-03",
    arxiv_id="0704.0410",
    primary_class="cond-mat.mes-hall",
    venue="Phys. Rev. B 76, 081406(R) (2007)",
    doi="10.1103/PhysRevB.76.081406",
)


def fields_of(bib: str, key: str) -> tuple[str, dict[str, str]]:
    """The entry type and fields (name lowercased -> raw value) of entry ``key``."""
    match = re.search(rf"@(\w+)\{{{re.escape(key)},\n(.*?)\n\}}", bib, re.DOTALL)
    assert match, bib
    fields = dict(re.findall(r"^  (\w+) = \{?(.*?)\}?,?$", match.group(2), re.MULTILINE))
    return match.group(1), {name.lower(): value for name, value in fields.items()}


def test_arxiv_preprint_as_arxiv_exports_it():
    bib = to_bibtex([make_paper(1, "gu2023mamba", **MAMBA)])
    kind, fields = fields_of(bib, "gu2023mamba")
    assert kind == "misc"
    assert fields["author"] == "Gu, Albert and Dao, Tri"
    assert fields["year"] == "2023"
    assert fields["eprint"] == "2312.00752"
    assert fields["primaryclass"] == "cs.LG"
    assert fields["url"] == "https://arxiv.org/abs/2312.00752"
    assert "archivePrefix = {arXiv}" in bib and "primaryClass = {cs.LG}" in bib
    assert fields["month"] == "dec"  # from the first version's date


def test_arxiv_preprint_in_biblatex_is_online_with_a_date():
    bib = to_bibtex([make_paper(1, "gu2023mamba", **MAMBA)], dialect="biblatex")
    kind, fields = fields_of(bib, "gu2023mamba")
    assert kind == "online"
    assert fields["date"] == "2023-12-01"
    assert fields["eprinttype"] == "arxiv"
    assert fields["eprintclass"] == "cs.LG"
    assert fields["eprint"] == "2312.00752"
    assert "year" not in fields and "archiveprefix" not in fields


def test_published_paper_is_an_article_with_journal_volume_pages_and_doi():
    for dialect, journal in (("bibtex", "journal"), ("biblatex", "journaltitle")):
        bib = to_bibtex([make_paper(1, "deacon2007cyclotron", **GRAPHENE)], dialect=dialect)
        kind, fields = fields_of(bib, "deacon2007cyclotron")
        assert kind == "article"
        assert fields[journal] == "Phys. Rev. B"
        assert fields["volume"] == "76"
        assert fields["doi"] == "10.1103/PhysRevB.76.081406"
        assert fields["eprint"] == "0704.0410"  # the preprint stays findable


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("Phys. Rev. B 76, 073103 (2007)", ("Phys. Rev. B", "76", "", "073103")),
        ("Phys.Rev.Lett.98:196806,2007", ("Phys.Rev.Lett.", "98", "", "196806")),
        ("Astrophys.J.664:L87-L90,2007", ("Astrophys.J.", "664", "", "L87--L90")),
        ("Phys.Rev.D76:084013,2007", ("Phys.Rev.D", "76", "", "084013")),
        ("J. Phys. A 40 (2007) 1234-1240", ("J. Phys. A", "40", "", "1234--1240")),
        ("Nature 450 (7167), 393 (2007)", ("Nature", "450", "7167", "393")),
        ("Philosophical Magazine 86 (2006), 753", ("Philosophical Magazine", "86", "", "753")),
        ("Physical Review B", None),
        ("Proc. 10th IASTED Conference, Dallas 13-15 November 2006", None),
    ],
)
def test_journal_references_split_into_journal_volume_pages(reference, expected):
    assert journal_ref(reference) == expected


def test_conference_paper_is_inproceedings():
    paper = make_paper(
        1, "vaswani2017attention", "Attention Is All You Need",
        authors=["Vaswani, Ashish"], year=2017, venue="Advances in NeurIPS 30",
    )  # fmt: skip
    kind, fields = fields_of(to_bibtex([paper]), "vaswani2017attention")
    assert kind == "inproceedings" and fields["booktitle"] == "Advances in NeurIPS 30"


def test_csl_and_ris_carry_the_date_and_the_journal_parts():
    paper = make_paper(1, "deacon2007cyclotron", **GRAPHENE)
    [item] = json.loads(to_csl_json([paper]))
    assert item["type"] == "article-journal"
    assert item["issued"] == {"date-parts": [[2007, 4, 3]]}
    assert (item["container-title"], item["volume"]) == ("Phys. Rev. B", "76")
    ris = to_ris([paper])
    assert "DA  - 2007/04/03" in ris and "JO  - Phys. Rev. B" in ris and "VL  - 76" in ris


@pytest.mark.parametrize(
    ("date", "parts"),
    [
        ("\u00b9", [2020]),  # SUPERSCRIPT ONE: str.isdigit() holds, int() fails
        ("2020-\u00b9-05", [2020]),  # a part that is no number ends the date
        ("\u0662\u0660\u0662\u0660-\u0660\u0663", [2020]),  # Arabic-Indic digits
        ("2020-03", [2020, 3]),
        ("2020-03-05T10:00:00Z", [2020, 3, 5]),
    ],
)
def test_csl_date_parts_take_only_an_ascii_date(date, parts):
    paper = make_paper(1, "k", "T", year=2020, date=date)
    [item] = json.loads(to_csl_json([paper]))
    assert item["issued"] == {"date-parts": [parts]}


def test_bibtex_dates_take_only_ascii_digits():
    paper = make_paper(1, "k", "T", year=2020, date="2020-\u0660\u0663")  # Arabic-Indic 03
    assert fields_of(to_bibtex([paper], dialect="biblatex"), "k")[1]["date"] == "2020"
    assert "month" not in fields_of(to_bibtex([paper]), "k")[1]


def real_records() -> list[dict]:
    """The arXiv records of the real abstracts, as a lookup brings them."""
    if not METADATA.is_dir():
        pytest.skip(f"shared test data not found at {METADATA}")
    wanted = {
        entry["arxiv_id"]
        for entry in json.loads((METADATA / "real-abstracts-ids.json").read_text())
        if entry.get("arxiv_id")
    }
    records = []
    for line in (METADATA / "records.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["id"] in wanted:
            records.append(record)
    assert len(records) == len(wanted) > 50
    return records


def _family_given(name: str) -> str:
    given, _, family = name.rpartition(" ")
    return f"{family}, {given}" if given else family


def real_papers() -> list:
    papers = []
    for number, record in enumerate(real_records(), start=1):
        first = record["versions"][0]["date"][:10]
        papers.append(
            make_paper(
                number,
                f"paper{number}",
                " ".join(record["title"].split()),
                authors=[_family_given(a) for a in record["authors"]],
                year=int(first[:4]),
                date=first,
                arxiv_id=record["id"],
                arxiv_version=record["versions"][-1]["version"],
                primary_class=record["categories"][0],
                venue=record["journal_ref"] or "",
                doi=(record["doi"] or "").split()[0] if record["doi"] else "",
            )
        )
    return papers


def test_real_looked_up_papers_pass_bibtex_plain_without_warnings(tmp_path):
    problems = bibtex_problems(to_bibtex(real_papers()), tmp_path)
    assert [line for line in problems if "Warning--" in line or "error" in line.lower()] == []


def test_real_looked_up_papers_pass_biber_datamodel_without_warnings(tmp_path):
    assert biber_warnings(to_bibtex(real_papers(), dialect="biblatex"), tmp_path) == []


def test_real_looked_up_papers_typeset_with_pdflatex(tmp_path):
    problems = pdflatex_problems(to_bibtex(real_papers()), tmp_path, style="plain")
    assert problems == []


def test_papers_without_authors_or_year_still_export_validly(library, tmp_path):
    """Imported abstracts before a lookup: a title-only @misc. plain.bst has nothing to
    warn about (it sorts by the key field); biber's data model wants a date for every
    @misc, so that warning, and only it, remains for such papers."""
    listing = tmp_path / "listing.txt"
    listing.write_text(
        "Abstract:We report studies of cyclotron resonance in monolayer graphene. "
        "Cyclotron resonance is detected using the photoconductive response.\n",
        encoding="utf-8",
    )
    library.import_files([listing])
    bib = library.export_text("bibtex", ExportScope())
    assert bib.startswith("@misc{cyclotron,")
    problems = bibtex_problems(bib, tmp_path / "bibtex")
    assert [line for line in problems if "Warning--" in line] == []
    biblatex = library.export_text("biblatex", ExportScope())
    warnings = [line for line in biber_warnings(biblatex, tmp_path / "b") if "WARN -" in line]
    assert warnings == [
        "WARN - Datamodel: Entry 'cyclotron' (refs.bib): Missing mandatory field - "
        "one of 'date, year' must be defined"
    ]
