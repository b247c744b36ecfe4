"""Exporting a scope to a file: atomic, rewritten only when the content changed."""

from __future__ import annotations

import json
import os

import pytest

from readinglist import export
from readinglist.formats import csl, markdown, ris
from readinglist.formats.bibtex import cite_command, to_bibtex
from readinglist.models import Status
from tests.core.test_bibtex_tools import make_paper, nasty_papers


def test_whole_library_to_file_is_written_once(seeded_library, tmp_path):
    target = tmp_path / "out" / "refs.bib"
    target.parent.mkdir()  # an export never makes folders on its own
    assert export.export_to_file(seeded_library.db, target) is True
    first = target.read_bytes()
    mtime = target.stat().st_mtime_ns
    assert export.export_to_file(seeded_library.db, target) is False
    assert target.stat().st_mtime_ns == mtime
    assert first.count(b"\n@") + 1 == 53
    assert [p.name for p in target.parent.iterdir()] == ["refs.bib"]  # no temporary left


def test_exporting_twice_gives_identical_bytes(seeded_library):
    papers = seeded_library.papers()
    assert to_bibtex(papers) == to_bibtex(list(reversed(papers)))


def test_scopes(seeded_library, tmp_path):
    first, second = seeded_library.papers()[:2]
    seeded_library.add_tags([first.id], ["Attention"])
    by_tag = export.select_papers(seeded_library.db, tag="attention")
    assert [p.key for p in by_tag] == [first.key]
    by_ids = export.select_papers(seeded_library.db, ids=[second.id])
    assert [p.key for p in by_ids] == [second.key]
    binding = export.Binding(path=str(tmp_path / "tagged.bib"), scope="tag", value="Attention")
    assert export.refresh_binding(seeded_library.db, binding) is True
    assert f"@misc{{{first.key}," in (tmp_path / "tagged.bib").read_text()
    assert "keywords = {Attention}" in (tmp_path / "tagged.bib").read_text()
    assert export.refresh_binding(seeded_library.db, binding) is False


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "refs.bib"
    target.write_text("old")

    def broken_replace(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        export.write_atomically(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_every_format_renders_the_nasty_papers(fmt):
    text = export.render(nasty_papers(), fmt)
    assert "vaswani2017attention" in text
    assert export.render(nasty_papers(), fmt) == text


def test_csl_json():
    items = json.loads(csl.to_csl_json(nasty_papers()))
    by_id = {item["id"]: item for item in items}
    vaswani = by_id["vaswani2017attention"]
    assert vaswani["type"] == "paper-conference"
    assert vaswani["author"][0] == {"family": "Vaswani", "given": "Ashish"}
    assert vaswani["issued"] == {"date-parts": [[2017]]}
    assert by_id["nasty5"]["title"] == "TÜLU 3 and Emphasis"
    assert by_id["smith2020journal"]["author"][0] == {"literal": "Smith and Wesson Inc."}


def test_ris():
    text = ris.to_ris(nasty_papers())
    records = text.split("ER  -")
    assert len(records) == len(nasty_papers()) + 1
    assert "TY  - CPAPER\r\nID  - vaswani2017attention" in text
    assert "AU  - Vaswani, Ashish" in text
    assert all("\n" not in line for line in text.split("\r\n"))


def test_markdown_reads_well():
    read = make_paper(1, "a", "Read *This* [now]", status=Status.READ, url="https://x.org/a_(b)")
    text = markdown.to_markdown(
        [read, make_paper(2, "b", "Math $x_1$ stays", tags=["t1"])],
        notes_by_paper={1: ["A note with _under_"]},
    )
    assert "- [x] **[Read \\*This\\* \\[now\\]](<https://x.org/a_(b)>)**" in text
    assert "Math $x_1$ stays" in text
    assert "`t1`" in text
    assert "> A note with \\_under\\_" in text


def test_cite_command():
    assert cite_command(["a", "b"]) == "\\cite{a,b}"
