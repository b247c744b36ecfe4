"""From the text a person types to a Whoosh query.

The language is described in ``QUERY_SYNTAX.md``. The parts Whoosh has no syntax for
(``year:2020..2024``, ``added:<7d``, ``is:untitled``) are rewritten into Whoosh syntax
first; anything malformed raises ``QueryError`` with a message for the user, and the
caller searches the plain words instead.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice

from whoosh import qparser, query
from whoosh.lang.porter import stem as porter_stem
from whoosh.qparser import plugins, syntax

from readinglist.search.analysis import WORD_RE, analyse_word
from readinglist.search.matchers import constant_matcher
from readinglist.search.schema import DEFAULT_FIELDS
from readinglist.search.text import decode_latex, fold

# Prefix and fuzzy queries expand to every matching index term; on a large library
# "co*" is thousands of terms and seconds of work. Expansion keeps the most frequent
# few, which is what a person typing a prefix nearly always means.
MIN_PREFIX = 2
MAX_PREFIX_TERMS = 48
MAX_FUZZY_TERMS = 24
_PREFIX_SCAN = 20_000
# What a person types is bounded too: a phrase's cost grows with its length (one word
# repeated 100 times took seconds), and a pasted page is not a query. Past these limits
# the first words are searched, as plain words, and the message says so.
MAX_QUERY_CHARS = 1_000
MAX_QUERY_WORDS = 32
MAX_PHRASE_WORDS = 10

STEMMED_FIELDS = frozenset({"title", "abstract", "note"})
FOLDED_FIELDS = frozenset({"author"})
STATUSES = ("unread", "reading", "read")
FLAGS = ("untitled",)
FIELD_ALIASES = {
    "author": ["authors", "by"],
    "tag": ["tags"],
    "note": ["notes"],
    "list": ["lists"],
    "flags": ["is"],
}
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_KEEP = _OPERATORS | {"TO"}  # "TO" belongs to range syntax
_UNITS = {"d": 1, "w": 7, "m": 30, "y": 365}


class QueryError(ValueError):
    """The query cannot be understood; the message says why, in the user's terms."""


@dataclass(slots=True)
class ParsedQuery:
    query: query.Query
    text: str  # the query after LaTeX decoding and rewriting, for suggestions


# Expanding queries


def _as_bytes(term) -> bytes:
    return term.encode("utf-8") if isinstance(term, str) else term


class _Capped:
    """Mix-in: expand once against the whole index, keep the most frequent terms."""

    _terms: list[bytes] | None = None

    def prepare(self, reader) -> list[bytes]:
        if self._terms is None:
            self._terms = self._expand(reader)
        return self._terms

    def _btexts(self, ixreader):
        # Called once per segment: every segment searches the same chosen terms.
        return self.prepare(ixreader)

    def matcher(self, searcher, context=None):
        return constant_matcher(
            searcher.reader(), self.fieldname, self._btexts(searcher.reader()), self.boost
        )


class CappedPrefix(_Capped, query.Prefix):
    """A prefix query over at most ``MAX_PREFIX_TERMS`` terms.

    ``text`` is the folded, unstemmed prefix. In stemmed fields the index holds stems
    ("learning" is "learn"), so "learni*" also looks at stems the prefix runs past.
    """

    def __init__(self, fieldname, text, boost=1.0, *, stemmed=False):
        super().__init__(fieldname, text, boost=boost, constantscore=True)
        self.stemmed = stemmed

    def _expand(self, reader) -> list[bytes]:
        text = self.text
        extra: set[bytes] = set()
        if self.stemmed and text.isalpha():
            stemmed = porter_stem(text)
            common = 0
            while common < min(len(text), len(stemmed)) and text[common] == stemmed[common]:
                common += 1
            for end in range(max(MIN_PREFIX, len(text) - 3), len(text)):
                candidate = text[:end].encode("utf-8")
                if (self.fieldname, candidate) in reader:
                    extra.add(candidate)
            text = text[: max(common, MIN_PREFIX)]
        frequent = [
            (frequency, btext)
            for btext, frequency in islice(
                _prefix_frequencies(reader, self.fieldname, text), _PREFIX_SCAN
            )
        ]
        best = heapq.nlargest(MAX_PREFIX_TERMS, frequent)
        return sorted({btext for _, btext in best} | extra)


def _prefix_frequencies(reader, fieldname: str, text: str):
    """(term, document frequency) of the terms beginning with ``text``, in term order:
    from the evaluator's term lists when ``reader`` has them (search/evaluate.py), else
    from Whoosh's term dictionary."""
    fast = getattr(reader, "prefix_frequencies", None)
    if fast is not None:
        return fast(fieldname, text)
    return ((btext, info.doc_frequency()) for btext, info in reader.iter_prefix(fieldname, text))


class CappedFuzzy(_Capped, query.FuzzyTerm):
    """A typo-tolerant term over at most ``MAX_FUZZY_TERMS`` terms, the first letter fixed."""

    def _expand(self, reader) -> list[bytes]:
        # The index holds stems: "learnig" is two edits from "learn", though one from
        # "learning". Looking also from the word with its last letters cut off finds
        # the stem a typo hides.
        text = self.text
        variants = {text} | {text[:-cut] for cut in (1, 2, 3) if len(text) - cut >= 5}
        words = set()
        for variant in variants:
            words.update(
                _as_bytes(word)
                for word in reader.terms_within(
                    self.fieldname, variant, self.maxdist, prefix=self.prefixlength
                )
            )
        scored = []
        for btext in words:
            scored.append((reader.doc_frequency(self.fieldname, btext), btext))
        return sorted(btext for _, btext in heapq.nlargest(MAX_FUZZY_TERMS, scored))


class _PrefixNode(syntax.TextNode):
    """``word*``: built without the analyzer, which would stem or drop a partial word."""

    def r(self):
        return f"{self.text!r}*"

    def query(self, parser):
        fieldname = self.fieldname or parser.fieldname
        if fieldname not in parser.schema:
            return None
        if fieldname in ("year", "added", "id"):
            return query.error_query(f"{fieldname}: cannot take a prefix (*)")
        text = fold(decode_latex(self.text)) if fieldname != "key" else self.text.lower()
        letters = "".join(m.group() for m in WORD_RE.finditer(text))
        if len(letters) < MIN_PREFIX:
            return query.error_query(f"a prefix search needs at least {MIN_PREFIX} letters")
        q = CappedPrefix(fieldname, text, boost=self.boost, stemmed=fieldname in STEMMED_FIELDS)
        q.startchar, q.endchar = self.startchar, self.endchar
        return q


class _PrefixPlugin(plugins.PrefixPlugin):
    nodetype = _PrefixNode


def _cap_fuzzy(q: query.Query) -> query.Query:
    if isinstance(q, query.FuzzyTerm) and not isinstance(q, CappedFuzzy):
        capped = CappedFuzzy(
            q.fieldname,
            q.text,
            boost=q.boost,
            maxdist=min(max(q.maxdist, 1), 2),
            # Typos rarely hit the first letter, and fixing it makes expansion fast.
            prefixlength=max(q.prefixlength, 1),
        )
        capped.startchar = getattr(q, "startchar", None)
        capped.endchar = getattr(q, "endchar", None)
        return capped
    return q


def make_parser(schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), schema, fieldboosts=DEFAULT_FIELDS)
    # '?' ends questions people type, and 'x' is not a glob: only a trailing '*' expands.
    parser.remove_plugin_class(plugins.WildcardPlugin)
    parser.remove_plugin_class(plugins.SingleQuotePlugin)  # apostrophes are not quotes
    parser.remove_plugin_class(plugins.BoostPlugin)
    parser.add_plugin(_PrefixPlugin())
    parser.add_plugin(plugins.FuzzyTermPlugin())
    parser.add_plugin(plugins.GtLtPlugin())
    # "-word" excludes, but only at the start of a word: "pre-training" is one term.
    parser.add_plugin(plugins.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    parser.add_plugin(plugins.FieldAliasPlugin(FIELD_ALIASES))
    return parser


# Rewriting what Whoosh has no syntax for

_LATEX_CHUNK = re.compile(r"\$[^$]*\$|[^\s()]*\\[^\s()]*")
_QUOTED = re.compile(r'("[^"]*")')
_SPECIAL = re.compile(r"(?<![\w.])(year|added|status|is):([^\s()]*)", re.IGNORECASE)
_FIELD_NAME = re.compile(r"(?<![\w.])\w+:")
_YEAR_RANGE = re.compile(r"^(\d{1,4})?\.\.(\d{1,4})?$")
_COMPARE = re.compile(r"^(<=|>=|=<|=>|<|>)?(.*)$")
_RELATIVE = re.compile(r"^(\d+)([dwmy])$")
_DAY = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_BARE_WORD = re.compile(r"(?<![\w:.\-\\])[^\W\d_]+(?![\w:*~.])")


def _year(value: str) -> str:
    if value.isdigit():
        return f"year:{value}"
    found = _YEAR_RANGE.match(value)
    if found and (found.group(1) or found.group(2)):
        return _range("year", found.group(1), found.group(2))
    op, rest = _COMPARE.match(value).groups()
    if op and rest.isdigit():
        return f"year:{op}{rest}"
    raise QueryError(f"year:{value} is not a year: try year:2023, year:2020..2024 or year:>2021")


def _range(field: str, start, end) -> str:
    """Whoosh's inclusive range syntax; an open end is left out ("[TO 2020]")."""
    if start and end:
        return f"{field}:[{start} TO {end}]"
    return f"{field}:[{start} TO]" if start else f"{field}:[TO {end}]"


def _period(value: str, today: date) -> tuple[int, int]:
    """The first and last day (YYYYMMDD) ``value`` covers: 2024, 2024-03, 2024-03-14, 7d."""
    if value == "today":
        return _num(today), _num(today)
    relative = _RELATIVE.match(value)
    if relative:
        day = today - timedelta(days=int(relative.group(1)) * _UNITS[relative.group(2)])
        return _num(day), _num(day)
    found = _DAY.match(value)
    if not found:
        raise ValueError(value)
    year, month, day = (int(g) if g else None for g in found.groups())
    if month is None:
        return _num(date(year, 1, 1)), _num(date(year, 12, 31))
    if day is None:
        following = date(year + month // 12, month % 12 + 1, 1)
        return _num(date(year, month, 1)), _num(following - timedelta(days=1))
    return _num(date(year, month, day)), _num(date(year, month, day))


def _num(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _added(value: str, today: date) -> str:
    try:
        if ".." in value:
            first, _, last = value.partition("..")
            start = _period(first, today)[0] if first else None
            end = _period(last, today)[1] if last else None
            return _range("added", start, end)
        op, rest = _COMPARE.match(value).groups()
        start, end = _period(rest, today)
    except ValueError:
        raise QueryError(
            f"added:{value} is not a date: try added:<7d, added:>2024-01-01 "
            "or added:2024-01..2024-06"
        ) from None
    if _RELATIVE.match(rest):
        # An age: added:<7d is "less than 7 days ago", so the comparison flips.
        op = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", None: ">="}.get(op, op)
    op = {"=<": "<=", "=>": ">="}.get(op, op)
    if op == ">":
        return f"added:{{{end} TO]"
    if op == ">=":
        return f"added:[{start} TO]"
    if op == "<":
        return f"added:[TO {start}}}"
    if op == "<=":
        return f"added:[TO {end}]"
    return f"added:[{start} TO {end}]"


def _special(found: re.Match, today: date) -> str:
    name, value = found.group(1).lower(), found.group(2)
    if name == "year":
        return _year(value)
    if name == "added":
        return _added(value.lower(), today)
    lowered = value.lower()
    if lowered in STATUSES:
        return f"status:{lowered}"
    if name == "is" and lowered in FLAGS:
        return f"flags:{lowered}"
    choices = ", ".join(STATUSES if name == "status" else (*FLAGS, *STATUSES))
    raise QueryError(f"{name}:{value} is not known: use one of {choices}")


def _check_balance(text: str) -> None:
    if text.count('"') % 2:
        raise QueryError("a quotation mark is not closed")
    depth = 0
    for part in _QUOTED.split(text):
        if part.startswith('"'):
            continue
        for char in part:
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth < 0:
                raise QueryError("a closing parenthesis has no opening one")
    if depth:
        raise QueryError("a parenthesis is not closed")


def _drop_noise(found: re.Match) -> str:
    word = found.group()
    return "" if word not in _KEEP and analyse_word(word) is None else word


def rewrite(text: str, *, today: date | None = None) -> str:
    """The query in Whoosh's syntax: LaTeX decoded, year/added/status/is: expanded,
    stop words and dangling operators dropped."""
    today = today or datetime.now(UTC).date()
    text = _LATEX_CHUNK.sub(lambda m: decode_latex(m.group()), text)
    _check_balance(text)
    parts = _QUOTED.split(text)
    for i, part in enumerate(parts):
        if not part.startswith('"'):
            part = _SPECIAL.sub(lambda m: _special(m, today), part)
            # A stop word searched in every field would have to be found in the
            # fields that keep stop words (authors, tags): "what is attention" would
            # then require "is" among the authors. Outside phrases they are dropped.
            parts[i] = _BARE_WORD.sub(_drop_noise, part)
    words = "".join(parts).split()
    while words and words[0] in _OPERATORS and words[0] != "NOT":
        words.pop(0)
    while words and words[-1] in _OPERATORS:
        words.pop()
    return " ".join(words)


def _errors(q: query.Query) -> list[str]:
    found = []
    error = getattr(q, "error", None)
    if error:
        found.append(str(error))
    for child in q.children():
        found.extend(_errors(child))
    return found


def check_size(text: str) -> None:
    """QueryError when ``text`` is longer than a query can be (see MAX_QUERY_WORDS)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is {len(text):,} characters long, more than {MAX_QUERY_CHARS:,}; "
            f"only its first {MAX_QUERY_WORDS} words were searched"
        )
    words = len(WORD_RE.findall(text))
    if words > MAX_QUERY_WORDS:
        raise QueryError(
            f"the query has {words:,} words, more than {MAX_QUERY_WORDS}; "
            f"only the first {MAX_QUERY_WORDS} were searched"
        )
    for part in _QUOTED.findall(text):
        words = len(WORD_RE.findall(part))
        if words > MAX_PHRASE_WORDS:
            raise QueryError(
                f"a phrase of {words} words is longer than {MAX_PHRASE_WORDS}; "
                "its words were searched anywhere instead"
            )


def parse(parser: qparser.QueryParser, text: str, *, today: date | None = None) -> ParsedQuery:
    """Parse ``text``; QueryError with a readable reason if it is malformed or too long."""
    check_size(text)
    rewritten = rewrite(text, today=today)
    try:
        q = parser.parse(rewritten)
    except Exception as error:  # Whoosh's parser raises assorted errors on odd input
        raise QueryError(f"the query could not be read ({error})") from error
    errors = _errors(q)
    if errors:
        raise QueryError(errors[0])
    q = q.accept(_phrase_where_positions(parser.schema))
    return ParsedQuery(q.accept(_cap_fuzzy), rewritten)


def _phrase_where_positions(schema):
    """A phrase searches the fields that keep word positions (title, abstract, author,
    note). A field of whole terms (tag, key, list) holds no phrase: a quoted phrase with
    a comma, "Nemotron-H, a family", is split there into two tags and can never be one
    tag, so that alternative matches nothing instead of failing the whole query. (A
    phrase without a comma stays one term there: "reward models" finds that tag.)"""

    def without_positions(fieldname) -> bool:
        if fieldname not in schema:
            return True
        field_format = schema[fieldname].format
        return field_format is None or not field_format.supports("positions")

    def replace(q: query.Query) -> query.Query:
        if isinstance(q, query.Phrase) and without_positions(q.fieldname):
            return query.NullQuery
        return q

    return replace


def plain_words(text: str) -> list[str]:
    """The words of a query, operators and syntax dropped: the fallback search. At most
    the first MAX_QUERY_WORDS different words (a repeated word adds nothing)."""
    if len(text) > MAX_QUERY_CHARS:  # cut at a space: a word cut in two is another word
        text = text[: MAX_QUERY_CHARS + 1].rsplit(maxsplit=1)[0][:MAX_QUERY_CHARS]
    decoded = _LATEX_CHUNK.sub(lambda m: decode_latex(m.group()), text)
    # year:soon, status:done ... are not words anyone looks for; title:mamba is "mamba".
    decoded = _SPECIAL.sub(" ", decoded)
    decoded = _FIELD_NAME.sub(" ", decoded)
    words: dict[str, str] = {}
    for found in WORD_RE.finditer(decoded):
        word = found.group()
        if word not in _OPERATORS:
            words.setdefault(word.casefold(), word)
            if len(words) == MAX_QUERY_WORDS:
                break
    return list(words.values())


def parse_plain(parser: qparser.QueryParser, text: str) -> ParsedQuery:
    words = " ".join(plain_words(text))
    return ParsedQuery(parser.parse(words) if words else query.NullQuery, words)


def prepare(q: query.Query, reader) -> None:
    """Expand prefix and fuzzy terms once, against the whole index, before searching."""
    if isinstance(q, _Capped):
        q.prepare(reader)
    for child in q.children():
        prepare(child, reader)
