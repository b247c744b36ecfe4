"""Searching from the window: searches run on a thread of their own, the newest wins.

A key starts a search on the next turn of the event loop; while one runs, only the
newest text waits. The search thread hands over a ready table (the matching ids, the
first page of rows, the snippets of the rows on screen), so showing it costs the GUI
thread a few milliseconds whatever the size of the library.
"""

from __future__ import annotations

import html
import logging
import re
import time
from dataclasses import dataclass, field

from PySide6.QtWidgets import QAbstractItemView

from readinglist.gui.paper_model import PAGE
from readinglist.gui.tasks import Task, run_task
from readinglist.models import PaperFilter, PaperSummary
from readinglist.searching import ViewMatches

log = logging.getLogger(__name__)

# A view this long is listed again on the search thread after a change (listing 100,000
# papers takes 40 to 130 ms); a shorter one at once, before reload() returns.
BACKGROUND_VIEW_ROWS = 5_000


class SearchFlow:
    """MainWindow's searching (a mixin: it uses the window's table, model, library,
    search bar, search thread pool and reader)."""

    def reload(
        self, keep_selection: bool = True, *, typed: bool = False, changed: bool = False
    ) -> None:
        """Re-query the ids of the current view (sidebar target + search) and show them.

        A search runs on the search thread: it takes up to a few hundred ms on a broad
        query over 100,000 papers, and typing must never wait for it. So does the whole
        view when the search bar is cleared (``typed``), and a big one after a change
        (``changed``): listing 100,000 papers in order takes 40 to 130 ms, and triage
        changes a paper at every key. Only the newest search's results are shown."""
        selected = self._view_place() if keep_selection else None
        query = self.search_edit.text().strip()
        if self.target.kind == "search":
            query = f"{self.target.value} {query}".strip()
        view = self._filter_for(self.target)
        self._search_generation += 1
        by_hand = not query and self.target.kind == "list" and not self._list_sorted_by_header
        request = SearchRequest(
            self._search_generation,
            query,
            view,
            selected,
            order_by="list" if by_hand else self.sort_column,
            descending=False if by_hand else self.sort_descending,
        )
        in_background = typed or (changed and self.big_view())
        if not query and not in_background:
            self._pending_search = None  # a running search's results are stale now
            ids = self.library.paper_ids(
                view, order_by=request.order_by, descending=request.descending
            )
            self._show_view(request, ids)
            return
        if query and self.index_task is None:
            self.library.sync_index()  # small: bigger queues are drained by index_task
        if self._search_task is not None:
            self._pending_search = request  # the latest wins; a search cannot be stopped
        else:
            self._start_search(request)

    def _show_view(self, request: SearchRequest, ids, **handed) -> None:
        """Show a view without a search: its papers in the chosen order."""
        by_hand = request.order_by == "list"
        # A reading list in its own order can be reordered by dragging rows.
        self.model.reorder_list_id = request.view.list_id if by_hand else None
        self.table.setDragDropMode(
            QAbstractItemView.DragDropMode.DragDrop
            if by_hand
            else QAbstractItemView.DragDropMode.DragOnly
        )
        self._show(ids, frozenset(), "", request.selected, **handed)
        self.search_finished.emit("")

    def _row_height(self) -> int:
        return self.table.verticalHeader().defaultSectionSize()

    def _start_search(self, request: SearchRequest) -> None:
        """Run a search on the search thread. It hands over a ready table: the matching
        ids of the view as an array, the first page of rows and the snippets of the rows
        on screen, so that showing it costs the GUI thread a few milliseconds."""
        library, reader = self.library, self.search_reader
        on_screen = self.table.viewport().height() // max(1, self._row_height()) + 2
        request.started = time.perf_counter()

        def work(_progress, _cancelled) -> SearchOutcome:
            began = time.perf_counter()
            if request.query:
                found = library.search_view(request.query, request.view, reader=reader, sync=False)
            else:
                found = ViewMatches(
                    reader.paper_ids(
                        request.view, order_by=request.order_by, descending=request.descending
                    )
                )
            first = found.ids[:PAGE].tolist()
            snippets = (
                reader.snippets(first[:on_screen], found.matched_terms)
                if found.matched_terms
                else {}
            )
            return SearchOutcome(
                request,
                found,
                reader.summaries(first),
                snippets,
                reader.tag_colors(),
                library_empty=not first and reader.is_empty(),
                worker_ms=(time.perf_counter() - began) * 1000,
            )

        self._search_task = run_task(
            work, on_done=self._search_done, on_error=self._search_failed, pool=self.search_pool
        )

    def _search_done(self, outcome: SearchOutcome) -> None:
        self._search_task = None
        if self._pending_search is not None:
            # Typed on meanwhile: these results are stale, the newest text runs now.
            request, self._pending_search = self._pending_search, None
            self._start_search(request)
            return
        if self.search_timer.isActive():
            self._search_typed()  # a key came since, its search not started yet: now
            return
        request = outcome.request
        if request.generation != self._search_generation:
            return  # the view changed meanwhile and shows something else
        if request.selected is not None:
            now = self._view_place()
            if now != request.selected:
                request.selected = now  # moved on meanwhile (J, a click): keep that place
        handed = time.perf_counter()
        found = outcome.found
        ready = {
            "rows": outcome.rows,
            "tag_colors": outcome.tag_colors,
            "library_empty": outcome.library_empty,
        }
        if not request.query:
            self._show_view(request, found.ids, **ready)
            return
        self._last_query = request.query
        message = self._search_message(found, len(found.ids))
        self._show(
            found.ids,
            found.matched_terms,
            message,
            request.selected,
            snippets=outcome.snippets,
            **ready,
        )
        shown = time.perf_counter()
        self.search_timing = {
            "waited for the running search ms": (request.started - request.asked) * 1000,
            "worker ms": outcome.worker_ms,
            "hand-over ms": (shown - handed) * 1000,
            "asked to shown ms": (shown - request.asked) * 1000,
            "matches": float(len(found.ids)),
        }
        self.search_finished.emit(request.query)

    def _search_failed(self, error: Exception) -> None:
        self._search_task = None
        request, self._pending_search = self._pending_search, None
        if request is not None:
            self._start_search(request)  # the newest search reports; this one is moot
            return
        self.show_error(f"The search failed: {error}")

    def big_view(self) -> bool:
        """Whether the table's view is long enough to list again on the search thread."""
        return self.model.rowCount() >= BACKGROUND_VIEW_ROWS

    def _count_smart_lists(self) -> None:
        """The sidebar's smart-list counts, made on the search thread, shown when ready
        (a newer count's answer replaces an older one's, never the other way)."""
        reader = self.search_reader
        self._counts_generation += 1
        generation = self._counts_generation

        def shown(counts) -> None:
            if generation == self._counts_generation:
                self.sidebar.show_counts(counts)

        self._on_search_thread(reader.smart_counts, shown, "the sidebar's counts")

    def _load_snippets(self, ids: list[int], terms: frozenset[str]) -> None:
        """Snippets of rows scrolled to, made on the search thread, shown as they come."""
        reader = self.search_reader

        def work():
            return terms, reader.snippets(ids, terms)

        self._on_search_thread(work, lambda made: self.model.add_snippets(*made), "snippets")

    def _on_search_thread(self, work, shown, what: str) -> None:
        """``shown(work())``, ``work`` on the search thread; a failure is logged."""
        task: Task | None = None

        def done(outcome) -> None:
            self._side_tasks.discard(task)
            shown(outcome)

        def failed(error: Exception) -> None:
            self._side_tasks.discard(task)
            log.warning("%s could not be made: %s", what, error)

        task = run_task(lambda _p, _c: work(), on_done=done, on_error=failed, pool=self.search_pool)
        self._side_tasks.add(task)  # kept until done: its signals must outlive run()

    def _open_search_reader(self) -> None:
        try:
            self.search_reader.tag_colors()
        except Exception:  # the first search reports it
            log.debug("the search thread cannot read the library yet", exc_info=True)

    def _search_message(self, results, shown: int) -> str:
        parts = []
        if results.fallback_message:
            parts.append(html.escape(results.fallback_message))
        if shown == 0 and results.suggestion:
            suggestion = html.escape(results.suggestion)  # made from what was typed
            parts.append(f'No papers match. Did you mean <a href="{suggestion}">{suggestion}</a>?')
        elif shown == 0:
            parts.append("No papers match.")
        if shown == 0:
            hint = unknown_field_hint(self._last_query)
            if hint:
                parts.append(html.escape(hint))
        else:
            parts.append(f"{shown} paper{'s' if shown != 1 else ''} found")
        return " ".join(parts)

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def _search_text_changed(self, _text: str) -> None:
        # No debounce: a search starts on the next turn of the event loop (keys that
        # arrived together search once); while one runs, only the newest text waits.
        self.search_timer.start()

    def run_search(self) -> None:
        """Search for the text in the bar now (Return); an empty bar shows the whole view
        before this returns."""
        self.search_timer.stop()
        self.reload(keep_selection=False)

    def _search_typed(self) -> None:
        # As typed: the whole view of a cleared bar is read on the search thread too.
        self.search_timer.stop()
        self.reload(keep_selection=False, typed=True)


SEARCH_FIELDS = frozenset(
    [
        "title",
        "abstract",
        "author",
        "authors",
        "by",
        "key",
        "tag",
        "tags",
        "note",
        "notes",
        "list",
        "lists",
        "year",
        "added",
        "status",
        "is",
        "flags",
    ]
)
_FIELD_PREFIX = re.compile(r"(?<![\w.])(\w+):(\S*)")


def unknown_field_hint(query: str) -> str:
    """Why "n:m" finds nothing: "n:" reads as a search field. Quoted text is left alone."""
    unquoted = re.sub(r'"[^"]*"', " ", query)
    for found in _FIELD_PREFIX.finditer(unquoted):
        if found.group(1).casefold() not in SEARCH_FIELDS:
            text = found.group(0)
            return (
                f"{found.group(1)}: is not a search field (title:, author:, tag:, year: …); "
                f'to find the text {text}, put it in quotes: "{text}".'
            )
    return ""


@dataclass(frozen=True)
class ViewPlace:
    selected: list[int]
    current: int | None
    row: int


@dataclass
class SearchRequest:
    generation: int  # shown only if no other view was asked for since
    query: str  # "": the whole view, in order
    view: PaperFilter
    selected: ViewPlace | None
    order_by: str = "added"  # without a query
    descending: bool = False
    asked: float = field(default_factory=time.perf_counter)
    started: float = 0.0  # when it was handed to the search thread


@dataclass
class SearchOutcome:
    request: SearchRequest
    found: ViewMatches
    rows: dict[int, PaperSummary]  # the first page's
    snippets: dict[int, str]  # of the rows on screen
    tag_colors: dict[str, str]
    library_empty: bool
    worker_ms: float = 0.0
