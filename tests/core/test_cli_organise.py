"""The organise commands: each with and without --json, undo from the command line,
exit codes 0/1/2, and never a traceback."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from readinglist.cli import main
from readinglist.library import Library


@pytest.fixture
def lib_dir(tmp_path: Path, seeded_template: Path) -> Path:
    """A library folder holding the 53 seed papers (the import is the one undo step)."""
    return Path(shutil.copytree(seeded_template, tmp_path / "lib"))


class Cli:
    def __init__(self, capsys, folder: Path):
        self.capsys, self.folder = capsys, folder

    def run(self, *argv: str, code: int = 0) -> tuple[str, str]:
        result = main([*argv, "--library", str(self.folder)])
        out, err = self.capsys.readouterr()
        assert result == code, (argv, out, err)
        assert "Traceback" not in out + err
        return out, err

    def json(self, *argv: str):
        out, _ = self.run(*argv, "--json")
        return json.loads(out)

    def both(self, *argv: str, undo: bool = True) -> tuple[str, object]:
        """The command as text, undone, then again with --json: (text, parsed JSON)."""
        text, _ = self.run(*argv)
        if undo:
            self.run("undo")
        return text, self.json(*argv)

    def library(self) -> Library:
        return Library(self.folder)


@pytest.fixture
def cli(capsys, lib_dir: Path) -> Cli:
    return Cli(capsys, lib_dir)


def test_tag_commands(cli):
    text, data = cli.both(
        "tag", "add", "nemotronh", "flashattention2", "--tag", "RLHF", "-t", "method/rl"
    )
    assert text == "tagged 2 paper(s)\n"
    assert len(data["modified"]) == 2 and data["removed"] == []

    text, data = cli.both("tag", "list", undo=False)
    assert "     2  RLHF" in text.splitlines()
    assert {"name": "method/rl", "color": "", "count": 2} in data

    text, data = cli.both("tag", "remove", "nemotronh", "--tag", "rlhf")
    assert text == "untagged 1 paper(s)\n" and len(data["modified"]) == 1
    text, data = cli.both("tag", "color", "method/rl", "#e8a33d")
    assert text == "method/rl is now #e8a33d\n"
    text, data = cli.both("tag", "rename", "method", "approach")
    assert text == "renamed; 2 paper(s) affected\n"
    assert cli.json("tag", "list")[0]["name"] == "approach/rl"
    text, data = cli.both("tag", "merge", "approach/rl", "RLHF")
    assert text == "merged; 2 paper(s) affected\n" and len(data["modified"]) == 2
    text, data = cli.both("tag", "delete", "rlhf")
    assert text == "deleted; 2 paper(s) affected\n"
    assert cli.json("tag", "list") == []

    _, err = cli.run("tag", "delete", "rlhf", code=1)
    assert err == "readinglist: no tag named 'rlhf'\n"
    _, err = cli.run("tag", "add", "no-such-paper", "--tag", "x", code=1)
    assert "no paper with id or key 'no-such-paper'" in err
    _, err = cli.run("tag", "add", "nemotronh", "--tag", "a//b", code=1)
    assert "not a valid tag name" in err


def test_reading_list_commands(cli):
    text, data = cli.both("list-create", "Thesis")
    assert text.startswith("created reading list 'Thesis' (id ")
    assert data["name"] == "Thesis"
    text, data = cli.both("list-create", "Chapter 1", "--parent", "Thesis")
    assert data["name"] == "Chapter 1"

    text, _ = cli.run("list-add", "Thesis/Chapter 1", "nemotronh", "flashattention2", "3")
    assert text == "added 3 paper(s)\n"
    text, _ = cli.run("list-add", "New list", "nemotronh")
    assert text == "created reading list 'New list'\nadded 1 paper(s)\n"
    assert cli.json("list-add", "New list", "nemotronh")["modified"] == []

    text, data = cli.both("lists", undo=False)
    assert text.splitlines() == ["     0  Thesis", "     3    Chapter 1", "     1  New list"]
    assert [(item["name"], item["count"]) for item in data] == [
        ("Thesis", 0),
        ("Chapter 1", 3),
        ("New list", 1),
    ]

    text, _ = cli.both("list-move", "Thesis/Chapter 1", "3", "0")
    assert text == "moved\n"
    listed = cli.json("list", "--list", "Thesis/Chapter 1")
    assert listed[0]["id"] == 3
    text, _ = cli.run("list", "--list", "Thesis/Chapter 1")
    assert text.splitlines()[0].split()[0] == "3"

    text, data = cli.both("list-remove", "Thesis/Chapter 1", "flashattention2")
    assert text == "removed 1 paper(s)\n" and len(data["modified"]) == 1
    text, _ = cli.both("list-rename", "New list", "Later")
    assert text == "renamed to 'Later'\n"
    text, data = cli.both("list-delete", "Thesis")
    assert text == "deleted; its papers stay in the library\n"
    assert [item["name"] for item in cli.json("lists")] == ["Later"]
    assert len(cli.json("list")) == 53

    _, err = cli.run("list-delete", "Thesis", code=1)
    assert err == "readinglist: no reading list named 'Thesis'\n"
    _, err = cli.run("list-create", "later", code=1)
    assert "already exists" in err
    _, err = cli.run("list-move", "Later", "flashattention2", "0", code=1)
    assert "not in this reading list" in err


def test_status_rate_edit_and_filters(cli):
    text, data = cli.both("status", "nemotronh", "flashattention2", "read")
    assert text == "2 paper(s) now read\n" and len(data["modified"]) == 2
    shown = cli.json("show", "nemotronh")
    assert shown["status"] == "read" and shown["read_date"]
    text, data = cli.both("rate", "nemotronh", "4")
    assert text == "1 paper(s) rated 4\n"

    text, data = cli.both("edit", "nemotronh", "--title", "Hybrid Models", "--year", "2025")
    assert text.endswith(": Hybrid Models\n")
    paper = cli.json("show", str(data["modified"][0]))
    assert (paper["title"], paper["year"], paper["title_inferred"]) == (
        "Hybrid Models",
        2025,
        False,
    )
    text, data = cli.both("edit", "nemotronh", "--key", "hybrid2025")
    assert text.startswith("edited hybrid2025: ")
    _, err = cli.run("edit", "hybrid2025", "--key", "flashattention2", code=1)
    assert "already used" in err
    _, err = cli.run("edit", "hybrid2025", "--year", "soon", code=1)
    assert err == "readinglist: not a year: 'soon'\n"

    cli.run("tag", "add", "hybrid2025", "--tag", "method/rl")
    assert [p["key"] for p in cli.json("list", "--tag", "method")] == ["hybrid2025"]
    text, _ = cli.run("list", "--tag", "METHOD")
    assert "hybrid2025" in text and len(text.splitlines()) == 1
    assert {p["key"] for p in cli.json("list", "--status", "read")} == {
        "hybrid2025",
        "flashattention2",
    }
    assert len(cli.json("list", "--untagged")) == 52
    review = cli.json("list", "--needs-review")
    assert review and all(p["title_inferred"] for p in review)
    assert cli.json("list", "--status", "reading") == []


def test_notes_and_highlights(cli, monkeypatch):
    text, _ = cli.run("note", "add", "nemotronh", "# First\n\nmarkdown")
    assert text.startswith("added note ")
    note_id = cli.json("note", "add", "nemotronh", "second")["id"]
    monkeypatch.setattr("sys.stdin", io.StringIO("from standard input\n"))
    text, _ = cli.run("note", "edit", str(note_id), "-")
    assert text == f"edited note {note_id}\n"

    text, _ = cli.run("notes", "nemotronh")
    assert "# First\n\nmarkdown" in text and "from standard input" in text
    notes = cli.json("notes", "nemotronh")
    assert [n["body"] for n in notes] == ["# First\n\nmarkdown", "from standard input\n"]
    assert set(notes[0]) == {"id", "paper_id", "body", "created", "modified"}
    _, err = cli.run("notes", "flashattention2")
    assert err == "no notes\n"
    assert cli.json("notes", "flashattention2") == []

    text, data = cli.both("note", "delete", str(note_id))
    assert text == f"deleted note {note_id}\n"
    assert len(cli.json("notes", "nemotronh")) == 1
    _, err = cli.run("note", "delete", "999", code=1)
    assert err == "readinglist: no note with id 999\n"
    _, err = cli.run("note", "add", "nemotronh", "  ", code=1)
    assert err == "readinglist: the note is empty\n"

    text, _ = cli.run("highlight", "nemotronh", "Mamba layers", "--comment", "why")
    assert text.startswith("added highlight ")
    data = cli.json("highlight", "nemotronh", "constant memory", "--color", "green")
    assert data["end"] - data["start"] == len("constant memory")
    shown = cli.json("show", "nemotronh")
    assert [(h["quote"], h["color"], h["anchored"]) for h in shown["highlights"]] == [
        ("Mamba layers", "yellow", True),
        ("constant memory", "green", True),
    ]
    _, err = cli.run("highlight", "nemotronh", "not in the abstract at all", code=1)
    assert err == "readinglist: that passage is not in the paper's abstract\n"


def test_trash_restore_empty_and_undo(cli, monkeypatch):
    text, data = cli.both("trash", "nemotronh", "flashattention2")
    assert text == "2 paper(s) moved to the trash\n" and len(data["removed"]) == 2
    assert {p["key"] for p in cli.json("list", "--trash")} == {"nemotronh", "flashattention2"}
    text, _ = cli.run("list", "--trash")
    assert len(text.splitlines()) == 2
    assert len(cli.json("list")) == 51

    text, data = cli.both("restore", "flashattention2")
    assert text == "1 paper(s) restored\n" and len(data["added"]) == 1

    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: --yes is required
    _, err = cli.run("empty-trash", code=2)
    assert err == "readinglist: empty-trash: add --yes to confirm\n"
    text, _ = cli.run("empty-trash", "--yes")
    assert text == "1 paper(s) destroyed\n"
    cli.run("show", "nemotronh", code=1)

    text, _ = cli.run("undo")
    assert text == "undid: Empty the trash\n"
    assert cli.json("list", "--trash")[0]["key"] == "nemotronh"
    data = cli.json("redo")
    assert data["label"] == "Empty the trash" and len(data["modified"]) == 1
    cli.run("undo")
    data = cli.json("empty-trash", "--yes")
    assert len(data["removed"]) == 1


def test_undo_and_redo_commands(cli):
    cli.run("tag", "add", "nemotronh", "--tag", "x")
    text, _ = cli.run("undo")
    assert text == "undid: Tag 1 paper with x\n"
    text, _ = cli.run("redo")
    assert text == "redid: Tag 1 paper with x\n"
    data = cli.json("undo")
    assert data["label"] == "Tag 1 paper with x"
    assert set(data) == {"label", "added", "modified", "removed"}
    cli.run("undo")  # the import
    text, _ = cli.run("undo")
    assert text == "nothing to undo\n"
    assert cli.json("undo")["label"] == ""
    assert cli.json("list") == []
    cli.run("redo")
    assert len(cli.json("list")) == 53


def test_undo_from_the_command_line_reaches_an_open_window(cli):
    with cli.library() as window:
        window.add_tags(["nemotronh"], ["from-window"])
        text, _ = cli.run("undo")
        assert text == "undid: Tag 1 paper with from-window\n"
        assert window.paper("nemotronh").tags == []
        assert window.redo_label() == "Tag 1 paper with from-window"


def test_saved_searches(cli):
    text, data = cli.both("search-save", "RL", "tag:method/rl")
    assert text == "saved search 'RL'\n" and isinstance(data["id"], int)
    text, data = cli.both("searches", undo=False)
    assert text == "RL: tag:method/rl\n"
    assert data == [{"id": data[0]["id"], "name": "RL", "query": "tag:method/rl"}]
    _, err = cli.run("search-save", "rl", "other", code=1)
    assert err == "readinglist: a saved search named 'rl' already exists\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["tag"],
        ["tag", "add", "nemotronh"],  # --tag is required
        ["status", "nemotronh", "done"],
        ["rate", "nemotronh", "6"],
        ["rate", "nemotronh", "four"],
        ["list-move", "L", "nemotronh", "first"],
        ["list", "--status", "finished"],
        ["note", "edit", "one", "text"],
    ],
)
def test_usage_errors_exit_2(capsys, tmp_path, argv):
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--library", str(tmp_path / "lib")])
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "usage:" in err


def test_edit_with_nothing_to_change_exits_2(cli):
    _, err = cli.run("edit", "nemotronh", code=2)
    assert "nothing to change" in err


def test_priority_command(cli):
    text, data = cli.both("priority", "nemotronh", "flashattention2", "high")
    assert text == "2 paper(s) now high priority\n"
    assert len(data["modified"]) == 2
    shown = cli.json("show", "nemotronh")
    assert shown["priority"] == "high"
    cli.run("priority", "nemotronh", "low")
    with cli.library() as library:
        assert library.paper("nemotronh").priority == 0
        assert library.paper("flashattention2").priority == 2
    with pytest.raises(SystemExit) as exit_info:
        cli.run("priority", "nemotronh", "urgent")
    assert exit_info.value.code == 2
    _, err = cli.run("priority", "no-such-paper", "high", code=1)
    assert "no-such-paper" in err
