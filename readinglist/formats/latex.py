"""The half-LaTeX of abstracts, read once and written for BibTeX, pdflatex and plain text.

Abstracts copied from arXiv are half LaTeX: ``$O(n^2)$``, ``\\%``, ``T\\"ULU`` and
``\\emph{...}`` mean what LaTeX says, while ``50%``, ``R&D``, ``~3x``, a lone ``{`` or an
undefined ``\\algo`` are plain text. ``parse`` sorts a string into ``Text`` (literal
Unicode), ``Math`` (kept as LaTeX) and ``Styled`` (a known text command around more
nodes); anything it cannot vouch for stays literal text, so what is written out always
compiles and renders what the library says.

``to_latex`` writes a BibTeX field value: BibTeX counts every brace, ``\\{`` included, so
braces become ``{\\textbraceleft}``; with ``ascii=True`` a non-ASCII character becomes the
LaTeX that means exactly it (``latex_chars.char_latex``), and any other is kept as it is
inside the fallback wrapper ``{\\bibunicode[display]{chars}}`` -- never replaced by a
different character, so an export read back gives the same text.

The wrapper. The exported file defines it in ``@preamble`` (``UNTYPESET_DEFINITION``):
under XeLaTeX and LuaLaTeX, which read UTF-8 natively, it prints the characters; under
pdflatex it prints the optional ``display`` (LaTeX's own near form: ``-`` for U+2010,
``,`` for a full-width comma, nothing for a zero-width space) or ``[?]``. Why this form:

* ``{\\char"2212}`` or ``\\symbol`` cannot work: pdflatex's fonts have 256 slots, and
  ``\\char`` above 255 is an error, so the file could not compile under pdflatex.
* Leaving the raw character unwrapped compiles only where the user's inputenc declares it
  ("Unicode character not set up for use with LaTeX" otherwise), and BibTeX styles pass
  it through unchanged, so the wrapper is the one place to decide per engine.
* Inside the wrapper the raw UTF-8 bytes are an undelimited macro argument: pdflatex
  skips them unexpanded in the false branch of the engine test, bibtex copies them (it
  is 8-bit clean), and biber and every UTF-8 reader (JabRef, Zotero, this importer) see
  the character itself. ``\\ifdefined`` is e-TeX, which every LaTeX format has had since
  2005. ``\\providecommand`` lets a document define its own ``\\bibunicode`` first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from readinglist.formats.latex_chars import char_display, char_latex
from readinglist.formats.latex_tables import (
    ACCENTS,
    MATH_ARITY,
    MATH_COMMANDS,
    STYLE_COMMANDS,
    SYMBOLS,
)

UNTYPESET_COMMAND = "bibunicode"
UNTYPESET_DEFINITION = (
    r"\providecommand{\bibunicode}[2][{[?]}]{\ifdefined\XeTeXrevision#2\else"
    r"\ifdefined\luatexversion#2\else#1\fi\fi}"
)


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Math:
    source: str  # between the dollars, as written


@dataclass(frozen=True, slots=True)
class Styled:
    command: str
    children: tuple[Node, ...]


Node = Text | Math | Styled

# Only ASCII whitespace and line separators fold into one space: a no-break space is kept.
_SPACES = re.compile(r"[ \t\r\n\f\v\u2028\u2029]+")
_NEEDS_PARSE = re.compile(r"[\\$]")
_CONTROL_WORD = re.compile(r"[A-Za-z]+")


_ODD_SPACE = re.compile(r"[\t\r\n\f\v\u2028\u2029]")


def squeeze(text: str) -> str:
    """Whitespace runs (newlines included) as one space, ends stripped."""
    if "  " not in text and not _ODD_SPACE.search(text):
        return text.strip()  # the common case, without rebuilding the string
    return _SPACES.sub(" ", text).strip()


def parse(text: str) -> list[Node]:
    """Sort half-LaTeX into nodes. Whitespace is squeezed; adjacent text is merged."""
    text = squeeze(text)
    if not _NEEDS_PARSE.search(text):
        return [Text(text)] if text else []
    return _Parser(text).nodes()


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def nodes(self, end: int | None = None) -> list[Node]:
        end = len(self.text) if end is None else end
        out: list[Node] = []
        while self.pos < end:
            char = self.text[self.pos]
            if char == "\\":
                node = self._command(end)
            elif char == "$":
                node = self._math(end)
            else:
                stop = _next_special(self.text, self.pos, end)
                node = Text(self.text[self.pos : stop])
                self.pos = stop
            if isinstance(node, Text) and out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text + node.text)
            else:
                out.append(node)
        return out

    def _math(self, end: int) -> Node:
        text, start = self.text, self.pos
        delimiter = "$$" if text.startswith("$$", start) else "$"
        close = _find_unescaped(text, delimiter, start + len(delimiter), end)
        if close != -1:
            source = text[start + len(delimiter) : close]
            if math_ok(source):
                self.pos = close + len(delimiter)
                return Math(source)
        self.pos = start + 1
        return Text("$")

    def _command(self, end: int) -> Node:
        text, start = self.text, self.pos
        if start + 1 >= end:
            self.pos = end
            return Text("\\")
        after = text[start + 1]
        if after in "%&#_${}":
            self.pos = start + 2
            return Text(after)
        if after in ACCENTS and not after.isalpha():
            return self._accent(after, start + 2, end) or self._literal(start + 1)
        match = _CONTROL_WORD.match(text, start + 1, end)
        if not match:
            return self._literal(start + 1)
        name = match.group()
        return self._named(name, match.end(), end) or self._literal(match.end())

    def _named(self, name: str, after: int, end: int) -> Node | None:
        if name in ACCENTS:
            return self._accent(name, after, end, needs_separator=True)
        if name in SYMBOLS:
            self.pos = _skip_control_word_tail(self.text, after, end)
            return Text(SYMBOLS[name])
        if name in STYLE_COMMANDS or name == "ensuremath":
            close = group_end(self.text, after, end)
            if close == -1:
                return None
            if name == "ensuremath":
                source = self.text[after + 1 : close]
                if not math_ok(source):
                    return None
                self.pos = close + 1
                return Math(source)
            self.pos = after + 1
            children = tuple(self.nodes(close))
            self.pos = close + 1
            return Styled(name, children)
        return None

    def _accent(
        self, accent: str, pos: int, end: int, needs_separator: bool = False
    ) -> Node | None:
        text = self.text
        if pos < end and text[pos] == "{":
            close = group_end(text, pos, end)
            if close == -1:
                return None
            inner, after = text[pos + 1 : close], close + 1
        else:
            if needs_separator:
                if pos >= end or text[pos] != " ":
                    return None
                pos += 1
            inner, after = text[pos : pos + 1], pos + 1
        base = {"\\i": "i", "\\j": "j", "\\i{}": "i"}.get(inner.strip(), inner.strip())
        if len(base) != 1 or not base.isalpha():
            return None
        composed = unicodedata.normalize("NFC", base + ACCENTS[accent])
        if len(composed) != 1:
            return None  # no such letter in Unicode (B with circumflex): keep it as written
        self.pos = after
        return Text(composed)

    def _literal(self, upto: int) -> Text:
        piece = self.text[self.pos : upto]
        self.pos = upto
        return Text(piece)


def _next_special(text: str, pos: int, end: int) -> int:
    found = [i for i in (text.find("\\", pos, end), text.find("$", pos, end)) if i != -1]
    return min(found) if found else end


def _find_unescaped(text: str, needle: str, pos: int, end: int) -> int:
    while True:
        found = text.find(needle, pos, end)
        if found == -1 or _backslashes_before(text, found) % 2 == 0:
            return found
        pos = found + 1


def _backslashes_before(text: str, pos: int) -> int:
    count = 0
    while pos - count - 1 >= 0 and text[pos - count - 1] == "\\":
        count += 1
    return count


def group_end(text: str, pos: int, end: int) -> int:
    """The index of the brace closing the group that opens at ``pos``, or -1."""
    if pos >= end or text[pos] != "{":
        return -1
    depth, i = 0, pos
    while i < end:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _skip_control_word_tail(text: str, pos: int, end: int) -> int:
    """After ``\\ss``: an empty group or one space belongs to the command, as in TeX."""
    if text.startswith("{}", pos) and pos + 2 <= end:
        return pos + 2
    if pos < end and text[pos] == " ":
        return pos + 1
    return pos


_UNESCAPED_IN_MATH = re.compile(r"(?<!\\)[$%#&]")


def math_ok(source: str) -> bool:
    """True when ``source`` (between dollars) is math that plain LaTeX typesets."""
    if not source.strip() or source[0].isspace() or source[-1].isspace():
        return False
    if _UNESCAPED_IN_MATH.search(source):
        return False  # "$5 % $6" or "$a & b$" is text with dollars, not math
    depth, i, lefts = 0, 0, 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            match = _CONTROL_WORD.match(source, i + 1)
            if match:
                name = match.group()
                if name not in MATH_COMMANDS:
                    return False
                lefts += {"left": 1, "right": -1}.get(name, 0)
                if not _has_arguments(source, match.end(), MATH_ARITY.get(name, 0)):
                    return False
                i = match.end()
                continue
            if i + 1 >= len(source) or source[i + 1] not in ",;:! {}|%#&_$":
                return False
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
        elif char in "^_" and not _has_arguments(source, i + 1, 1):
            return False
        i += 1
    return depth == 0 and lefts == 0


def _has_arguments(source: str, pos: int, count: int) -> bool:
    for _ in range(count):
        while pos < len(source) and source[pos] == " ":
            pos += 1
        if pos >= len(source) or source[pos] in "}^_&":
            return False
        if source[pos] == "{":
            close = group_end(source, pos, len(source))
            if close == -1:
                return False
            pos = close + 1
        elif source[pos] == "\\":
            match = _CONTROL_WORD.match(source, pos + 1)
            pos = match.end() if match else pos + 2
        else:
            pos += 1
    return True


# Writing LaTeX

_TEXT_SPECIALS = {
    "\\": r"{\textbackslash}",
    "{": r"{\textbraceleft}",
    "}": r"{\textbraceright}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"{\textasciitilde}",
    "^": r"{\textasciicircum}",
    "<": r"{\textless}",
    ">": r"{\textgreater}",
    "|": r"{\textbar}",
    "\u00a0": "~",
}
# Control characters have no glyph: tabs and line breaks are spaces, the rest goes.
_CONTROLS = {chr(code): "" for code in [*range(32), 127]} | {"\t": " ", "\n": " ", "\r": " "}
_REPLACEMENTS = _TEXT_SPECIALS | _CONTROLS
# One character class, so the regex engine skips the bulk of an abstract in C (measured
# ten times faster than str.translate with string replacements).
_SPECIAL = re.compile("[" + re.escape("".join(_REPLACEMENTS)) + "]")
# TeX's font ligatures would turn text the library holds into other characters: "--"
# into an en dash, "''" into a closing quote, ",," into a low quote (T1), "!`" into "¡".
_LIGATURES = [("--", "-{}-"), ("''", "'{}'"), ("``", "`{}`"), (",,", ",{},"), ("!`", "!{}`")]
_LIGATURES.append(("?`", "?{}`"))
_LIGATURE = re.compile(r"[-'`,!?][-'`,]")  # a quick superset test for the pairs above
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_WORD = re.compile(r"[^\W_]+")


def to_latex(text: str, *, ascii: bool = True, protect_case: bool = False) -> str:
    """A BibTeX field value (without the outer braces) for half-LaTeX ``text``.

    ``ascii``: non-ASCII as LaTeX commands (the BibTeX dialect) or kept as UTF-8
    (BibLaTeX). ``protect_case``: brace words a style must not lowercase (titles).
    """
    return "".join(_node_latex(node, ascii, protect_case) for node in parse(text))


def _node_latex(node: Node, ascii: bool, protect: bool) -> str:
    if isinstance(node, Text):
        return _protected_text(node.text, ascii) if protect else encode_text(node.text, ascii)
    if isinstance(node, Math):
        math = "$" + math_latex(node.source, ascii) + "$"
        return "{" + math + "}" if protect else math
    inner = "".join(_node_latex(child, ascii, False) for child in node.children)
    return f"\\{node.command}{{{inner}}}"


def encode_text(text: str, ascii: bool) -> str:
    """Literal text as LaTeX: every character LaTeX or BibTeX would read specially escaped."""
    text = _SPECIAL.sub(_special_replacement, text)
    if _LIGATURE.search(text):
        for pair, broken in _LIGATURES:
            while pair in text:  # twice for runs: "---" needs "-{}-{}-"
                text = text.replace(pair, broken)
    if ascii and not text.isascii():
        text = _NON_ASCII.sub(_ascii_replacement, text)
    return text


def _special_replacement(match: re.Match) -> str:
    return _REPLACEMENTS[match.group()]


def _ascii_replacement(match: re.Match) -> str:
    out: list[str] = []
    untypeset: list[str] = []
    for char in match.group():
        latex = char_latex(char)
        if latex is None:
            untypeset.append(char)
            continue
        if untypeset:
            out.append(untypeset_latex("".join(untypeset)))
            untypeset.clear()
        out.append(latex)
    if untypeset:
        out.append(untypeset_latex("".join(untypeset)))
    return "".join(out)


def untypeset_latex(text: str) -> str:
    """``text`` (characters without an exact LaTeX form) kept in the fallback wrapper,
    with what pdflatex prints instead when every character has a near form."""
    displays = [char_display(char) for char in text]
    if any(display is None for display in displays):
        option = ""  # the wrapper's default, [?]
    else:
        display = "{}".join(displays) if len(displays) > 1 else displays[0]
        bracket = "[" in display or "]" in display  # ]: ends the option; [: readers differ
        option = "[{" + display + "}]" if bracket else "[" + display + "]"
    return "{\\" + UNTYPESET_COMMAND + option + "{" + text + "}}"


def _protected_text(text: str, ascii: bool) -> str:
    if text.isascii():
        return _protected_ascii(text)
    out, pos, first = [], 0, True
    for match in _WORD.finditer(text):
        out.append(encode_text(text[pos : match.start()], ascii))
        word = match.group()
        out.append(_protect_word(word, ascii, first))
        first = False
        pos = match.end()
    out.append(encode_text(text[pos:], ascii))
    return "".join(out)


_CAPITALISED_WORD = re.compile(r"[A-Za-z0-9]*[A-Z][A-Za-z0-9]*")


def _protected_ascii(text: str) -> str:
    """The common case, faster: only words with a capital letter are looked at."""
    first_word = _WORD.search(text)
    first_start = first_word.start() if first_word else -1
    out, pos = [], 0
    for match in _CAPITALISED_WORD.finditer(text):
        out.append(encode_text(text[pos : match.start()], True))
        out.append(_protect_word(match.group(), True, match.start() == first_start))
        pos = match.end()
    out.append(encode_text(text[pos:], True))
    return "".join(out)


def _protect_word(word: str, ascii: bool, first: bool) -> str:
    """``{FlashAttention}``, ``{LLM}s``, ``{GPT}``, ``{A100}``; never a plain capitalised word."""
    # A word is letters and digits only: nothing to escape unless it leaves ASCII.
    encoded = word if word.isascii() else encode_text(word, ascii)
    if not any(c.isupper() for c in word):
        return encoded
    if len(word) == 1:
        return encoded if first else "{" + encoded + "}"
    rest = word[1:]
    if word[0].isupper() and rest.isalpha() and rest.islower():
        return encoded
    if len(word) > 2 and word.endswith("s") and word[:-1].isupper() and word[:-1].isalpha():
        return "{" + encode_text(word[:-1], ascii) + "}s"
    return "{" + encoded + "}"


_MATH_SPECIALS = re.compile(r"\\[{}]|[^\x00-\x7f]")
_ONE_CONTROL_WORD = re.compile(r"\\[A-Za-z]+")


def math_latex(source: str, ascii: bool) -> str:
    """Math source (between the dollars) for a BibTeX field: a non-ASCII character as
    ``\\ensuremath{\\varepsilon}`` or ``{\\mbox{...}}`` around its text form (both read
    back as the character by ``latex_decode.restore_math_characters``); braces BibTeX
    would miscount rewritten."""
    # BibTeX counts \{ and \} as braces: only when they leave the count unbalanced are
    # they rewritten, so math comes back as written in every other case.
    bibtex_balanced = _balanced_count(source)

    def replace(match: re.Match) -> str:
        found = match.group()
        if found in ("\\{", "\\}"):
            if bibtex_balanced:
                return found
            return r"\lbrace " if found == "\\{" else r"\rbrace "
        if not ascii:
            return found
        latex = char_latex(found)
        # Forms a person does not write in math, so that they read back as the character
        # (latex_decode.restore_math_characters), while {\alpha} stays as written.
        # \ensuremath in math only drops its braces: \ensuremath{\leq} keeps a relation's
        # spacing, and after ^ or _ the inner braces make one atom (x^\cong fails).
        if latex is None:
            return r"{\mbox{" + untypeset_latex(found) + "}}"
        if latex.startswith(r"{\ensuremath{"):
            inner = latex[len(r"{\ensuremath{") : -2]
            script = match.start() > 0 and source[match.start() - 1] in "^_"
            if _ONE_CONTROL_WORD.fullmatch(inner) and not script:
                return r"\ensuremath{" + inner + "}"
            return r"\ensuremath{{" + inner + "}}"
        return r"{\mbox{" + latex + "}}"

    return _MATH_SPECIALS.sub(replace, source)


def _balanced_count(source: str) -> bool:
    depth = 0
    for char in source:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


# Plain text


def to_plain(text: str) -> str:
    """Half-LaTeX as the Unicode text it renders to; math is kept as ``$...$``."""
    return "".join(_node_plain(node) for node in parse(text))


def _node_plain(node: Node) -> str:
    if isinstance(node, Text):
        return node.text
    if isinstance(node, Math):
        return "$" + node.source + "$"
    return "".join(_node_plain(child) for child in node.children)
