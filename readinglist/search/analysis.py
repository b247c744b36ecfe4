"""Whoosh analyzers: how text becomes index terms.

Whoosh pickles the schema, analyzers included, into the index's table of contents, so
these classes must stay importable under their current names; renaming one is a schema
change (bump ``SCHEMA_VERSION`` in ``schema.py``) and old indexes are rebuilt.

One filter does lower-casing, accent folding, Greek spelling-out, stop words and stemming
behind a single cache, instead of a chain of four Whoosh filters: rebuilds spend most of
their time in per-token Python calls, and abstracts repeat the same few thousand words.
"""

from __future__ import annotations

import re

from whoosh.analysis import Filter, RegexTokenizer
from whoosh.lang.porter import stem as porter_stem

from readinglist.search.text import fold, greek_name

# Whoosh's own default: words, with inner dots kept ("gpt3.5", "e.g").
WORD_PATTERN = r"\w+(\.?\w+)*"
WORD_RE = re.compile(WORD_PATTERN)

# Whoosh's English stop list.
STOP_WORDS = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "have"),
        *("if", "in", "is", "it", "may", "not", "of", "on", "or", "that", "the", "this"),
        *("to", "us", "we", "when", "will", "with", "yet", "you", "your"),
    }
)

_MISSING = object()
_CACHE_LIMIT = 200_000


def _keep(term: str) -> bool:
    # Single letters are noise in abstracts ("a", "b" from "A is B"); single digits
    # are not ("TÜLU 3", "OLMo 2").
    return len(term) > 1 or term.isdigit()


class TermFilter(Filter):
    """Turn a raw token into its index term, or drop it (stop word, single letter)."""

    def __init__(self, *, stem: bool = True, stoplist: frozenset[str] = STOP_WORDS):
        self.stem = stem
        self.stoplist = stoplist
        self._cache: dict[str, str | None] = {}

    def __getstate__(self):
        return {"stem": self.stem, "stoplist": self.stoplist}

    def __setstate__(self, state):
        self.stem = state["stem"]
        self.stoplist = state["stoplist"]
        self._cache = {}

    def __eq__(self, other):
        return (
            type(other) is type(self)
            and other.stem == self.stem
            and other.stoplist == self.stoplist
        )

    def __hash__(self):
        return hash((type(self), self.stem, self.stoplist))

    def term(self, word: str) -> str | None:
        """The index term for one word as the tokenizer found it, None if it is dropped."""
        cache = self._cache
        term = cache.get(word, _MISSING)
        if term is _MISSING:
            term = self._compute(word)
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[word] = term
        return term

    def _compute(self, word: str) -> str | None:
        folded = greek_name(fold(word))
        if folded in self.stoplist or not _keep(folded):
            return None
        if self.stem and folded.isalpha():
            return porter_stem(folded)
        return folded

    def __call__(self, tokens):
        term_for = self.term
        pos = 0
        for t in tokens:
            term = term_for(t.text)
            if term is None:
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            t.text = term
            t.stopped = False
            # Renumber positions over the kept words, as Whoosh's StopFilter does, so
            # a phrase with a stop word in it still matches its words side by side.
            if t.positions:
                t.pos = pos
                pos += 1
            yield t


def text_analyzer():
    """Titles, abstracts, notes: folded, stop words removed, stemmed."""
    return RegexTokenizer(WORD_PATTERN) | TermFilter()


def name_analyzer():
    """Author names: folded but neither stemmed nor stopped ("Le", "An" are surnames)."""
    return RegexTokenizer(WORD_PATTERN) | TermFilter(stem=False, stoplist=frozenset())


_QUERY_FILTER = TermFilter()


def analyse_word(word: str) -> str | None:
    """The term ``text_analyzer`` gives one word, for highlighting and suggestions."""
    return _QUERY_FILTER.term(word)
