"""Evidence that two records are the same paper, and nothing weaker.

Only strong evidence merges: the same arXiv id, the same DOI, or the same full abstract
(compared with case, Unicode form and all whitespace left out, so an abstract pasted from
a PDF that lost its spaces is still the same text, and only when it is long enough to be
specific). Short boilerplate such as "Not Available" or a withdrawal notice is never
evidence.
"""

from __future__ import annotations

import functools
import hashlib
import re
import string
import unicodedata

# An abstract is evidence when it has this many letters and digits (spaces, punctuation and
# math markup do not count, so a text that lost its spaces counts the same). Measured on
# the 1,057 arXiv records and the 83 real abstracts of the shared test data: 140 is about
# 25 words (5.4 letters a word) and refuses everything the former rule of 25
# space-separated words refused, plus six abstracts of 25-27 short words, among them
# boilerplate that several papers share ("This non-archival index is not complete, ...",
# and arXiv's "This article has been removed by arXiv administrators ..." notice).
MIN_EVIDENCE_LETTERS = 140
# and at least this many characters other than spaces, whatever the script.
MIN_EVIDENCE_CHARS = 120
# Chinese and Japanese write a word in one or two characters: each ideograph, kana or
# hangul syllable counts as a word's worth of letters.
CJK_LETTER_WEIGHT = 5
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
# Invisible format characters (soft hyphen, zero-width spaces and joiners, direction
# marks, BOM): a PDF copy adds or loses them freely, like whitespace.
_FORMAT = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]+"
)
_ASCII_ALNUM = (string.ascii_letters + string.digits).encode("ascii")
# Withdrawal and removal notices name no paper in particular, whatever their length up to
# WITHDRAWAL_NOTICE_CHARS (matched on the text without spaces).
_NOTICE_SUBJECT = "(?:paper|article|submission|manuscript|preprint|work|version|contribution)"
_WITHDRAWAL_NOTICE = re.compile(
    rf"^\W*(?:(?:this|the)?{_NOTICE_SUBJECT}?(?:has|have|is|was)?been"
    rf"|(?:this|the)?{_NOTICE_SUBJECT}(?:is|was|has|have)?)?"
    r"(?:withdrawn|removed|retracted|replaced|superseded)"
)
WITHDRAWAL_NOTICE_CHARS = 400


def normalise_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def squeezed_text(text: str) -> str:
    """The text as the abstract evidence compares it: NFKC, casefolded, and without any
    whitespace or invisible format character."""
    squeezed = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    return squeezed if squeezed.isascii() else _FORMAT.sub("", squeezed)


def evidence_letters(squeezed: str, enough: int | None = None) -> int:
    """Letters and digits of ``squeezed``, a CJK character counting as a word's worth;
    counted no further than needed to reach ``enough``, if given."""
    if enough is not None and len(squeezed) > 3 * enough:
        head = evidence_letters(squeezed[: 3 * enough])
        if head >= enough:
            return head
    if squeezed.isascii():
        data = squeezed.encode("ascii")
        return len(data) - len(data.translate(None, _ASCII_ALNUM))
    letters = sum(map(str.isalnum, squeezed))
    cjk = len(_CJK_CHAR.findall(squeezed))
    return letters + (CJK_LETTER_WEIGHT - 1) * cjk


@functools.lru_cache(maxsize=16)  # an import asks twice per record: to find, to store
def abstract_fingerprint(abstract: str) -> str | None:
    """A digest of the abstract without its spaces, or None when the abstract is too short
    (or too generic) to prove anything."""
    squeezed = squeezed_text(abstract)
    if len(squeezed) < MIN_EVIDENCE_CHARS or (
        evidence_letters(squeezed, MIN_EVIDENCE_LETTERS) < MIN_EVIDENCE_LETTERS
    ):
        return None
    if len(squeezed) < WITHDRAWAL_NOTICE_CHARS and _WITHDRAWAL_NOTICE.match(squeezed):
        return None
    return hashlib.sha1(squeezed.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=16)
def record_fingerprint(title: str, abstract: str) -> str:
    """A digest of title and abstract: recognises a re-import of the same file, nothing more."""
    normal = normalise_text(title) + "\x1f" + normalise_text(abstract)
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()


_ARXIV = re.compile(
    r"^(?:arxiv:|https?://arxiv\.org/(?:abs|pdf)/)?"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?$",
    re.IGNORECASE,
)
_DOI = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)?(?P<doi>10\.\d{4,9}/\S+)$", re.IGNORECASE)


def normalise_arxiv_id(value: str) -> str:
    """``2401.12345`` from ``arXiv:2401.12345v2`` or an arxiv.org URL; '' if not an id."""
    match = _ARXIV.match(value.strip())
    return match.group("id") if match else ""


def normalise_doi(value: str) -> str:
    """A DOI in lower case without resolver prefix; '' if not a DOI."""
    match = _DOI.match(value.strip())
    return match.group("doi").lower() if match else ""


# Titles: evidence only when they are specific. "Editorial", "Introduction" or "Reply to
# the comment" name many different papers; so do titles of one or two words.
BOILERPLATE_TITLES = frozenset(
    [
        "editorial",
        "introduction",
        "preface",
        "foreword",
        "erratum",
        "corrigendum",
        "errata",
        "correction",
        "retraction",
        "addendum",
        "reply",
        "comment",
        "response",
        "discussion",
        "index",
        "contents",
        "table of contents",
        "front matter",
        "back matter",
        "book review",
        "book reviews",
        "letter to the editor",
        "letters to the editor",
        "in memoriam",
        "obituary",
        "abstracts",
        "untitled",
        "not available",
        "no title",
    ]
)
# Words of section-like headings: a two-word title with one of them ("Concluding remarks",
# "Author index", "Guest editorial") names no paper in particular.
HEADING_WORDS = frozenset(
    """
    remarks remark review reviews index editorial editorials note notes preface foreword
    news summary introduction contents matter board acknowledgment acknowledgments
    acknowledgements announcement announcements correspondence corrections erratum
    errata abstracts proceedings session talk lecture report reports memoriam obituary
    letter letters reply comment comments discussion conclusion conclusions appendix
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
MIN_TITLE_WORDS = 2
_TEX_ACCENT = re.compile(r"\\(?:[`'\"^~=.]|[A-Za-z](?![A-Za-z]))\s*\{?\s*(\\?[A-Za-z])\}?")
_TITLE_MARKUP = re.compile(r"\$[^$]*\$|\\[A-Za-z]+|[{}]")
_TITLE_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)


def title_fingerprint(title: str) -> str | None:
    """The title as evidence of identity: case, accents, braces, TeX commands and
    punctuation left out (TeX accents too: ``Verdi\\`ere`` is ``Verdière``); None when the
    title is too generic to prove anything: boilerplate such as "Editorial", a "Reply to
    ..." or "Erratum: ...", a single word, or two words of a heading ("Concluding
    remarks")."""
    text = _TEX_ACCENT.sub(lambda m: m.group(1).lstrip("\\"), title)  # Verdi\`ere: Verdiere
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _TITLE_MARKUP.sub(" ", text)
    text = _TITLE_PUNCTUATION.sub(" ", text)
    normal = " ".join(text.casefold().split())
    words = normal.split()
    if len(words) < MIN_TITLE_WORDS or normal in BOILERPLATE_TITLES:
        return None
    if len(words) == MIN_TITLE_WORDS and HEADING_WORDS.intersection(words):
        return None
    if any(normal.startswith(b + " ") for b in ("erratum", "corrigendum", "reply", "comment")):
        return None  # "Erratum: <the paper's title>" is another publication than the paper
    return normal


def abstracts_agree(first: str, second: str, *, threshold: float = 0.6) -> bool:
    """False only when both abstracts are long enough to be evidence and share too few
    words to be one text (a paper and another paper of the same title); the same abstract
    written with TeX markup or different line breaks agrees, and so does one that lost its
    spaces (compared then by runs of 8 letters, which do not depend on spaces).

    Measured on the 1,035 distinct abstracts of the shared arXiv records: two different
    papers share at most 29% of their words in 999 pairs of 1,000 (a few sibling papers by
    the same authors reach 80-90%, but they have different titles), and at most 21% of
    their runs of 8 letters in 20,000 pairs; the listing's abstracts share 100% with their
    arXiv records."""
    fingerprint_a, fingerprint_b = abstract_fingerprint(first), abstract_fingerprint(second)
    if fingerprint_a is None or fingerprint_b is None:
        return True  # a missing or short abstract contradicts nothing
    if fingerprint_a == fingerprint_b:
        return True
    if lost_spaces(first) or lost_spaces(second):
        words_a, words_b = _letter_runs(first), _letter_runs(second)
    else:
        words_a, words_b = _content_words(first), _content_words(second)
    if not words_a or not words_b:
        return True
    overlap = len(words_a & words_b) / min(len(words_a), len(words_b))
    return overlap >= threshold


# More characters than this per space-separated word: a text that lost its spaces (a PDF
# copy) or is written without them (Chinese, Japanese). English averages 5.4.
LOST_SPACES_LETTERS_PER_WORD = 20
_LETTER_RUN = 8


def lost_spaces(text: str) -> bool:
    """True for a text with far fewer spaces than words need (a PDF copy), or none."""
    words = len(text.split())
    return words == 0 or len(text) > LOST_SPACES_LETTERS_PER_WORD * words


def _content_words(text: str) -> set[str]:
    normal = _TITLE_PUNCTUATION.sub(" ", normalise_text(_TITLE_MARKUP.sub(" ", text)))
    return {word for word in normal.split() if len(word) > 3}


def _letter_runs(text: str) -> set[str]:
    letters = "".join(filter(str.isalnum, squeezed_text(_TITLE_MARKUP.sub(" ", text))))
    return {letters[i : i + _LETTER_RUN] for i in range(len(letters) - _LETTER_RUN + 1)}
