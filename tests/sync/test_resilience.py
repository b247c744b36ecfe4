"""Nothing lost, nothing doubled: a member offline for hundreds of changes, the server
stopped in the middle of a sync, a member killed with SIGKILL in the middle of one."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from readinglist.cli import main
from readinglist.library import Library
from readinglist.sync import SyncOffline, server
from tests.sync.helpers import content, sync_until_quiet

KILLER = Path(__file__).with_name("kill_during_sync.py")


@pytest.fixture
def pair(make_library, server_url, seeds):
    first = make_library("first")
    first.import_files([seeds])
    first.sync.share(server_url, name="lab")
    second = make_library("second")
    second.sync.join(server_url)
    return first, second


def _many_changes(lib: Library, count: int, word: str) -> None:
    """``count`` changes, each its own step: tags, statuses, notes, ratings."""
    ids = [p.id for p in lib.papers()]
    for i in range(count):
        paper = ids[i % len(ids)]
        match i % 4:
            case 0:
                lib.add_tags([paper], [f"{word}{i % 7}"])
            case 1:
                lib.set_status([paper], ("unread", "reading", "read")[i % 3])
            case 2:
                lib.add_note(paper, f"{word} note {i}")
            case 3:
                lib.set_rating([paper], i % 6)


def test_a_member_offline_for_500_changes_catches_up(pair, make_library, server_url):
    first, second = pair
    third = make_library("third")
    third.sync.join(server_url)
    _many_changes(first, 500, "first")
    _many_changes(third, 500, "third")  # offline meanwhile: its own changes wait
    assert third.sync.pending() >= 500
    first.sync.run()
    second.sync.run()
    started = time.perf_counter()
    result = third.sync.run()
    elapsed = time.perf_counter() - started
    assert result.pulled >= 500 and result.pushed > 0
    sync_until_quiet(first, second, third)
    assert content(first) == content(second) == content(third)
    notes = sum(len(v[6]) for v in content(first)["papers"].values())
    assert notes == 250  # 125 notes from each of the two busy members: none lost
    assert elapsed < 20, elapsed


def test_server_stopped_in_the_middle_of_a_push(pair, postgres, monkeypatch):
    first, second = pair
    _many_changes(first, 300, "busy")
    first.sync.batch_size = 50
    real, pushed = server._Pusher.push, [0]

    def push_then_stop(self, item):
        real(self, item)
        pushed[0] += 1
        if pushed[0] == 120:
            postgres.stop("immediate")

    try:
        with monkeypatch.context() as patch:
            patch.setattr(server._Pusher, "push", push_then_stop)
            with pytest.raises(SyncOffline, match=r"offline: \d+ changes pending"):
                first.sync.run()
    finally:
        postgres.start()
    assert first.sync.pending() > 0  # what the server did not commit is still queued
    sync_until_quiet(first, second)
    assert content(first) == content(second)
    assert sum(len(v[6]) for v in content(second)["papers"].values()) == 75


def test_server_stopped_in_the_middle_of_a_pull(pair, postgres, monkeypatch):
    first, second = pair
    _many_changes(first, 300, "busy")
    first.sync.run()
    second.sync.batch_size = 40
    real, batches = server.changes_after, [0]

    def fetch_then_stop(conn, seq, limit=5000):
        batches[0] += 1
        if batches[0] == 3:
            postgres.stop("immediate")
        return real(conn, seq, limit)

    try:
        with monkeypatch.context() as patch:
            patch.setattr(server, "changes_after", fetch_then_stop)
            with pytest.raises(SyncOffline):
                second.sync.run()
    finally:
        postgres.start()
    assert content(second) != content(first)  # half way
    sync_until_quiet(first, second)
    assert content(first) == content(second)


@pytest.mark.parametrize("moment", ["after-push", "mid-pull"])
def test_a_member_killed_in_the_middle_of_a_sync_loses_and_doubles_nothing(
    pair, moment, server_url
):
    first, second = pair
    _many_changes(first, 200, "first")
    if moment == "mid-pull":
        second_folder = second.folder
        _many_changes(second, 40, "second")
        first.sync.run()
    else:
        second_folder = first.folder
    victim = first if moment == "after-push" else second
    before = content(victim)
    victim.close()
    killed = subprocess.run(
        [sys.executable, str(KILLER), str(second_folder), moment],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    reopened = Library(second_folder)
    try:
        if moment == "mid-pull":
            # Batches are applied whole: the one being applied when it died left nothing.
            pulled = int(reopened.sync._state["pulled"])
            assert pulled and content(reopened) != before
            assert reopened.db.execute("SELECT count(*) FROM sync_applying").fetchone()[0] == 0
        other = second if moment == "after-push" else first
        sync_until_quiet(reopened, other)
        assert content(reopened) == content(other)
        notes = sum(len(v[6]) for v in content(other)["papers"].values())
        assert notes == 50 + (10 if moment == "mid-pull" else 0)
        tags = {t.name: t.count for t in other.tags()}
        assert sum(tags.values()) == len(
            {(p, t) for p, v in content(other)["papers"].items() for t in v[4]}
        )
        with server.connect(reopened.sync.status().url) as conn:
            papers = conn.execute(
                "SELECT count(*) FROM rl_rows WHERE kind = 'paper' AND NOT gone"
            ).fetchone()[0]
            notes_on_server = conn.execute(
                "SELECT count(*) FROM rl_rows WHERE kind = 'note' AND NOT gone"
            ).fetchone()[0]
        assert papers == reopened.count() == 53
        assert notes_on_server == notes
    finally:
        reopened.close()


def test_command_line_share_join_sync_and_status(postgres, server_url, tmp_path, seeds, capsys):
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["import", str(seeds), "--library", str(first)]) == 0
    assert main(["share", server_url, "--name", "Lab", "--library", str(first)]) == 0
    assert "shared 53 papers as 'Lab'" in capsys.readouterr().out
    assert main(["join", server_url, "--library", str(second)]) == 0
    assert "joined 'Lab': 53 papers" in capsys.readouterr().out
    assert main(["tag", "add", "1", "--tag", "shared-tag", "--library", str(first)]) == 0
    capsys.readouterr()
    assert main(["sync", "--status", "--json", "--library", str(first)]) == 0
    status = __import__("json").loads(capsys.readouterr().out)
    assert status["pending"] == 1 and status["state"] == "pending" and status["online"]
    assert main(["sync", "--library", str(first)]) == 0
    assert main(["sync", "--library", str(second)]) == 0
    assert "received" in capsys.readouterr().out
    assert main(["sync", "--status", "--library", str(second)]) == 0
    assert "synced" in capsys.readouterr().out
    postgres.stop("fast")
    try:
        assert main(["tag", "add", "1", "--tag", "offline-tag", "--library", str(first)]) == 0
        capsys.readouterr()
        assert main(["sync", "--library", str(first)]) == 1
        assert "offline: 1 changes pending" in capsys.readouterr().err
        assert main(["sync", "--status", "--library", str(first)]) == 0
        assert "offline: 1 changes pending" in capsys.readouterr().out
    finally:
        postgres.start()
    assert main(["sync", "--library", str(first)]) == 0
    assert main(["sync", "--confirm", "--library", str(second)]) == 0  # a device of its own
    assert main(["sync", "--status", "--library", str(tmp_path / "third")]) == 1
    assert "not shared" in capsys.readouterr().out
    assert main(["share", "mysql://x@y/z", "--library", str(tmp_path / "fourth")]) == 1
