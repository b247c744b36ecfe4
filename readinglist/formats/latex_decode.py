"""LaTeX from .bib files as the Unicode text it renders to, for display and search.

``decode(r'T{\\"U}LU, {\\textasciitilde}50\\%')`` gives ``'TÜLU, ~50%'``. Math stays as
written (``$x^2$``), braces used for grouping disappear, ``~`` becomes a no-break space,
and a command nobody defined (``\\algo``) is kept as written rather than dropped.
"""

from __future__ import annotations

import logging
import re
from functools import cache, lru_cache

from pylatexenc.latexwalker import LatexWalker

from readinglist.formats.latex import UNTYPESET_COMMAND, group_end, math_latex

log = logging.getLogger(__name__)

# In a .bib value a bare % is text (BibTeX never treats it as a comment), but pylatexenc
# would swallow the rest of the line: make it a literal first.
_BARE_PERCENT = re.compile(r"(?<!\\)((?:\\\\)*)%")
_SYMBOLS = {
    "textbraceleft": "{",
    "textbraceright": "}",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textunderscore": "_",
    "textdollar": "$",
    "textquotedbl": '"',
    # Where pylatexenc reads another character than LaTeX prints (utf8enc.dfu declares
    # U+00B7 as \textperiodcentered; pylatexenc gives the dot accent U+02D9).
    "textperiodcentered": "\u00b7",
    "textminus": "\u2212",
    ",": "\u2009",  # \, is a thin space
}


def decode(value: str) -> str:
    """Unicode text for a LaTeX field value; whitespace squeezed, no-break spaces kept."""
    return _decode(value, math_characters=True)


def _decode(value: str, *, math_characters: bool) -> str:
    if not value:
        return ""
    if not re.search(r"[\\{}$~%]", value):
        return _squeeze(value)
    source = _BARE_PERCENT.sub(lambda m: m.group(1) + r"\%", value)
    try:
        walker_context, converter = _converter(math_characters)
        walker = LatexWalker(source, latex_context=walker_context, tolerant_parsing=True)
        text = converter.nodelist_to_text(walker.get_latex_nodes()[0])
    except Exception:  # pylatexenc gives up on some malformed input: show it as written
        log.debug("could not decode LaTeX %r", value, exc_info=True)
        text = value
    return _squeeze(text)


def restore_math_characters(math: str) -> str:
    """Math as the library held it before the BibTeX dialect's export, which writes a
    non-ASCII character in math as ``\\ensuremath{\\varepsilon}`` (for ``ε``) or as
    ``\\mbox{...}`` around its text form or wrapper: each piece that is exactly what the
    exporter writes for one character becomes that character again. Anything else,
    ``{\\alpha}`` as people write it included, stays as written."""
    if "\\ensuremath{" not in math and "\\mbox{" not in math:
        return math
    out: list[str] = []
    pos = 0
    for found in _EXPORTED_MATH_START.finditer(math):
        if found.start() < pos:
            continue  # inside a piece already restored
        close = group_end(math, found.end() - 1, len(math))
        if close == -1:
            continue
        piece_end = close + 1
        if found.group().startswith("{"):  # {\mbox{...}}: the outer brace closes next
            if not math.startswith("}", piece_end):
                continue
            piece_end += 1
        before = (
            math[found.start() - 1] if found.start() and math[found.start() - 1] in "^_" else ""
        )
        char = _math_character(math[found.start() : piece_end], before)
        if char is not None:
            out.append(math[pos : found.start()] + char)
            pos = piece_end
    out.append(math[pos:])
    return "".join(out)


_EXPORTED_MATH_START = re.compile(r"\\ensuremath\{|\{\\mbox\{")


@lru_cache(maxsize=4096)
def _math_character(piece: str, before: str) -> str | None:
    """The character the exporter writes as ``piece`` (after ``before``: ^, _ or '')."""
    # {\ensuremath{...}} reads as its math character; {\mbox{X}} as the text X. Read
    # between letters: alone, a space character (~ for U+00A0, {\,} for U+2009) would
    # be stripped as the end of a field value.
    mbox = piece.startswith("{")
    inner = piece[len("{\\mbox{") : -2] if mbox else "{" + piece + "}"
    guarded = _decode("a" + inner + "a", math_characters=False)
    char = guarded[1:-1] if guarded[:1] == guarded[-1:] == "a" else ""
    if len(char) == 1 and not char.isascii() and math_latex(before + char, True) == before + piece:
        return char
    return None


def _squeeze(text: str) -> str:
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()


@cache
def _converter(math_characters: bool):
    from pylatexenc import latexwalker, macrospec
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )

    class Converter(LatexNodes2Text):
        def math_node_to_text(self, node):
            text = super().math_node_to_text(node)
            return restore_math_characters(text) if math_characters else text

    context = get_default_latex_context_db()
    specs = [MacroTextSpec(name, simplify_repl=text) for name, text in _SYMBOLS.items()]
    # The fallback wrapper: \bibunicode[what pdflatex prints]{the characters}.
    specs.append(MacroTextSpec(UNTYPESET_COMMAND, simplify_repl="%(2)s"))
    specs.append(MacroTextSpec("url", simplify_repl="%(1)s"))
    specs.extend(MacroTextSpec(name, simplify_repl="%(1)s") for name in ("mbox", "hbox"))
    specs.append(MacroTextSpec("href", simplify_repl="%(2)s (%(1)s)"))
    specs.extend(MacroTextSpec(name, simplify_repl=_as_written) for name in ("cite", "ref"))
    context.add_context_category("readinglist", macros=specs, prepend=True)
    context.set_unknown_macro_spec(MacroTextSpec("", simplify_repl=_as_written))

    walker_context = latexwalker.get_default_latex_context_db()
    walker_context.add_context_category(
        "readinglist",
        macros=[
            macrospec.MacroSpec(UNTYPESET_COMMAND, "[{"),
            macrospec.MacroSpec("url", "{"),
            macrospec.MacroSpec("mbox", "{"),
            macrospec.MacroSpec("hbox", "{"),
            macrospec.MacroSpec("href", "{{"),
        ],
        prepend=True,
    )
    converter = Converter(latex_context=context, math_mode="verbatim", strict_latex_spaces=True)
    return walker_context, converter


def _as_written(node, _l2t=None) -> str:
    return node.latex_verbatim()
