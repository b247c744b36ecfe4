"""The window and a shared library: the sync indicator, another member's change shown
within 2 s (LISTEN/NOTIFY, a background sync), the conflicts list with restore."""

from __future__ import annotations

import time

import pytest

from tests.gui.conftest import make_window, row_titles


@pytest.fixture
def shared(make_library, server_url, seeds):
    owner = make_library("owner")
    owner.import_files([seeds])
    owner.sync.share(server_url, name="Lab")
    member = make_library("member")
    member.sync.join(server_url)
    return owner, member


@pytest.fixture
def member_window(qtbot, shared, tmp_path):
    _, member = shared
    window = make_window(qtbot, member, tmp_path)
    # The first sync after opening, and the listener's connection, are in place.
    qtbot.waitUntil(lambda: window.sync_panel.label.text() == "Synced", timeout=5000)
    yield window
    window.close()


def test_a_change_by_another_member_shows_within_two_seconds(qtbot, shared, member_window):
    owner, _ = shared
    window = member_window
    assert window.sync_panel.label.isVisible()
    paper = owner.papers()[0]
    owner.edit(paper.id, title="Renamed by the owner on another machine")
    started = time.monotonic()
    owner.sync.run()
    qtbot.waitUntil(
        lambda: "Renamed by the owner on another machine" in row_titles(window), timeout=2000
    )
    assert time.monotonic() - started < 2.0


def test_the_indicator_shows_pending_then_synced_and_offline(
    qtbot, shared, member_window, postgres
):
    window = member_window
    member = window.library
    with qtbot.waitSignal(window.sync_panel.synced, timeout=5000):
        window._run(lambda: member.add_tags([member.papers()[0].id], ["from-the-window"]))
        assert window.sync_panel.label.text() == "Pending 1"
    assert window.sync_panel.label.text() == "Synced"
    postgres.stop("fast")
    try:
        window._run(lambda: member.add_tags([member.papers()[1].id], ["while-offline"]))
        qtbot.waitUntil(
            lambda: window.sync_panel.label.text() == "Offline: 1 pending", timeout=5000
        )
    finally:
        postgres.start()
    with qtbot.waitSignal(window.sync_panel.synced, timeout=5000):
        window.sync_panel.sync_now()
    assert window.sync_panel.label.text() == "Synced"


def test_conflicts_are_listed_and_the_other_value_restored(qtbot, shared, member_window):
    owner, _ = shared
    window = member_window
    member = window.library
    paper = owner.papers()[0]
    window.sync_panel.periodic.stop()
    window.sync_panel.listen_task.cancel()  # the test decides when this member syncs
    window.sync_panel.pool.waitForDone(3000)
    window.sync_panel.listen_task = None
    with qtbot.waitSignal(window.sync_panel.synced, timeout=5000):
        window._run(lambda: member.edit(member.paper(paper.key).id, title="The member's title"))
    # The owner changes the same title without having seen the member's change: a conflict,
    # which the owner's later write wins.
    owner.edit(paper.id, title="The owner's title")
    owner.sync.run()
    with qtbot.waitSignal(window.sync_panel.synced, timeout=5000):
        window.sync_panel.sync_now()
    assert window.sync_panel.label.text() == "1 conflict"
    from readinglist.gui.sync_panel import ConflictsDialog

    dialog = ConflictsDialog(window, window.sync_panel)
    qtbot.addWidget(dialog)
    assert dialog.table.topLevelItemCount() == 1
    row = dialog.table.topLevelItem(0)
    assert [row.text(1), row.text(2), row.text(3)] == [
        "title",
        "The owner's title",
        "The member's title",
    ]
    dialog.restore_button.click()
    assert dialog.table.topLevelItemCount() == 0
    assert member.paper(paper.key).title == "The member's title"
    assert window.sync_panel.label.text() == "Pending 1"
    with qtbot.waitSignal(window.sync_panel.synced, timeout=5000):
        window.sync_panel.sync_now()
    owner.sync.run()
    assert owner.paper(paper.id).title == "The member's title"
