"""A reading list as Markdown that reads well on GitHub: title, link, status, tags, notes.

``to_markdown(papers)`` gives one list item per paper in the order given (the caller
chooses: a reading list's order, or by title). Markdown syntax in titles is escaped; math
is kept as ``$...$``, which GitHub renders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from readinglist.formats import latex, verbatim
from readinglist.models import Paper, Status

_STATUS_MARK = {Status.UNREAD: "[ ]", Status.READING: "[ ]", Status.READ: "[x]"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!])")
_MATH = re.compile(r"(\$[^$]+\$)")


def to_markdown(
    papers: Iterable[Paper],
    *,
    title: str = "Reading list",
    notes_by_paper: Mapping[int, Sequence[str]] | None = None,
    statuses: bool = True,
) -> str:
    """The Markdown document; ``statuses`` shows task boxes (ticked when read)."""
    lines = [f"# {escape(title)}", ""]
    for paper in papers:
        lines.extend(_item(paper, (notes_by_paper or {}).get(paper.id, ()), statuses))
    return "\n".join(lines).rstrip() + "\n"


def escape(text: str) -> str:
    """Text on one line with Markdown syntax escaped, math left alone."""
    parts = _MATH.split(verbatim.one_line(latex.squeeze(text)))
    return "".join(
        part if index % 2 else _MARKDOWN_SPECIAL.sub(r"\\\1", part)
        for index, part in enumerate(parts)
    )


def _link(paper: Paper) -> str:
    if paper.url.strip():
        return _destination(paper.url)
    if paper.arxiv_id:
        return _destination(f"https://arxiv.org/abs/{paper.arxiv_id}")
    if paper.doi.strip():
        return _destination(f"https://doi.org/{paper.doi.strip()}")
    return ""


def _destination(url: str) -> str:
    """A link target for ``(<...>)``: no line break, space or angle bracket may end it."""
    return verbatim.url(url, also="<>")


def _item(paper: Paper, notes: Sequence[str], statuses: bool) -> list[str]:
    name = escape(latex.to_plain(paper.title) or paper.key)
    link = _link(paper)
    heading = f"[{name}](<{link}>)" if link else name
    box = f"{_STATUS_MARK[paper.status]} " if statuses else ""
    details = [f"`{paper.key}`"]
    if statuses and paper.status == Status.READING:
        details.append("reading")
    if paper.year:
        details.append(str(paper.year))
    if paper.venue.strip():
        details.append(escape(latex.to_plain(paper.venue)))
    if paper.code_url.strip():
        details.append(f"[code](<{_destination(paper.code_url)}>)")
    if paper.tags:
        details.append(
            " ".join(
                f"`{verbatim.one_line(latex.squeeze(tag)).replace('`', '')}`" for tag in paper.tags
            )
        )
    lines = [f"- {box}**{heading}**  ", f"  {' · '.join(details)}"]
    for note in notes:
        if note.strip():
            lines.append(f"  > {escape(note)}")
    lines.append("")
    return lines
