"""Painting for table cells that plain text does not serve: coloured tag chips and
search snippets with their matches marked."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from readinglist.gui.paper_model import INFERRED_COLOR, SnippetRole, TagsRole

DEFAULT_CHIP = "#dfe6ee"


def draw_background(painter: QPainter, option) -> None:
    """A cell's background, selection and focus as the style draws them for any cell,
    with nothing in it. The view's option as it comes: ``initStyleOption`` would ask the
    model for seven roles (seven calls into Python per cell) for text not drawn."""
    if option.widget is not None:
        style = option.widget.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)


_FONTS: dict[tuple[str, bool, bool], tuple[QFont, QFontMetricsF]] = {}


def styled_font(font: QFont, *, bold=False, italic=False) -> tuple[QFont, QFontMetricsF]:
    """A copy of a cell's font (the option's goes with it), made bold or italic, and its
    metrics: made once per font, not for every cell painted."""
    key = (font.key(), bold, italic)
    found = _FONTS.get(key)
    if found is None:
        styled = QFont(font)
        styled.setBold(bold or font.bold())
        styled.setItalic(italic or font.italic())
        found = _FONTS[key] = (styled, QFontMetricsF(styled))
    return found


class TextDelegate(QStyledItemDelegate):
    """A plain cell: one line of text, elided at the right, in the model's style for it.

    Most cells on screen are these, and a new screenful is painted on every keystroke
    of a search. Qt's own painting asks the model for seven roles (seven calls into
    Python) and lays the text out per cell; this asks once and draws the line."""

    def paint(self, painter: QPainter, option, index) -> None:
        draw_background(painter, option)
        text, inferred, centred = index.model().cell_look(index.row(), index.column())
        if not text:
            return
        font, metrics = styled_font(option.font, italic=inferred)
        margin = TEXT_MARGIN
        if option.widget is not None:  # Qt's delegate: the focus frame's margin + 1
            style = option.widget.style()
            frame = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, option.widget)
            margin = frame + 1
        cell = option.rect.adjusted(margin, 0, -margin, 0)
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, cell.width())
        # Placed as Qt's delegate places its laid-out line: a whole-pixel box of the
        # line's size, centred in the cell.
        width = round(metrics.horizontalAdvance(shown))
        height = round(metrics.ascent() + metrics.descent())
        x = cell.x() + ((cell.width() - width) // 2 if centred else 0)
        y = cell.y() + (cell.height() - height) // 2
        if option.state & QStyle.StateFlag.State_Selected:
            color = option.palette.highlightedText().color()
        elif inferred:
            color = INFERRED
        else:
            color = option.palette.text().color()
        painter.save()
        painter.setClipRect(option.rect)  # an italic letter may lean into the margin
        painter.setFont(font)
        painter.setPen(color)
        painter.drawText(QPointF(x, y + metrics.ascent()), shown)
        painter.restore()


class TagChipDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option, index) -> None:
        tags = index.data(TagsRole) or []
        draw_background(painter, option)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = option.fontMetrics
        x = option.rect.x() + 4
        height = metrics.height() + 2
        y = option.rect.y() + (option.rect.height() - height) / 2
        for shown, (name, color) in enumerate(tags):
            width = metrics.horizontalAdvance(name) + 12
            more = f"+{len(tags) - shown}"
            room = metrics.horizontalAdvance(f"+{len(tags)}") + 6 if shown < len(tags) - 1 else 0
            if x + width + room > option.rect.right():
                # The tags that do not fit are counted (all of them are in the tooltip).
                painter.setPen(option.palette.text().color())
                painter.drawText(
                    QRectF(x, y, metrics.horizontalAdvance(more) + 6, height),
                    Qt.AlignmentFlag.AlignVCenter,
                    more,
                )
                break
            chip = QColor(color or DEFAULT_CHIP)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(chip)
            painter.drawRoundedRect(QRectF(x, y, width, height), height / 2, height / 2)
            painter.setPen(QColor("#ffffff") if chip.lightness() < 140 else QColor("#1d2733"))
            painter.drawText(QRectF(x, y, width, height), Qt.AlignmentFlag.AlignCenter, name)
            x += width + 4
        painter.restore()


class SnippetDelegate(QStyledItemDelegate):
    """The search snippet with its matches in bold on a marker colour, one line.

    Painted as runs of plain and marked text: no rich-text document is parsed or laid
    out per cell (that cost 0.2 ms a row, most of a screen's paint after a search), and
    nothing in a snippet is ever read as markup but the marks."""

    def paint(self, painter: QPainter, option, index) -> None:
        snippet = index.data(SnippetRole) or ""
        draw_background(painter, option)
        if not snippet:
            return
        plain, plain_metrics = styled_font(option.font)
        bold, bold_metrics = styled_font(option.font, bold=True)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        color = (
            option.palette.highlightedText().color() if selected else option.palette.text().color()
        )
        rect = QRectF(option.rect).adjusted(SNIPPET_MARGIN, 0, -SNIPPET_MARGIN, 0)
        middle = rect.top() + rect.height() / 2
        baseline = middle + (plain_metrics.ascent() - plain_metrics.descent()) / 2
        marker_top = baseline - bold_metrics.ascent()
        marker_height = bold_metrics.ascent() + bold_metrics.descent()
        painter.save()
        painter.setClipRect(rect)
        x = rect.left()
        for text, marked in snippet_runs(snippet):
            if x >= rect.right():
                break
            metrics = bold_metrics if marked else plain_metrics
            width = metrics.horizontalAdvance(text)
            if marked:
                painter.fillRect(QRectF(x, marker_top, width, marker_height), MARKER)
                painter.setPen(MARKED_TEXT)
                painter.setFont(bold)
            else:
                painter.setPen(color)
                painter.setFont(plain)
            painter.drawText(QPointF(x, baseline), text)
            x += width
        painter.restore()


SNIPPET_MARGIN = 4
TEXT_MARGIN = 3
INFERRED = QColor(INFERRED_COLOR)
MARKER = QColor("#ffe08a")
MARKED_TEXT = QColor("#000000")
_MARKS = re.compile(r"<b>(.*?)</b>", re.DOTALL)  # how Library's snippets mark a match
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=2048)
def snippet_runs(snippet: str) -> tuple[tuple[str, bool], ...]:
    """A snippet (escaped text, matches in <b>) as runs of (plain text, marked), on one
    line: line breaks and runs of spaces read as one space, as in the rich text before."""
    runs: list[tuple[str, bool]] = []
    position = 0

    def add(escaped: str, marked: bool) -> None:
        text = _SPACES.sub(" ", html.unescape(escaped))
        if text:
            runs.append((text, marked))

    for found in _MARKS.finditer(snippet):
        add(snippet[position : found.start()], False)
        add(found.group(1), True)
        position = found.end()
    add(snippet[position:], False)
    return tuple(runs)
