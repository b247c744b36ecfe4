"""Values every writer copies as they are (URLs, DOIs, arXiv ids) made safe to copy.

A library holds what a ``.bib`` from elsewhere, a web page or an edit put there, so a
``url`` may hold ``}``, a newline or ``@misc{...``. Written unchanged, such a value ends
its BibTeX entry early and starts another, or adds a RIS record. The writers pass these
values through here: ``url`` percent-encodes what no URL holds literally (braces,
backslashes, whitespace, control characters), as a browser does, so every ordinary URL
comes back byte for byte; ``one_line`` keeps a value on its line for line-based formats.
"""

from __future__ import annotations

import re

# Braces and backslashes end or escape a BibTeX value; any whitespace or control
# character (line breaks of every kind included: \x1c-\x1e, \x85, \u2028...) has no place
# in a URL and would start a new line in a line-based format.
_URL_UNSAFE = r"{}\\\s\x00-\x1f\x7f-\x9f\u2028\u2029"
_URL_UNSAFE_CLASS = re.compile("[" + _URL_UNSAFE + "]")
# Every character str.splitlines() breaks at: a RIS or Markdown reader may split there.
_LINE_BREAKS = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")


def _percent(match: re.Match) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8"))


def url(value: str, *, also: str = "") -> str:
    """``value`` (stripped) with braces, backslashes, whitespace and control characters
    percent-encoded (``}`` becomes ``%7D``, a space ``%20``); ``also`` names more
    characters to encode (Markdown's angle brackets)."""
    value = value.strip()
    pattern = _URL_UNSAFE_CLASS if not also else re.compile(f"[{_URL_UNSAFE}{re.escape(also)}]")
    return pattern.sub(_percent, value)


def has_control(value: str) -> bool:
    """True if ``value`` holds a control character or a line break (tab included)."""
    return bool(_CONTROLS.search(value) or _LINE_BREAKS.search(value) or "\t" in value)


def one_line(value: str) -> str:
    """``value`` on one line: line breaks of every kind and tabs become a space, other
    control characters go. A value without them comes back unchanged."""
    if value.isprintable():
        return value
    value = _LINE_BREAKS.sub(" ", value.replace("\t", " "))
    return _CONTROLS.sub("", value)
