"""Finding each paper's record: which questions to ask which service, and in what order.

No writes here: ``find`` turns papers into ``LookupResult``s (matched, ambiguous, not found,
or error) and the library decides what to store.

- A paper with an arXiv id: arXiv by id (50 ids a request). With a DOI: Crossref by DOI.
- A paper with a real title: arXiv by the title's words (``ti:``), verified by abstract.
- Otherwise, or when that finds nothing: arXiv by two distinctive phrases of the abstract
  (``abs:"..." AND abs:"..."``, then ``OR``), verified by abstract.
- Not on arXiv: Crossref's bibliographic query (the title, or the same short phrases),
  verified the same way.

Only identifiers, titles and short phrases of an abstract leave the machine. A service
that cannot be reached is asked nothing more in this run: the papers that needed it end
as errors, the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from readinglist.fingerprints import normalise_arxiv_id
from readinglist.lookup import matching
from readinglist.lookup.arxiv import ArxivClient, all_of, phrase
from readinglist.lookup.crossref import CrossrefClient
from readinglist.lookup.http import LookupServiceError, ServiceUnreachable
from readinglist.lookup.model import Candidate, LookupResult, Record

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class Query:
    """What a lookup knows of a paper."""

    paper_id: int
    key: str
    title: str
    title_inferred: bool
    abstract: str
    arxiv_id: str = ""
    doi: str = ""

    @property
    def real_title(self) -> str:
        return "" if self.title_inferred else self.title


@dataclass
class FindOutcome:
    results: list[LookupResult] = field(default_factory=list)
    cancelled: bool = False
    unreachable: dict[str, str] = field(default_factory=dict)  # service -> why


class Finder:
    def __init__(self, arxiv: ArxivClient, crossref: CrossrefClient):
        self.arxiv = arxiv
        self.crossref = crossref

    def find(
        self,
        queries: Iterable[Query],
        *,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
    ) -> FindOutcome:
        queries = list(queries)
        outcome = FindOutcome()
        total = len(queries)
        by_id = [q for q in queries if q.arxiv_id]
        others = [q for q in queries if not q.arxiv_id]

        def report() -> None:
            if progress is not None:
                progress(len(outcome.results), total)

        # arXiv ids: a batch at a time.
        for start in range(0, len(by_id), 50):
            if cancel is not None and cancel():
                outcome.cancelled = True
                return outcome
            chunk = by_id[start : start + 50]
            outcome.results.extend(self._by_arxiv_ids(chunk, outcome))
            report()
        for query in others:
            if cancel is not None and cancel():
                outcome.cancelled = True
                return outcome
            outcome.results.append(self._one(query, outcome))
            report()
        return outcome

    # One kind of question each

    def _by_arxiv_ids(self, chunk: list[Query], outcome: FindOutcome) -> list[LookupResult]:
        if "arxiv" in outcome.unreachable:
            return [_error(q, outcome.unreachable["arxiv"]) for q in chunk]
        try:
            found = self.arxiv.by_ids(q.arxiv_id for q in chunk)
        except ServiceUnreachable as error:
            outcome.unreachable["arxiv"] = str(error)
            return [_error(q, str(error)) for q in chunk]
        except LookupServiceError as error:
            return [_error(q, str(error)) for q in chunk]
        results = []
        for query in chunk:
            record = found.get(normalise_arxiv_id(query.arxiv_id))
            if record is None:
                results.append(_not_found(query, f"arXiv has no paper {query.arxiv_id}"))
            else:
                results.append(_matched(query, Candidate(record, 1.0, "arxiv id")))
        return results

    def _one(self, query: Query, outcome: FindOutcome) -> LookupResult:
        try:
            if query.doi:
                return self._by_doi(query, outcome)
            return self._by_text(query, outcome)
        except ServiceUnreachable as error:
            outcome.unreachable.setdefault(error.service, str(error))
            return _error(query, str(error))
        except LookupServiceError as error:
            return _error(query, str(error))

    def _by_doi(self, query: Query, outcome: FindOutcome) -> LookupResult:
        self._check_up("crossref", outcome)
        record = self.crossref.work(query.doi)
        if record is None:
            return _not_found(query, f"Crossref has no DOI {query.doi}")
        return _matched(query, Candidate(record, 1.0, "doi"))

    def _by_text(self, query: Query, outcome: FindOutcome) -> LookupResult:
        title = query.real_title
        evidence = matching.is_evidence(query.abstract)
        if not evidence and not title:
            return _not_found(query, "the abstract is too short to identify the paper")
        searched: list[str] = []
        disagree: set[str] = set()  # papers seen whose abstracts tell another story
        phrases = matching.distinctive_phrases(query.abstract) if evidence else []
        if evidence:
            for search in self._arxiv_searches(title, phrases):
                self._check_up("arxiv", outcome)
                searched.append("arXiv")
                result = self._decided(query, self.arxiv.search(search, max_results=10), disagree)
                if result is not None:
                    return result
        bibliographic = title or " ".join(" ".join(words) for words in phrases)
        if bibliographic:
            self._check_up("crossref", outcome)
            searched.append("Crossref")
            result = self._decided(query, self.crossref.search(bibliographic, rows=5), disagree)
            if result is not None:
                return result
        where = " or ".join(dict.fromkeys(searched)) or "any service"
        return _not_found(query, f"no record on {where} has this abstract")

    def _arxiv_searches(self, title: str, phrases: list[list[str]]) -> list[str]:
        searches = []
        words = matching.title_words(title) if title else []
        if len(words) >= 2:
            searches.append(all_of(f"ti:{word}" for word in words))
        if phrases:
            searches.append(all_of(phrase("abs", words) for words in phrases))
        if len(phrases) > 1:
            searches.append(" OR ".join(phrase("abs", words) for words in phrases))
        return searches

    def _decided(
        self, query: Query, records: list[Record], disagree: set[str]
    ) -> LookupResult | None:
        disagree |= matching.disagreeing(query.abstract, records)
        status, candidates = matching.decide(query.abstract, query.real_title, records, disagree)
        if status == "matched":
            return _matched(query, candidates[0])
        if status == "ambiguous":
            return LookupResult(
                paper_id=query.paper_id,
                key=query.key,
                status="ambiguous",
                candidates=candidates,
                message=f"{len(candidates)} records could be this paper",
            )
        return None

    def _check_up(self, service: str, outcome: FindOutcome) -> None:
        if service in outcome.unreachable:
            raise ServiceUnreachable(outcome.unreachable[service], service)


def _matched(query: Query, candidate: Candidate) -> LookupResult:
    return LookupResult(
        paper_id=query.paper_id,
        key=query.key,
        status="matched",
        source=candidate.record.source,
        source_id=candidate.record.source_id,
        candidates=[candidate],
        message=candidate.evidence,
    )


def _not_found(query: Query, message: str) -> LookupResult:
    return LookupResult(query.paper_id, query.key, "not_found", message=message)


def _error(query: Query, message: str) -> LookupResult:
    return LookupResult(query.paper_id, query.key, "error", message=message)
