"""Citation keys follow the paper until it is cited, then never change on their own.

A key is provisional until it leaves the app (an export, an auto-export, BibTeX or a
\\cite command copied to the clipboard) or the user types it; new authors and a year then
remake it with the key pattern. Keys for papers without authors are readable words.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from readinglist import citekeys
from readinglist.cite import ExportScope
from readinglist.db.connection import write_transaction
from readinglist.library import Library

REAL = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "real-abstracts"
MAMBA_ABSTRACT = (
    "Foundation models, now powering most of the exciting applications in deep learning, "
    "are almost universally based on the Transformer architecture and its core attention "
    "module. Many subquadratic-time architectures such as linear attention, gated "
    "convolution and recurrent models, and structured state space models have been "
    "developed to address Transformers' computational inefficiency on long sequences."
)


def import_listing(library: Library, tmp_path: Path, *abstracts: str) -> list[int]:
    path = tmp_path / f"listing{len(list(tmp_path.iterdir()))}.txt"
    path.write_text("".join(f"Abstract:{a}\n" for a in abstracts), encoding="utf-8")
    return library.import_files([path]).added_ids


def lookup_brings(library: Library, paper_id: int, authors: list[str], year: int) -> dict:
    """What a lookup does to a paper's key once it has attached authors and a year."""
    with write_transaction(library.db):
        library.db.execute(
            "UPDATE papers SET authors = ?, year = ? WHERE id = ?",
            [json.dumps(authors), year, paper_id],
        )
        return citekeys.regenerate_provisional_keys(library.db, [paper_id])


def test_provisional_key_follows_authors_and_year(library, tmp_path):
    [paper_id] = import_listing(library, tmp_path, MAMBA_ABSTRACT)
    before = library.paper(paper_id).key
    assert before == "foundation"  # the first distinctive word of the inferred title
    assert not library.key_pinned(paper_id)
    changed = lookup_brings(library, paper_id, ["Gu, Albert", "Dao, Tri"], 2023)
    assert changed == {paper_id: ("foundation", "gu2023foundation")}
    assert library.paper(paper_id).key == "gu2023foundation"
    # Nothing new: nothing changes.
    assert lookup_brings(library, paper_id, ["Gu, Albert", "Dao, Tri"], 2023) == {}


@pytest.mark.parametrize(
    "use",
    [
        lambda lib, pid, tmp: lib.export_text("bibtex", ExportScope(ids=(pid,))),
        lambda lib, pid, tmp: lib.export_text("csljson", ExportScope(ids=(pid,))),
        lambda lib, pid, tmp: lib.export_file(tmp / "refs.bib", "biblatex", ExportScope()),
        lambda lib, pid, tmp: lib.cite_keys([pid]),
        lambda lib, pid, tmp: lib.add_auto_export(tmp / "auto.bib"),
    ],
    ids=["copy-bibtex", "csl-json", "export-file", "copy-cite", "auto-export"],
)
def test_a_key_that_left_the_app_never_changes(library, tmp_path, use):
    [paper_id] = import_listing(library, tmp_path, MAMBA_ABSTRACT)
    use(library, paper_id, tmp_path)
    assert library.key_pinned(paper_id)
    assert lookup_brings(library, paper_id, ["Gu, Albert"], 2023) == {}
    assert library.paper(paper_id).key == "foundation"


def test_the_users_key_is_pinned_and_undo_brings_back_the_provisional_one(library, tmp_path):
    [paper_id] = import_listing(library, tmp_path, MAMBA_ABSTRACT)
    library.set_key(paper_id, "mamba")
    assert library.key_pinned(paper_id)
    assert lookup_brings(library, paper_id, ["Gu, Albert"], 2023) == {}
    assert library.paper(paper_id).key == "mamba"
    library.undo()  # the key edit
    assert library.paper(paper_id).key == "foundation"
    assert not library.key_pinned(paper_id)


def test_regenerated_keys_stay_unique_and_may_swap(library, tmp_path):
    first, second = import_listing(
        library, tmp_path, MAMBA_ABSTRACT, MAMBA_ABSTRACT.replace("Foundation", "Giant")
    )
    with write_transaction(library.db):
        for paper_id in (first, second):
            library.db.execute(
                "UPDATE papers SET authors = ?, year = 2023 WHERE id = ?",
                ['["Gu, Albert"]', paper_id],
            )
        library.db.execute("UPDATE papers SET title = 'Giant models' WHERE id = ?", [first])
        library.db.execute("UPDATE papers SET title = 'Foundation' WHERE id = ?", [second])
        changed = citekeys.regenerate_provisional_keys(library.db, [first, second])
    assert changed == {
        first: ("foundation", "gu2023giant"),
        second: ("giant", "gu2023foundation"),
    }
    with write_transaction(library.db):
        library.db.execute("UPDATE papers SET title = 'Giant models' WHERE id = ?", [second])
        citekeys.regenerate_provisional_keys(library.db, [second])
    assert library.paper(second).key == "gu2023gianta"
    keys = [p.key.casefold() for p in library.papers()]
    assert len(keys) == len(set(keys))


def test_the_library_key_pattern_makes_new_and_regenerated_keys(library, tmp_path):
    library.set_key_pattern("[auth][year]_[veryshorttitle:lower]")
    [paper_id] = import_listing(library, tmp_path, MAMBA_ABSTRACT)
    assert library.paper(paper_id).key == "foundation"
    lookup_brings(library, paper_id, ["Gu, Albert"], 2023)
    assert library.paper(paper_id).key == "Gu2023_foundation"


def test_a_bibtex_entrys_own_key_is_pinned(library, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{myown, title = {Selective State Spaces}}\n", encoding="utf-8")
    [paper_id] = library.import_files([bib]).added_ids
    assert library.paper(paper_id).key == "myown" and library.key_pinned(paper_id)


def test_a_real_title_arriving_remakes_a_provisional_key(library, tmp_path):
    [paper_id] = import_listing(library, tmp_path, MAMBA_ABSTRACT)
    daily = tmp_path / "daily.txt"
    daily.write_text(
        "Apr 2\n\nMamba: Linear-Time Sequence Modeling with Selective State Spaces\n\n"
        f"{MAMBA_ABSTRACT}\n",
        encoding="utf-8",
    )
    report = library.import_files([daily])
    assert report.merged == 1
    assert library.paper(paper_id).key == "mamba"


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("I discuss low energy aspects of heavy meson decays.", "lowenergy"),
        ("Let ${\\mathcal S}(\\R)$ be an o-minimal structure over $\\R$.", "ominimal"),
        ("We present a quantum auction protocol using superpositions.", "quantum"),
        ("In this paper we consider the Hardy-Lorentz spaces.", "hardylorentz"),
        ("Context. Swift data are revolutionising our understanding.", "swift"),
        ("Tulu 3: Pushing Frontiers in Open Language Model Post-Training", "tulu3"),
        ("FlashAttention-2: Faster Attention with Better Parallelism", "flashattention2"),
        ("血浆置换在儿童危重症中的应用", "xuejiangzhihuan"),
        ("基于CDT和Self-trapping的8×8光交叉连接特性数值研究", "cdtselftrapping"),
    ],
)
def test_readable_keys_without_authors(title, key):
    assert citekeys.base_key(title) == key


def test_a_key_without_authors_puts_the_title_before_the_year():
    assert citekeys.base_key("Mamba: Linear-Time Sequence Modeling", year=2023) == "mamba2023"


def real_listing() -> Path:
    path = REAL / "listing.txt"
    if not path.is_file():
        pytest.skip(f"shared test data not found at {REAL}")
    return path


def test_every_key_of_the_real_listing_is_readable(library):
    """The listing has no titles: each paper's inferred title is its first sentence
    ("We report ...", "Let $X$ be ...", "I discuss ...", Chinese abstracts)."""
    library.import_files([real_listing()])
    keys = [p.key for p in library.papers()]
    assert len(keys) == 83 == len({k.casefold() for k in keys})
    stopwords = citekeys.FUNCTION_WORDS | citekeys.UNINFORMATIVE_WORDS
    for key in keys:
        assert len(key) >= 4, key
        assert re.fullmatch(r"[a-z][a-z0-9]*", key), key
        assert key not in stopwords, key
        assert not (len(key) > 5 and key[:-1] in stopwords), key  # "presentf", "studya"
        assert not key.startswith("paper"), key  # the fallback for a title with no words
    assert {"cyclotron", "lowenergy", "ominimal", "swift"} <= set(keys)


def test_keys_follow_the_real_titles_when_they_arrive(library):
    listing = real_listing()
    library.import_files([listing])
    library.import_files([listing.with_name("daily-papers.txt")])
    keys = {p.title: p.key for p in library.papers()}
    assert keys["SwinIR: Image Restoration Using Swin Transformer"] == "swinir"
    assert keys["Quantum Auctions"] == "quantum"
    assert keys["Low Energy Aspects of Heavy Meson Decays"] == "lowenergy"


def test_existing_libraries_pin_bibtex_keys_and_auto_exported_papers(tmp_path):
    folder = tmp_path / "old"
    with Library(folder) as library:
        [listed] = import_listing(library, tmp_path, MAMBA_ABSTRACT)
        [other] = import_listing(library, tmp_path, MAMBA_ABSTRACT.replace("Foundation", "Giant"))
        bib = tmp_path / "refs.bib"
        bib.write_text("@misc{myown, title = {Selective State Spaces}}\n", encoding="utf-8")
        [from_bib] = library.import_files([bib]).added_ids
        [typed, shaped] = import_listing(
            library, tmp_path, MAMBA_ABSTRACT.replace("Foundation", "Typed"),
            MAMBA_ABSTRACT.replace("Foundation", "Shaped"),
        )  # fmt: skip
        library.set_key(typed, "mamba")  # the user's key, still in the undo history
        library.db.execute("UPDATE papers SET key = 'Gu:2023' WHERE id = ?", [shaped])
        library.add_tags([listed], ["cited"])
        library.add_auto_export(tmp_path / "cited.bib", scope="tag", value="cited")
        # As a library written before key states existed.
        library.db.execute("DROP TABLE key_pins")
        library.db.execute("DELETE FROM _sqlite_migrations WHERE name = '0006_key_state'")
    with Library(folder) as library:
        assert library.key_pinned(from_bib)  # its author's own key
        assert library.key_pinned(listed)  # in a bibliography file already
        assert not library.key_pinned(other)  # made by the app, never used: provisional
        assert library.key_pinned(typed) and library.key_pinned(shaped)  # the user's


@pytest.mark.parametrize(
    "author", ["Collaboration, The BABAR", "BABAR Collaboration", "The BaBar Collaboration"]
)
def test_a_collaboration_gives_its_name_to_the_key(author):
    key = citekeys.base_key("Measurement of Decay Amplitudes", [author], 2007)
    assert key == "babar2007measurement"
