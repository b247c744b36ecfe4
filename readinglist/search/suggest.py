"""Suggestions drawn from the index: spelling corrections, key terms, tags."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable

from whoosh.support.levenshtein import damerau_levenshtein

from readinglist.search.analysis import analyse_word
from readinglist.search.text import fold

log = logging.getLogger(__name__)

SPELLING_FIELDS = ("title", "abstract")
# Fields whose values are words worth correcting; year:, status:, key: ... are not.
_CORRECTABLE = frozenset({"", "title", "abstract", "note"})
_WORD = re.compile(r"(?:(\w+):)?([^\W\d_]{3,})(?![\w*])")


def _frequency(reader, term: str) -> int:
    return sum(reader.doc_frequency(field, term) for field in SPELLING_FIELDS)


def _closest(reader, term: str) -> str | None:
    candidates: set[str] = set()
    # Two edits turn most short words into other words ("model" -> "mode", "motel").
    maxdist = 1 if len(term) < 6 else 2
    for field in SPELLING_FIELDS:
        for word in reader.terms_within(field, term, maxdist, prefix=1):
            candidates.add(word.decode("utf-8") if isinstance(word, bytes) else word)
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda c: (damerau_levenshtein(term, c), -_frequency(reader, c), c),
    )


def _surface(word: str, term: str, better: str) -> str:
    """A readable word for the corrected stem: "transfomers" -> "transformers"."""
    folded = fold(word)
    if folded.startswith(term):
        candidate = better + folded[len(term) :]
        if analyse_word(candidate) == better:
            return candidate
    return better


def did_you_mean(reader, text: str) -> str:
    """``text`` with each word the index does not know replaced by the nearest word it
    does, or "" when there is nothing to correct. Never raises."""
    changed = False

    def correct(found: re.Match) -> str:
        nonlocal changed
        field, word = found.group(1) or "", found.group(2)
        term = analyse_word(word)
        if field not in _CORRECTABLE or term is None or _frequency(reader, term):
            return found.group()
        better = _closest(reader, term)
        if better is None:
            return found.group()
        changed = True
        return (f"{field}:" if field else "") + _surface(word, term, better)

    try:
        corrected = _WORD.sub(correct, text)
    except Exception:  # a suggestion is a nicety: never let it break a search
        log.warning("spelling suggestion failed for %r", text, exc_info=True)
        return ""
    return corrected if changed else ""


def key_terms(searcher, text: str, *, count: int = 12) -> list[tuple[str, float]]:
    """The terms that best characterise ``text`` against the library (Bo1 model)."""
    terms = searcher.key_terms_from_text("abstract", text, numterms=count * 2, normalize=True)
    return [(term, weight) for term, weight in terms if not term.isdigit()][:count]


def _ancestors(tag: str) -> set[str]:
    parts = tag.lower().split("/")
    return {"/".join(parts[:depth]) for depth in range(1, len(parts) + 1)}


def tag_suggestions(
    reader,
    key: frozenset[str],
    neighbour_tags: Iterable[tuple[float, list[str]]],
    own: Iterable[str],
    limit: int,
) -> list[str]:
    """Tags for a paper: those of its nearest neighbours, weighted by similarity, plus
    existing tags whose name is one of its key terms. Tags it has (or whose
    descendants it has) are left out."""
    scores: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    neighbour_tags = list(neighbour_tags)
    top = max((score for score, _ in neighbour_tags), default=0.0) or 1.0
    for score, tags in neighbour_tags:
        for tag in tags:
            spelled.setdefault(tag.lower(), tag)
            scores[tag.lower()] += score / top
    try:
        lexicon = [t.decode("utf-8") for t in reader.lexicon("tag")]
    except Exception:  # no paper has a tag yet
        lexicon = []
    for tag in lexicon:
        leaf = tag.rsplit("/", 1)[-1]
        terms = [analyse_word(word) for word in leaf.replace("-", " ").split()]
        terms = [term for term in terms if term]
        if terms and all(term in key for term in terms):
            scores[tag] += 1.0
    held = set().union(*(_ancestors(tag) for tag in own)) if own else set()
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [spelled.get(tag, tag) for tag, _ in ranked if tag not in held][:limit]
