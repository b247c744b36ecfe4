"""Hostile arguments and standard input: every command answers with a message and exit
code 1 or 2, never "internal error". Ids beyond SQLite's integer range, digits that are not
ASCII, bytes that are not UTF-8, binary or huge text on standard input, an empty library
folder."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from readinglist.cli import main
from readinglist.errors import UserError
from readinglist.library import Library
from readinglist.paths import seeds_dir

REPO_ROOT = Path(__file__).resolve().parents[2]

HOSTILE = [
    "99999999999999999999",  # beyond SQLite's 64-bit integers
    "²",  # str.isdigit() says yes, int() says no
    "\udcff",  # the byte 0xff in argv, as Python decodes it
    "",
    "x" * 3000,
]

# Every command that takes an id, a key, a name or a text, with {} where the value goes.
COMMANDS = [
    "show {}",
    "edit {} --title t",
    "edit 1 --title {}",
    "edit 1 --year {}",
    "edit 1 --authors {}",
    "edit 1 --key {}",
    "status {} read",
    "rate {} 3",
    "rate 1 {}",
    "trash {}",
    "restore {}",
    "tag add {} -t x",
    "tag add 1 -t {}",
    "tag remove 1 -t {}",
    "tag rename {} y",
    "tag merge {} y",
    "tag delete {}",
    "tag color x {}",
    "list-add {} 1",
    "list-add L {}",
    "list-remove L {}",
    "list-move L 1 {}",
    "list-move L {} 0",
    "list-create {}",
    "list-create Q --parent {}",
    "list-rename {} M",
    "list-delete {}",
    "note add {} x",
    "note add 1 {}",
    "note edit {} x",
    "note edit 1 {}",
    "note delete {}",
    "notes {}",
    "highlight {} x",
    "highlight 1 {}",
    "related {}",
    "suggest-tags {}",
    "search {}",
    "search x --limit {}",
    "search-save {} q",
    "search-save n {}",
    "export --ids {}",
    "export --ids {} --cite",
    "export -q {}",
    "export -t {}",
    "export -l {}",
    "keys pattern {}",
    "keys regenerate --ids {}",
    "keys regenerate --tag {}",
    "list --tag {}",
    "list --list {}",
    "backup --keep {}",
    "autoexport remove {}",
]


@pytest.fixture(scope="module")
def lib_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "lib"
    with Library(folder) as library:
        library.import_text((seeds_dir() / "arxiv-listing.txt").read_text(encoding="utf-8"))
        library.add_note(1, "a note")
        library.add_to_list(library.create_list("L"), [1])
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit:  # argparse's usage errors
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", COMMANDS)
def test_hostile_values_never_make_an_internal_error(capsys, lib_dir, command):
    for value in HOSTILE:
        argv = [part.replace("{}", value) for part in command.split()]
        code, _, err = run(capsys, "--library", str(lib_dir), *argv)
        assert "internal error" not in err, (argv, err)
        assert code in (0, 1, 2), (argv, code, err)


@pytest.mark.parametrize(
    "paper", ["99999999999999999999", "9223372036854775808", "-99999999999999999999", "²", "١٢"]
)
def test_show_an_impossible_id(capsys, lib_dir, paper):
    code, _, err = run(capsys, "--library", str(lib_dir), "show", paper)
    assert code == 1
    assert err.strip() == f"readinglist: no paper with id or key {paper!r}"


def test_ids_in_range_still_work(capsys, lib_dir):
    assert run(capsys, "--library", str(lib_dir), "show", " 1 ")[0] == 0
    code, _, err = run(capsys, "--library", str(lib_dir), "show", "9223372036854775807")
    assert code == 1 and "no paper" in err


def _stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)), "not UTF-8 text"),
        (b"caf\xe9 latin-1", "not UTF-8 text (byte 4 is b'\\xe9')"),
        (b"text then\x00a NUL", "NUL bytes"),
        (b"a" * 1_000_001, "more than 1 MB"),
    ],
)
def test_a_note_from_standard_input_must_be_text(capsys, monkeypatch, lib_dir, data, message):
    _stdin(monkeypatch, data)
    code, _, err = run(capsys, "--library", str(lib_dir), "note", "add", "1", "-")
    assert code == 1
    assert message in err and "internal error" not in err
    _stdin(monkeypatch, data)
    code, _, err = run(capsys, "--library", str(lib_dir), "edit", "1", "--abstract", "-")
    assert code == 1 and message in err


def test_a_note_from_standard_input(capsys, monkeypatch, lib_dir):
    _stdin(monkeypatch, "Ünïcode note\n".encode())
    code, out, _ = run(capsys, "--library", str(lib_dir), "note", "add", "2", "-", "--json")
    assert code == 0 and '"id"' in out
    with Library(lib_dir) as library:
        assert [n.body for n in library.notes(2)] == ["Ünïcode note\n"]


def test_notes_are_bounded_in_the_library_too(library):
    library.import_text("Title: A paper\nAbstract: Something about attention heads.\n")
    with pytest.raises(UserError, match="at most 1 MB"):
        library.add_note(1, "é" * 600_000)  # 1.2 MB in UTF-8
    with pytest.raises(UserError, match="NUL"):
        library.add_note(1, "a\x00b")
    with pytest.raises(UserError, match="not valid text"):
        library.add_note(1, "bad \udcff byte")
    note = library.add_note(1, "fine")
    with pytest.raises(UserError, match="at most 1 MB"):
        library.edit_note(note, "x" * 1_000_001)
    assert [n.body for n in library.notes(1)] == ["fine"]


def test_an_empty_library_option_is_a_usage_error(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "--library", "", "list")
    assert code == 2 and "--library" in err
    code, _, err = run(capsys, "list", "--library", "  ")
    assert code == 2
    monkeypatch.setenv("READINGLIST_HOME", "")
    code, _, err = run(capsys, "list")
    assert code == 2 and "READINGLIST_HOME" in err
    assert list(tmp_path.iterdir()) == []  # no library made in the current folder


def test_bytes_that_are_not_utf8_in_argv(tmp_path):
    """A real process, so the bytes go through the operating system's argv; a folder name
    in another encoding is still a usable library folder."""
    folder = os.fsencode(tmp_path) + b"/caf\xe9"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    base = [os.fsencode(sys.executable), b"-m", b"readinglist", b"--library", folder]
    done = subprocess.run([*base, b"list-create", b"caf\xe9"], capture_output=True, env=env)
    assert done.returncode == 2, done.stderr
    assert b"'caf\\xe9' is not UTF-8 text" in done.stderr
    done = subprocess.run([*base, b"list-create", b"cafe"], capture_output=True, env=env)
    assert done.returncode == 0, done.stderr
    assert os.path.isdir(folder)


@pytest.mark.parametrize(
    "stored, shown",
    [
        ("not json", ()),
        ("[" * 50_000, ()),  # nested beyond Python's stack: RecursionError, not ValueError
        ('"Doe, Jane"', ()),  # a string, not a list: not read letter by letter
        ('{"a": 1}', ()),
        ('["Doe, Jane", 7, null, ["x"]]', ("Doe, Jane",)),
    ],
)
def test_a_received_library_with_malformed_authors_still_lists(tmp_path, capsys, stored, shown):
    # The authors cell is JSON written by readinglist, but a library may come from anyone.
    folder = tmp_path / "lib"
    with Library(folder) as library:
        library.import_files([seeds_dir() / "arxiv-listing.txt"])
        library.db.execute("UPDATE papers SET authors = ? WHERE id = 1", [stored])
        assert tuple(library.paper(1).authors) == shown
        assert library.summaries([1])[1].authors == shown
    capsys.readouterr()
    assert main(["--library", str(folder), "list"]) == 0
    assert main(["--library", str(folder), "show", "1"]) == 0
