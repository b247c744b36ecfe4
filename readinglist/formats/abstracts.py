"""Read abstract files: the arXiv-style listing and the "daily papers" page, or both mixed.

``read_abstracts(lines)`` takes ``(line_number, text)`` pairs and yields ``ParsedRecord``
and ``SkippedRecord`` values in file order, streaming: memory stays bounded however long
the file is.

- Listing lines start with ``Abstract:`` (any case, optional space before the colon); a
  line that follows one directly, with no blank line between, continues it.
- Everything else is read as blank-line-separated paragraphs. Page furniture (the header,
  vote counts, ``N authors``, ``·``, dates, comment counts) is recognised line by line and
  dropped. The remaining paragraphs are labelled Title / Abstract / skipped by a small
  dynamic programme that keeps the Title-Abstract order and pays for every paragraph it
  would skip, so a missing abstract is reported and never shifts the pairs after it.

A paragraph longer than ``MAX_PARAGRAPH_CHARS`` is no title nor abstract: it is never held
whole (only its first line is kept, to report it) and comes out skipped, with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from readinglist.formats.titles import infer_title
from readinglist.models import ParsedRecord, SkippedRecord

ABSTRACT_PREFIX = re.compile(r"^\s*abstract\s*[:：]\s?", re.IGNORECASE)

HEADER_LINES = {
    "new",
    "get trending papers in your email inbox!",
    "subscribe",
    "byak and the research community",
    "daily papers",
    "daily / weekly / monthly",
    "daily",
    "weekly",
    "monthly",
}
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
DATE_LINE = re.compile(rf"^{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?$")
NOISE_LINE = re.compile(
    r"""^(?:
        [-–—]                                  # not yet voted
      | [·•|]                                  # separators
      | [▲△⬆↑]?\s*\d{1,6}                      # vote or comment counts
      | \d{1,5}\s+authors?                     # "12 authors"
      | \d{1,6}\s+(?:comments?|upvotes?|votes?)
      | upvote\s*\d*
      | (?:published|submitted|updated)\s+(?:on|by)\b.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# A part of a "·" metadata line is a name, a date or a count: a few words at most.
METADATA_PART_WORDS = 6
CODE_URL = re.compile(r"\bCode:\s*(?P<url>https?://\S+?)[.,;)]*\s*$")
REPO_URL = re.compile(
    r"https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org)/[^\s{}()<>\"',;]+"
)

# Costs of the paragraph labelling (see _label). Skipping content is dear; a pair whose
# parts look unlike a title or an abstract is cheaper than skipping either part.
SKIP_COST = 8
SKIP_METADATA_COST = 3
# A short paragraph with page furniture on both sides (an organisation between "·" lines)
# is furniture too: dearer as a title or an abstract than skipping it and its neighbours.
FURNITURE_AS_CONTENT_COST = 2 * SKIP_COST
UNTITLED_EXTRA_COST = 6
# An abstract-shaped paragraph that ends a sentence as the title of the next one: dearer
# than two untitled abstracts, so blank-line-separated abstracts are never paired up.
FINISHED_SENTENCE_TITLE_COST = 2 * UNTITLED_EXTRA_COST + 4
WINDOW_PARAGRAPHS = 256
# A safe cut is looked for every few paragraphs (not after each one: the search is linear),
# and forced when a long run of look-alike paragraphs offers none, so memory stays bounded.
CUT_TRY_EVERY = 32
MAX_WINDOW_PARAGRAPHS = 4 * WINDOW_PARAGRAPHS
# A megabyte of text is some 150,000 words: far beyond any abstract. Longer paragraphs are
# skipped and reported, so no record, index entry or view ever holds one.
MAX_PARAGRAPH_CHARS = 1024 * 1024


@dataclass(slots=True)
class Paragraph:
    line: int
    text: str
    prefixed: bool = False  # came from an "Abstract:" line
    after_metadata: bool = False  # page furniture right before it (blank lines aside)
    before_metadata: bool = False  # page furniture right after it (blank lines aside)
    date_listed: str = ""
    too_long: int = 0  # the length of a paragraph over MAX_PARAGRAPH_CHARS (text: its start)

    @property
    def near_metadata(self) -> bool:
        return self.after_metadata or self.before_metadata

    @property
    def between_metadata(self) -> bool:
        """Furniture on both sides and not abstract-shaped: an organisation, an author."""
        return self.after_metadata and self.before_metadata and not self.looks_like_abstract

    @property
    def ends_with_period(self) -> bool:
        return self.text.rstrip("\"')]").endswith((".", "。"))

    @property
    def looks_like_abstract(self) -> bool:
        text = self.text
        if self.prefixed:
            return True
        lines = text.count("\n") + 1
        ends_sentence = text.rstrip("\"')]").endswith((".", "!", "?", "。", "！", "？"))
        sentences = len(re.findall(r"[.!?。](?:\s+[A-Z\"(]|(?=[^\s.]))", text[:-1]))
        return (
            len(text) >= 300
            or lines >= 3
            or (ends_sentence and len(text) >= 100)
            or (sentences >= 2 and len(text) >= 60)
        )

    @property
    def looks_like_title(self) -> bool:
        return (
            not self.prefixed
            and not self.looks_like_abstract
            and self.text.count("\n") <= 1
            and len(self.text) <= 300
        )


def is_noise(line: str) -> bool:
    stripped = line.strip()
    if stripped.casefold() in HEADER_LINES or DATE_LINE.match(stripped):
        return True
    if NOISE_LINE.match(stripped):
        return True
    # "NVIDIA · Mar 14 · 12 authors": a metadata line when any part is clearly metadata,
    # and none is prose: "12 · 10 runs ... of the model." is a line of an abstract.
    if "·" in stripped and not stripped.endswith((".", "!", "?", "。", "！", "？")):
        parts = [p.strip() for p in stripped.split("·") if p.strip()]
        if all(len(p.split()) <= METADATA_PART_WORDS for p in parts):
            return any(NOISE_LINE.match(p) or DATE_LINE.match(p) for p in parts)
    return False


def read_abstracts(lines: Iterable[tuple[int, str]]) -> Iterator[ParsedRecord | SkippedRecord]:
    buffer: list[Paragraph] = []
    for count, paragraph in enumerate(_paragraphs(lines), start=1):
        buffer.append(paragraph)
        if len(buffer) >= WINDOW_PARAGRAPHS and count % CUT_TRY_EVERY == 0:
            cut = _safe_cut(buffer)
            if not cut and len(buffer) >= MAX_WINDOW_PARAGRAPHS:
                cut = _forced_cut(buffer)
            if cut:
                yield from _label(buffer[:cut])
                del buffer[:cut]
    yield from _label(buffer)


def _paragraphs(lines: Iterable[tuple[int, str]]) -> Iterator[Paragraph]:
    """Group lines into paragraphs, dropping page furniture and remembering the date."""
    state = _ParagraphState()
    for number, line in lines:
        stripped = line.strip()
        if not stripped:
            yield from state.flush()
            continue
        prefix = ABSTRACT_PREFIX.match(line)
        if prefix:
            yield from state.flush()
            state.start(number, line[prefix.end() :], prefixed=True)
        elif state.prefixed:
            state.add(line)  # a wrapped listing line continues its abstract
        elif is_noise(stripped):
            yield from state.flush()
            state.noise(stripped)
        elif state.lines:
            state.add(line)
        else:
            state.start(number, line)
    yield from state.flush()
    yield from state.finish()


class _ParagraphState:
    """Lines of the paragraph being read; the last finished paragraph is held back until
    the next non-blank line says whether page furniture follows it."""

    def __init__(self) -> None:
        self.held: Paragraph | None = None
        self.lines: list[str] = []
        self.first_line = 0
        self.prefixed = False
        self.after_metadata = False
        self.previous_was_header = False
        self.seen_content = False
        self.date_listed = ""
        self.size = 0  # characters in ``lines``, newlines included
        self.too_long = 0  # once past MAX_PARAGRAPH_CHARS: the paragraph's whole length

    def start(self, number: int, line: str, *, prefixed: bool = False) -> None:
        self.lines, self.first_line, self.prefixed = [line], number, prefixed
        self.size, self.too_long = len(line), 0
        if self.size > MAX_PARAGRAPH_CHARS:  # one line of pasted text can be this long
            self.lines, self.too_long = [line[:200]], self.size
        self.previous_was_header = False

    def add(self, line: str) -> None:
        """Another line of the paragraph; past the size limit only its length is kept."""
        self.size += len(line) + 1
        if self.too_long:
            self.too_long = self.size
        elif self.size > MAX_PARAGRAPH_CHARS:
            self.too_long = self.size
            self.lines = self.lines[:1]
        else:
            self.lines.append(line)

    def noise(self, stripped: str) -> None:
        is_date = bool(DATE_LINE.match(stripped))
        if is_date and (not self.seen_content or self.previous_was_header):
            self.date_listed = stripped
        self.previous_was_header = is_date or stripped.casefold() in HEADER_LINES
        self.after_metadata = True
        if self.held is not None:
            self.held.before_metadata = True

    def flush(self) -> Iterator[Paragraph]:
        text = "\n".join(self.lines).strip()
        if text:
            self.seen_content = True
            yield from self.finish()
            self.held = Paragraph(
                self.first_line,
                text[:200] if self.too_long else text,
                prefixed=self.prefixed,
                after_metadata=self.after_metadata,
                date_listed=self.date_listed,
                too_long=self.too_long,
            )
            self.after_metadata = False
        self.lines, self.prefixed, self.size, self.too_long = [], False, 0, 0

    def finish(self) -> Iterator[Paragraph]:
        if self.held is not None:
            yield self.held
            self.held = None


def _safe_cut(buffer: list[Paragraph]) -> int:
    """An index after which labelling cannot depend on what follows, or 0."""
    for index in range(len(buffer) - 2, len(buffer) // 2, -1):
        here, following = buffer[index], buffer[index + 1]
        if here.looks_like_abstract and (following.looks_like_title or following.prefixed):
            return index + 1
    return 0


def _forced_cut(buffer: list[Paragraph]) -> int:
    """A cut for a long run with no safe one (all titles, all abstracts, all neither).

    It never separates a title-shaped paragraph from the paragraph after it.
    """
    for index in range(len(buffer) // 2, len(buffer) - 1):
        if not buffer[index].looks_like_title:
            return index + 1
    return len(buffer) // 2


def _label(paragraphs: list[Paragraph]) -> Iterator[ParsedRecord | SkippedRecord]:
    """Label paragraphs as (Title, Abstract) pairs, untitled abstracts or skips, cheapest first."""
    count = len(paragraphs)
    best = [0.0] + [float("inf")] * count
    choice: list[str] = [""] * (count + 1)
    for i in range(count):
        if best[i] == float("inf"):
            continue
        here = paragraphs[i]
        if i + 1 < count:
            pair = best[i] + _title_cost(here) + _abstract_cost(paragraphs[i + 1])
            if pair < best[i + 2]:
                best[i + 2], choice[i + 2] = pair, "pair"
        untitled = best[i] + _abstract_cost(here) + (0 if here.prefixed else UNTITLED_EXTRA_COST)
        if untitled < best[i + 1]:
            best[i + 1], choice[i + 1] = untitled, "untitled"
        # Skipping is cheap next to page furniture, but never for an abstract-shaped
        # paragraph: an abstract that lost its title is still a paper.
        cheap_skip = here.near_metadata and not here.looks_like_abstract
        skip = best[i] + (SKIP_METADATA_COST if cheap_skip else SKIP_COST)
        if here.prefixed:
            skip = float("inf")  # an Abstract: line is always a paper
        if here.too_long:
            skip = best[i]  # and nothing else: see _title_cost, _abstract_cost
        if skip < best[i + 1]:
            best[i + 1], choice[i + 1] = skip, "skip"
    labels: list[tuple[str, int]] = []
    position = count
    while position > 0:
        label = choice[position]
        position -= 2 if label == "pair" else 1
        labels.append((label, position))
    for label, index in reversed(labels):
        paragraph = paragraphs[index]
        if label == "pair":
            yield _record(paragraphs[index + 1], title=paragraph.text, line=paragraph.line)
        elif label == "untitled":
            yield _record(paragraph)
        else:
            yield SkippedRecord(paragraph.line, _skip_reason(paragraph), paragraph.text[:200])


def _title_cost(paragraph: Paragraph) -> float:
    if paragraph.prefixed or paragraph.too_long:
        return float("inf")
    if paragraph.between_metadata:
        return FURNITURE_AS_CONTENT_COST
    if paragraph.looks_like_title:
        return 0
    if paragraph.looks_like_abstract:
        # Titles almost never end with a full stop; abstracts almost always do.
        return FINISHED_SENTENCE_TITLE_COST if paragraph.ends_with_period else 7
    return 3


def _abstract_cost(paragraph: Paragraph) -> float:
    if paragraph.too_long:
        return float("inf")
    if paragraph.looks_like_abstract:
        return 0
    if paragraph.between_metadata:
        return FURNITURE_AS_CONTENT_COST
    return 4 if paragraph.looks_like_title else 2


def _skip_reason(paragraph: Paragraph) -> str:
    if paragraph.too_long:
        return (
            f"a paragraph of {paragraph.too_long:,} characters, over the limit of "
            f"{MAX_PARAGRAPH_CHARS:,} for an abstract"
        )
    if paragraph.looks_like_title:
        return "title without an abstract (or page metadata)"
    return "paragraph that is neither a title nor an abstract"


def _record(paragraph: Paragraph, *, title: str = "", line: int = 0) -> ParsedRecord:
    abstract = paragraph.text
    inferred = not title
    if inferred:
        title = infer_title(abstract)
    return ParsedRecord(
        abstract=abstract,
        line=line or paragraph.line,
        title=title,
        title_inferred=inferred,
        code_url=find_code_url(abstract),
        date_listed=paragraph.date_listed,
        kind="listing" if paragraph.prefixed else "daily-papers",
    )


def find_code_url(abstract: str) -> str:
    """The code repository an abstract points to: a trailing ``Code: URL`` first."""
    explicit = CODE_URL.search(abstract)
    if explicit:
        return explicit.group("url")
    repo = REPO_URL.search(abstract)
    return repo.group(0).rstrip(".:") if repo else ""
