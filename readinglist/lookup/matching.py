"""When a record is the paper: identifiers, or abstracts that agree, and nothing weaker.

Evidence, strongest first:

1. the same arXiv id, or the same DOI: a match;
2. the record's abstract agrees with the paper's: both are normalised (LaTeX decoded as the
   rest of the library decodes it, Unicode NFKC, case folded, every run of punctuation and
   whitespace one space) and compared as sets of character 5-grams (Jaccard similarity).
   A score of at least ``THRESHOLD`` is a match; several records over it with different
   ids make the paper *ambiguous* (the user picks), unless exactly one of them also has
   the paper's own (not inferred) title word for word;
3. a title alone is never evidence: a record found by title must still have an abstract
   that agrees (a record without an abstract is offered as a candidate, never attached).

An abstract shorter than ``fingerprints`` accepts as evidence (25 words, 120 characters)
proves nothing and never matches.

The threshold, from the shared real data (``shared/testdata``; 83 papers, 74 of them
among the 1057 arXiv records, the other 9 not):

- each of the 74 papers against its true record: min 1.000 (the listing and daily-papers
  abstracts are the record's text with other whitespace);
- each of the 83 papers against the best *wrong* record of all 1057: max 0.478
  (0704.0224 against 0704.0220, a companion paper);
- every pair of the 1057 records with different abstracts: max 0.773 (0704.0772 and
  0704.0783, two papers by one author whose abstracts share most sentences); two pairs
  score 1.000 because they are real double submissions (0704.0026 = 0704.0112,
  0704.0489 = 0704.0573): ambiguous, never a match;
- the 60 earlier versions of records against their current version: 49 at or above 0.913,
  3 between 0.81 and 0.83, 8 below 0.63 (rewritten or withdrawn abstracts).

``THRESHOLD = 0.88`` sits in the gap between 0.773 (the most similar different papers)
and 0.913 (the least similar revision that should still match), 0.107 above the closest
different pair: a wrong attachment is the worst outcome, so a rewritten abstract stays
unmatched rather than the threshold approaching sibling papers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from readinglist import fingerprints
from readinglist.formats.latex_decode import decode
from readinglist.lookup.model import Candidate, Record

THRESHOLD = 0.88
GRAM = 5
_PUNCTUATION = re.compile(r"[\W_]+")
_LATEX = re.compile(r"[\\{}^_]")
# A plain word for a search phrase: letters, not too long, no CJK (written without spaces,
# a "word" would be a whole clause, and arXiv's search tokenises it unpredictably).
_WORD = re.compile(
    r"[^\W\d_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]{2,30}"
)
# Words too common in abstracts to make a search phrase specific.
_COMMON_WORDS = """
a about above after again against all also an and any are as at be because been before
being below between both but by can could did do does doing down during each few for
from further had has have having here how however if in into is it its itself just more
most no nor not now of off on once only or other our out over own paper present results
same she should show shown so some such than that the their them then there these they
this those through to too under until up very was we were what when where which while
who whom why will with within without would you your new study studies using used use
based approach method methods propose proposed model models problem problems obtain
obtained find found first second two one three also case cases given give gives well may
might must one between result work data large small high low number different various
several general particular here order
"""
_COMMON = frozenset(_COMMON_WORDS.split())


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Comparable text: LaTeX decoded, NFKC, case folded, punctuation and spaces squeezed."""
    # Without commands, groups or sub/superscripts, decoding changes only ~, % and $, which
    # the folding below removes anyway: skip pylatexenc (a millisecond an abstract).
    decoded = decode(text) if _LATEX.search(text) else text
    folded = unicodedata.normalize("NFKC", decoded).casefold()
    return " ".join(_PUNCTUATION.sub(" ", folded).split())


@lru_cache(maxsize=8192)
def _grams(text: str) -> frozenset[str]:
    normal = normalise(text)
    if len(normal) < GRAM:
        return frozenset({normal}) if normal else frozenset()
    return frozenset(normal[i : i + GRAM] for i in range(len(normal) - GRAM + 1))


@lru_cache(maxsize=8192)
def _raw_words(text: str) -> frozenset[str]:
    return frozenset(_PUNCTUATION.sub(" ", text.casefold()).split())


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character 5-grams, after ``normalise``."""
    first, second = _grams(a), _grams(b)
    if not first or not second:
        return 0.0
    common = len(first & second)
    return common / (len(first) + len(second) - common)


def is_evidence(abstract: str) -> bool:
    """Long enough to identify a paper (the rule the importer uses to merge)."""
    return fingerprints.abstract_fingerprint(abstract) is not None


def same_title(a: str, b: str) -> bool:
    return bool(a) and normalise(a) == normalise(b)


def score(abstract: str, record: Record) -> float:
    """The abstract similarity that counts as evidence: 0 when either abstract is too short
    to identify a paper, or when their sizes alone keep it under the threshold."""
    if not (is_evidence(abstract) and is_evidence(record.abstract)):
        return 0.0
    # A cheap look first: texts that share under half their words (LaTeX left as written)
    # are far from the threshold, whatever decoding would change. Most search results are.
    first, second = _raw_words(abstract), _raw_words(record.abstract)
    if len(first & second) * 2 < len(first | second):
        return 0.0
    smaller, larger = sorted((len(_grams(abstract)), len(_grams(record.abstract))))
    if smaller < THRESHOLD * larger:  # Jaccard <= smaller / larger
        return 0.0
    return similarity(abstract, record.abstract)


def decide(
    abstract: str,
    title: str,
    records: Iterable[Record],
    contradicted: frozenset[str] | set[str] = frozenset(),
) -> tuple[str, list[Candidate]]:
    """``("matched", [the one])``, ``("ambiguous", [...])`` or ``("not_found", [])`` for a
    paper with this abstract and (real, not inferred; may be empty) title.

    ``contradicted`` holds the ``keys`` of papers already seen with an abstract that
    disagrees: a record of one of them without an abstract is no candidate either."""
    over: dict[str, Candidate] = {}
    title_only: dict[str, Candidate] = {}
    for record in records:
        value = score(abstract, record)
        key = identity(record)
        if value >= THRESHOLD:
            if key not in over or value > over[key].score:
                over[key] = Candidate(record, round(value, 3), f"abstract {value:.2f}")
        elif (
            title
            and same_title(title, record.title)
            and not is_evidence(record.abstract)
            and not keys(record) & contradicted
        ):
            # The title agrees and the record has no abstract to compare: the user decides.
            title_only.setdefault(key, Candidate(record, 0.0, "title only (no abstract)"))
    found = sorted(over.values(), key=lambda c: -c.score)
    if len(found) == 1:
        return "matched", found
    if len(found) > 1:
        titled = [c for c in found if same_title(title, c.record.title)]
        if len(titled) == 1:
            chosen = titled[0]
            evidence = f"{chosen.evidence} and the same title"
            return "matched", [Candidate(chosen.record, chosen.score, evidence)]
        return "ambiguous", found
    if title_only:
        return "ambiguous", list(title_only.values())
    return "not_found", []


def disagreeing(abstract: str, records: Iterable[Record]) -> set[str]:
    """The ``keys`` of records whose abstracts can be compared and disagree with this one."""
    if not is_evidence(abstract):
        return set()
    found: set[str] = set()
    for record in records:
        if is_evidence(record.abstract) and score(abstract, record) < THRESHOLD:
            found |= keys(record)
    return found


def keys(record: Record) -> set[str]:
    """Every identifier of the record: the same paper on arXiv and at its publisher."""
    found = {f"arxiv:{record.arxiv_id}"} if record.arxiv_id else set()
    return found | ({f"doi:{record.doi}"} if record.doi else set())


def identity(record: Record) -> str:
    """One paper, whichever service describes it: its arXiv id, else its DOI."""
    return f"arxiv:{record.arxiv_id}" if record.arxiv_id else f"doi:{record.doi}"


# Search phrases for papers without a title


def distinctive_phrases(abstract: str, *, count: int = 2, length: int = 3) -> list[list[str]]:
    """A few runs of ``length`` plain words from the abstract, rarest-looking first and from
    different parts of it: ``abs:"..." AND abs:"..."`` finds the paper on arXiv.

    Only letters (no digits, TeX or symbols, which search engines tokenise unpredictably);
    a run must hold no very common word at its ends and at least two long words."""
    text = re.sub(r"\$[^$]*\$", " | ", abstract)  # math breaks a run
    text = re.sub(r"\\[A-Za-z]+|[{}\\^_]", " | ", text)
    tokens = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*|[^\w\s]|\d+", text)
    runs: list[tuple[float, int, list[str]]] = []
    for start in range(len(tokens) - length + 1):
        window = tokens[start : start + length]
        if not all(_WORD.fullmatch(w.replace("-", "")) for w in window):
            continue
        lowered = [w.casefold() for w in window]
        if lowered[0] in _COMMON or lowered[-1] in _COMMON:
            continue
        rare = [w for w in lowered if w not in _COMMON]
        if sum(len(w) >= 6 for w in rare) < 2:
            continue
        weight = sum(len(w) for w in rare) + 3 * sum("-" in w or len(w) >= 10 for w in rare)
        runs.append((weight, start, window))
    chosen: list[tuple[int, list[str]]] = []
    for _, start, window in sorted(runs, key=lambda r: (-r[0], r[1])):
        if all(abs(start - other) >= length + 2 for other, _ in chosen):
            chosen.append((start, window))
        if len(chosen) == count:
            break
    phrases = [window for _, window in sorted(chosen)]
    if len(phrases) < count and length > 2:
        # Formula-heavy abstracts have few plain runs: two rare words in a row will do.
        shorter = distinctive_phrases(abstract, count=count, length=2)
        phrases += [p for p in shorter if not any(_within(p, q) for q in phrases)]
        phrases = phrases[:count]
    return phrases


def _within(short: list[str], long: list[str]) -> bool:
    return any(long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1))


def title_words(title: str, *, count: int = 8) -> list[str]:
    """The title's plain words (no TeX), in order, for ``ti:`` terms."""
    text = re.sub(r"\$[^$]*\$", " ", title)
    words = [w for w in re.findall(r"[^\W\d_]{3,}", text) if w.casefold() not in _COMMON]
    longest = sorted(range(len(words)), key=lambda i: -len(words[i]))[:count]
    return [words[i] for i in sorted(longest)]
