"""Citation-key patterns in JabRef's style: ``[auth:lower][year][veryshorttitle:lower]``.

Markers: ``[auth]`` (first author's last name), ``[authors]`` (every last name),
``[year]``, ``[title]`` (every significant title word, capitalised), ``[shorttitle]``
(the first three), ``[veryshorttitle]`` (the first). Function words (``the``, ``of``...)
are skipped; a title word keeps only its letters and digits (``FlashAttention-2`` is
``FlashAttention2``). Modifiers: ``:lower``, ``:upper``, ``:abbr`` (first letter of each
word). A marker that comes out empty gives way to the next alternative: ``[auth|title]``.
Text outside brackets is copied. Keys are ASCII (``Müller`` gives ``Muller``, ``ε``
gives ``epsilon``); a key that is empty or does not start with a letter gets ``paper``
in front. The default gives ``vaswani2017attention`` and, for a paper known only by its
title, ``flashattention2``.

``regenerate`` applies a pattern to chosen papers and returns (id, old key, new key)
for the user to confirm: keys are changed only on such an explicit request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from readinglist.citekeys import FUNCTION_WORDS, MAX_KEY_CHARS, ascii_fold, unique_key

DEFAULT_PATTERN = "[auth:lower][year][veryshorttitle:lower]"
FALLBACK_PREFIX = "paper"
MARKERS = ("auth", "authors", "year", "title", "shorttitle", "veryshorttitle")
MODIFIERS = ("lower", "upper", "abbr")
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_KEY_CHARS = re.compile(r"[^A-Za-z0-9_:.+\-]")


class PatternError(ValueError):
    """A pattern with an unknown marker or modifier, or unbalanced brackets."""


def check_pattern(pattern: str) -> None:
    """Raise PatternError, naming the problem, if ``pattern`` cannot be used."""
    outside = _BRACKET.sub("", pattern)
    if "[" in outside or "]" in outside:
        raise PatternError(f"unbalanced brackets in {pattern!r}")
    for body in _BRACKET.findall(pattern):
        for alternative in body.split("|"):
            name, *modifiers = alternative.strip().split(":")
            if name not in MARKERS:
                raise PatternError(f"unknown marker [{name}]; known: {', '.join(MARKERS)}")
            for modifier in modifiers:
                if modifier not in MODIFIERS:
                    raise PatternError(f"unknown modifier :{modifier} in [{alternative}]")


def make_key(
    pattern: str = DEFAULT_PATTERN,
    *,
    title: str = "",
    authors: Sequence[str] = (),
    year: int | None = None,
) -> str:
    """The key ``pattern`` gives for a paper, before collisions are resolved."""
    check_pattern(pattern)

    def expand(match: re.Match) -> str:
        for alternative in match.group(1).split("|"):
            name, *modifiers = alternative.strip().split(":")
            words = _marker_words(name, title, authors, year)
            for modifier in modifiers:
                words = _modify(words, modifier)
            if "".join(words):
                return "".join(words)
        return ""

    key = _KEY_CHARS.sub("", ascii_fold(_BRACKET.sub(expand, pattern)))
    key = key[:MAX_KEY_CHARS]
    if not key or not key[0].isalpha():
        key = FALLBACK_PREFIX + key
    return key


def _marker_words(name: str, title: str, authors: Sequence[str], year: int | None) -> list[str]:
    if name == "year":
        return [str(year)] if year else []
    if name == "auth":
        return _last_name_words(authors[0]) if authors else []
    if name == "authors":
        return [word for author in authors for word in _last_name_words(author)]
    words = _title_words(title)
    limit = {"title": None, "shorttitle": 3, "veryshorttitle": 1}[name]
    return [word[:1].upper() + word[1:] for word in words[:limit]]


def _last_name_words(author: str) -> list[str]:
    last = author.split(",", 1)[0] if "," in author else (author.split() or [""])[-1]
    return [_alnum(word) for word in last.split() if _alnum(word)]


def _title_words(title: str) -> list[str]:
    words = [_alnum(word) for word in ascii_fold(title).split()]
    return [word for word in words if word and word.lower() not in FUNCTION_WORDS]


def _alnum(word: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", ascii_fold(word))


def _modify(words: list[str], modifier: str) -> list[str]:
    if modifier == "lower":
        return [word.lower() for word in words]
    if modifier == "upper":
        return [word.upper() for word in words]
    return [word[:1] for word in words]  # abbr


def regenerate(
    papers: Iterable[tuple[int, str, str, Sequence[str], int | None]],
    pattern: str,
    taken: Callable[[str], bool],
) -> list[tuple[int, str, str]]:
    """New keys for ``(id, key, title, authors, year)`` papers, as (id, old, new).

    ``taken(key)`` says whether a paper outside this set holds ``key``; the papers being
    regenerated give up their keys, so a paper whose key the pattern already gives keeps
    it rather than gaining a suffix. Keys are assigned in the order given.
    """
    papers = list(papers)
    assigned: set[str] = set()
    result = []
    for paper_id, old, title, authors, year in papers:
        base = make_key(pattern, title=title, authors=authors, year=year)
        new = unique_key(base, lambda key: taken(key) or key.casefold() in assigned)
        assigned.add(new.casefold())
        result.append((paper_id, old, new))
    return result
