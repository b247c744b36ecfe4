"""Which LaTeX commands are safe to keep or write: the vocabulary of plain LaTeX.

Only commands the LaTeX kernel defines (with T1 fonts and utf8 input, no other package)
are listed, so a bibliography written with them compiles in any document. The lists were
checked by typesetting every entry with pdflatex (tests/core/test_bibtex_tools.py).
"""

from __future__ import annotations

# Accent commands and the combining mark each one puts on its letter.
ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}

# Text symbols read from half-LaTeX, as the characters they stand for.
SYMBOLS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "ldots": "…",
    "dots": "…",
    "textellipsis": "…",
    "textendash": "–",
    "textemdash": "—",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textquoteleft": "‘",
    "textquoteright": "’",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "textdegree": "°",
    "texttimes": "×",
    "texteuro": "€",
    "textregistered": "®",
    "textcopyright": "©",
    "texttrademark": "™",
}

# Text commands with one argument that are kept around their (re-encoded) argument.
STYLE_COMMANDS = frozenset(
    [
        "emph",
        "textbf",
        "textit",
        "texttt",
        "textsc",
        "textsf",
        "textrm",
        "textsl",
        "textup",
        "textnormal",
        "textsuperscript",
        "textsubscript",
        "mbox",
    ]
)

# Math commands of the LaTeX kernel (no amsmath, no amssymb).
_GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu "
    "nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
)
_MATH_SYMBOLS = (
    "aleph hbar imath jmath ell wp Re Im partial infty prime emptyset nabla surd top bot "
    "angle forall exists neg flat natural sharp clubsuit diamondsuit heartsuit spadesuit "
    "pm mp times div ast star circ bullet cdot cap cup uplus sqcap sqcup vee wedge setminus "
    "wr diamond bigtriangleup bigtriangledown triangleleft triangleright oplus ominus "
    "otimes oslash odot bigcirc dagger ddagger amalg leq le geq ge equiv models prec succ "
    "sim perp preceq succeq simeq mid ll gg asymp parallel subset supset approx bowtie "
    "subseteq supseteq cong sqsubseteq sqsupseteq neq ne smile frown in ni propto vdash "
    "dashv doteq not notin leftarrow gets rightarrow to longleftarrow longrightarrow "
    "Leftarrow Rightarrow Longleftarrow Longrightarrow leftrightarrow Leftrightarrow "
    "longleftrightarrow Longleftrightarrow mapsto longmapsto hookleftarrow hookrightarrow "
    "leftharpoonup leftharpoondown rightharpoonup rightharpoondown rightleftharpoons "
    "uparrow Uparrow downarrow Downarrow updownarrow Updownarrow nearrow searrow swarrow "
    "nwarrow iff ldots cdots vdots ddots dots lbrace rbrace langle rangle lfloor rfloor "
    "lceil rceil vert Vert backslash quad qquad colon"
)
_MATH_FUNCTIONS = (
    "arccos arcsin arctan arg cos cosh cot coth csc deg det dim exp gcd hom inf ker lg lim "
    "liminf limsup ln log max min Pr sec sin sinh sup tan tanh"
)
_MATH_LARGE = (
    "sum prod coprod int oint bigcap bigcup bigsqcup bigvee bigwedge bigodot "
    "bigotimes bigoplus biguplus"
)
_MATH_DELIMITERS = "left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr"
MATH_ARITY = {
    "frac": 2,
    "sqrt": 1,
    "mathrm": 1,
    "mathbf": 1,
    "mathit": 1,
    "mathsf": 1,
    "mathtt": 1,
    "mathcal": 1,
    "mathnormal": 1,
    "boldsymbol": 1,
    "hat": 1,
    "widehat": 1,
    "bar": 1,
    "overline": 1,
    "underline": 1,
    "tilde": 1,
    "widetilde": 1,
    "vec": 1,
    "dot": 1,
    "ddot": 1,
    "acute": 1,
    "grave": 1,
    "breve": 1,
    "check": 1,
    "mbox": 1,
    "overbrace": 1,
    "underbrace": 1,
    "stackrel": 2,
    "mathbin": 1,
    "mathrel": 1,
    "mathop": 1,
    "left": 1,
    "right": 1,
}
MATH_COMMANDS = frozenset(
    " ".join([_GREEK, _MATH_SYMBOLS, _MATH_FUNCTIONS, _MATH_LARGE, _MATH_DELIMITERS]).split()
) | frozenset(MATH_ARITY) - {"boldsymbol"}

# Commands pylatexenc may write for a character that plain LaTeX with T1 fonts typesets.
_TEXT_COMMANDS = (
    "AE DH DJ IJ L NG O OE TH ae dh dj i ij l ng o oe ss th ensuremath "
    "guillemotleft guillemotright guilsinglleft guilsinglright quotedblbase quotesinglbase "
    "textasciiacute textasciidieresis textasciimacron textasteriskcentered textbrokenbar "
    "textbullet textcelsius textcent textcircledP textcolonmonetary textcopyright "
    "textcurrency textdagger textdaggerdbl textdegree textdiscount textdiv textdong "
    "textdownarrow textellipsis textemdash textendash textestimated texteuro textexclamdown "
    "textflorin textfractionsolidus textinterrobang textleftarrow textlira textlnot textmho "
    "textmu textnaira textnumero textonehalf textonequarter textonesuperior textordfeminine "
    "textordmasculine textparagraph textperiodcentered textpertenthousand textperthousand "
    "textpeso textquestiondown textquotedblleft textquotedblright textquoteleft "
    "textquoteright textrecipe textreferencemark textregistered textrightarrow textsection "
    "textservicemark textsterling textthreequarters textthreesuperior texttimes "
    "texttrademark texttwosuperior textuparrow textwon textyen "
    "textminus textopenbullet textcompwordmark , -"
)
_NOT_FOR_CHARACTERS = {"left", "right", "mbox", "not"}
SAFE_COMMANDS = (
    frozenset(_TEXT_COMMANDS.split()) | frozenset(ACCENTS) | MATH_COMMANDS
) - _NOT_FOR_CHARACTERS
