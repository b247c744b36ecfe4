"""Author names as the library stores them: ``Family, Given`` (BibTeX's reading of a name)."""

from __future__ import annotations

import re

from bibtexparser.middlewares.names import parse_single_name_into_parts

_SUFFIX = re.compile(r",?\s+(?P<jr>Jr\.?|Sr\.?|II|III|IV)$")


def family_given(name: str) -> str:
    """``Philippe Di Francesco`` -> ``Francesco, Philippe Di``, ``Ludwig van der Waals`` ->
    ``van der Waals, Ludwig``, ``Jingyun Liang, Jr.`` -> ``Liang, Jr., Jingyun``: BibTeX's
    rules for a name written first-name first (so an exported name reads back the same)."""
    name = " ".join(name.split())
    jr = ""
    suffix = _SUFFIX.search(name)
    if suffix and suffix.start() > 0:
        jr, name = suffix.group("jr"), name[: suffix.start()]
    if not name:
        return jr
    if "," in name or "{" in name or "}" in name or "\\" in name:
        # Not a plain written name: keep it whole rather than guess where it splits.
        return name
    try:
        parts = parse_single_name_into_parts(name, strict=False)
    except Exception:  # bibtexparser gives up on some names: keep the name as written
        return name
    family = " ".join(parts.von + parts.last)
    given = " ".join(parts.first)
    return ", ".join(part for part in (family, jr or " ".join(parts.jr), given) if part)
