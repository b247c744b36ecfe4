"""One non-ASCII character as LaTeX for the BibTeX dialect: exact, or kept in a wrapper.

The rule: a character is written as LaTeX that means exactly that character, or it is
kept as it is inside the fallback wrapper (``\\bibunicode``, see ``readinglist.formats.latex``)
-- never replaced by a different character. "Exactly" is checked, not assumed: a form is
taken only when ``latex_decode.decode`` reads it back as the same character
(``char_latex``). So ``·`` is ``{\\textperiodcentered}`` (LaTeX's own name for U+00B7),
``−`` is ``{\\textminus}``, ``ǎ`` is ``{\\v{a}}``, but ``‐`` (U+2010), ``，``, ``Ⅱ``, ``≲``
and Cyrillic go into the wrapper, because ``-``, ``,``, ``II``, amssymb's ``\\lesssim`` and
T2A's ``\\cyr...`` are either other characters or need packages a document may not load.

For a wrapped character ``char_display`` gives what pdflatex prints instead of ``[?]``:
LaTeX's own approximation (``-`` for U+2010, ``,`` for ``，``, ``II`` for ``Ⅱ``, nothing
for a zero-width space). It only decides how the PDF looks under pdflatex; the file
keeps the character itself, and XeLaTeX and LuaLaTeX print that.

Candidate forms come from pylatexenc, but only those made of commands in
``SAFE_COMMANDS`` (the LaTeX kernel with T1 and TS1 fonts: what pdflatex typesets without
packages), then a canonical decomposition (``ǎ`` is ``a`` with a caron).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from readinglist.formats.latex_tables import ACCENTS, MATH_COMMANDS, SAFE_COMMANDS

# Exact forms pylatexenc does not give (its ``{\ensuremath{-}}`` for U+2212 is a hyphen).
EXACT = {
    "\u2212": r"{\textminus}",  # MINUS SIGN, TS1 (in the kernel since 2020)
    "\u2009": r"{\,}",  # THIN SPACE
    "\u00ad": r"{\-}",  # SOFT HYPHEN: a discretionary hyphen, as utf8enc.dfu has it
    "\u200c": r"{\textcompwordmark}",  # ZERO WIDTH NON-JOINER, as utf8enc.dfu has it
}

# What pdflatex prints for characters kept in the wrapper, where the character has a
# near form in plain LaTeX (from LaTeX's utf8enc.dfu where it declares one).
DISPLAY = {
    "\u2010": "-",  # HYPHEN
    "\u2011": r"\mbox{-}",  # NON-BREAKING HYPHEN
    "\u02dc": r"{\textasciitilde}",  # SMALL TILDE
    "\u2002": r"{\enspace}",
    "\u2003": r"{\quad}",
    "\u2004": r"{\,}",
    "\u2005": r"{\,}",
    "\u2006": r"{\,}",
    "\u2007": r"{\enspace}",
    "\u2008": r"{\,}",
    "\u200a": r"{\,}",
    "\u202f": r"\nobreak{\,}",  # NARROW NO-BREAK SPACE
    "\u205f": r"{\,}",
    "\u3000": r"{\quad}",  # IDEOGRAPHIC SPACE
    "\u200b": r"\hspace{0pt}",  # ZERO WIDTH SPACE: a break point
    "\u2060": r"\nobreak{}",  # WORD JOINER
    "\ufeff": r"\nobreak{}",  # ZERO WIDTH NO-BREAK SPACE
    "\u2272": r"\ensuremath{\stackrel{<}{\sim}}",  # LESS-THAN OR EQUIVALENT TO
    "\u2273": r"\ensuremath{\stackrel{>}{\sim}}",  # GREATER-THAN OR EQUIVALENT TO
}


@cache
def char_latex(char: str) -> str | None:
    """LaTeX that pdflatex (T1 fonts, utf8 input, no package) typesets as exactly
    ``char`` and that reads back as ``char``; None when there is none (CJK, Cyrillic,
    emoji, most symbols outside Latin and Greek): the caller wraps those."""
    if char == "\u00a0":
        return "~"
    for latex in (EXACT.get(char), _pylatexenc_latex(char), _decomposed_latex(char)):
        if latex is not None and reads_back(latex, char):
            return latex
    return None


@cache
def char_display(char: str) -> str | None:
    """What pdflatex prints for a character kept in the wrapper, when plain LaTeX has a
    near form ('-' for U+2010, ',' for a full-width comma, '' for an invisible format
    character); None for the default ``[?]``. Never used when ``char_latex`` has a form."""
    if char in DISPLAY:
        return DISPLAY[char]
    category = unicodedata.category(char)
    if category in ("Cc", "Cf"):
        return ""  # nothing to see: format controls (joiners, marks of direction)
    if category == "Zs":
        return r"\ "
    latex = _pylatexenc_latex(char)
    if latex is not None and latex.strip("{}"):
        return latex
    compatible = unicodedata.normalize("NFKC", char)
    if compatible != char and compatible.isascii() and compatible.isprintable():
        from readinglist.formats.latex import encode_text  # the module that imports this one

        return encode_text(compatible, True)
    return None


def reads_back(latex: str, char: str) -> bool:
    """True when the decoder reads ``latex`` as ``char``, between letters (so a control
    word that swallows the next letter or space is caught)."""
    from readinglist.formats.latex_decode import decode  # imports latex, which imports us

    return decode("a" + latex + "a") == "a" + char + "a"


def _pylatexenc_latex(char: str) -> str | None:
    latex = _encoder().unicode_to_latex(char)
    if latex == char or not latex.isascii():
        return None
    commands = re.findall(r"\\([A-Za-z]+|.)", latex)
    if not all(command in SAFE_COMMANDS for command in commands):
        return None
    if commands and commands[0] in MATH_COMMANDS and not latex.startswith(r"{\ensuremath"):
        return None
    return latex


def _decomposed_latex(char: str) -> str | None:
    """``ǎ`` as ``{\\v{a}}`` when pylatexenc knows no single command."""
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if not base.isascii() or not base.isalpha() or len(marks) != 1:
        return None
    for command, mark in ACCENTS.items():
        if mark == marks and command.isalpha():
            return "{\\" + command + "{" + base + "}}"
        if mark == marks:
            return "{\\" + command + base + "}"
    return None


@cache
def _encoder():
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    return UnicodeToLatexEncoder(
        non_ascii_only=True,
        replacement_latex_protection="braces-all",
        unknown_char_policy="keep",
        unknown_char_warning=False,
    )
