"""Papers as CSL-JSON, the bibliography format of Pandoc, Zotero and citeproc.

``to_csl_json(papers)`` gives a JSON array (UTF-8, sorted by key, two-space indent).
Titles and abstracts are the text they render to (``latex.to_plain``): LaTeX escapes and
accents decoded, math kept as ``$...$``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from readinglist.formats import latex
from readinglist.formats.bibtex import entry_type
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
        item["issued"] = {"date-parts": [[paper.year]]}
    if paper.venue.strip() and kind != "misc":
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


def _name(name: str) -> dict:
    family, comma, given = (latex.squeeze(part) for part in name.partition(","))
    if not comma:
        return {"literal": latex.squeeze(name)}
    return {"family": family, "given": given} if given else {"family": family}
