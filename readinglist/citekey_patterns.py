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

from collections.abc import Callable, Iterable, Sequence

from readinglist.citekeys import (  # the pattern engine lives with the keys it makes
    DEFAULT_PATTERN,
    FALLBACK_PREFIX,
    MARKERS,
    MODIFIERS,
    PatternError,
    check_pattern,
    make_key,
    unique_key,
)

__all__ = [
    "DEFAULT_PATTERN",
    "FALLBACK_PREFIX",
    "MARKERS",
    "MODIFIERS",
    "PatternError",
    "check_pattern",
    "make_key",
    "regenerate",
]


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
