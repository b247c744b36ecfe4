"""``Library``'s lookup methods: propose (network, no writes to papers), apply (one
transaction, one undoable step), the user's pick among candidates, and field sources.

What a match fills: the real title (replacing an inferred one, never one the user typed),
authors in order (``Family, Given``), year and date of the first version, arXiv id, version
and primary category, DOI, journal reference or venue, URL. A field is filled when it is
empty or came from an earlier lookup; a value from the file or a .bib stays, and a value
the user typed ('user' in field sources) is never touched.

The network clients are imported only when a lookup runs, never when the library opens.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable

from readinglist import citekeys
from readinglist.db.connection import write_transaction
from readinglist.errors import UserError
from readinglist.lookup import store
from readinglist.lookup.model import Candidate, LookupReport, LookupResult, Record
from readinglist.models import Changes, authors_of, utc_now

log = logging.getLogger(__name__)

LOOKUP_SOURCES = frozenset({"arxiv", "crossref"})
_COLUMNS = (
    "id, key, title, title_inferred, abstract, authors, year, date, arxiv_id, arxiv_version, "
    "primary_class, doi, venue, url, deleted"
)


class LookupMixin:
    """Metadata lookup for ``Library`` (which provides ``db``, ``resolve``, ``_step``)."""

    def papers_needing_lookup(self) -> list[int]:
        """Papers outside the trash with neither arXiv id nor DOI, not already looked up
        and found nowhere."""
        return [
            row[0]
            for row in self.db.execute(
                "SELECT id FROM papers WHERE deleted IS NULL AND arxiv_id = '' AND doi = '' "
                "AND id NOT IN (SELECT paper_id FROM lookup_state WHERE status = 'not_found') "
                "ORDER BY id"
            )
        ]

    def field_sources(self, paper: int | str) -> dict[str, str]:
        """Field -> where its value came from: 'file', 'bibtex', 'arxiv', 'crossref', 'user'."""
        return store.field_sources(self.db, self.resolve(paper))

    def pending_candidates(self, paper: int | str) -> list[Candidate]:
        """The candidates of an ambiguous lookup, until one is attached."""
        paper_id = self.resolve(paper)
        row = self._lookup_row(paper_id)
        if row is None or (row["arxiv_id"] or row["doi"]):
            return []  # a record is attached (chosen, or edited in by hand)
        return store.stored_candidates(self.db, paper_id)

    def lookup_status(self, paper: int | str) -> str:
        """How the last lookup of a paper ended: 'matched', 'ambiguous', 'not_found', or ''
        if it was never looked up (or its answer was not remembered)."""
        return store.state(self.db, self.resolve(paper))

    def dismiss_candidates(self, paper: int | str) -> Changes:
        """ "None of these": forget an ambiguous paper's candidates; nothing is attached and
        the paper counts as found nowhere (a later lookup of it asks again)."""
        paper_id = self.resolve(paper)
        with write_transaction(self.db):  # bookkeeping, like remembering them
            store.save_state(self.db, paper_id, "not_found")
        return Changes(modified=frozenset({paper_id}))

    def propose_lookup(
        self,
        papers: Iterable[int | str],
        *,
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> LookupReport:
        """Ask the services (answers cached on disk) what each paper is; change no paper.

        Ambiguous candidates and "found nowhere" are remembered for later."""
        from readinglist.lookup.service import make_finder

        ids = list(dict.fromkeys(self.resolve_many(papers)))
        queries = [q for q in (self._query(i) for i in ids) if q is not None]
        finder = make_finder()
        outcome = finder.find(queries, progress=progress, cancel=cancel)
        for result in outcome.results:
            if result.status == "matched":
                result.changed = self._plan(result.paper_id, result.candidates[0].record)
        self._remember(outcome.results)
        unreachable = "; ".join(outcome.unreachable.values())
        message = _summary(outcome.results, len(queries), outcome.cancelled, unreachable)
        return LookupReport(
            results=outcome.results,
            cancelled=outcome.cancelled,
            unreachable=bool(outcome.unreachable),
            message=message,
        )

    def apply_lookup(self, results: Iterable[LookupResult]) -> Changes:
        """Attach the matched results' records: one transaction, one undoable step."""
        chosen = [r for r in results if r.status == "matched" and r.candidates]
        label = f"Look up metadata for {_papers(len(chosen))}"
        changed: set[int] = set()
        with self._step(label):
            for result in chosen:
                if self._attach(result, result.candidates[0].record):
                    changed.add(result.paper_id)
            self._regenerate_keys(chosen, changed)
        return self._done(Changes(modified=frozenset(changed), label=label))

    def choose_candidate(self, paper: int | str, candidate: Candidate) -> Changes:
        """Attach the record the user picked for an ambiguous paper (one undoable step)."""
        paper_id = self.resolve(paper)
        row = self._lookup_row(paper_id)
        key = row["key"] if row else ""
        result = LookupResult(
            paper_id,
            key,
            "matched",
            candidate.record.source,
            candidate.record.source_id,
            candidates=[candidate],
            message="chosen by the user",
        )
        label = "Choose the record of 1 paper"
        with self._step(label):
            changed = self._attach(result, candidate.record, remember=False)
            self._regenerate_keys([result], {paper_id} if changed else set())
        return self._done(Changes(modified=frozenset({paper_id} if changed else ()), label=label))

    def lookup(
        self,
        papers: Iterable[int | str],
        *,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> LookupReport:
        """Propose, then attach every match (unless ``dry_run``): what the command line does."""
        report = self.propose_lookup(papers, progress=progress, cancel=cancel)
        if not dry_run:
            self.apply_lookup(report.results)
        return report

    # Inside

    def _lookup_row(self, paper_id: int) -> dict | None:
        rows = list(self.db.query(f"SELECT {_COLUMNS} FROM papers WHERE id = ?", [paper_id]))
        return rows[0] if rows else None

    def _query(self, paper_id: int):
        from readinglist.lookup.finder import Query

        row = self._lookup_row(paper_id)
        if row is None:
            return None
        return Query(
            paper_id=paper_id,
            key=row["key"],
            title=row["title"],
            title_inferred=bool(row["title_inferred"]),
            abstract=row["abstract"],
            arxiv_id=row["arxiv_id"],
            doi=row["doi"],
        )

    def _plan(self, paper_id: int, record: Record) -> dict[str, tuple[object, object]]:
        """Field -> (old, new) that attaching ``record`` would change now."""
        row = self._lookup_row(paper_id)
        if row is None:
            return {}
        return plan_changes(row, record, store.field_sources(self.db, paper_id))

    def _attach(self, result: LookupResult, record: Record, *, remember: bool = True) -> bool:
        """Write the record's fields into the paper (inside the caller's step). A pick
        among candidates keeps them stored: undoing the pick offers them again."""
        row = self._lookup_row(result.paper_id)
        if row is None:
            return False
        plan = plan_changes(row, record, store.field_sources(self.db, result.paper_id))
        result.changed = dict(plan)
        if remember:
            store.save_state(self.db, result.paper_id, "matched", result.candidates[:1])
        if not plan:
            return False
        updates = {name: new for name, (_, new) in plan.items()}
        if "title" in updates:
            updates["title_inferred"] = 0
        if "authors" in updates:
            updates["authors"] = json.dumps(list(updates["authors"]), ensure_ascii=False)
        updates["modified"] = utc_now()
        self.db["papers"].update(result.paper_id, updates)
        store.set_sources(self.db, result.paper_id, plan, record.source)
        return True

    def _regenerate_keys(self, results: list[LookupResult], changed: set[int]) -> None:
        if not changed:
            return
        renamed = citekeys.regenerate_provisional_keys(self.db, sorted(changed))
        for result in results:
            if result.paper_id in renamed:
                old, new = renamed[result.paper_id]
                result.changed["key"] = (old, new)
                result.key = new

    def _remember(self, results: list[LookupResult]) -> None:
        """Ambiguous candidates and "not found", for the window and for "look up all"."""
        keep = [r for r in results if r.status in ("ambiguous", "not_found")]
        if not keep:
            return
        try:
            with write_transaction(self.db):  # bookkeeping, not an undoable edit
                for result in keep:
                    store.save_state(self.db, result.paper_id, result.status, result.candidates)
        except UserError as error:  # a read-only or busy library: the results still stand
            log.info("lookup results not remembered: %s", error)


def plan_changes(
    row: dict, record: Record, sources: dict[str, str]
) -> dict[str, tuple[object, object]]:
    """What attaching ``record`` changes in a paper ``row``: field -> (old, new)."""
    current = {
        "title": row["title"],
        "authors": tuple(authors_of(row["authors"])),
        "year": row["year"],
        "date": row["date"],
        "arxiv_id": row["arxiv_id"],
        "arxiv_version": row["arxiv_version"],
        "primary_class": row["primary_class"],
        "doi": row["doi"],
        "venue": row["venue"],
        "url": row["url"],
    }
    offered = {
        "title": record.title,
        "authors": tuple(record.authors),
        "year": record.year,
        "date": record.date,
        "arxiv_id": record.arxiv_id,
        "arxiv_version": record.arxiv_version,
        "primary_class": record.primary_class,
        "doi": record.doi,
        "venue": record.venue,
        "url": record.url,
    }
    plan: dict[str, tuple[object, object]] = {}
    for name, new in offered.items():
        old = current[name]
        if new in (None, "", ()) or new == old or sources.get(name) == "user":
            continue
        if name == "title":
            if not row["title_inferred"]:
                continue  # a real title (from the file, a .bib or the user) stays
        elif old not in (None, "", ()) and sources.get(name) not in LOOKUP_SOURCES:
            continue  # the file's value stays; an earlier lookup's may be refreshed
        plan[name] = (
            list(old) if name == "authors" else old,
            list(new) if name == "authors" else new,
        )
    return plan


def _papers(count: int) -> str:
    return "1 paper" if count == 1 else f"{count} papers"


def _summary(results: list[LookupResult], total: int, cancelled: bool, unreachable: str) -> str:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    parts = [
        f"{counts[status]} {label}"
        for status, label in (
            ("matched", "matched"),
            ("ambiguous", "ambiguous"),
            ("not_found", "not found"),
            ("error", "failed"),
        )
        if counts.get(status)
    ]
    text = f"looked up {len(results)} of {_papers(total)}: " + (", ".join(parts) or "nothing")
    if cancelled:
        text += " (cancelled)"
    if unreachable:
        text += f"; {unreachable}"
    return text
