"""Papers as RIS, the tagged format reference managers (EndNote, Zotero, Mendeley) import.

``to_ris(papers)`` gives one record per paper, sorted by key, CRLF line endings as the
format asks. Text is what it renders to (``latex.to_plain``), one line per tag: whatever a
field holds, a line break or a control character in it never starts a line of its own
(it would add a tag, or a record), and the URL is percent-encoded where it must be.
"""

from __future__ import annotations

from collections.abc import Iterable

from readinglist.formats import latex, verbatim
from readinglist.formats.bibtex import entry_type, journal_ref
from readinglist.models import Paper

_TYPES = {"article": "JOUR", "inproceedings": "CPAPER"}
_VENUE_TAGS = {"JOUR": "JO", "CPAPER": "T2"}


def to_ris(papers: Iterable[Paper], *, include_abstract: bool = True) -> str:
    """RIS records for ``papers``; ``include_abstract`` adds ``AB`` lines."""
    lines: list[str] = []
    for paper in sorted(papers, key=lambda p: p.key):
        lines.extend(_record(paper, include_abstract))
        lines.append("")
    return "\r\n".join(lines)


def _record(paper: Paper, include_abstract: bool) -> list[str]:
    kind = _TYPES.get(entry_type(paper), "GEN")
    tags = [("TY", kind), ("ID", paper.key)]
    if paper.title.strip():
        tags.append(("TI", latex.to_plain(paper.title)))
    tags.extend(("AU", latex.squeeze(name)) for name in paper.authors)
    if paper.year:
        tags.append(("PY", str(paper.year)))
        date = getattr(paper, "date", "") or ""
        if date[:4] == str(paper.year) and len(date) >= 7:
            tags.append(("DA", date[:10].replace("-", "/")))
    parts = journal_ref(paper.venue) if kind == "JOUR" else None
    if parts:  # "Phys. Rev. B 76, 073103 (2007)": journal, volume, issue and pages apart
        journal, volume, number, pages = parts
        tags.append(("JO", latex.to_plain(journal)))
        tags.append(("VL", volume))
        if number:
            tags.append(("IS", number))
        start, _, end = pages.partition("--")
        tags.append(("SP", start))
        if end:
            tags.append(("EP", end))
    elif paper.venue.strip() and kind in _VENUE_TAGS:
        tags.append((_VENUE_TAGS[kind], latex.to_plain(paper.venue)))
    url = paper.url.strip() or (f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else "")
    if url:
        tags.append(("UR", verbatim.url(url)))
    if paper.doi.strip():
        tags.append(("DO", paper.doi.strip()))
    tags.extend(("KW", latex.squeeze(tag)) for tag in paper.tags)
    if paper.code_url.strip():
        tags.append(("N1", f"Code: {paper.code_url.strip()}"))
    if include_abstract and paper.abstract.strip():
        tags.append(("AB", latex.to_plain(paper.abstract)))
    tags.append(("ER", ""))
    return [
        f"{tag}  - {value}".rstrip() if tag == "ER" else f"{tag}  - {verbatim.one_line(value)}"
        for tag, value in tags
    ]
