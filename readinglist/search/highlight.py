"""Marking matched words in titles and abstracts.

Whoosh's highlighter re-runs the full analyzer chain and builds fragment objects for
every hit; here each word is looked up in the analyzer's term cache and compared with
the query's matched terms, which is several times faster. Only the hits shown are
highlighted, so a search over 100,000 papers pays for 20 snippets, not for every match.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from readinglist.search.analysis import WORD_RE, analyse_word
from readinglist.search.base import MARK_END, MARK_START

SNIPPET_WORDS = 40


def _words(text: str) -> list[tuple[int, int, bool]]:
    return [(m.start(), m.end(), False) for m in WORD_RE.finditer(text)]


def _matched_words(text: str, terms: frozenset[str]) -> list[tuple[int, int, bool]]:
    return [(m.start(), m.end(), analyse_word(m.group()) in terms) for m in WORD_RE.finditer(text)]


def _render(text: str, words: Iterable[tuple[int, int, bool]], start: int, end: int) -> str:
    out: list[str] = []
    position = start
    for word_start, word_end, matched in words:
        if not matched:
            continue
        out.append(html.escape(text[position:word_start], quote=False))
        out.append(MARK_START + html.escape(text[word_start:word_end], quote=False) + MARK_END)
        position = word_end
    out.append(html.escape(text[position:end], quote=False))
    return "".join(out)


def mark_text(text: str, terms: frozenset[str]) -> str:
    """All of ``text``, HTML-escaped, with every word whose term is in ``terms`` marked."""
    if not text:
        return ""
    if not terms:
        return html.escape(text, quote=False)
    return _render(text, _matched_words(text, terms), 0, len(text))


def snippet(text: str, terms: frozenset[str], *, words: int = SNIPPET_WORDS) -> str:
    """The passage of ``text`` (about ``words`` words) with the most matches, marked.

    Ellipses show where text was cut. Without matches, the opening of the text.
    """
    if not text:
        return ""
    found = _matched_words(text, terms) if terms else _words(text)
    if not found:
        return html.escape(text[:300], quote=False)
    best_start = 0
    if len(found) > words:
        flags = [matched for _, _, matched in found]
        in_window = sum(flags[:words])
        best = in_window
        for first in range(1, len(found) - words + 1):
            in_window += flags[first + words - 1] - flags[first - 1]
            if in_window > best:
                best, best_start = in_window, first
        # Start a little before the first match so it is read in context.
        if best and not flags[best_start]:
            while best_start < len(flags) - words and not flags[best_start]:
                best_start += 1
        best_start = max(0, best_start - 4)
    window = found[best_start : best_start + words]
    start = 0 if best_start == 0 else window[0][0]
    end = len(text) if best_start + words >= len(found) else window[-1][1]
    body = _render(text, window, start, end).strip()
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return prefix + body + suffix
