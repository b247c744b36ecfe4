"""The command line contract: commands, JSON shapes, exit codes, library location."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from readinglist.cli import main
from tests.core.conftest import SAMPLE_PAPERS, daily_page

REPO_ROOT = Path(__file__).resolve().parents[2]
PAPER_FIELDS = {
    "id",
    "key",
    "title",
    "title_inferred",
    "abstract",
    "authors",
    "year",
    "url",
    "code_url",
    "arxiv_id",
    "doi",
    "status",
    "tags",
    "source_file",
}


@pytest.fixture
def lib_dir(tmp_path: Path) -> Path:
    return tmp_path / "lib"


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(daily_page(SAMPLE_PAPERS) + "\nTitle Without Abstract\n", encoding="utf-8")
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_import_text_output(capsys, lib_dir, seeds):
    code, out, err = run(capsys, "--library", str(lib_dir), "import", str(seeds))
    assert code == 0 and err == ""
    assert out.splitlines()[-1] == "53 added, 0 merged, 0 duplicates, 0 skipped, 0 file(s) failed"
    assert "daily-papers, 46 added" in out and "listing, 7 added" in out
    assert (lib_dir / "library.sqlite3").is_file()


def test_import_json_report(capsys, lib_dir, page):
    report = run_json(capsys, "--library", str(lib_dir), "import", str(page))
    assert (report["added"], report["merged"], report["duplicates"]) == (4, 0, 0)
    assert report["skipped"] == 1 and report["failed"] == 0 and report["cancelled"] is False
    [file] = report["files"]
    assert file["path"] == str(page)
    assert file["format"] == "daily-papers"
    assert file["ok"] is True and file["error"] == ""
    [skipped] = file["skipped"]
    assert skipped["text"] == "Title Without Abstract"
    assert skipped["line"] == daily_page(SAMPLE_PAPERS).count("\n") + 2
    assert "title without an abstract" in skipped["reason"]

    again = run_json(capsys, "--library", str(lib_dir), "import", str(page))
    assert (again["added"], again["merged"], again["duplicates"]) == (0, 0, 4)


def test_list_json_fields(capsys, lib_dir, page):
    run(capsys, "--library", str(lib_dir), "import", str(page))
    papers = run_json(capsys, "--library", str(lib_dir), "list")
    assert [p["title"] for p in papers] == [t for t, _ in SAMPLE_PAPERS]
    assert [p["abstract"] for p in papers] == [a for _, a in SAMPLE_PAPERS]
    for paper in papers:
        assert paper.keys() >= PAPER_FIELDS
        assert paper["title_inferred"] is False
        assert paper["authors"] == [] and paper["tags"] == []
        assert paper["status"] == "unread"
        assert paper["source_file"] == str(page.resolve())
    assert len({p["id"] for p in papers}) == len({p["key"] for p in papers}) == 4


def test_list_text(capsys, lib_dir, seeds):
    run(capsys, "--library", str(lib_dir), "import", str(seeds))
    code, out, _ = run(capsys, "--library", str(lib_dir), "list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 53
    assert sum(line.endswith("(inferred title)") for line in lines) == 7
    assert any("flashattention2" in line for line in lines)


def test_list_empty_library(capsys, lib_dir):
    assert run_json(capsys, "--library", str(lib_dir), "list") == []
    code, out, _ = run(capsys, "--library", str(lib_dir), "list")
    assert (code, out) == (0, "")


def test_show_by_key_and_id(capsys, lib_dir, seeds):
    run(capsys, "--library", str(lib_dir), "import", str(seeds))
    by_key = run_json(capsys, "--library", str(lib_dir), "show", "flashattention2")
    assert by_key.keys() >= PAPER_FIELDS
    assert by_key["title"].startswith("FlashAttention-2")
    by_id = run_json(capsys, "--library", str(lib_dir), "show", str(by_key["id"]))
    assert by_id == by_key

    code, out, err = run(capsys, "--library", str(lib_dir), "show", "nemotronh")
    assert code == 0 and err == ""
    assert "[inferred title: please review]" in out
    assert "Key:      nemotronh" in out
    abstract = run_json(capsys, "--library", str(lib_dir), "show", "nemotronh")["abstract"]
    assert out.endswith("\n\n" + abstract + "\n")


def test_show_unknown_paper(capsys, lib_dir):
    code, out, err = run(capsys, "--library", str(lib_dir), "show", "nosuchkey")
    assert code == 1 and out == ""
    assert err == "readinglist: no paper with id or key 'nosuchkey'\n"


def test_unreadable_inputs_exit_1_with_one_line_each(capsys, lib_dir, tmp_path, page):
    missing = tmp_path / "missing.txt"
    packed = tmp_path / "packed.txt.gz"
    packed.write_bytes(gzip.compress(b"Abstract:x\n"))
    code, out, err = run(
        capsys, "--library", str(lib_dir), "import", str(missing), str(packed), str(page)
    )
    assert code == 1
    lines = err.splitlines()
    assert lines == [
        f"readinglist: {missing}: no such file",
        f"readinglist: {packed}: not an abstract file: this is a gzip-compressed file",
    ]
    assert "Traceback" not in out + err
    assert "4 added" in out  # the readable file was still imported


def test_unreadable_input_json_still_exits_1(capsys, lib_dir, tmp_path):
    archive = tmp_path / "refs.txt"
    archive.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)))
    code, out, err = run(capsys, "--library", str(lib_dir), "import", str(archive), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["failed"] == 1 and report["files"][0]["ok"] is False
    assert "gzip" in report["files"][0]["error"]
    assert len(err.splitlines()) == 1 and "gzip" in err


def test_empty_file_is_not_a_failure(capsys, lib_dir, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, err = run(capsys, "--library", str(lib_dir), "import", str(empty))
    assert code == 0 and err == ""
    assert "note: the file is empty: no papers in it" in out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["import"],
        ["bogus"],
        ["list", "--sort", "colour"],
        ["show"],
        ["show", "a", "b"],
        ["--library"],
        ["list", "--no-such-option"],
    ],
    ids=[
        "no-command",
        "import-no-path",
        "unknown",
        "bad-choice",
        "show-no-id",
        "show-two",
        "library-no-dir",
        "bad-option",
    ],
)
def test_usage_errors_exit_2(capsys, lib_dir, argv):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    _, err = capsys.readouterr()
    assert err.startswith("usage: readinglist")
    assert "Traceback" not in err
    assert not lib_dir.exists()


def test_library_option_before_or_after_command(capsys, tmp_path, page):
    first, second = tmp_path / "one", tmp_path / "two"
    run(capsys, "--library", str(first), "import", str(page))
    run(capsys, "import", "--library", str(second), str(page))
    assert len(run_json(capsys, "list", "--library", str(first))) == 4
    assert len(run_json(capsys, "--library", str(second), "list")) == 4


def test_readinglist_home_env(capsys, monkeypatch, tmp_path, page):
    home = tmp_path / "home-library"
    monkeypatch.setenv("READINGLIST_HOME", str(home))
    code, _, _ = run(capsys, "import", str(page))
    assert code == 0
    assert (home / "library.sqlite3").is_file()
    assert len(run_json(capsys, "list")) == 4
    # --library wins over the environment.
    other = tmp_path / "other"
    assert run_json(capsys, "--library", str(other), "list") == []
    assert (other / "library.sqlite3").is_file()
    assert len(run_json(capsys, "list")) == 4


def _python_m(*argv: str, env_home: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("READINGLIST_HOME", None)
    if env_home is not None:
        env["READINGLIST_HOME"] = str(env_home)
    return subprocess.run(
        [sys.executable, "-m", "readinglist", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )


def test_python_m_readinglist(tmp_path, seeds):
    home = tmp_path / "lib"
    done = _python_m("import", str(seeds), "--json", env_home=home)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["added"] == 53

    listed = _python_m("--library", str(home), "list", "--json")
    assert listed.returncode == 0
    assert len(json.loads(listed.stdout)) == 53

    failed = _python_m("--library", str(home), "import", str(tmp_path / "nope.txt"))
    assert failed.returncode == 1
    assert failed.stderr == f"readinglist: {tmp_path / 'nope.txt'}: no such file\n"

    usage = _python_m("--library", str(home), "frobnicate")
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr + failed.stderr
