"""Tell file formats apart by content, never by extension."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from readinglist.formats.abstracts import ABSTRACT_PREFIX

BIBTEX_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]")
SNIFF_LINES = 200


def looks_like_bibtex(lines: Iterable[tuple[int, str]]) -> bool:
    """True when the first meaningful line opens a BibTeX entry (``@article{``, ``@string(``),
    or entries make up the file's opening lines while no ``Abstract:`` line appears."""
    entries = 0
    first_meaningful = None
    for _, line in itertools.islice(lines, SNIFF_LINES):
        stripped = line.strip()
        if not stripped or stripped.startswith("%"):
            continue
        if first_meaningful is None:
            first_meaningful = stripped
        if ABSTRACT_PREFIX.match(stripped):
            return False
        if BIBTEX_ENTRY.match(stripped):
            entries += 1
    if first_meaningful is None:
        return False
    return bool(BIBTEX_ENTRY.match(first_meaningful)) or entries >= 2
