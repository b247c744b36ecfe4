"""One non-ASCII character as LaTeX that pdflatex typesets, or None when there is none.

pylatexenc knows thousands of characters, but some of its answers need packages a
document may not load (amssymb's ``\\mathbb``, ``\\nexists``); only answers made of
commands in ``SAFE_COMMANDS`` are taken, then a decomposition (``ǎ`` is ``a`` with a
caron), else None: the caller wraps such characters in ``\\bibunicode``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from readinglist.formats.latex_tables import ACCENTS, MATH_COMMANDS, SAFE_COMMANDS


@cache
def char_latex(char: str) -> str | None:
    """LaTeX that pdflatex (T1 fonts, utf8 input) typesets for one non-ASCII character,
    or None when there is none (CJK, emoji, most symbols outside Latin and Greek)."""
    if char == "\u00a0":
        return "~"
    category = unicodedata.category(char)
    if category == "Zs":
        return " "
    if category in ("Cc", "Cf", "Mn"):
        return ""  # invisible: format controls, stray combining marks
    latex = _pylatexenc_latex(char)
    if latex is None:
        latex = _decomposed_latex(char)
    return latex


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
    """``ǎ`` as ``{\\v{a}}`` and ``ﬁ`` as ``fi`` when pylatexenc knows no single command."""
    compatible = unicodedata.normalize("NFKC", char)
    if compatible != char and compatible.isascii() and compatible.isprintable():
        from readinglist.formats.latex import encode_text  # the module that imports this one

        return encode_text(compatible, True)
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
