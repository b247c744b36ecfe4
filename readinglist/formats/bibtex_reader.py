"""Read a .bib file into records: every entry kept, every malformed one reported by line.

``read_bibtex(text)`` yields a ``ParsedRecord`` per entry (``@string``, ``@preamble`` and
``@comment`` are not papers) and a ``SkippedRecord`` per block that could not be parsed,
in file order. Values are evaluated as BibTeX does: ``@string`` macros, month macros and
``#`` concatenation; a ``crossref`` fills the fields its entry lacks from the parent.
Title, abstract, names, venue and keywords are decoded from LaTeX for display and search;
the original key, the entry type and every field the library has no column for are kept
(``citation_key``, ``entry_type``, ``extra_fields``) so an export writes them back.
An entry whose key repeats an earlier one is still a record: distinct entries are never
merged here; the importer gives it a fresh key.

Sizes are bounded: no value grows past ``MAX_FIELD_CHARS`` characters. A ``@string``
macro that would (a macro bomb: each level ten copies of the one before) is left undefined
and reported, however deep the nesting, without ever being built; a field that would is
left out of its entry, which is imported without it, and reported with its line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares.names import parse_single_name_into_parts

from readinglist.formats.latex_decode import decode
from readinglist.models import ParsedRecord, SkippedRecord

log = logging.getLogger(__name__)

MONTH_MACROS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}
VENUE_FIELDS = ("journal", "journaltitle", "booktitle")
_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s/]+(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})", re.I)
_CODE_NOTE = re.compile(r"(?:^|(?<=\.)\s+)Code:\s*(\S+)\s*$")
_URL_COMMAND = re.compile(r"^\\url\{([^{}]*)\}$")
_PARENT_TYPES = {"proceedings", "book", "collection", "mvbook", "mvproceedings", "reference"}
# No field (an abstract included) nor macro is longer than this: a megabyte of text is
# some 150,000 words, far beyond any real abstract.
MAX_FIELD_CHARS = 1024 * 1024
# An entry longer than this is skipped before it is parsed (parsing holds it several times
# over): room for a long abstract and every other field besides.
MAX_ENTRY_CHARS = 4 * MAX_FIELD_CHARS
_BLOCK_START = re.compile(r"^\s*@")


class _TooLong(Exception):
    """A value would grow past MAX_FIELD_CHARS."""


def read_bibtex(text: str) -> Iterator[ParsedRecord | SkippedRecord]:
    """Records and skipped blocks of a .bib file's text, in file order, lines 1-based."""
    return read_bibtex_lines(_split_lines(text))


def read_bibtex_lines(lines: Iterable[tuple[int, str]]) -> Iterator[ParsedRecord | SkippedRecord]:
    """Like ``read_bibtex``, from ``(line_number, line)`` pairs (``textfile.read_lines``):
    a block (from one line starting with ``@`` to the next) longer than MAX_ENTRY_CHARS
    is skipped and reported without ever being held whole."""
    oversized: list[SkippedRecord] = []
    yield from _read("".join(_bounded_blocks(lines, oversized)), oversized)


def _split_lines(text: str) -> Iterator[tuple[int, str]]:
    yield from enumerate(text.split("\n"), start=1)


def _bounded_blocks(lines: Iterable[tuple[int, str]], oversized: list[SkippedRecord]):
    """The text of the blocks, newline-terminated; an oversized block becomes as many
    empty lines (so the line numbers of the blocks after it stay right)."""
    block: list[str] = []
    first, size, count = 1, 0, 0

    def finish() -> Iterator[str]:
        if size > MAX_ENTRY_CHARS:
            oversized.append(
                SkippedRecord(
                    first,
                    f"an entry of {size:,} characters, over the limit of {MAX_ENTRY_CHARS:,}",
                    block[0][:120] if block else "",
                )
            )
            yield "\n" * count
        else:
            yield from block

    for number, line in lines:
        if _BLOCK_START.match(line) and count:
            yield from finish()
            block, first, size, count = [], number, 0, 0
        size += len(line) + 1
        count += 1
        if size <= MAX_ENTRY_CHARS or not block:
            block.append(line + "\n")
        elif len(block) > 1:
            del block[1:]  # only the first line is kept, to report the entry
    yield from finish()


def _read(text: str, oversized: list[SkippedRecord]) -> Iterator[ParsedRecord | SkippedRecord]:
    library = _parse(text)
    del text
    # None stands for a macro too long to expand: any field that uses it is too long.
    macros: dict[str, str | None] = {}
    entries: list[tuple[model.Entry, dict[str, str]]] = []
    failed: list[SkippedRecord] = list(oversized)
    for block in library.blocks:
        if isinstance(block, model.String):
            try:
                macros[block.key.lower()] = _evaluate(block.value, macros)
            except _TooLong:
                macros[block.key.lower()] = None
                failed.append(
                    SkippedRecord(
                        _line(block),
                        f"@string {block.key} expands to more than {MAX_FIELD_CHARS:,} "
                        "characters: left undefined",
                        f"@string{{{block.key} = ...}}",
                    )
                )
        elif isinstance(block, model.Entry):
            entries.append((block, _fields(block, macros, failed)))
        elif isinstance(block, model.DuplicateBlockKeyBlock) and isinstance(
            block.ignore_error_block, model.Entry
        ):
            entry = block.ignore_error_block
            entries.append((entry, _fields(entry, macros, failed)))
        elif isinstance(block, model.ParsingFailedBlock):
            failed.append(_skipped(block))
    by_key = {entry.key.lower(): fields for entry, fields in entries if entry.key}
    records = [
        _record(entry, _with_crossref(entry, fields, by_key, entries)) for entry, fields in entries
    ]
    merged: list[ParsedRecord | SkippedRecord] = [*records, *failed]
    yield from sorted(merged, key=lambda item: item.line)


def _parse(text: str) -> bibtexparser.Library:
    # No middleware: values stay raw so macros, concatenation and months are evaluated
    # below, in file order, the way BibTeX evaluates them.
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    return bibtexparser.parse_string(text, parse_stack=[])


def _line(block: model.Block) -> int:
    return (block.start_line or 0) + 1


def _skipped(block: model.ParsingFailedBlock) -> SkippedRecord:
    raw = (block.raw or "").strip()
    error = block.error
    reason = getattr(error, "abort_reason", "") or str(error) or type(error).__name__
    if isinstance(block, model.DuplicateFieldKeyBlock):
        reason = f"a field appears twice in this entry ({reason})"
    head = raw.splitlines()[0][:120] if raw else ""
    return SkippedRecord(line=_line(block), reason=f"malformed BibTeX entry: {reason}", text=head)


def _fields(
    entry: model.Entry, macros: dict[str, str | None], failed: list[SkippedRecord]
) -> dict[str, str]:
    """The entry's evaluated fields; one too long is left out and reported in ``failed``."""
    fields: dict[str, str] = {}
    for field in entry.fields:
        name = field.key.strip().lower()
        if name and name not in fields:
            raw = field.value if isinstance(field.value, str) else str(field.value)
            try:
                fields[name] = _month(raw) if name == "month" else _evaluate(raw, macros)
            except _TooLong:
                failed.append(
                    SkippedRecord(
                        _line(entry),
                        f"field {name} of entry {entry.key} is longer than "
                        f"{MAX_FIELD_CHARS:,} characters: the entry is imported without it",
                        f"{name} = ...",
                    )
                )
    return fields


def _month(raw: str) -> str:
    """``jan`` stays ``jan`` (the macro every style defines); anything else is evaluated."""
    stripped = raw.strip()
    if stripped.lower() in MONTH_MACROS:
        return stripped.lower()
    return _evaluate(raw, {})


def _evaluate(raw: str, macros: dict[str, str | None]) -> str:
    """A raw BibTeX value (``{...}``, ``"..."``, a number, a macro, joined by ``#``).

    Raises _TooLong before building a value longer than MAX_FIELD_CHARS."""
    if len(raw) > MAX_FIELD_CHARS:
        raise _TooLong
    out, size = [], 0
    for part in _split_concatenation(raw):
        part = part.strip()
        if len(part) >= 2 and (part[0], part[-1]) in (("{", "}"), ('"', '"')):
            piece = part[1:-1]
        elif part.isdigit():
            piece = part
        elif part.lower() in macros:
            piece = macros[part.lower()]
            if piece is None:
                raise _TooLong  # a macro too long to expand
        elif part.lower() in MONTH_MACROS:
            piece = MONTH_MACROS[part.lower()]
        else:
            piece = part  # an undefined macro: BibTeX warns and uses nothing; keep it
        size += len(piece)
        if size > MAX_FIELD_CHARS:
            raise _TooLong
        out.append(piece)
    return "".join(out)


def _split_concatenation(raw: str) -> list[str]:
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(raw):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(raw[start:index])
            start = index + 1
    parts.append(raw[start:])
    return parts


def _with_crossref(
    entry: model.Entry,
    fields: dict[str, str],
    by_key: dict[str, dict[str, str]],
    entries: list[tuple[model.Entry, dict[str, str]]],
) -> dict[str, str]:
    parent_key = fields.get("crossref", "").strip().lower()
    parent = by_key.get(parent_key)
    if parent is None or parent is fields:
        return fields
    inherited = dict(fields)
    for name, value in parent.items():
        if name not in inherited and name not in ("crossref", "ids", "entryset", "key"):
            inherited[name] = value
    parent_type = next((e.entry_type.lower() for e, f in entries if f is parent), "")
    if parent_type in _PARENT_TYPES and "title" in parent and "booktitle" not in fields:
        inherited["booktitle"] = parent["title"]  # the proceedings' title names the venue
        if fields.get("title"):
            inherited["title"] = fields["title"]
    return inherited


def _record(entry: model.Entry, fields: dict[str, str]) -> ParsedRecord:
    remaining = dict(fields)
    remaining.pop("crossref", None)
    title = decode(remaining.pop("title", ""))
    subtitle = decode(remaining.pop("subtitle", ""))
    if subtitle:
        title = f"{title}: {subtitle}" if title else subtitle
    arxiv_id = _take_arxiv(remaining)
    venue = ""
    for name in VENUE_FIELDS:
        if remaining.get(name, "").strip():
            venue = decode(remaining.pop(name))
            break
    if (
        not venue
        and remaining.get("howpublished")
        and not _looks_like_url(remaining["howpublished"])
    ):
        venue = decode(remaining.pop("howpublished"))
    if not arxiv_id and venue:
        found = _ARXIV_IN_TEXT.search(venue)
        arxiv_id = found.group(1) if found else ""
    url = _url(remaining)
    code_url = _take_code_url(remaining)
    return ParsedRecord(
        abstract=decode(remaining.pop("abstract", "")),
        line=_line(entry),
        title=title,
        authors=_authors(remaining.pop("author", "")),
        year=_year(remaining),
        venue=venue,
        url=url,
        code_url=code_url,
        arxiv_id=arxiv_id,
        doi=_strip_url_command(remaining.pop("doi", "")).strip(),
        kind="bibtex",
        citation_key=entry.key.strip(),
        entry_type=entry.entry_type.lower(),
        tags=_keywords(remaining.pop("keywords", "")),
        extra_fields=tuple((name, value) for name, value in remaining.items()),
    )


def _take_arxiv(fields: dict[str, str]) -> str:
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    eprint = fields.get("eprint", "").strip()
    if not eprint or (prefix and prefix != "arxiv"):
        return ""
    if not prefix and not re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?", eprint):
        return ""
    for name in ("eprint", "archiveprefix", "eprinttype"):
        fields.pop(name, None)
    return re.sub(r"v\d+$", "", eprint)


def _looks_like_url(value: str) -> bool:
    return bool(re.search(r"\\url\{|^\s*https?://", value))


def _strip_url_command(value: str) -> str:
    match = _URL_COMMAND.match(value.strip())
    return match.group(1) if match else value


def _url(fields: dict[str, str]) -> str:
    if fields.get("url", "").strip():
        return _strip_url_command(fields.pop("url")).strip()
    howpublished = fields.get("howpublished", "")
    if _looks_like_url(howpublished):
        found = re.search(r"https?://[^\s{}]+", howpublished)
        if found:
            fields.pop("howpublished")
            return found.group()
    return ""


def _take_code_url(fields: dict[str, str]) -> str:
    """The exporter writes the code link as ``note = {Code: URL}``; read it back."""
    note = decode(fields.get("note", ""))
    match = _CODE_NOTE.search(note)
    if not match:
        return ""
    rest = note[: match.start()].strip().rstrip(".")
    if rest:
        fields["note"] = fields["note"][: fields["note"].rfind("Code:")].strip().rstrip(".")
    else:
        fields.pop("note")
    return match.group(1)


def _authors(raw: str) -> tuple[str, ...]:
    """Names as ``Last, First`` (``von Last, Jr, First`` in full), decoded."""
    names = []
    for name in _split_names(raw):
        try:
            parts = parse_single_name_into_parts(name, strict=False)
        except Exception:  # a name bibtexparser cannot split: keep it whole
            names.append(decode(name))
            continue
        last = decode(" ".join(parts.von + parts.last))
        first = decode(" ".join(parts.first))
        jr = decode(" ".join(parts.jr))
        names.append(", ".join(part for part in (last, jr, first) if part))
    return tuple(name for name in names if name)


def _split_names(raw: str) -> list[str]:
    """Split on ``and`` outside braces, as BibTeX does."""
    names, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|\sand\s", raw, re.IGNORECASE):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            names.append(raw[start : match.start()])
            start = match.end()
    names.append(raw[start:])
    return [name.strip() for name in names if name.strip()]


def _year(fields: dict[str, str]) -> int | None:
    for name in ("year", "date"):
        found = re.search(r"\b(1[5-9]\d\d|2\d\d\d)\b", fields.get(name, ""))
        if found:
            value = fields.pop(name)
            if name == "date" and value.strip() != found.group():
                fields["date"] = value  # a full date says more than the year: keep it
            return int(found.group())
    return None


# A keyword is one tag: a "/" inside it ("histology/cytology") is not a tag hierarchy,
# so it becomes the division slash, which reads the same.
KEYWORD_SLASH = "\u2215"


def _keywords(raw: str) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for word in re.split(r"[,;]", decode(raw)):
        word = " ".join(word.replace("/", KEYWORD_SLASH).split())
        if word and word.casefold() not in seen:
            seen[word.casefold()] = word
    return tuple(seen.values())
