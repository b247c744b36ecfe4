"""Citation keys: readable, ASCII, unique, and never changed behind the user's back.

A key is made once, when a paper enters the library. The default recipe is JabRef's
``[auth][year][veryshorttitle]`` when authors are known (``vaswani2017attention``) and the
name a title leads with otherwise (``FlashAttention-2: ...`` gives ``flashattention2``).
Collisions get the next free suffix: ``a``, ``b``, ... ``z``, ``aa``, ...
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence

from readinglist.models import utc_now

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


# Key patterns (JabRef style; see citekey_patterns for the documentation)

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


# Provisional and pinned keys
#
# A key is provisional while it has never left the app: the key pattern may still remake it
# when better metadata arrives (authors and year from a lookup). Once it has been exported,
# copied as BibTeX or as a \cite command, or typed by the user, it is pinned: someone's .tex
# file may hold it, so it never changes on its own again. ``key_pins`` records (paper, key)
# pairs: a key is pinned when the paper's current key is one of its pinned keys, so undoing a
# key edit brings back the old key in the state it had.

PATTERN_SETTING = "citekey_pattern"


def pin_keys(db, ids: Iterable[int]) -> None:
    """Mark the current keys of these papers as used outside the app: never remade again."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    now = utc_now()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        db.execute(
            "INSERT OR IGNORE INTO key_pins (paper_id, key, pinned) "
            f"SELECT id, key, ? FROM papers WHERE id IN ({marks})",
            [now, *chunk],
        )


def is_pinned(db, paper_id: int) -> bool:
    row = db.execute(
        "SELECT 1 FROM papers p JOIN key_pins k ON k.paper_id = p.id AND k.key = p.key "
        "WHERE p.id = ?",
        [paper_id],
    ).fetchone()
    return row is not None


def provisional_ids(db, ids: Iterable[int]) -> list[int]:
    """The papers among ``ids`` whose key has not left the app, in the order given."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    pinned: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        pinned.update(
            row[0]
            for row in db.execute(
                "SELECT p.id FROM papers p JOIN key_pins k ON k.paper_id = p.id AND k.key = p.key "
                f"WHERE p.id IN ({marks})",
                chunk,
            )
        )
    return [i for i in ids if i not in pinned]


def key_pattern(db) -> str:
    row = db.execute("SELECT value FROM settings WHERE name = ?", [PATTERN_SETTING]).fetchone()
    return row[0] if row else DEFAULT_PATTERN


def regenerate_provisional_keys(db, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Remake the provisional keys of these papers with the library's key pattern, now that
    their authors, year or title may be known; pinned keys stay. Keys stay unique (case
    folded). Returns ``{id: (old, new)}`` for the keys that changed. Runs inside the
    caller's transaction (and undo step)."""
    chosen = provisional_ids(db, ids)
    if not chosen:
        return {}
    pattern = key_pattern(db)
    rows = {}
    for start in range(0, len(chosen), 500):
        chunk = chosen[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for paper_id, key, title, authors, year in db.execute(
            f"SELECT id, key, title, authors, year FROM papers WHERE id IN ({marks})", chunk
        ):
            rows[paper_id] = (key, title, json.loads(authors or "[]"), year)
    chosen = [i for i in chosen if i in rows]
    mine = {rows[i][0].casefold() for i in chosen}
    others = {row[0].casefold() for row in db.execute("SELECT key FROM papers")} - mine
    assigned: set[str] = set()
    plan: dict[int, tuple[str, str]] = {}
    for paper_id in chosen:
        old, title, authors, year = rows[paper_id]
        base = make_key(pattern, title=title, authors=authors, year=year)
        if old.casefold() == base.casefold() or (
            # Already the pattern's key with a collision suffix: keep it, not a new suffix.
            old.casefold().startswith(base.casefold())
            and old[len(base) :].isalpha()
            and old[len(base) :].islower()
            and base.casefold() in others | assigned
        ):
            assigned.add(old.casefold())
            continue
        new = unique_key(base, lambda k: k.casefold() in others or k.casefold() in assigned)
        assigned.add(new.casefold())
        plan[paper_id] = (old, new)
    # Old keys are freed before new ones are taken, so two papers may swap keys.
    for paper_id in plan:
        db.execute("UPDATE papers SET key = ? WHERE id = ?", [f"~moving~{paper_id}", paper_id])
    now = utc_now()
    for paper_id, (_, new) in plan.items():
        db.execute("UPDATE papers SET key = ?, modified = ? WHERE id = ?", [new, now, paper_id])
    return plan
