"""Showing text that came from elsewhere (notes, .bib fields, file names) as rich text
without letting it load anything or open anything but a web link.

Qt's rich text reads whatever an ``<img>``, a Markdown image or a stylesheet link names:
``QTextDocument`` falls back to reading a local path itself when nobody else answers, and
its image handler tries ``QImage.load(name)`` when the answer is not an image. A note
``![z](/dev/zero)`` then reads without end, a FIFO blocks the window. So:

- ``SafeTextBrowser`` answers every resource request with a placeholder (never "nothing",
  which would let Qt read the file), renders Markdown without raw HTML, shows images as
  their alt text, and turns every link ``readinglist.links.safe_link`` refuses into text;
- ``SafeTextDocument`` is the same guard for documents painted by delegates;
- ``SafeLinkLabel`` shows a paper's links, opening only the safe ones;
- ``plain_rich`` makes any text safe for the places Qt guesses rich text on its own
  (tooltips, message boxes, labels): the text is escaped, so it shows as typed.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable

from PySide6.QtCore import QUrl
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QImage,
    QPainter,
    Qt,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QLabel, QTextBrowser

from readinglist.links import safe_link

log = logging.getLogger(__name__)

PLACEHOLDER_SIZE = 16
SHOWN_LINK_CHARS = 80  # a refused link is shown, shortened to this
MARKDOWN_FEATURES = (
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub
    | QTextDocument.MarkdownFeature.MarkdownNoHTML
)
_placeholder: QImage | None = None


def plain_rich(text: str) -> str:
    """``text`` as rich text that shows exactly its characters (``<img …>`` stays text).

    For every place where Qt decides by itself whether a string is rich text: tooltips,
    ``QMessageBox`` texts, labels in ``Qt.AutoText`` mode."""
    return Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


def open_link(url: str) -> bool:
    """Open ``url`` in the user's browser if the link policy allows it; True if opened."""
    target = safe_link(url)
    if target is None:
        log.info("not opening %r: only http(s), doi: and arxiv: links are opened", url[:200])
        return False
    QDesktopServices.openUrl(QUrl(target))
    return True


def placeholder_image() -> QImage:
    """A small framed square standing in for any image a document asks for."""
    global _placeholder
    if _placeholder is None:
        image = QImage(PLACEHOLDER_SIZE, PLACEHOLDER_SIZE, QImage.Format.Format_ARGB32)
        image.fill(QColor(0, 0, 0, 0))
        painter = QPainter(image)
        painter.setPen(QColor("#8a94a0"))
        painter.drawRect(1, 1, PLACEHOLDER_SIZE - 3, PLACEHOLDER_SIZE - 3)
        painter.drawLine(1, PLACEHOLDER_SIZE - 2, PLACEHOLDER_SIZE - 2, 1)
        painter.end()
        _placeholder = image
    return _placeholder


def blocked_resource(resource_type: int) -> object:
    """The answer to any resource request: never None, or Qt would read the file itself."""
    if int(resource_type) == QTextDocument.ResourceType.ImageResource.value:
        return placeholder_image()
    return ""


class SafeTextDocument(QTextDocument):
    """A document that loads no resource: for delegates that paint rich text."""

    def loadResource(self, type: int, name: QUrl) -> object:
        return blocked_resource(type)


def defuse(document: QTextDocument) -> None:
    """Images become their alt text; links the policy refuses become plain text.

    Safe links keep working and get their destination as a tooltip."""
    edits: list[tuple[int, int, str, QTextCharFormat]] = []
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            fmt = fragment.charFormat()
            new_format = _defused_format(fmt)
            if new_format is not None:
                text = fragment.text()
                if fmt.isImageFormat():
                    alt = str(fmt.property(QTextFormat.Property.ImageAltText) or "").strip()
                    text = (f"[image: {alt}]" if alt else "[image]") * fragment.length()
                edits.append((fragment.position(), fragment.length(), text, new_format))
            fragments += 1
        block = block.next()
    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    for position, length, text, fmt in reversed(edits):  # back to front: positions hold
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text, fmt)
    cursor.endEditBlock()


def _defused_format(fmt: QTextCharFormat) -> QTextCharFormat | None:
    """The format to put in place of ``fmt``, or None when it may stay as it is."""
    href = fmt.anchorHref() if fmt.isAnchor() else ""
    target = safe_link(href) if href else None
    if fmt.isImageFormat():  # (Qt's Markdown drops a link around an image)
        plain = QTextCharFormat()
        plain.setFont(fmt.font())
        plain.setFontItalic(True)
        return plain
    if not href:
        return None
    if target is not None:
        if fmt.toolTip():
            return None
        linked = QTextCharFormat(fmt)
        linked.setToolTip(plain_rich(target))
        return linked
    plain = QTextCharFormat()
    plain.setFont(fmt.font())
    plain.setFontUnderline(False)
    plain.setToolTip(plain_rich(f"Not opened (not a web link): {href[:500]}"))
    return plain


class SafeTextBrowser(QTextBrowser):
    """A read-only rich-text view for content from elsewhere.

    Loads no resource (no local file, no network, no qrc), never navigates, and opens
    a clicked link only if ``readinglist.links.safe_link`` allows it, in the browser."""

    def __init__(self, parent=None, **kwargs):
        super().__init__(parent, **kwargs)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._anchor_clicked)

    def set_markdown(self, text: str) -> None:
        """Show Markdown (GitHub dialect, raw HTML shown as text)."""
        self.document().setMarkdown(text, MARKDOWN_FEATURES)
        defuse(self.document())

    # Qt's own setters lead to the same guarded paths, whoever calls them.

    def setMarkdown(self, markdown: str) -> None:
        self.set_markdown(markdown)

    def setHtml(self, text: str) -> None:
        super().setHtml(text)
        defuse(self.document())

    def loadResource(self, type: int, name: QUrl) -> object:
        return blocked_resource(type)

    def doSetSource(self, name: QUrl, type=None) -> None:
        log.info("not loading %r into a text view", name.toString()[:200])

    def _anchor_clicked(self, url: QUrl) -> None:
        open_link(url.toString())


def links_html(links: Iterable[tuple[str, str, str | None]]) -> str:
    """``(label, as stored, address or None)`` as rich text: safe addresses as links,
    the others as escaped text saying they are not opened."""
    parts = []
    for label, stored, target in links:
        if target is not None:
            parts.append(f'<a href="{html.escape(target)}">{html.escape(label)}</a>')
        else:
            shown = stored if len(stored) <= SHOWN_LINK_CHARS else stored[:SHOWN_LINK_CHARS] + "…"
            parts.append(f"{html.escape(label)}: {html.escape(shown)} (not a web link)")
    return " · ".join(parts) or "—"


class SafeLinkLabel(QLabel):
    """A line of links (a paper's URL, code, arXiv, DOI) that opens only safe ones."""

    def __init__(self, parent=None, **kwargs):
        super().__init__(parent, **kwargs)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setOpenExternalLinks(False)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.linkActivated.connect(open_link)

    def set_links(self, links: Iterable[tuple[str, str, str | None]]) -> None:
        links = list(links)
        self.setText(links_html(links))
        self.setToolTip(
            plain_rich("\n".join(f"{label}: {target or stored}" for label, stored, target in links))
            if links
            else ""
        )
