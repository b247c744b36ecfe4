"""Citation keys: readable, ASCII, unique, and never changed behind the user's back.

A key is made once, when a paper enters the library. The default recipe is JabRef's
``[auth][year][veryshorttitle]`` when authors are known (``vaswani2017attention``) and the
name a title leads with otherwise (``FlashAttention-2: ...`` gives ``flashattention2``).
Collisions get the next free suffix: ``a``, ``b``, ... ``z``, ``aa``, ...
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "on",
        "in",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "and",
        "or",
        "but",
        "nor",
        "as",
        "is",
        "are",
        "be",
        "via",
        "into",
        "onto",
        "over",
        "under",
        "about",
        "against",
        "between",
        "through",
        "during",
        "without",
        "within",
        "toward",
        "towards",
        "upon",
        "do",
        "does",
        "not",
        "no",
        "can",
        "we",
        "our",
        "your",
        "their",
        "its",
        "it",
        "this",
        "that",
        "these",
        "those",
        "how",
        "what",
        "why",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "than",
        "then",
        "so",
        "if",
    ]
)
MAX_KEY_CHARS = 40
FALLBACK_KEY = "paper"


def ascii_fold(text: str) -> str:
    """Transliterate to ASCII: accents dropped (Ü→U), Greek letters named (ε→epsilon)."""
    if text.isascii():
        return text
    out = []
    for char in unicodedata.normalize("NFKD", text):
        if char.isascii():
            out.append(char)
        elif unicodedata.combining(char):
            continue
        else:
            name = unicodedata.name(char, "")
            if name.startswith("GREEK") and " LETTER " in name:
                letter = name.rsplit(" ", 1)[-1].lower()
                out.append(letter.capitalize() if "CAPITAL" in name else letter)
            elif char in "ßæœøłđ":
                out.append({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d"}[char])
            else:
                out.append(" ")
    return "".join(out)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


def _words(text: str) -> Iterator[str]:
    return (w for w in re.split(r"[\s\-–—/:]+", ascii_fold(text)) if _slug(w))


def base_key(title: str, authors: list[str] | tuple[str, ...] = (), year: int | None = None) -> str:
    """The key a paper would get before collisions are resolved."""
    leading_name = _leading_name(title)
    significant = (_slug(w) for w in _words(title) if not w.isdigit())
    first_word = next((w for w in significant if w not in FUNCTION_WORDS), "")
    if authors:
        last_name = authors[0].split(",", 1)[0] if "," in authors[0] else authors[0].split()[-1]
        key = _slug(last_name) + (str(year) if year else "") + first_word
    else:
        key = leading_name or first_word + (str(year) if year else "")
    key = key[:MAX_KEY_CHARS]
    if not key or not key[0].isalpha():
        key = FALLBACK_KEY + key
    return key


def _leading_name(title: str) -> str:
    """``FlashAttention-2`` from ``FlashAttention-2: Faster Attention ...`` (one or two words)."""
    head, colon, _ = title.partition(":")
    words = head.split()
    if not colon or len(words) > 2 or any(w.lower() in FUNCTION_WORDS for w in words):
        return ""
    return _slug(head)


def unique_key(base: str, taken: Callable[[str], bool]) -> str:
    """``base`` if free, else ``base`` plus the first free suffix a, b, ..., z, aa, ab, ...

    Suffixes are probed by doubling and then bisecting, so the thousandth paper whose title
    starts with the same word costs a dozen lookups, not a thousand. When earlier suffixes
    have gaps (a paper deleted), the key found is free but may not be the lowest free one.
    """
    if not taken(base):
        return base
    known_taken, free = -1, 0  # suffix indexes; -1 stands for ``base`` itself
    while taken(base + _suffix(free)):
        known_taken, free = free, 2 * free + 1
    while free - known_taken > 1:
        middle = (known_taken + free) // 2
        if taken(base + _suffix(middle)):
            known_taken = middle
        else:
            free = middle
    return base + _suffix(free)


def _suffix(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("a") + remainder) + letters
    return letters
