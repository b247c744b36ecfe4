"""Write papers as a .bib file that bibtex, biber and pdflatex accept.

``to_bibtex(papers)`` gives the whole file as a string: entries sorted by key, fields in
a fixed order, so exporting twice gives identical bytes. Two dialects:

* ``"bibtex"``: ASCII. Non-ASCII as LaTeX commands (``{\\"U}``, ``{\\ensuremath{\\varepsilon}}``);
  what pdflatex cannot typeset (CJK, emoji) goes into ``\\bibunicode{...}``, which the file
  defines in ``@preamble`` to print ``[?]`` (see ``readinglist.formats.latex``).
* ``"biblatex"``: UTF-8, ``date``, ``journaltitle``, ``eprinttype``, ``annotation``.

Titles and abstracts are half LaTeX (``latex.parse``): ``$x^2$``, ``\\%`` and ``\\emph{}``
stay LaTeX, ``5%``, ``R&D`` and lone braces are escaped. In titles, words a style must not
lowercase are braced (``{FlashAttention}-2``, ``{LLM}s``), never the whole title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from readinglist.formats import latex, verbatim
from readinglist.formats.latex_decode import decode
from readinglist.models import Paper

DIALECTS = ("bibtex", "biblatex")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.+/\-]*$")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_:.+\-]*$")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_CONFERENCE = re.compile(
    r"\b(proc\.?|proceedings|conference|conf\.|workshop|symposium|neurips|nips|icml|iclr|"
    r"cvpr|iccv|eccv|acl|emnlp|naacl|coling|aaai|ijcai|kdd|sigir|interspeech|icassp|"
    r"aistats|uai|colt|corl|icra|iros|miccai|wacv|bmvc)\b",
    re.IGNORECASE,
)
_ARXIV_VENUE = re.compile(r"^\s*(arxiv|corr)\b", re.IGNORECASE)
# Fields the writer owns; a stored extra field of the same name (or alias) gives way.
_ALIASES = {
    "journal": {"journal", "journaltitle"},
    "year": {"year", "date"},
    "annote": {"annote", "annotation"},
    "eprint": {"eprint", "archiveprefix", "eprinttype"},
}
_NEVER_WRITTEN = {"crossref", "xref", "entryset"}  # point at entries that may not be exported
# Written as they are, without LaTeX escaping: percent-encoded where they would break out.
VERBATIM_FIELDS = frozenset({"url", "doi", "eprint"})


@dataclass(frozen=True, slots=True)
class BibExtras:
    """What a BibTeX import kept beyond the library's columns, written back on export.

    ``fields`` are (name, value) pairs, the value as LaTeX source without outer braces.
    """

    entry_type: str = ""
    fields: tuple[tuple[str, str], ...] = ()


def to_bibtex(
    papers: Iterable[Paper],
    *,
    dialect: str = "bibtex",
    include_abstract: bool = True,
    include_notes: bool = False,
    notes_by_paper: Mapping[int, Sequence[str]] | None = None,
    extras_by_paper: Mapping[int, BibExtras] | None = None,
) -> str:
    """The .bib file for ``papers`` (Paper objects with ``.tags``), sorted by key.

    ``notes_by_paper`` maps paper id to note texts, written as ``annote`` when
    ``include_notes``. ``extras_by_paper`` maps paper id to what an import preserved.
    Raises ValueError for a key BibTeX cannot use or two keys differing only in case.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}: use one of {', '.join(DIALECTS)}")
    ordered = sorted(papers, key=lambda paper: paper.key)
    _check_keys(ordered)
    ascii = dialect == "bibtex"
    entries = []
    for paper in ordered:
        notes = (notes_by_paper or {}).get(paper.id, ()) if include_notes else ()
        extras = (extras_by_paper or {}).get(paper.id, BibExtras())
        entries.append(_entry(paper, ascii, include_abstract, notes, extras))
    text = "\n".join(entries)
    if ascii and "\\" + latex.UNTYPESET_COMMAND in text:  # with or without [display]
        text = f'@preamble{{"{latex.UNTYPESET_DEFINITION}"}}\n\n' + text
    return text


def cite_command(keys: Iterable[str], *, command: str = "cite") -> str:
    """``\\cite{k1,k2}`` for the clipboard, keys in the order given."""
    return f"\\{command}{{{','.join(keys)}}}"


def _check_keys(papers: list[Paper]) -> None:
    seen: dict[str, str] = {}
    for paper in papers:
        if not KEY_PATTERN.match(paper.key):
            raise ValueError(f"paper {paper.id}: {paper.key!r} is not a usable BibTeX key")
        folded = paper.key.casefold()
        if folded in seen:
            raise ValueError(
                f"keys {seen[folded]!r} and {paper.key!r} differ only in case; "
                "BibTeX treats them as the same entry"
            )
        seen[folded] = paper.key


def entry_type(paper: Paper, extras: BibExtras = BibExtras(), *, dialect: str = "bibtex") -> str:
    """The entry type: a preserved one, else @article with a journal, @inproceedings with
    a conference, and for the rest @misc, or in BibLaTeX @online for an arXiv preprint (as
    arXiv's own export and Better BibTeX do). Styles such as plain.bst require author and
    year for @article and @inproceedings, so without them the entry stays @misc."""
    if extras.entry_type and re.fullmatch(r"[A-Za-z]+", extras.entry_type):
        return extras.entry_type.lower()
    venue = _venue(paper)
    if not venue or not paper.authors or not paper.year:
        return "online" if dialect == "biblatex" and paper.arxiv_id else "misc"
    return "inproceedings" if _CONFERENCE.search(venue) else "article"


def _venue(paper: Paper) -> str:
    return "" if _ARXIV_VENUE.match(paper.venue) else paper.venue.strip()


def _venue_field(kind: str, ascii: bool) -> str:
    if kind == "article":
        return "journal" if ascii else "journaltitle"
    if kind in ("inproceedings", "incollection", "inbook", "conference", "inreference"):
        return "booktitle"
    return "howpublished"


def _entry(
    paper: Paper, ascii: bool, include_abstract: bool, notes: Sequence[str], extras: BibExtras
) -> str:
    kind = entry_type(paper, extras, dialect="bibtex" if ascii else "biblatex")
    extra = {name.lower(): value for name, value in extras.fields}
    fields: list[tuple[str, str]] = []
    if paper.authors:
        fields.append(("author", " and ".join(_name(name, ascii) for name in paper.authors)))
    title = paper.title.strip()
    if not title and not (paper.authors or paper.year or paper.venue or paper.code_url):
        # An entry with nothing a style prints makes plain.bst warn and renders as nothing.
        title = "Untitled"
    if title:
        fields.append(("title", latex.to_latex(title, ascii=ascii, protect_case=True)))
    # A preserved entry type keeps its venue as written ("arXiv preprint ..." included).
    venue = paper.venue.strip() if extras.entry_type else _venue(paper)
    if venue:
        fields.extend(_venue_fields(kind, venue, ascii, extra))
    fields.extend(_date_fields(paper, ascii, extra))
    fields.extend(_eprint_fields(paper, ascii, extra))
    for name in ("url", "doi"):
        if getattr(paper, name).strip():
            fields.append((name, _verbatim(getattr(paper, name))))
        elif name == "url" and paper.arxiv_id:
            fields.append(("url", f"https://arxiv.org/abs/{paper.arxiv_id}"))
    note = _note(paper, ascii, extra.get("note", ""))
    if note:
        fields.append(("note", note))
    if paper.tags:
        keywords = ", ".join(latex.encode_text(latex.squeeze(t), ascii) for t in paper.tags)
        fields.append(("keywords", keywords))
    if include_abstract and paper.abstract.strip():
        fields.append(("abstract", latex.to_latex(paper.abstract, ascii=ascii)))
    if notes:
        fields.append(("annote" if ascii else "annotation", _notes(notes, ascii)))
    if ascii and not paper.authors and "key" not in extra:
        # plain.bst sorts by author, or by the "key" field when there is no author.
        fields.append(("key", paper.key))
    fields.extend(_extra_fields(extras, {name.lower() for name, _ in fields}, ascii))
    body = ",\n".join(f"  {name} = {_braced(name, value)}" for name, value in fields)
    return f"@{kind}{{{paper.key},\n{body}\n}}\n" if fields else f"@{kind}{{{paper.key}}}\n"


def _braced(name: str, value: str) -> str:
    if name == "month" and value.lower() in MONTHS:
        return value.lower()  # the month macros every style defines
    if name in VERBATIM_FIELDS:
        return "{" + _verbatim(value) + "}"
    return "{" + _contained(value) + "}"


def _contained(value: str) -> str:
    """The last guard of every LaTeX field: one line, braces balanced for BibTeX and
    bibtexparser alike, so no value can end its entry or start another. The writers
    already give such values; anything else is written as literal text."""
    value = verbatim.one_line(value)
    return value if _balanced(value) else latex.encode_text(value, False)


def _name(name: str, ascii: bool) -> str:
    parts = [latex.encode_text(latex.squeeze(part), ascii) for part in name.split(",")]
    parts = [part for part in parts if part] or [""]
    if len(parts) > 3 or re.search(r"\band\b", name, re.IGNORECASE):
        # BibTeX allows two commas in a name and splits authors on "and": keep it whole.
        return "{" + ", ".join(parts) + "}"
    return ", ".join(parts)


def _venue_fields(
    kind: str, venue: str, ascii: bool, extra: dict[str, str]
) -> list[tuple[str, str]]:
    """The venue field; for an article whose venue is a journal reference as arXiv gives
    it ("Phys. Rev. B 76, 073103 (2007)", "JHEP 0704:052,2007"), the journal, volume,
    number and pages apart, unless the entry kept its own volume or pages."""
    field = _venue_field(kind, ascii)
    parts = journal_ref(venue) if kind == "article" else None
    if parts is None or "volume" in extra or "pages" in extra:
        return [(field, latex.to_latex(venue, ascii=ascii))]
    journal, volume, number, pages = parts
    fields = [(field, latex.to_latex(journal, ascii=ascii)), ("volume", volume)]
    if number:
        fields.append(("number", number))
    if pages:
        fields.append(("pages", pages))
    return fields


_REF_PAGES = r"(?P<pages>[A-Za-z]?\d+(?:\s*[-\u2013]+\s*[A-Za-z]?\d+)?)(?:\([A-Z]\))?"
_A_YEAR = r"(?:1[89]|20)\d\d"
_REF_YEAR = r"(?P<year>" + _A_YEAR + ")"
_JOURNAL_REFS = (
    # Phys. Rev. B 76, 073103 (2007) / Phys.Rev.Lett.98:196806,2007 / JHEP 0704:052,2007
    re.compile(
        r"^(?P<journal>[^\d,;:()]*?[A-Za-z.)\]])\s*(?P<volume>\d+)\s*"
        r"(?:\((?!" + _A_YEAR + r"\))(?P<number>\d+)\))?\s*[:,]\s*" + _REF_PAGES + r"\s*,?\s*"
        r"(?:\(?" + _REF_YEAR + r"\)?)?\.?$"
    ),
    # J. Phys. A 40 (2007) 1234-1240
    re.compile(
        r"^(?P<journal>[^\d,;()]*?[A-Za-z.)\]])\s*(?P<volume>\d+)\s*"
        r"\(" + _REF_YEAR + r"\)\s*,?\s*" + _REF_PAGES + r"\.?$"
    ),
)


def journal_ref(venue: str) -> tuple[str, str, str, str] | None:
    """(journal, volume, number, pages) of a one-article journal reference, else None."""
    text = " ".join(venue.split())
    for pattern in _JOURNAL_REFS:
        match = pattern.match(text)
        if match and match.group("journal").strip(" .,") and not _ARXIV_VENUE.match(text):
            pages = re.sub(r"\s*[-\u2013]+\s*", "--", match.group("pages"))
            number = match.groupdict().get("number") or ""
            return match.group("journal").strip(" ,"), match.group("volume"), number, pages
    return None


_ISO_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")  # not \d: any digit


def _date_fields(paper: Paper, ascii: bool, extra: dict[str, str]) -> list[tuple[str, str]]:
    """BibTeX: year, and month when the paper's date (its first version, or publication)
    falls in that year. BibLaTeX: date, as full as it is known (2023-12-01)."""
    if not paper.year:
        return []
    known = getattr(paper, "date", "") or ""
    match = _ISO_DATE.fullmatch(known[:10]) if known else None
    if not (match and match.group(1) == str(paper.year)):
        match = None
    if ascii:
        fields = [("year", str(paper.year))]
        if match and match.group(2) and 1 <= int(match.group(2)) <= 12:
            fields.append(("month", MONTHS[int(match.group(2)) - 1]))
        return fields
    if match:
        return [("date", match.group(0))]
    date = extra.get("date", "")
    if date.startswith(str(paper.year)) and re.fullmatch(r"[0-9/\-]+", date):
        return [("date", date)]
    return [("date", str(paper.year))]


def _eprint_fields(paper: Paper, ascii: bool, extra: dict[str, str]) -> list[tuple[str, str]]:
    if not paper.arxiv_id:
        return []
    arxiv_class = (
        getattr(paper, "primary_class", "")
        or extra.get("primaryclass")
        or extra.get("eprintclass")
        or ""
    )
    if ascii:  # spelt as arXiv's own export spells them
        fields = [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
        name = "primaryClass"
    else:
        fields = [("eprint", paper.arxiv_id), ("eprinttype", "arxiv")]
        name = "eprintclass"
    if re.fullmatch(r"[A-Za-z\-]+(\.[A-Za-z\-]+)?", arxiv_class):
        fields.append((name, arxiv_class))
    return fields


def _verbatim(value: str) -> str:
    """url, doi and eprint as written; what would break the file or end the entry
    (braces, backslashes, whitespace, control characters) is percent-encoded, as a URL
    holds it anyway: ``}`` becomes ``%7D``, a space ``%20``."""
    return verbatim.url(value)


def _note(paper: Paper, ascii: bool, stored: str) -> str:
    parts = [_extra_value(stored, ascii)] if stored.strip() else []
    if paper.code_url.strip():
        parts.append("Code: " + latex.encode_text(paper.code_url.strip(), ascii))
    return ". ".join(parts)


def _notes(notes: Sequence[str], ascii: bool) -> str:
    texts = [latex.encode_text(latex.squeeze(note), ascii) for note in notes if note.strip()]
    if len(texts) == 1:
        return texts[0]
    return " ".join(f"[{number}] {text}" for number, text in enumerate(texts, start=1))


def _extra_fields(extras: BibExtras, written: set[str], ascii: bool) -> list[tuple[str, str]]:
    taken = set()
    for name in written | {"note"}:
        taken |= _ALIASES.get(name, {name})
    taken |= {"primaryclass", "eprintclass", "archiveprefix", "eprinttype"}
    out = []
    for name, value in extras.fields:
        name = name.lower()
        if name in taken or name in _NEVER_WRITTEN or not FIELD_NAME.match(name):
            continue
        if not ascii and name == "primaryclass":
            name = "eprintclass"
        taken.add(name)
        out.append((name, value if name in VERBATIM_FIELDS else _extra_value(value, ascii)))
    return out


_UNESCAPED = re.compile(r"(?<!\\)[%&#]")


def _extra_value(value: str, ascii: bool) -> str:
    """A preserved field as it was written, unless it would break the file or the document;
    then as the text it means, re-encoded."""
    value = latex.squeeze(value)
    encodable = value.isascii() or not ascii
    safe_text = "$" in value or not re.search(r"(?<!\\)[_^]", value)
    if _balanced(value) and not _UNESCAPED.search(value) and encodable and safe_text:
        return value
    return latex.to_latex(decode(value), ascii=ascii)


_EVERY_BRACE = re.compile(r"[{}]")
_UNESCAPED_BRACE = re.compile(r"(?<!\\)[{}]")


def _balanced(value: str) -> bool:
    """Braces balanced the way BibTeX counts them (every brace, escaped or not) and the
    way bibtexparser does (a brace after a backslash does not count), and no backslash
    at the end, before the closing brace: a value balanced for one reader only ends its
    entry early, or late, in the other."""
    if value.endswith("\\"):
        return False
    if "{" not in value and "}" not in value:
        return True
    if not _nests(_EVERY_BRACE, value):
        return False
    return ("\\{" not in value and "\\}" not in value) or _nests(_UNESCAPED_BRACE, value)


def _nests(braces: re.Pattern, value: str) -> bool:
    depth = 0
    for match in braces.finditer(value):
        depth += 1 if match.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0
