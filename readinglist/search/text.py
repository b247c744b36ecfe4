"""Text normalisation shared by indexing, querying and highlighting.

Titles and abstracts arrive with LaTeX in them (``T\\"ULU``, ``{\\"u}``, ``$\\epsilon$``),
so they are decoded to Unicode before indexing and the same decoding is applied to query
words; folding then makes Düsseldorf, Dusseldorf and D\\"{u}sseldorf the same term.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

log = logging.getLogger(__name__)

# Greek letters are spelled out so that "ε", "$\epsilon$" and "epsilon" are one term.
# Both the plain and the "variant" forms LaTeX produces (ϵ, ϑ, ϕ, ...) are covered.
GREEK_NAMES = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ϵ": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ϑ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "µ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "ο": "omicron",
    "π": "pi",
    "ϖ": "pi",
    "ρ": "rho",
    "ϱ": "rho",
    "σ": "sigma",
    "ς": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "ϕ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
}

# Characters whose presence means the text may hold LaTeX worth decoding. Most abstracts
# have none, and skipping the (slow, pure-Python) LaTeX parser for them keeps rebuilds fast.
_LATEX_HINT = re.compile(r"[\\$]")
# A bare "%" starts a comment in LaTeX and would swallow the rest of the line ("5% of").
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_SIMPLE_MACRO = re.compile(r"\\[A-Za-z]+\*?\s*|\\.")
_LATEX_SPACES = re.compile(r"[ \t]*\n[ \t]*\n\s*|\s+")

_converter = None


def _latex_converter():
    global _converter
    if _converter is None:
        from pylatexenc.latex2text import LatexNodes2Text

        _converter = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)
    return _converter


def decode_latex(text: str) -> str:
    """``text`` with LaTeX accents, macros and math decoded to Unicode. Never raises.

    Text without a backslash or a dollar sign is returned unchanged. If the LaTeX parser
    fails on odd input, macros are stripped with a regular expression instead.
    """
    if not text or not _LATEX_HINT.search(text):
        return text
    protected = _BARE_PERCENT.sub(r"\\%", text)
    try:
        decoded = _latex_converter().latex_to_text(protected)
    except Exception:  # pylatexenc has many failure modes on malformed input
        log.debug("LaTeX decoding failed for %r", text[:80], exc_info=True)
        decoded = _SIMPLE_MACRO.sub(" ", protected).replace("$", " ")
    # Combining marks left alone by a dangling accent command (a lone \") are noise.
    decoded = unicodedata.normalize("NFC", decoded)
    return _LATEX_SPACES.sub(" ", decoded).strip()


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base or char


_SPECIAL_FOLDS = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def fold(word: str) -> str:
    """Lower-case ``word`` and remove accents: "Düsseldorf" -> "dusseldorf".

    Greek letters keep their form here (NFKD maps the variant ϵ to ε); ``greek_name``
    spells them out.
    """
    word = word.lower()
    if word.isascii():
        return word
    word = word.translate(_SPECIAL_FOLDS)
    return "".join(_fold_char(c) if not c.isascii() else c for c in word)


def greek_name(word: str) -> str:
    """A single Greek letter spelled out ("ε" -> "epsilon"); any other word unchanged."""
    if len(word) == 1:
        return GREEK_NAMES.get(word, word)
    return word
