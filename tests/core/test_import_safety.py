"""Imports read regular files only and walk folders safely.

A FIFO named like an abstract file used to block the import for ever (reading a FIFO
waits for a writer); a symlink could lead a walk out of the folder or round a loop; a
walk of "/" went through /proc, /sys and /dev, and cancel was first checked after it.
Each test here guards against a hang with a timeout, so a regression fails instead.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

import pytest

from readinglist import candidates
from readinglist.cli import main
from readinglist.errors import TooManyFiles
from readinglist.library import Library
from tests.core.conftest import SAMPLE_PAPERS, daily_page

TIMEOUT = 20


def finish_within(fn, *, fifos: list[Path] = (), seconds: float = TIMEOUT):
    """Run ``fn`` in a thread; if it has not returned in time, open each FIFO for
    writing (which lets a reader blocked on it go) and fail the test."""
    result: dict = {}

    def run() -> None:
        try:
            result["value"] = fn()
        except BaseException as error:  # re-raised in the test's thread
            result["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        for fifo in fifos:
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(5)
        pytest.fail(f"did not return within {seconds} s: it hangs")
    if "error" in result:
        raise result["error"]
    return result["value"]


def import_in_thread(folder: Path, paths: list, *, fifos=(), **options):
    """``Library(folder).import_files(paths)`` on a thread of its own (SQLite connections
    stay in their thread), guarded by ``finish_within``; (report, papers in the library)."""

    def run():
        with Library(folder) as library:
            return library.import_files(paths, **options), library.count()

    return finish_within(run, fifos=fifos)


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return tmp_path / "lib"


@pytest.fixture
def page_text() -> str:
    return daily_page(SAMPLE_PAPERS[:2])


@pytest.fixture
def folder(tmp_path: Path, page_text: str) -> Path:
    folder = tmp_path / "abstracts"
    folder.mkdir()
    (folder / "page.txt").write_text(page_text, encoding="utf-8")
    return folder


def reasons(report) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in report.skipped_files}


# FIFOs, sockets and devices


def test_a_fifo_named_alone_is_refused_promptly(lib: Path, tmp_path: Path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    report, count = import_in_thread(lib, [fifo], fifos=[fifo])
    (failed,) = report.failed
    assert failed.error == "not a regular file: this is a named pipe (FIFO); not read"
    assert count == 0


def test_a_fifo_in_a_folder_is_skipped_and_reported(lib: Path, folder: Path):
    fifo = folder / "zz-pipe.txt"
    os.mkfifo(fifo)
    report, _ = import_in_thread(lib, [folder], fifos=[fifo])
    assert report.added == 2
    assert not report.failed
    assert reasons(report) == {"zz-pipe.txt": "not a regular file: a named pipe (FIFO)"}
    assert report.to_dict()["skipped_files"] == [
        {"path": str(fifo), "reason": "not a regular file: a named pipe (FIFO)"}
    ]


def test_a_fifo_on_the_command_line(capsys, tmp_path: Path, folder: Path):
    fifo = folder / "pipe.txt"
    os.mkfifo(fifo)
    argv = ["--library", str(tmp_path / "lib"), "import", str(folder)]
    code = finish_within(lambda: main(argv), fifos=[fifo])
    out, _ = capsys.readouterr()
    assert code == 0
    assert f"{fifo}: left out: not a regular file: a named pipe (FIFO)" in out


def test_a_socket_in_a_folder_is_skipped(lib: Path, folder: Path):
    import socket

    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(folder / "socket"))
    except OSError as error:  # a path too long for a socket name
        pytest.skip(f"cannot make a socket here: {error}")
    try:
        report, _ = import_in_thread(lib, [folder])
    finally:
        server.close()
    assert reasons(report) == {"socket": "not a regular file: a socket"}


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_device_named_alone_is_refused(lib: Path, device: str):
    if not (os.path.exists(device) and stat.S_ISCHR(os.stat(device).st_mode)):
        pytest.skip(f"{device} is not a device here")
    report, _ = import_in_thread(lib, [device])
    (failed,) = report.failed
    assert failed.error == "not a regular file: this is a device; not read"


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_node_in_a_folder_is_skipped(lib: Path, folder: Path):
    node = folder / "zero.txt"
    os.mknod(node, 0o644 | stat.S_IFCHR, os.makedev(1, 5))  # like /dev/zero
    report, _ = import_in_thread(lib, [folder])
    assert report.added == 2
    assert reasons(report) == {"zero.txt": "not a regular file: a device"}


def test_a_file_swapped_for_a_fifo_after_the_walk_is_not_opened(lib, folder, monkeypatch):
    """The window between looking at a file and opening it: the open cannot block."""
    fifo = folder / "late.txt"
    real = candidates.find_candidates

    def walk_then_swap(*args, **kwargs):
        found = real(*args, **kwargs)
        os.mkfifo(fifo)
        found.files.append(fifo)
        return found

    monkeypatch.setattr("readinglist.importing.find_candidates", walk_then_swap)
    report, _ = import_in_thread(lib, [folder], fifos=[fifo])
    assert report.added == 2
    (failed,) = report.failed
    assert "not a regular file" in failed.error


# Symlinks


def test_a_symlink_loop_ends_the_walk(lib: Path, folder: Path):
    sub = folder / "sub"
    sub.mkdir()
    (sub / "again").symlink_to(folder)  # sub/again -> the folder itself
    (sub / "self").symlink_to(sub / "self")  # a link to itself
    (sub / "loop.txt").symlink_to(sub / "loop.txt")
    report, _ = import_in_thread(lib, [folder])
    assert report.added == 2
    found = reasons(report)
    assert found["again"].startswith("a folder already walked")
    assert found["loop.txt"] == "a symlink loop or a broken symlink"


def test_symlinks_pointing_outside_the_folder_are_not_followed(
    lib: Path, folder: Path, tmp_path: Path
):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(daily_page(SAMPLE_PAPERS[2:]), encoding="utf-8")
    (folder / "secret.txt").symlink_to(outside / "secret.txt")
    (folder / "elsewhere").symlink_to(outside)
    (folder / "passwd").symlink_to("/etc/passwd")
    report, _ = import_in_thread(lib, [folder])
    assert [Path(f.path).name for f in report.files] == ["page.txt"]
    assert reasons(report) == {
        "elsewhere": "a symlink pointing outside the imported folder",
        "passwd": "a symlink pointing outside the imported folder",
        "secret.txt": "a symlink pointing outside the imported folder",
    }


def test_a_symlink_inside_the_folder_imports_the_file_once(library: Library, folder: Path):
    (folder / "another-name.txt").symlink_to(folder / "page.txt")
    report = library.import_files([folder])
    assert len(report.files) == 1
    assert reasons(report) == {"page.txt": "the same file was found under another name"}


def test_a_symlinked_folder_named_by_the_user_is_followed(library, folder, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(folder)
    assert library.import_files([link]).added == 2


# System folders and big walks


def test_system_folders_are_not_walked():
    if not os.path.isdir("/proc/self") or not os.path.isdir("/sys/kernel"):
        pytest.skip("no /proc or /sys here")
    found = finish_within(lambda: candidates.find_candidates(["/proc", "/sys/kernel"]))
    assert found.files == []
    assert [s.reason for s in found.skipped] == [
        "a system folder (proc file system), not documents",
        "a system folder (sysfs file system), not documents",
    ]


def test_importing_the_root_folder_stops_at_the_limit(lib: Path):
    with pytest.raises(TooManyFiles) as raised:
        import_in_thread(lib, ["/"], max_files=50)
    assert raised.value.found == 50
    assert str(raised.value) == "/ holds more than 50 files to import"
    with Library(lib) as library:
        assert library.count() == 0


def test_cancel_is_checked_during_the_walk(library: Library, folder: Path):
    for index in range(300):
        (folder / f"sub{index:03}").mkdir()
    polls = []

    def cancel() -> bool:
        polls.append(1)
        return len(polls) > 3

    report = library.import_files([folder], cancel=cancel)
    assert report.cancelled
    assert report.files == []
    assert library.count() == 0
    assert library.undo_label() is None  # nothing happened, nothing to undo
    assert len(polls) == 4  # stopped at once, long before the 300 folders were read


def test_the_walk_reports_progress(library: Library, folder: Path):
    for index in range(200):
        (folder / f"sub{index:03}").mkdir()
        (folder / f"sub{index:03}" / "a.txt").write_text("x", encoding="utf-8")
    seen = []
    library.import_candidates([folder], progress=lambda *args: seen.append(args))
    assert seen and all(total == 0 for _, total, _ in seen)
    assert seen[-1][0] > 100  # files found so far


# Asking before a big import


@pytest.fixture
def many_files(tmp_path: Path, page_text: str) -> Path:
    folder = tmp_path / "many"
    folder.mkdir()
    for index in range(12):
        (folder / f"{index:02}.txt").write_text(page_text, encoding="utf-8")
    return folder


def test_import_candidates_lists_without_reading(library: Library, many_files: Path):
    found = library.import_candidates([many_files])
    assert found.complete and len(found.files) == 12
    limited = library.import_candidates([many_files], limit=5)
    assert not limited.complete and len(limited.files) == 5
    assert library.count() == 0


def test_max_files_refuses_before_anything_is_imported(library: Library, many_files: Path):
    with pytest.raises(TooManyFiles) as raised:
        library.import_files([many_files], max_files=10)
    assert (raised.value.found, raised.value.limit) == (10, 10)
    assert str(raised.value) == "many holds more than 10 files to import"
    assert library.count() == 0
    assert library.import_files([many_files], max_files=12).added == 2


def test_the_command_line_asks_for_yes_above_the_limit(capsys, tmp_path, many_files, monkeypatch):
    monkeypatch.setattr("readinglist.cli.papers.CONFIRM_FILES", 10)
    lib = str(tmp_path / "lib")
    assert main(["--library", lib, "import", str(many_files)]) == 2
    _, err = capsys.readouterr()
    assert err == (
        "readinglist: import: many holds more than 10 files to import; nothing was "
        "imported. Check the folder, or add --yes to import them all\n"
    )
    assert main(["--library", lib, "import", str(many_files), "--yes"]) == 0
    out, _ = capsys.readouterr()
    assert out.endswith("2 added, 0 merged, 22 duplicates, 0 skipped, 0 file(s) failed\n")


def test_files_named_one_by_one_count_too(capsys, tmp_path, many_files, monkeypatch):
    monkeypatch.setattr("readinglist.cli.papers.CONFIRM_FILES", 3)
    files = [str(path) for path in sorted(many_files.iterdir())[:3]]
    assert main(["--library", str(tmp_path / "lib"), "import", *files]) == 0
