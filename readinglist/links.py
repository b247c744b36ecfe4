"""Which links may be opened: the one policy for notes, paper fields and exports.

A link comes from someone else as often as from the user: a ``url`` field in a ``.bib``
from a mailing list, a note in a received library. Opening ``file:///etc/passwd``,
``javascript:`` or a ``data:`` URL on their behalf is never what a reader wants, so only
web links are opened: ``http(s)`` with a host, and ``doi:`` / ``arxiv:`` identifiers,
which are turned into their resolver's https address. Everything else is shown as text.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from readinglist.fingerprints import normalise_doi

MAX_LINK_LENGTH = 2048
WEB_SCHEMES = frozenset({"http", "https"})
# Characters a DOI may keep in a URL path; the rest (spaces, quotes, <, >, #, ?) are escaped.
_DOI_SAFE = "/:;()[]._-~,+=!*'@$&"
_SCHEME = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# New-style (2401.12345) and old-style (hep-th/9901001) identifiers, version kept.
_ARXIV = re.compile(
    r"^arxiv:(?P<id>(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[a-z]{2})?/\d{7})(?:v\d+)?)$", re.IGNORECASE
)


def safe_link(url: str) -> str | None:
    """The address to open for ``url``, or None when it must not be opened.

    ``http``/``https`` links with a host come back as given (outer spaces removed);
    ``doi:10.…`` becomes ``https://doi.org/10.…`` and ``arxiv:2401.12345`` becomes
    ``https://arxiv.org/abs/2401.12345``. Any other scheme (``file:``, ``javascript:``,
    ``data:``, ``qrc:``, ``mailto:``, …), a relative path, a link holding control
    characters or spaces, and one longer than ``MAX_LINK_LENGTH`` give None.
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or len(url) > MAX_LINK_LENGTH:
        return None
    if any(char.isspace() or ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in url):
        return None
    match = _SCHEME.match(url)
    if match is None:
        return None
    scheme = match.group("scheme").lower()
    if scheme == "doi":
        doi = normalise_doi(url)
        return f"https://doi.org/{quote(doi, safe=_DOI_SAFE)}" if doi else None
    if scheme == "arxiv":
        arxiv = _ARXIV.match(url)
        return f"https://arxiv.org/abs/{arxiv.group('id')}" if arxiv else None
    if scheme not in WEB_SCHEMES:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError:  # a malformed port or IPv6 address
        return None
    if not host or "\\" in parts.netloc:
        return None
    return url


def paper_links(
    *, url: str = "", code_url: str = "", arxiv_id: str = "", doi: str = ""
) -> list[tuple[str, str, str | None]]:
    """A paper's links as ``(label, as stored, address to open or None)``, in display order.

    Fields left empty are left out; a field whose value must not be opened keeps its
    stored text so it can be shown as text.
    """
    links = []
    for label, value, as_link in (
        ("Paper", url, url),
        ("Code", code_url, code_url),
        ("arXiv", arxiv_id, _with_scheme("arxiv", arxiv_id)),
        ("DOI", doi, _with_scheme("doi", doi)),
    ):
        if value and value.strip():
            links.append((label, value.strip(), safe_link(as_link)))
    return links


def _with_scheme(scheme: str, value: str) -> str:
    """``value`` as a link: a bare identifier gets ``scheme:``, one that has a scheme
    (``arXiv:…``, ``https://doi.org/…``, or anything else) is judged as it is."""
    value = value.strip()
    return value if _SCHEME.match(value) else f"{scheme}:{value}"
