"""BibTeX entries meeting the library: identity, merges, keys and keywords."""

from __future__ import annotations

import pytest

from readinglist.errors import UserError
from readinglist.library import Library

PREPRINT_AND_PAPER = """
@misc{smith2020pre,
  title = {Sparse Things},
  author = {Smith, Ann},
  year = {2020},
  eprint = {2001.01234},
  archivePrefix = {arXiv},
}
@inproceedings{smith2020icml,
  title = {Sparse Things},
  author = {Smith, Ann},
  booktitle = {Proceedings of ICML},
  year = {2020},
  eprint = {2001.01234},
  archivePrefix = {arXiv},
  url = {https://proceedings.example/smith20.html},
}
"""


def test_two_entries_sharing_an_eprint_stay_two_and_reimport_changes_nothing(
    library: Library, tmp_path
):
    bib = tmp_path / "two.bib"
    bib.write_text(PREPRINT_AND_PAPER, encoding="utf-8")
    first = library.import_files([bib])
    assert first.added == 2
    before = {p.key: (p.venue, p.url) for p in library.papers()}
    again = library.import_files([bib])
    assert (again.added, again.merged, again.duplicates) == (0, 0, 2)
    assert {p.key: (p.venue, p.url) for p in library.papers()} == before


def test_a_merge_fills_a_missing_abstract_and_adds_keywords(library: Library, tmp_path):
    one = tmp_path / "one.bib"
    one.write_text("@misc{a, title = {T}, eprint = {2101.00001}}\n", encoding="utf-8")
    other = tmp_path / "other.bib"
    other.write_text(
        "@article{b, title = {T}, eprint = {2101.00001}, journal = {JMLR},"
        " keywords = {sparsity, pruning},"
        " abstract = {We show that a merge keeps the abstract it was missing.}}\n",
        encoding="utf-8",
    )
    library.import_files([one])
    report = library.import_files([other])
    assert report.merged == 1 and library.count() == 1
    [paper] = library.papers()
    assert paper.abstract == "We show that a merge keeps the abstract it was missing."
    assert paper.venue == "JMLR"
    assert sorted(paper.tags) == ["pruning", "sparsity"]


def test_a_slash_in_a_keyword_makes_no_tag_hierarchy(library: Library, tmp_path):
    """A keyword is one tag: "input/output" is not the tag "output" under "input"."""
    bib = tmp_path / "kw.bib"
    bib.write_text("@misc{k, title = {T}, keywords = {ml, networks/, input/output}}\n")
    report = library.import_files([bib])
    [file] = report.files
    assert file.ok and file.added == 1 and file.warnings == []
    assert sorted(library.papers()[0].tags) == ["input\u2215output", "ml", "networks\u2215"]
    assert [tag.name for tag in library.tags() if "/" in tag.name] == []


def test_undo_waits_for_a_running_import(library: Library, tmp_path, seeds):
    other = Library(library.folder)
    refusals = []

    def try_undo_midway() -> bool:
        try:
            other.undo()
        except UserError as error:
            refusals.append(str(error))
        return False

    library.import_files([seeds], cancel=try_undo_midway)
    assert refusals and "import is still running" in refusals[0]
    assert library.count() == 53
    assert other.undo().label.startswith("Import")
    assert library.count() == 0
    other.close()


def test_export_of_a_missing_tag_is_an_error_not_an_empty_file(library: Library, tmp_path):
    from readinglist.cite import ExportScope

    with pytest.raises(UserError, match="no tag"):
        library.export_text("bibtex", ExportScope(tag="nosuchtag"))


def test_auto_export_follows_a_tag_rename_and_its_undo(seeded_library: Library, tmp_path):
    library = seeded_library
    library.add_tags(["nemotronh", "spdf"], ["method/ssm"])
    target = tmp_path / "refs.bib"
    library.add_auto_export(target, "tag", "method/ssm")
    assert target.read_text().count("@") == 2
    library.rename_tag("method", "methods")
    assert [b.value for b in library.auto_exports()] == ["methods/ssm"]
    library.refresh_auto_exports()
    assert target.read_text().count("@") == 2
    library.undo()
    assert [b.value for b in library.auto_exports()] == ["method/ssm"]
