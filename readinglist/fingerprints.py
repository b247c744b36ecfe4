"""Evidence that two records are the same paper, and nothing weaker.

Only strong evidence merges: the same arXiv id, the same DOI, or the same full abstract
(compared with case, Unicode form and whitespace normalised, and only when it is long
enough to be specific). Short boilerplate such as "Not Available" is never evidence.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

MIN_EVIDENCE_WORDS = 25
MIN_EVIDENCE_CHARS = 120
# Chinese and Japanese write without spaces: each ideograph or kana counts as a word.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")


def normalise_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@functools.lru_cache(maxsize=16)  # an import asks twice per record: to find, to store
def abstract_fingerprint(abstract: str) -> str | None:
    """A digest of the abstract, or None when the abstract is too short to prove anything."""
    normal = normalise_text(abstract)
    if len(normal) < MIN_EVIDENCE_CHARS:
        return None
    # Enough space-separated words settles it; otherwise count CJK characters as words.
    if (
        normal.count(" ") + 1 < MIN_EVIDENCE_WORDS
        and len(_WORD.findall(normal)) < MIN_EVIDENCE_WORDS
    ):
        return None
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()


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
    written with TeX markup or different line breaks agrees.

    Measured on the 1,035 distinct abstracts of the shared arXiv records: two different
    papers share at most 29% of their words in 999 pairs of 1,000 (a few sibling papers by
    the same authors reach 80-90%, but they have different titles); the listing's
    abstracts share 100% with their arXiv records."""
    if abstract_fingerprint(first) is None or abstract_fingerprint(second) is None:
        return True  # a missing or short abstract contradicts nothing
    words_a, words_b = _content_words(first), _content_words(second)
    if not words_a or not words_b:
        return True
    overlap = len(words_a & words_b) / min(len(words_a), len(words_b))
    return overlap >= threshold


def _content_words(text: str) -> set[str]:
    normal = _TITLE_PUNCTUATION.sub(" ", normalise_text(_TITLE_MARKUP.sub(" ", text)))
    return {word for word in normal.split() if len(word) > 3}
