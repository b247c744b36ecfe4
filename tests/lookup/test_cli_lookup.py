"""``readinglist lookup``: the command line contract (JSON shape, exit codes 0/1/2, no
traceback), run in-process against the local stand-in."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from readinglist.cli import main
from readinglist.lookup import http


@pytest.fixture
def folder(tmp_path: Path, lookup_env, real_abstracts) -> Path:
    folder = tmp_path / "library"
    assert main(["--library", str(folder), "import", str(real_abstracts / "listing.txt")]) == 0
    return folder


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_lookup_all_json(capsys, folder: Path, real_ids):
    code, out, err = _run(capsys, "--library", str(folder), "lookup", "--all", "--json")
    assert code == 0, err
    results = json.loads(out)
    assert len(results) == 83
    assert set(results[0]) == {"id", "key", "status", "source", "source_id", "changed"}
    first = results[0]
    assert first["status"] == "matched"
    assert (first["source"], first["source_id"]) == ("arxiv", "0704.0410v3")
    assert first["changed"]["arxiv_id"] == ["", "0704.0410"]
    assert first["changed"]["key"][1] == first["key"] == "deacon2007cyclotron"
    assert [r["status"] for r in results].count("not_found") == 9
    assert "looked up 83 of 83 papers: 74 matched, 9 not found" in err
    assert "Traceback" not in err

    code, out, _ = _run(capsys, "--library", str(folder), "list", "--json")
    listed = {p["id"]: p for p in json.loads(out)}
    paper = listed[first["id"]]
    assert paper["authors"][0] == "Deacon, R. S."
    assert (paper["year"], paper["arxiv_id"], paper["doi"]) == (
        2007,
        "0704.0410",
        "10.1103/physrevb.76.081406",
    )
    assert sum(1 for p in listed.values() if p["arxiv_id"]) == 74


def test_lookup_by_key_dry_run_and_readable_output(capsys, folder: Path):
    code, out, _ = _run(capsys, "--library", str(folder), "list", "--json")
    first = json.loads(out)[0]
    code, out, err = _run(capsys, "--library", str(folder), "lookup", first["key"], "--dry-run")
    assert code == 0, err
    assert "matched arxiv 0704.0410v3" in out
    assert "arxiv_id: (empty) -> 0704.0410" in out
    assert "dry run: nothing changed" in err
    _, out, _ = _run(capsys, "--library", str(folder), "list", "--json")
    assert json.loads(out)[0] == first


@pytest.mark.parametrize(
    "argv",
    [["lookup"], ["lookup", "--all", "1"], ["lookup", "--bogus"]],
    ids=["nothing", "ids-and-all", "unknown-option"],
)
def test_usage_errors_exit_2(capsys, folder: Path, argv):
    try:
        code, _, err = _run(capsys, "--library", str(folder), *argv)
    except SystemExit as exit:  # argparse's own usage errors
        code, err = exit.code, capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err


def test_an_unknown_paper_exits_1(capsys, folder: Path):
    code, _, err = _run(capsys, "--library", str(folder), "lookup", "99999")
    assert code == 1
    assert "no paper with id or key" in err


def test_a_service_that_cannot_be_reached_exits_1_without_a_traceback(
    capsys, folder: Path, monkeypatch
):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv(http.ARXIV_API_ENV, f"http://127.0.0.1:{port}/api/query")
    monkeypatch.setenv(http.CROSSREF_API_ENV, f"http://127.0.0.1:{port}")
    monkeypatch.setattr(http, "RETRIES", 1)
    code, out, err = _run(capsys, "--library", str(folder), "lookup", "--all", "--json")
    assert code == 1
    assert "arXiv could not be reached" in err
    assert "run the command again" in err
    assert "Traceback" not in err
    results = json.loads(out)
    assert {r["status"] for r in results} <= {"error", "not_found"}
    _, out, _ = _run(capsys, "--library", str(folder), "list", "--json")
    assert not any(p["arxiv_id"] for p in json.loads(out))


def test_a_bad_base_url_is_a_clear_message(capsys, folder: Path, monkeypatch):
    monkeypatch.setenv(http.ARXIV_API_ENV, "file:///etc/passwd")
    code, _, err = _run(capsys, "--library", str(folder), "lookup", "--all")
    assert code == 1
    assert "not an http(s) address" in err
    assert "Traceback" not in err
