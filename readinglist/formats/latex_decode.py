"""LaTeX from .bib files as the Unicode text it renders to, for display and search.

``decode(r'T{\\"U}LU, {\\textasciitilde}50\\%')`` gives ``'TÜLU, ~50%'``. Math stays as
written (``$x^2$``), braces used for grouping disappear, ``~`` becomes a no-break space,
and a command nobody defined (``\\algo``) is kept as written rather than dropped.
"""

from __future__ import annotations

import logging
import re
from functools import cache

from pylatexenc.latexwalker import LatexWalker

from readinglist.formats.latex import UNTYPESET_COMMAND

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
    if not value:
        return ""
    if not re.search(r"[\\{}$~%]", value):
        return _squeeze(value)
    source = _BARE_PERCENT.sub(lambda m: m.group(1) + r"\%", value)
    try:
        walker_context, converter = _converter()
        walker = LatexWalker(source, latex_context=walker_context, tolerant_parsing=True)
        text = converter.nodelist_to_text(walker.get_latex_nodes()[0])
    except Exception:  # pylatexenc gives up on some malformed input: show it as written
        log.debug("could not decode LaTeX %r", value, exc_info=True)
        text = value
    return _squeeze(text)


def _squeeze(text: str) -> str:
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()


@cache
def _converter():
    from pylatexenc import latexwalker, macrospec
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )

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
    converter = LatexNodes2Text(
        latex_context=context, math_mode="verbatim", strict_latex_spaces=True
    )
    return walker_context, converter


def _as_written(node, _l2t=None) -> str:
    return node.latex_verbatim()
