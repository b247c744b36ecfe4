"""BibTeX import keeps the keys users cite: numeric JabRef keys stay as they are.

A key is renamed only when another paper has it or BibTeX could not use it, and the
import report says which. A number typed on the command line is an id first, then a key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readinglist.cli import main
from readinglist.formats.bibtex import to_bibtex
from readinglist.formats.bibtex_reader import read_bibtex
from readinglist.library import Library
from readinglist.models import ParsedRecord
from tests.conftest import SHARED_TESTDATA

JABREF = SHARED_TESTDATA / "bibtex" / "jabref_complex.bib"

NUMERIC = """\
@article{1102917,
  title = {Numeric Keys from a {JabRef} Library},
  author = {Doe, Jane},
  year = {2004},
  journal = {Physical Review B}
}

@misc{42,
  title = {The Answer},
  year = {1979}
}

@misc{10.1145/3544903.3544906,
  title = {A DOI as the Key},
  year = {2022}
}

@misc{007agent,
  title = {Leading Zeros},
  year = {1962}
}
"""


def write(tmp_path: Path, text: str, name: str = "refs.bib") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_numeric_keys_are_kept(library: Library, tmp_path):
    report = library.import_files([write(tmp_path, NUMERIC)])
    [file] = report.files
    assert file.added == 4
    assert not [w for w in file.warnings if "key" in w], file.warnings
    keys = {paper.key for paper in library.papers()}
    assert keys == {"1102917", "42", "10.1145/3544903.3544906", "007agent"}


def test_numeric_keys_export_as_they_came(library: Library, tmp_path):
    library.import_files([write(tmp_path, NUMERIC)])
    for dialect in ("bibtex", "biblatex"):
        text = to_bibtex(library.papers(), dialect=dialect)
        assert "@article{1102917," in text
        keys = {r.citation_key for r in read_bibtex(text) if isinstance(r, ParsedRecord)}
        assert keys == {"1102917", "42", "10.1145/3544903.3544906", "007agent"}


def test_a_number_is_an_id_first_then_a_key(library: Library, tmp_path):
    library.import_files([write(tmp_path, NUMERIC)])
    by_key = {paper.key: paper.id for paper in library.papers()}
    assert library.resolve("1102917") == by_key["1102917"]  # no paper has that id
    assert library.paper("1102917").title == "Numeric Keys from a JabRef Library"
    assert library.resolve("10.1145/3544903.3544906") == by_key["10.1145/3544903.3544906"]
    # "1" is paper 1, even if a key were "1"; an int is never read as a key.
    first = min(by_key.values())
    assert library.resolve("1") == first
    with pytest.raises(Exception, match="no paper"):
        library.resolve(42)  # there is no paper 42; the key "42" is not an id


def test_a_numeric_key_that_is_also_an_id_is_kept_and_reported(library: Library, tmp_path):
    library.import_files([write(tmp_path, "@misc{alpha, title = {First}}\n", "a.bib")])
    [first] = library.papers()
    clash = write(tmp_path, f"@misc{{{first.id}, title = {{Second}}}}\n", "b.bib")
    report = library.import_files([clash])
    second = next(p for p in library.papers() if p.title == "Second")
    assert second.key == str(first.id)
    [warning] = [w for w in report.files[0].warnings if "key" in w]
    assert "also another paper's id" in warning
    assert library.resolve(str(first.id)) == first.id  # the id wins, as documented


def test_renamed_only_on_a_clash_or_an_invalid_key_and_said_why(library: Library, tmp_path):
    library.import_files([write(tmp_path, "@misc{1102917, title = {Original}}\n", "a.bib")])
    text = "@misc{1102917, title = {Other Paper}}\n\n@misc{bad*key, title = {Starred}}\n"
    report = library.import_files([write(tmp_path, text, "b.bib")])
    warnings = [w for w in report.files[0].warnings if "key" in w]
    assert any("'1102917' is already used by another paper" in w for w in warnings), warnings
    assert any("'bad*key' is not a valid BibTeX key" in w for w in warnings), warnings
    assert library.paper("1102917").title == "Original"


def test_show_finds_a_numeric_key_from_the_command_line(library: Library, tmp_path, capsys):
    library.import_files([write(tmp_path, NUMERIC)])
    folder = str(library.folder)
    library.close()
    assert main(["--library", folder, "show", "1102917", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["key"] == "1102917"
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "1102917" in capsys.readouterr().out  # the help says how numbers are read


def test_jabref_library_keeps_every_numeric_key(library: Library):
    if not JABREF.is_file():
        pytest.skip(f"shared test data not found at {JABREF}")
    wanted = [
        r.citation_key
        for r in read_bibtex(JABREF.read_text(encoding="utf-8"))
        if isinstance(r, ParsedRecord)
    ]
    numeric = [key for key in wanted if key.isdigit()]
    assert len(numeric) >= 10
    report = library.import_files([JABREF])
    keys = {paper.key for paper in library.papers()}
    assert set(numeric) <= keys
    renamed = [w for w in report.files[0].warnings if "the entry was given" in w]
    assert not [w for w in renamed if any(f"'{key}'" in w for key in numeric)]
