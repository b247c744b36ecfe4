"""Papers as CSL-JSON, the bibliography format of Pandoc, Zotero and citeproc.

``to_csl_json(papers)`` gives a JSON array (UTF-8, sorted by key, two-space indent).
Titles and abstracts are the text they render to (``latex.to_plain``): LaTeX escapes and
accents decoded, math kept as ``$...$``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from readinglist.formats import latex
from readinglist.formats.bibtex import entry_type, journal_ref
from readinglist.models import Paper

_TYPES = {"article": "article-journal", "inproceedings": "paper-conference"}


def to_csl_json(papers: Iterable[Paper], *, include_abstract: bool = True) -> str:
    """A CSL-JSON array for ``papers``; ``include_abstract`` adds the abstracts."""
    items = [_item(paper, include_abstract) for paper in sorted(papers, key=lambda p: p.key)]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _item(paper: Paper, include_abstract: bool) -> dict:
    kind = entry_type(paper)
    item: dict = {"id": paper.key, "type": _TYPES.get(kind, "article")}
    if paper.title.strip():
        item["title"] = latex.to_plain(paper.title)
    if paper.authors:
        item["author"] = [_name(name) for name in paper.authors]
    if paper.year:
        item["issued"] = {"date-parts": [_date_parts(paper)]}
    if paper.venue.strip() and kind != "misc":
        parts = journal_ref(paper.venue) if kind == "article" else None
        if parts:  # "Phys. Rev. B 76, 073103 (2007)": journal, volume, issue and page apart
            journal, volume, number, pages = parts
            item["container-title"] = latex.to_plain(journal)
            item["volume"] = volume
            if number:
                item["issue"] = number
            item["page"] = pages.replace("--", "-")
        else:
            item["container-title"] = latex.to_plain(paper.venue)
    if paper.arxiv_id:
        item["number"] = f"arXiv:{paper.arxiv_id}"
        item["publisher"] = "arXiv"
    if paper.url.strip():
        item["URL"] = paper.url.strip()
    elif paper.arxiv_id:
        item["URL"] = f"https://arxiv.org/abs/{paper.arxiv_id}"
    if paper.doi.strip():
        item["DOI"] = paper.doi.strip()
    if paper.tags:
        item["keyword"] = ", ".join(paper.tags)
    if paper.code_url.strip():
        item["note"] = f"Code: {paper.code_url.strip()}"
    if include_abstract and paper.abstract.strip():
        item["abstract"] = latex.to_plain(paper.abstract)
    return item


def _date_parts(paper: Paper) -> list[int]:
    """[year, month, day] as far as the paper's date (first version or publication) is
    known and agrees with its year; else [year]."""
    date = getattr(paper, "date", "") or ""
    parts: list[int] = []
    for part in date[:10].split("-"):
        # ASCII digits only: str.isdigit() also holds for "¹" and "٣", and a part that is
        # no number ends the date rather than shifting the day into the month.
        if not (part.isascii() and part.isdigit()):
            break
        parts.append(int(part))
    if parts and parts[0] == paper.year and all(p > 0 for p in parts[1:]):
        return parts[:3]
    return [paper.year]


def _name(name: str) -> dict:
    family, comma, given = (latex.squeeze(part) for part in name.partition(","))
    if not comma:
        return {"literal": latex.squeeze(name)}
    return {"family": family, "given": given} if given else {"family": family}
