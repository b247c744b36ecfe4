"""Titles for papers that arrive without one (the listing format has only abstracts).

An inferred title is a reading aid, not a fact: papers that get one are flagged so the
user can review them. The best guess names the contribution ("We introduce Nemotron-H, a
family of ..." gives "Nemotron-H: a family of ..."); otherwise the first sentence, shortened
at a word boundary.
"""

from __future__ import annotations

import re

MAX_TITLE_CHARS = 90
MAX_DESCRIPTION_WORDS = 10

# A system name: starts with a letter and carries a capital, digit or hyphen after its
# first character (Nemotron-H, Adv-RM, FlashAttention-2, LLaMA, GPT-4o, MiniPuzzle).
_NAME = r"(?P<name>[A-Za-z][\w.+]*?(?:[A-Z0-9][\w.+]*|-[\w.+]+)(?:-[\w.+]+)*)"
_INTRO_VERB = (
    r"(?:introduce|introduces|present|presents|propose|proposes|release|releases|"
    r"develop|develops|unveil|unveils|build|design|describe|call|term|name|dub)"
)
_INTRODUCED = re.compile(
    rf"\b(?:[Ww]e|[Tt]his (?:paper|work)|[Hh]ere,? we)\s+(?:first\s+|also\s+|then\s+)?"
    rf"{_INTRO_VERB}\s+(?:(?:a|an|the)\s+)?(?:(?:new|novel)\s+)?{_NAME}"
    r"(?=[\s,:;.(]|$)"
)
_CALLED = re.compile(rf"\b(?:called|named|dubbed|termed|coined)\s+{_NAME}(?=[\s,:;.)]|$)")
_APPOSITIVE = re.compile(r"^\s*(?:\([^)]{0,40}\)\s*)?,\s*(?P<desc>(?:a|an|the)\s[^,;:.()]+)")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+(?=[A-Z\"'(\[])|(?<=[。！？])")
_STOP_AT = re.compile(
    r"\s+(?:that|which|where|who|whose|to|by|designed|built|trained|based)\s", re.IGNORECASE
)
_COMMON_WORDS = {"We", "This", "The", "In", "Our", "It", "These", "A", "An", "To", "However"}


def infer_title(abstract: str) -> str:
    """A short, readable title for an untitled abstract; never empty for a non-empty one."""
    text = " ".join(abstract.split())
    if not text:
        return ""
    named = _named_contribution(text)
    if named:
        return named
    return shorten(first_sentence(text))


def _named_contribution(text: str) -> str:
    for pattern in (_INTRODUCED, _CALLED):
        for match in pattern.finditer(text):
            name = match.group("name").rstrip(".")
            if name in _COMMON_WORDS or not _looks_like_name(name):
                continue
            description = _description_after(text[match.end() :])
            if description:
                return shorten(f"{name}: {description}")
            return name
    return ""


def _looks_like_name(word: str) -> bool:
    inner = word[1:]
    return any(c.isupper() or c.isdigit() for c in inner) or (word[0].isupper() and "-" in word)


def _description_after(rest: str) -> str:
    match = _APPOSITIVE.match(rest)
    if not match:
        return ""
    description = _STOP_AT.split(match.group("desc"), maxsplit=1)[0].strip()
    words = description.split()
    if len(words) > MAX_DESCRIPTION_WORDS:
        description = " ".join(words[:MAX_DESCRIPTION_WORDS]) + "…"
    return description


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text, maxsplit=1)[0].strip()


def shorten(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """Cut ``text`` at a word boundary so it fits ``limit`` characters, marking the cut."""
    text = text.strip().rstrip(".")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"
