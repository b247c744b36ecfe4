"""Typing in the search bar: searches start at once, run one at a time on the search
thread, only the newest text's results are ever shown, and the Match column's snippets
arrive from that thread for the rows on screen."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from readinglist.gui.paper_model import COLUMN_INDEX, SnippetRole
from readinglist.gui.sidebar import Target
from readinglist.models import SmartList


@pytest.fixture
def shown(seeded_window):
    """Every search result the table showed: (query, ids in the table)."""
    seen: list[tuple[str, list[int]]] = []
    seeded_window.search_finished.connect(
        lambda query: seen.append((query, seeded_window.model.ids()))
    )
    return seen


@pytest.fixture
def gated(seeded_window):
    """Searches on the search thread wait for ``gate`` before they run, so the test
    decides when a search is still running; ``ran`` lists the queries searched."""
    library = seeded_window.library
    real = library.search_view
    gate = threading.Event()
    ran: list[str] = []

    def search_view(query, *args, **kwargs):
        ran.append(query)
        assert gate.wait(10), "the test never opened the gate"
        return real(query, *args, **kwargs)

    library.search_view = search_view
    yield gate, ran
    gate.set()
    del library.search_view


def expected_ids(window, query: str) -> list[int]:
    return window.library.search_view(query).ids.tolist()


def test_typing_fast_shows_only_the_final_text(qtbot, seeded_window, shown):
    window = seeded_window
    with qtbot.waitSignal(window.search_finished, timeout=10_000) as finished:
        qtbot.keyClicks(window.search_edit, "transformer")
    assert finished.args == ["transformer"]
    assert shown == [("transformer", expected_ids(window, "transformer"))]
    assert window.model.rowCount() == 14


def test_typing_while_a_search_runs_gets_the_newest_text(qtbot, seeded_window, shown, gated):
    window = seeded_window
    gate, ran = gated
    qtbot.keyClicks(window.search_edit, "m")
    qtbot.waitUntil(lambda: ran == ["m"])  # "m" is running, held at the gate
    for key in "amba":
        qtbot.keyClicks(window.search_edit, key)
        qtbot.wait(5)  # each key its own turn of the event loop, as when typing
    assert window._pending_search is not None and window._pending_search.query == "mamba"
    with qtbot.waitSignal(window.search_finished, timeout=10_000) as finished:
        gate.set()
    # "m" finished but was never shown; of the texts typed meanwhile only the newest ran.
    assert finished.args == ["mamba"]
    assert ran == ["m", "mamba"]
    assert shown == [("mamba", expected_ids(window, "mamba"))]
    assert window.model.rowCount() == 2
    assert window.search_message.text().startswith("2 papers found")


def test_clearing_the_search_while_one_runs_shows_the_whole_view(
    qtbot, seeded_window, shown, gated
):
    window = seeded_window
    gate, ran = gated
    qtbot.keyClicks(window.search_edit, "mamba")
    qtbot.waitUntil(lambda: ran == ["mamba"])
    window.search_edit.clear()
    with qtbot.waitSignal(window.search_finished, timeout=10_000) as finished:
        gate.set()
    assert finished.args == [""]
    assert [query for query, _ in shown] == [""]  # the stale "mamba" never showed
    assert window.model.rowCount() == 53
    assert window.table.isColumnHidden(COLUMN_INDEX["match"])


def test_a_search_in_a_tag_keeps_to_the_tag_as_tags_change(qtbot, seeded_window):
    window = seeded_window
    library = window.library
    matching = expected_ids(window, "language")
    library.add_tags(matching[:3], ["picked"])
    window.sidebar.refresh()
    window.sidebar.select(Target("tag", "picked"))
    window._target_selected(Target("tag", "picked"))
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        qtbot.keyClicks(window.search_edit, "language")
    assert sorted(window.model.ids()) == sorted(matching[:3])
    # A write shows at once: the search thread's view of the tag follows the library.
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.apply_changes(library.add_tags([matching[3]], ["picked"]))
    assert sorted(window.model.ids()) == sorted(matching[:4])
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.apply_changes(library.trash([matching[0]]))
    assert sorted(window.model.ids()) == sorted(matching[1:4])


def test_the_match_column_shows_snippets_with_the_match_in_bold(qtbot, seeded_window):
    window = seeded_window
    window.resize(1000, 360)  # a few rows on screen: the rest come as they are scrolled to
    qtbot.wait(20)
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        qtbot.keyClicks(window.search_edit, "model")
    model, table = window.model, window.table
    match = COLUMN_INDEX["match"]
    assert model.rowCount() == 52
    assert not table.isColumnHidden(match)

    def snippet(row: int) -> str:
        return model.index(row, match).data(SnippetRole) or ""

    # The rows on screen came with the results: marked, ready to paint.
    top = table.rowAt(0)
    assert top == 0
    assert "<b>" in snippet(0) and "model" in snippet(0).lower()
    # Rows further down are asked for when painted, made on the search thread and
    # filled in with dataChanged.
    last = model.rowCount() - 1
    assert snippet(last) == ""  # asked for now; not made on the GUI thread
    with qtbot.waitSignal(model.dataChanged, timeout=10_000):
        table.scrollToBottom()
        table.viewport().repaint()
    qtbot.waitUntil(lambda: "<b>" in snippet(last), timeout=10_000)
    bold = snippet(last)
    assert bold.count("<b>") == bold.count("</b>") >= 1
    assert window.library.snippet(model.id_at(last), window.match_terms) == bold


def test_the_snippets_of_an_older_search_are_dropped(qtbot, seeded_window):
    window = seeded_window
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        qtbot.keyClicks(window.search_edit, "model")
    model = window.model
    old_terms = model.match_terms
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.search_edit.setText("mamba")
    paper_id = model.id_at(0)
    model.add_snippets(old_terms, {paper_id: "<b>stale</b>"})
    assert "stale" not in (model.index(0, COLUMN_INDEX["match"]).data(SnippetRole) or "")


def test_the_trash_view_searches_only_the_trash(qtbot, seeded_window):
    window = seeded_window
    matching = expected_ids(window, "mamba")
    window.apply_changes(window.library.trash(matching[:1]))
    window.sidebar.select(Target("smart", SmartList.TRASH))
    window._target_selected(Target("smart", SmartList.TRASH))
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        qtbot.keyClicks(window.search_edit, "mamba")
    # The index holds no papers in the trash: a search there finds none of them.
    assert window.model.rowCount() == 0


def test_a_snippet_paints_as_plain_and_marked_runs():
    from readinglist.gui.delegates import snippet_runs

    snippet = "… a &lt;b&gt;bold&lt;/b&gt; claim,\n  <b>Models</b> &amp; <b>model</b>s …"
    assert snippet_runs(snippet) == (
        ("… a <b>bold</b> claim, ", False),  # escaped markup stays text
        ("Models", True),
        (" & ", False),
        ("model", True),
        ("s …", False),
    )
    assert snippet_runs("") == ()


class _PaintCounter(QObject):
    def __init__(self):
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def test_each_result_is_painted_once(qtbot, seeded_window):
    """A new list is laid out before it is painted: not painted, laid out by Qt's
    deferred layout, then painted again (twice the cost of a screenful of rows)."""
    window = seeded_window
    counter = _PaintCounter()
    window.table.viewport().installEventFilter(counter)
    for text in ("transformer", "", "mamba"):  # the Match column shown, hidden, shown
        counter.paints = 0
        with qtbot.waitSignal(window.search_finished, timeout=10_000):
            window.search_edit.setText(text)
        qtbot.waitUntil(lambda: counter.paints >= 1)
        # Qt's deferred layout runs on a 0 ms timer: two turns of the event loop let it.
        QApplication.processEvents()
        QApplication.processEvents()
        assert counter.paints == 1, text
