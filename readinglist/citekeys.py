"""Citation keys: readable, ASCII, unique, and never changed behind the user's back.

A key is made once, when a paper enters the library. The default recipe is JabRef's
``[auth][year][veryshorttitle]`` when authors are known (``vaswani2017attention``) and the
name a title leads with otherwise (``FlashAttention-2: ...`` gives ``flashattention2``).
Collisions get the next free suffix: ``a``, ``b``, ... ``z``, ``aa``, ...
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from anyascii import anyascii

from readinglist.models import authors_of, utc_now

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
# Words that open abstracts and titles without saying what a paper is about: a key made of
# them ("let", "present", "i") tells a reader nothing. Listing papers take their inferred
# title from the first sentence of the abstract, which mostly starts with these.
UNINFORMATIVE_WORDS = frozenset(
    """
    i me my us let here there also just only very more most much many some any all each
    both such other another same own well even still thus hence however recently
    present presents presented report reports reported study studies studied show shows
    shown showed investigate investigates investigated consider considers considered
    propose proposes proposed introduce introduces introduced discuss discusses discussed
    describe describes described review reviews reviewed revisit revisits analyze analyzes
    analyse analyses analysed analyzed examine examines examined find finds found give gives
    given have has had having been was were being will would could should may might must
    employ employs perform performs performed argue argues explain explains assess assesses
    compute computes calculate calculates derive derives obtain obtains obtained provide
    provides develop develops demonstrate demonstrates use uses used using based make makes
    made paper papers article work works letter note notes contribution results result
    context abstract aim aims purpose objective background conclusion conclusions
    new novel recent current usual large small general simple first second several various
    known one two three towards toward via according further furthermore moreover
    jiyu yanjiu
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
GROUP_WORDS = frozenset(["collaboration", "consortium", "team", "group", "collaborations"])
MIN_WORD_CHARS = 4
KEY_TEXT_CHARS = 400  # of an abstract that stands in for an empty inferred title
MAX_NAME_CHARS = 24  # a leading name longer than this is a sentence, not a name
CJK_SYLLABLES = 4
MAX_KEY_CHARS = 40
FALLBACK_KEY = "paper"
_TEX_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)
_TEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?|\\.")
_CJK_RUN = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")


def ascii_fold(text: str) -> str:
    """Transliterate to ASCII: accents dropped (Ü→U), Greek letters named (ε→epsilon),
    other scripts romanised (Иванов→Ivanov, 血浆→XueJiang)."""
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
                # Other scripts by their usual romanisation (Иванов→Ivanov, 张伟→ZhangWei).
                out.append(anyascii(char) or " ")
    return "".join(out)


def base_key(title: str, authors: Sequence[str] = (), year: int | None = None) -> str:
    """The key the default pattern gives a paper, before collisions are resolved."""
    return make_key(DEFAULT_PATTERN, title=title, authors=authors, year=year)


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
    lead = re.fullmatch(r"([^A-Za-z]+)([A-Za-z].*)", key)
    if lead:  # no author before the year: "mamba2023", not "paper2023mamba"
        key = lead.group(2) + re.sub(r"\D", "", lead.group(1))
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
    if name == "veryshorttitle":
        words = _very_short(title, title_words(title))
    else:  # JabRef's: the significant words, function words left out
        words = [w for w in map(_alnum, ascii_fold(title).split()) if w]
        words = [w for w in words if w.lower() not in FUNCTION_WORDS]
        words = words[:3] if name == "shorttitle" else words
    return [word[:1].upper() + word[1:] for word in words]


def _last_name_words(author: str) -> list[str]:
    last = author.split(",", 1)[0] if "," in author else (author.split() or [""])[-1]
    if last.strip().casefold() in GROUP_WORDS:
        # "BABAR Collaboration" (or "Collaboration, The BABAR"): the group's name, not
        # the word every collaboration shares.
        name = author.partition(",")[2] if "," in author else author.rsplit(None, 1)[0]
        words = [w for w in name.split() if w.casefold() not in FUNCTION_WORDS]
        last = words[-1] if words else last
    return [_alnum(word) for word in last.split() if _alnum(word)]


def title_words(title: str) -> list[str]:
    """The words of a title a key can be made of, in order: TeX math and commands left
    out, function words (``the``, ``of``) and words that say nothing about a paper
    (``we``, ``present``, ``paper``, ``novel``) skipped, a bare number or a word of one or
    two letters too; each word keeps only its letters and digits. A run of Chinese or
    Japanese characters counts as one word of its first four syllables (``XueJiangZhiHuan``).
    When nothing distinctive is left, the plain significant words."""
    text = _TEX_MATH.sub(" ", title)
    text = _TEX_COMMAND.sub(" ", text)
    text = _CJK_RUN.sub(lambda m: " " + anyascii(m.group()[:CJK_SYLLABLES]) + " ", text)
    words = [_alnum(word) for word in ascii_fold(text).split()]
    significant = [w for w in words if w and w.lower() not in FUNCTION_WORDS]
    distinctive = [
        w
        for w in significant
        if w.lower() not in UNINFORMATIVE_WORDS and len(w) > 2 and not w.isdigit()
    ]
    return distinctive or significant


def key_title(title: str, *, inferred: bool = False, abstract: str = "") -> str:
    """The text a key's title words come from: the title, or, for a title inferred from an
    abstract that gives no distinctive word ("Context.", "We report."), the abstract's
    opening."""
    if not inferred or not abstract.strip():
        return title
    words = title_words(title)
    if words and words[0].lower() not in FUNCTION_WORDS | UNINFORMATIVE_WORDS:
        return title
    return abstract[:KEY_TEXT_CHARS]


def _very_short(title: str, words: list[str]) -> list[str]:
    """The name a title leads with (``FlashAttention-2``, ``Tulu 3`` before a colon), else
    its first distinctive word; a word shorter than four letters takes the next one along
    (``CDTSelftrapping``), so no key is a bare acronym of three letters."""
    head, colon, _ = title.partition(":")
    name = head.split()
    if (
        colon
        and 0 < len(name) <= 2
        and not any(w.casefold() in FUNCTION_WORDS | UNINFORMATIVE_WORDS for w in name)
        and "$" not in head
        and not _CJK_RUN.search(head)
    ):
        leading = "".join(_alnum(w) for w in name)
        if leading[:1].isalpha() and len(leading) <= MAX_NAME_CHARS:
            return [leading]
    picked = words[:1]
    if picked and len(picked[0]) < MIN_WORD_CHARS and len(words) > 1:
        picked = words[:2]
    return picked


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
        for paper_id, key, title, inferred, abstract, authors, year in db.execute(
            "SELECT id, key, title, title_inferred, abstract, authors, year FROM papers "
            f"WHERE id IN ({marks})",
            chunk,
        ):
            title = key_title(title, inferred=bool(inferred), abstract=abstract)
            rows[paper_id] = (key, title, authors_of(authors), year)
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
