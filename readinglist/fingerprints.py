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
