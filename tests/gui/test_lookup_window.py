"""Looking up metadata from the window: consent, the background lookup with progress and
Cancel, the review of old → new, undo, papers with several candidates, the preference,
and a window that stays responsive during a 1,000-paper lookup.

Real widgets against a local stand-in of the arXiv API (the shared test records); the
tests wait on the window's signals and never sleep.
"""

from __future__ import annotations

import html
import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QApplication, QLabel, QTextBrowser

from readinglist.gui import settings as keys
from readinglist.gui.lookup_actions import LOOKUPS_OFF
from readinglist.gui.sidebar import Target
from tests.gui.conftest import make_window, row_titles, select_paper
from tests.lookup.fake_arxiv import FakeServices, load_records

METADATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "arxiv-metadata"
SPARSITY, EARTH_MOON, STIRLING = "0704.0002", "0704.0003", "0704.0004"
TWIN_A, TWIN_B = "0704.0026", "0704.0112"  # one abstract, submitted twice


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    if not (METADATA / "records.jsonl").is_file():
        pytest.skip(f"shared arXiv records not found at {METADATA}")
    return {record["id"]: record for record in load_records(METADATA / "records.jsonl")}


@pytest.fixture
def services(records, tmp_path, monkeypatch):
    with FakeServices(list(records.values())) as fake:
        monkeypatch.setenv("READINGLIST_ARXIV_API", fake.arxiv_url)
        monkeypatch.setenv("READINGLIST_CROSSREF_API", fake.crossref_url)
        monkeypatch.setenv("READINGLIST_LOOKUP_DELAY", "0")
        monkeypatch.setenv("READINGLIST_CACHE", str(tmp_path / "cache"))
        yield fake


def distinct(records, count: int) -> list[str]:
    """Ids of records whose abstract no other record shares (real double submissions,
    such as 0704.0026 and 0704.0112, are ambiguous by design)."""
    seen: dict[str, int] = {}
    for record in records.values():
        text = " ".join(record["abstract"].split())
        seen[text] = seen.get(text, 0) + 1
    unique = [i for i, r in records.items() if seen[" ".join(r["abstract"].split())] == 1]
    return unique[:count]


def import_abstracts(library, records, ids, tmp_path) -> list[int]:
    """Papers as a listing gives them: the abstract only, no title, authors or id."""
    lines = [f"Abstract:{' '.join(records[i]['abstract'].split())}" for i in ids]
    path = tmp_path / f"listing-{len(ids)}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = library.import_files([path])
    assert report.added == len(ids), report.to_dict()
    return report.added_ids


@pytest.fixture
def lookup_window(qtbot, library, tmp_path, services):
    def build(consent: str = "yes"):
        window = make_window(qtbot, library, tmp_path)
        window.settings.set(keys.LOOKUP_CONSENT, consent)
        window.update_lookup_actions()
        windows.append(window)
        return window

    windows = []
    yield build
    for window in windows:
        window.close()


def run_lookup(qtbot, window, start, timeout=60_000):
    with qtbot.waitSignal(window.lookup_finished, timeout=timeout) as finished:
        start()
    return finished.args[0]


def shown(tooltip: str) -> str:
    """The text a tooltip shows (they are rich text that shows exactly the value)."""
    return QTextDocumentFragment.fromHtml(tooltip).toPlainText()


def review_rows(dialog) -> dict[str, dict[str, tuple[str, str]]]:
    """{paper key: {field: (now, from the record)}} as the review tree shows them."""
    rows = {}
    for item in dialog.paper_items.values():
        rows[item.text(0)] = {
            item.child(i).text(0): (
                shown(item.child(i).toolTip(1)),
                shown(item.child(i).toolTip(2)),
            )
            for i in range(item.childCount())
        }
    return rows


def test_consent_is_asked_once_and_nothing_is_sent_before(
    qtbot, library, records, tmp_path, services, lookup_window
):
    import_abstracts(library, records, [SPARSITY], tmp_path)
    window = lookup_window(consent="")
    select_paper(qtbot, window, library.paper(library.paper_ids()[0]).key)
    window.lookup_action.trigger()
    dialog = window.lookup_consent
    assert dialog is not None and dialog.isVisible()
    shown = dialog.findChild(QLabel, "consentText").text()
    for what in ("arXiv", "Crossref", "title", "abstract", "DOI"):
        assert what in shown
    assert len(services.requests) == 0  # nothing sent while asking
    with qtbot.waitSignal(window.lookup_finished, timeout=60_000):
        qtbot.mouseClick(dialog.enable_button, Qt.MouseButton.LeftButton)
    assert len(services.requests) > 0
    assert window.settings.get(keys.LOOKUP_CONSENT) == "yes"
    window.lookup_review.reject()
    # Asked once: the next lookup starts straight away.
    report = run_lookup(qtbot, window, window.lookup_action.trigger)
    assert window.lookup_consent is None
    assert [r.status for r in report.results] == ["matched"]


def test_declining_keeps_everything_offline_and_the_preference_turns_lookups_on(
    qtbot, library, records, tmp_path, services, lookup_window
):
    import_abstracts(library, records, [SPARSITY], tmp_path)
    window = lookup_window(consent="")
    paper_id = select_paper(qtbot, window, library.paper(library.paper_ids()[0]).key)
    banner = window.detail.lookup_banner
    assert banner.isVisible() and banner.button.isEnabled()
    qtbot.mouseClick(banner.button, Qt.MouseButton.LeftButton)  # "Look up" on the banner
    dialog = window.lookup_consent
    qtbot.mouseClick(dialog.decline_button, Qt.MouseButton.LeftButton)
    assert len(services.requests) == 0
    assert window.settings.get(keys.LOOKUP_CONSENT) == "no"
    for action in (window.lookup_action, window.lookup_all_action):
        assert not action.isEnabled() and action.toolTip() == LOOKUPS_OFF
    assert not banner.button.isEnabled() and banner.button.toolTip() == LOOKUPS_OFF
    window.look_up([paper_id])  # the sidebar's menu, say: refused, nothing sent
    assert len(services.requests) == 0 and window.lookup_task is None

    preferences = window.show_preferences()
    assert not preferences.lookups.isChecked()
    preferences.lookups.setChecked(True)
    preferences.save()
    assert window.lookup_action.isEnabled() and banner.button.isEnabled()
    report = run_lookup(qtbot, window, window.lookup_action.trigger)
    assert report.results[0].status == "matched"
    window.lookup_review.reject()

    preferences = window.show_preferences()
    assert preferences.lookups.isChecked()
    preferences.lookups.setChecked(False)
    preferences.save()
    assert not window.lookup_action.isEnabled()
    assert window.lookup_action.toolTip() == LOOKUPS_OFF


def test_review_old_to_new_accept_and_undo(
    qtbot, library, records, tmp_path, services, lookup_window
):
    ids = import_abstracts(library, records, [SPARSITY, EARTH_MOON, STIRLING], tmp_path)
    before = {paper_id: library.paper(paper_id) for paper_id in ids}
    window = lookup_window()
    window.table.selectAll()
    report = run_lookup(qtbot, window, window.lookup_action.trigger)
    assert sorted(r.status for r in report.results) == ["matched"] * 3
    assert not window.progress.isVisible() and not window.cancel_button.isVisible()
    # Nothing has changed yet: the review shows what would.
    assert {library.paper(i).title for i in ids} == {p.title for p in before.values()}
    dialog = window.lookup_review
    assert dialog is not None and dialog.isVisible()
    rows = review_rows(dialog)
    sparsity = rows[before[ids[0]].key]
    assert sparsity["title"] == (before[ids[0]].title, "Sparsity-certifying Graph Decompositions")
    assert sparsity["authors"][0] == "—" and "Streinu" in sparsity["authors"][1]
    assert sparsity["year"] == ("—", "2007")
    assert sparsity["arXiv id"] == ("—", SPARSITY)

    with qtbot.waitSignal(window.lookup_applied, timeout=30_000):
        qtbot.mouseClick(dialog.accept_all, Qt.MouseButton.LeftButton)
    titles = row_titles(window)
    for arxiv_id in (SPARSITY, EARTH_MOON, STIRLING):
        assert records[arxiv_id]["title"] in titles
    paper_id = select_paper(qtbot, window, library.paper(ids[0]).key)
    detail = window.detail
    assert detail.title_edit.text() == "Sparsity-certifying Graph Decompositions"
    assert "Streinu" in detail.fields["authors"].text()
    assert detail.fields["year"].text() == "2007"
    assert detail.fields["arxiv_id"].text() == SPARSITY
    assert not detail.lookup_banner.isVisible()
    assert not detail.review_label.isVisible()
    assert "arXiv" in detail.sources_label.text() and detail.sources_label.isVisible()

    # One undo step restores all three papers.
    window.activateWindow()  # the review dialog had it
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    for pid, old in before.items():
        paper = library.paper(pid)
        assert (paper.title, paper.authors, paper.year, paper.arxiv_id) == (
            old.title,
            old.authors,
            old.year,
            old.arxiv_id,
        )
    assert detail.title_edit.text() == before[paper_id].title
    assert detail.fields["authors"].text() == ""
    assert detail.lookup_banner.isVisible()
    assert set(row_titles(window)) == {p.title for p in before.values()}


def test_accept_selected_applies_only_the_checked_papers(
    qtbot, library, records, tmp_path, services, lookup_window
):
    ids = import_abstracts(library, records, [SPARSITY, EARTH_MOON], tmp_path)
    window = lookup_window()
    run_lookup(qtbot, window, window.look_up_missing)
    dialog = window.lookup_review
    dialog.set_checked(ids[1], False)
    assert dialog.accept_checked.text() == "Accept selected (1)"
    with qtbot.waitSignal(window.lookup_applied, timeout=30_000):
        qtbot.mouseClick(dialog.accept_checked, Qt.MouseButton.LeftButton)
    assert library.paper(ids[0]).arxiv_id == SPARSITY
    assert library.paper(ids[1]).arxiv_id == ""


def test_cancel_stops_the_lookup(qtbot, library, records, tmp_path, services, lookup_window):
    chosen = distinct(records, 150)
    import_abstracts(library, records, chosen, tmp_path)
    services.stall_after(0, 0.01)  # the server takes its time, so there is a half-way
    window = lookup_window()
    with qtbot.waitSignal(window.lookup_finished, timeout=60_000) as finished:
        window.look_up_missing()
        assert window.progress.isVisible() and window.cancel_button.isVisible()
        qtbot.waitUntil(lambda: window.progress.value() >= 1, timeout=30_000)
        qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    report = finished.args[0]
    assert report.cancelled
    assert len([r for r in report.results if r.status != "error"]) < len(chosen)
    assert window.lookup_task is None
    assert not window.progress.isVisible() and not window.cancel_button.isVisible()
    assert "cancelled" in window.statusBar().currentMessage().lower()
    asked = len(services.requests)
    QApplication.processEvents()
    assert len(services.requests) == asked  # the worker has stopped asking
    assert library.paper_ids() and all(library.paper(i).arxiv_id == "" for i in library.paper_ids())


def test_closing_the_window_stops_a_running_lookup(
    qtbot, library, records, tmp_path, services, lookup_window
):
    import_abstracts(library, records, distinct(records, 150), tmp_path)
    services.stall_after(0, 0.01)
    window = lookup_window()
    window.look_up_missing()
    qtbot.waitUntil(lambda: window.progress.value() >= 1, timeout=30_000)
    task = window.lookup_task
    started = time.perf_counter()
    window.close()  # cancels the worker and waits for it
    assert task.cancelled()
    assert time.perf_counter() - started < 10
    assert all(library.paper(i).arxiv_id == "" for i in library.paper_ids())
    with qtbot.waitSignal(window.lookup_finished, timeout=10_000) as finished:
        pass  # the worker's answer, queued before the window closed
    assert finished.args[0].cancelled and window.lookup_review is None


def test_several_candidates_are_shown_side_by_side_and_picking_one_attaches_it(
    qtbot, library, records, tmp_path, services, lookup_window
):
    [paper_id] = import_abstracts(library, records, [TWIN_A], tmp_path)
    window = lookup_window()
    select_paper(qtbot, window, library.paper(paper_id).key)
    report = run_lookup(qtbot, window, window.lookup_action.trigger)
    [result] = report.results
    assert result.status == "ambiguous"
    assert {c.record.arxiv_id for c in result.candidates} == {TWIN_A, TWIN_B}
    assert library.paper(paper_id).arxiv_id == ""  # nothing attached yet
    # The banner says so too, and reopens the choice later.
    banner = window.detail.lookup_banner
    assert banner.isVisible() and "2 candidates" in banner.label.text()
    review = window.lookup_review
    review.hide()  # decide later: the banner brings the choice back
    qtbot.mouseClick(banner.button, Qt.MouseButton.LeftButton)
    later = window.candidates_dialog
    assert later is not None and len(later.choose_buttons) == 2
    qtbot.mouseClick(later.later_button, Qt.MouseButton.LeftButton)
    assert window.candidates_dialog is None
    assert library.paper(paper_id).arxiv_id == "" and banner.isVisible()

    review.show()
    button = review.choose_buttons[paper_id]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.candidates_dialog
    assert dialog is not None and dialog.isVisible()
    pairs = zip(dialog.candidates, dialog.choose_buttons, strict=True)
    shown = {candidate.record.arxiv_id: button for candidate, button in pairs}
    assert set(shown) == {TWIN_A, TWIN_B}
    labels = " ".join(label.text() for label in dialog.findChildren(QLabel))
    for twin in (TWIN_A, TWIN_B):
        assert html.escape(records[twin]["title"]) in labels and f"arXiv:{twin}" in labels
    assert "similarity" in labels
    # The paper's own abstract stands next to the candidates' abstracts.
    abstracts = [box.toPlainText() for box in dialog.findChildren(QTextBrowser)]
    assert len(abstracts) == 3
    assert abstracts[0] == " ".join(library.paper(paper_id).abstract.split())
    with qtbot.waitSignal(window.library_changed, timeout=10_000):
        qtbot.mouseClick(shown[TWIN_B], Qt.MouseButton.LeftButton)
    paper = library.paper(paper_id)
    assert paper.arxiv_id == TWIN_B and paper.title == records[TWIN_B]["title"]
    assert library.pending_candidates(paper_id) == []
    assert not banner.isVisible()
    assert window.detail.title_edit.text() == records[TWIN_B]["title"]
    assert not button.isEnabled()
    review.reject()
    # One undo step: the paper is as it was.
    window.undo_action.trigger()
    assert library.paper(paper_id).arxiv_id == ""


def test_the_contact_for_crossref_goes_with_each_request(
    qtbot, library, records, tmp_path, services, lookup_window, monkeypatch
):
    monkeypatch.setenv("READINGLIST_MAILTO", "")  # restored after the window sets it
    import_abstracts(library, records, [SPARSITY], tmp_path)
    window = lookup_window()
    preferences = window.show_preferences()
    qtbot.keyClicks(preferences.contact, "reader@example.org")
    preferences.save()
    assert window.settings.get(keys.LOOKUP_CONTACT) == "reader@example.org"
    window.table.selectAll()
    run_lookup(qtbot, window, window.lookup_action.trigger)
    assert services.user_agents
    assert all("mailto:reader@example.org" in agent for agent in services.user_agents)
    window.lookup_review.reject()


def test_none_of_these_attaches_nothing_and_the_banner_says_not_found(
    qtbot, library, records, tmp_path, services, lookup_window
):
    [paper_id] = import_abstracts(library, records, [TWIN_A], tmp_path)
    window = lookup_window()
    select_paper(qtbot, window, library.paper(paper_id).key)
    run_lookup(qtbot, window, window.lookup_action.trigger)
    window.lookup_review.hide()
    banner = window.detail.lookup_banner
    qtbot.mouseClick(banner.button, Qt.MouseButton.LeftButton)
    dialog = window.candidates_dialog
    with qtbot.waitSignal(window.library_changed, timeout=10_000):
        qtbot.mouseClick(dialog.none_button, Qt.MouseButton.LeftButton)
    assert library.paper(paper_id).arxiv_id == ""
    assert library.pending_candidates(paper_id) == []
    assert banner.isVisible() and "Not found" in banner.label.text()
    assert banner.button.text() == "Look up again"


def test_a_service_that_cannot_be_reached_leaves_everything_as_it_was(
    qtbot, library, records, tmp_path, services, lookup_window, monkeypatch
):
    import socket

    import readinglist.lookup.http as lookup_http

    ids = import_abstracts(library, records, [SPARSITY, EARTH_MOON], tmp_path)
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("READINGLIST_ARXIV_API", f"http://127.0.0.1:{port}/api/query")
    monkeypatch.setenv("READINGLIST_CROSSREF_API", f"http://127.0.0.1:{port}")
    monkeypatch.setattr(lookup_http, "BACKOFF_SECONDS", 0.0)  # retries without the waits
    window = lookup_window()
    report = run_lookup(qtbot, window, window.look_up_missing)
    assert report.unreachable
    assert {r.status for r in report.results} == {"error"}
    assert window.lookup_review is None  # nothing to review
    assert "could not be reached" in window.statusBar().currentMessage()
    assert all(library.paper(i).arxiv_id == "" for i in ids)
    assert window.lookup_action.isEnabled()  # try again later


def test_a_reading_list_is_looked_up_from_the_sidebar(
    qtbot, library, records, tmp_path, services, lookup_window
):
    ids = import_abstracts(library, records, [SPARSITY, EARTH_MOON], tmp_path)
    list_id = library.create_list("To cite")
    library.add_to_list(list_id, [ids[0]])
    window = lookup_window()
    item = window.sidebar.item_for(Target("list", list_id))
    [lookup] = [a for a in window.sidebar.actions_for(item) if a.text() == "Look Up Metadata"]
    report = run_lookup(qtbot, window, lookup.trigger)
    assert [r.paper_id for r in report.results] == [ids[0]]


def test_the_window_stays_responsive_during_a_1000_paper_lookup(
    qtbot, library, records, tmp_path, services, lookup_window
):
    chosen = distinct(records, 1000)
    import_abstracts(library, records, chosen, tmp_path)
    window = lookup_window()
    window.show_lookup_review = False  # measured on its own below
    gaps: list[float] = []
    clock = QElapsedTimer()
    ticker = QTimer(window)
    ticker.setInterval(10)

    def tick() -> None:
        gaps.append(clock.restart() / 1000)

    ticker.timeout.connect(tick)
    clock.start()
    ticker.start()
    started = time.perf_counter()
    report = run_lookup(qtbot, window, window.look_up_missing, timeout=600_000)
    elapsed = time.perf_counter() - started
    ticker.stop()
    matched = sum(r.status == "matched" for r in report.results)
    longest = max(gaps)
    print(
        f"\n1,000-paper lookup: {elapsed:.1f} s, {matched} matched, {len(gaps)} ticks, "
        f"longest GUI-thread stall {longest * 1000:.0f} ms"
    )
    assert len(report.results) == len(chosen) and not report.cancelled
    assert matched >= 0.9 * len(chosen)
    assert len(gaps) > elapsed / 0.05  # the timer kept firing all along
    # On the GUI thread the lookup would freeze the window for the whole run (seconds);
    # what remains are Python's garbage collections (~0.15 s here) and a busy machine.
    assert longest < 0.75, f"the GUI thread stalled for {longest * 1000:.0f} ms"

    dialog_clock = time.perf_counter()
    dialog = window.open_lookup_review(report)
    built = time.perf_counter() - dialog_clock
    print(f"review of {len(dialog.proposals)} papers built in {built * 1000:.0f} ms")
    assert built < 2.0
    with qtbot.waitSignal(window.lookup_applied, timeout=120_000):
        qtbot.mouseClick(dialog.accept_all, Qt.MouseButton.LeftButton)
    assert library.paper(library.paper_ids(order_by="id")[0]).arxiv_id != ""
    json.dumps([r.to_json() for r in report.results])  # what the command line prints
