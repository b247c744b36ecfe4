"""Exports write regular files only: devices, FIFOs, sockets and folders are refused.

Each test reproduces an attack on the old code (``export -o /dev/null`` as root replaced the
device node; ``/dev/full`` was read without bound; a FIFO hung the export) and shows it
harmless now: a clear UserError, the special file untouched, and nothing opened for reading.
Calls that hung before run with a timeout, so a regression fails instead of hanging: in a
thread (``finishes``) where no library connection is involved (``write_atomically``, the
command line, which opens its own), else under an alarm (``within``): a blocked open() of
a FIFO is interrupted by the signal. Calls that read /dev/zero or /dev/full without bound
before run with the address space capped (``bounded_memory``), so a regression fails
with MemoryError instead of exhausting the machine. As root, the system's devices are
never the target (a regression would replace /dev/null for everyone): copies made with
mknod in the test's folder are.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import signal
import socket
import stat
import threading
import time
from pathlib import Path

import pytest

from readinglist import export
from readinglist.cli import main
from readinglist.errors import UserError

TIMEOUT = 20  # seconds; the refusal itself takes milliseconds


def finishes(call, *args, fifo: Path | None = None, **kwargs):
    """Run ``call`` in a thread; (True, result or exception) if it returned in time.

    On a timeout, a writer opens and closes ``fifo`` so a reader stuck on it gets an end
    of file and the thread can finish in the background."""
    outcome: list = []

    def target():
        try:
            outcome.append(call(*args, **kwargs))
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(TIMEOUT)
    if thread.is_alive():
        if fifo is not None:
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        return False, None
    return True, outcome[0]


@contextlib.contextmanager
def within(seconds: float = TIMEOUT):
    """Fail the test if the block takes longer (SIGALRM; the main thread only)."""
    if not hasattr(signal, "setitimer"):
        pytest.skip("no interval timers on this system")

    def expire(_signum, _frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def bounded_memory(extra: int = 1024**3):
    """Cap the process's address space at its current size plus ``extra`` bytes."""
    try:
        with open("/proc/self/statm") as stream:
            size = int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError, AttributeError):
        yield  # not Linux: no cap
        return
    cap = size + extra if hard == resource.RLIM_INFINITY else min(hard, size + extra)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


DEVICES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7)}


def device_node(folder: Path, name: str = "null") -> Path:
    """A character device like /dev/NAME inside ``folder``; skips unless root."""
    if not is_root():
        pytest.skip("making a device node needs root")
    path = folder / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(*DEVICES[name]))
    except (PermissionError, OSError) as error:
        pytest.skip(f"mknod is not allowed here: {error}")
    return path


def system_device(folder: Path, name: str) -> Path:
    """/dev/NAME itself where a regression cannot replace it (not root), else a copy."""
    if is_root():
        return device_node(folder, name)
    path = Path("/dev") / name
    if not path.exists():
        pytest.skip(f"{path} does not exist here")
    return path


def fifo(folder: Path, name: str = "refs.bib") -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    path = folder / name
    os.mkfifo(path)
    return path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# The library's door: Library.export_file (CLI -o, File → Export, auto-export)


def test_a_device_node_is_refused_and_stays_a_device(seeded_library, tmp_path):
    node = device_node(tmp_path)
    with pytest.raises(UserError, match="a device, not a regular file"):
        seeded_library.export_file(node, "bibtex")
    assert stat.S_ISCHR(os.lstat(node).st_mode)
    assert os.lstat(node).st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library", "null"]


def test_a_fifo_is_refused_at_once(seeded_library, tmp_path):
    pipe = fifo(tmp_path)
    with within(), pytest.raises(UserError, match="FIFO"):
        seeded_library.export_file(pipe, "bibtex")
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    text = seeded_library.export_text("bibtex")
    done, result = finishes(export.write_atomically, pipe, text, fifo=pipe)
    assert done, "write_atomically hung on a FIFO"
    assert isinstance(result, UserError)


@pytest.mark.parametrize("name", ["full", "zero", "null"])
def test_dev_full_zero_and_null_are_refused_without_reading_them(
    seeded_library, tmp_path, name, monkeypatch
):
    device = system_device(tmp_path, name)
    text = seeded_library.export_text("ris")
    opened = []
    real_open = os.open
    monkeypatch.setattr(
        os, "open", lambda path, *a, **k: opened.append(path) or real_open(path, *a, **k)
    )
    with bounded_memory():
        done, result = finishes(export.write_atomically, device, text)
    assert done, f"the export to {device} did not return"
    assert isinstance(result, UserError)
    assert "not a regular file" in str(result)
    assert str(device) not in map(str, opened)
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_a_symlink_to_a_device_or_fifo_is_refused(seeded_library, tmp_path):
    pipe = fifo(tmp_path, "pipe")
    zero = system_device(tmp_path, "zero") if is_root() or Path("/dev/zero").exists() else None
    for name, points_to in (("to-pipe.bib", pipe), ("to-zero.bib", zero)):
        if points_to is None:
            continue
        link = tmp_path / name
        link.symlink_to(points_to)
        with within(), bounded_memory(), pytest.raises(UserError, match="not a regular file"):
            seeded_library.export_file(link, "bibtex")
        assert link.is_symlink()


def test_a_socket_is_refused(seeded_library, tmp_path):
    path = tmp_path / "refs.sock"
    if len(str(path)) > 100:
        pytest.skip("path too long for a Unix socket")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        with pytest.raises(UserError, match="a socket"):
            seeded_library.export_file(path, "bibtex")
    finally:
        server.close()


def test_a_folder_is_refused(seeded_library, tmp_path):
    folder = tmp_path / "refs.bib"
    folder.mkdir()
    with pytest.raises(UserError, match="a folder, not a regular file"):
        seeded_library.export_file(folder, "bibtex")
    assert folder.is_dir() and not any(folder.iterdir())


def test_a_missing_folder_is_not_created(seeded_library, tmp_path):
    target = tmp_path / "no" / "such" / "refs.bib"
    with pytest.raises(UserError, match="does not exist"):
        seeded_library.export_file(target, "bibtex")
    assert not (tmp_path / "no").exists()


def test_a_file_in_place_of_the_folder_is_refused(seeded_library, tmp_path):
    (tmp_path / "plain.txt").write_text("x")
    with pytest.raises(UserError, match="not a folder"):
        seeded_library.export_file(tmp_path / "plain.txt" / "refs.bib", "bibtex")


def test_a_dangling_symlink_is_refused(seeded_library, tmp_path):
    link = tmp_path / "refs.bib"
    link.symlink_to(tmp_path / "elsewhere" / "target.bib")
    with pytest.raises(UserError, match="symlink to nothing"):
        seeded_library.export_file(link, "bibtex")
    assert not (tmp_path / "elsewhere").exists()


def test_a_symlink_to_a_regular_file_is_written_through(seeded_library, tmp_path):
    real = tmp_path / "real.bib"
    real.write_text("old")
    link = tmp_path / "refs.bib"
    link.symlink_to(real)
    assert seeded_library.export_file(link, "bibtex") is True
    assert link.is_symlink()
    assert real.read_text().count("\n@") + 1 == 53


def test_regular_files_and_new_names_still_work(seeded_library, tmp_path):
    target = tmp_path / "refs.bib"
    assert seeded_library.export_file(target, "bibtex") is True
    assert seeded_library.export_file(target, "bibtex") is False
    assert seeded_library.export_file(target, "ris") is True


# The command line: exit 1 and one clear line, never a traceback


def test_cli_export_to_a_fifo_or_missing_folder_exits_1(seeded_library, tmp_path, capsys):
    library = str(seeded_library.folder)
    pipe = fifo(tmp_path)
    done, result = finishes(main, ["--library", library, "export", "-o", str(pipe)], fifo=pipe)
    assert done, "readinglist export -o FIFO hung"
    assert result == 1
    err = capsys.readouterr().err
    assert "FIFO" in err and "Traceback" not in err
    code, _, err = run_cli(
        capsys, "--library", library, "export", "-o", str(tmp_path / "missing" / "refs.bib")
    )
    assert code == 1
    assert "does not exist" in err and "Traceback" not in err
    assert not (tmp_path / "missing").exists()


def test_cli_export_to_dev_full_exits_1(seeded_library, tmp_path, capsys):
    full = system_device(tmp_path, "full")
    library = str(seeded_library.folder)
    with bounded_memory():
        done, result = finishes(main, ["--library", library, "export", "-o", str(full)])
    assert done and result == 1
    assert "not a regular file" in capsys.readouterr().err


def test_cli_export_to_a_device_node_exits_1(seeded_library, tmp_path, capsys):
    node = device_node(tmp_path)
    library = str(seeded_library.folder)
    code, _, err = run_cli(capsys, "--library", library, "export", "-o", str(node))
    assert code == 1 and "a device" in err
    assert stat.S_ISCHR(os.lstat(node).st_mode)


# Auto-export


def test_auto_export_to_a_fifo_is_refused_when_added(seeded_library, tmp_path):
    pipe = fifo(tmp_path)
    with within(), pytest.raises(UserError, match="FIFO"):
        seeded_library.add_auto_export(pipe)
    assert seeded_library.auto_exports() == []


def test_auto_export_whose_file_became_a_fifo_records_the_error(seeded_library, tmp_path):
    target = tmp_path / "refs.bib"
    seeded_library.add_auto_export(target)
    target.unlink()
    os.mkfifo(target)
    with within():
        assert seeded_library.refresh_auto_exports() == []
    (binding,) = seeded_library.auto_exports()
    assert "FIFO" in binding.last_error
    assert stat.S_ISFIFO(os.lstat(target).st_mode)


# Reading the old file to skip an unchanged write


def _count_reads(monkeypatch) -> list[int]:
    sizes: list[int] = []
    real_read = os.read

    def read(descriptor, size):
        data = real_read(descriptor, size)
        sizes.append(len(data))
        return data

    monkeypatch.setattr(os, "read", read)
    return sizes


def test_the_old_file_is_read_no_further_than_the_new_text(tmp_path, monkeypatch):
    target = tmp_path / "refs.bib"
    text = "@misc{a,\n  title = {A}\n}\n"
    target.write_text(text)
    sizes = _count_reads(monkeypatch)
    assert export.write_atomically(target, text) is False
    assert 0 < sum(sizes) <= len(text.encode()) + 1


def test_a_huge_old_file_is_not_read(tmp_path, monkeypatch):
    target = tmp_path / "refs.bib"
    with open(target, "wb") as stream:
        stream.truncate(2 * 1024**3)  # sparse: 2 GB that take no disk
    sizes = _count_reads(monkeypatch)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read the whole file"))
    assert export.write_atomically(target, "new") is True
    assert sizes == []
    assert target.read_text() == "new"


def test_a_same_size_file_with_other_content_is_rewritten(tmp_path):
    target = tmp_path / "refs.bib"
    target.write_text("old!")
    assert export.write_atomically(target, "new!") is True
    assert target.read_text() == "new!"


# Temporaries: recognisable names, and a killed export's leftovers cleaned


TEMPORARY = re.compile(r"^\.refs\.bib\.readinglist-tmp-[a-z0-9_]{8}$")


def test_temporaries_carry_a_recognisable_name(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: seen.append(src) or real_replace(src, dst))
    export.write_atomically(tmp_path / "refs.bib", "text")
    assert len(seen) == 1 and TEMPORARY.match(Path(seen[0]).name)


def test_stale_temporaries_of_ours_are_removed_at_the_next_export(tmp_path):
    hour_ago = time.time() - 3600
    stale = tmp_path / ".refs.bib.readinglist-tmp-abcd1234"
    fresh = tmp_path / ".refs.bib.readinglist-tmp-efgh5678"  # an export still running
    other_target = tmp_path / ".other.bib.readinglist-tmp-zz99zz99"
    not_ours = tmp_path / ".refs.bib.abcd1234.tmp2"
    user_file = tmp_path / "notes.readinglist-tmp-abcd1234"  # no leading dot: not ours
    outside = tmp_path / "outside.txt"
    linked = tmp_path / ".refs.bib.readinglist-tmp-link1234"
    folder = tmp_path / ".refs.bib.readinglist-tmp-dir12345"
    for path in (stale, fresh, other_target, not_ours, user_file, outside):
        path.write_text("x")
    linked.symlink_to(outside)
    folder.mkdir()
    for path in (stale, other_target, not_ours, user_file, outside, folder):
        os.utime(path, (hour_ago, hour_ago))
    os.utime(linked, (hour_ago, hour_ago), follow_symlinks=False)

    export.write_atomically(tmp_path / "refs.bib", "text")

    left = sorted(p.name for p in tmp_path.iterdir())
    assert stale.name not in left and other_target.name not in left
    for kept in (fresh, not_ours, user_file, outside, linked, folder):
        assert kept.name in left, kept.name
    assert outside.read_text() == "x"


def test_a_failed_write_leaves_no_temporary(tmp_path, monkeypatch):
    def broken_replace(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        export.write_atomically(tmp_path / "refs.bib", "text")
    assert list(tmp_path.iterdir()) == []
