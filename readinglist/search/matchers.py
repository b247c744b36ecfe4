"""A flat, constant-score matcher for prefix and fuzzy queries.

Whoosh combines the terms of an expanded query into a binary tree of union matchers,
and walking that tree costs seconds on a broad prefix over a large library. Here the
documents of all the terms are merged once into a sorted list scored by a constant, as
the query's constant-score semantics asks. The constant is also the list's "quality",
so a top-N search stops once N documents are collected instead of visiting every match.
"""

from __future__ import annotations

from bisect import bisect_left

from whoosh.matching import Matcher, NullMatcher


class ConstantMatcher(Matcher):
    def __init__(self, ids: list[int], score: float, position: int = 0):
        self._ids = ids
        self._score = score
        self._i = position

    def __repr__(self):
        return f"{type(self).__name__}({len(self._ids)} ids, score={self._score})"

    def is_active(self) -> bool:
        return self._i < len(self._ids)

    def reset(self) -> None:
        self._i = 0

    def copy(self) -> ConstantMatcher:
        return ConstantMatcher(self._ids, self._score, self._i)

    def id(self) -> int:
        return self._ids[self._i]

    def next(self) -> bool:
        self._i += 1
        return False  # one block: there is never a new block to re-check

    def skip_to(self, docnum: int) -> None:
        if self.is_active() and docnum > self._ids[self._i]:
            self._i = bisect_left(self._ids, docnum, self._i)

    def all_ids(self):
        return iter(self._ids[self._i :])

    def term(self):
        return None

    def supports(self, astype: str) -> bool:
        return False

    def weight(self) -> float:
        return self._score

    def score(self) -> float:
        return self._score

    def supports_block_quality(self) -> bool:
        return True

    def max_quality(self) -> float:
        return self._score

    def block_quality(self) -> float:
        return self._score

    def skip_to_quality(self, minquality: float) -> int:
        if self._score <= minquality and self.is_active():
            self._i = len(self._ids)
            return 1
        return 0

    def replace(self, minquality: float = 0):
        if not self.is_active() or (minquality and self._score < minquality):
            return NullMatcher()
        return self


def constant_matcher(reader, fieldname: str, terms, score: float):
    """The documents of ``reader`` (one segment) holding any of ``terms``."""
    ids: set[int] = set()
    for btext in terms:
        if (fieldname, btext) in reader:
            ids.update(reader.postings(fieldname, btext).all_ids())
    if not ids:
        return NullMatcher()
    return ConstantMatcher(sorted(ids), score)
