"""Painting for table cells that plain text does not serve: coloured tag chips."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from readinglist.gui.paper_model import SnippetRole, TagsRole
from readinglist.gui.safe_text import SafeTextDocument

DEFAULT_CHIP = "#dfe6ee"


class TagChipDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option, index) -> None:
        tags = index.data(TagsRole) or []
        style = option.widget.style() if option.widget else None
        if style is not None:
            # Background and selection as for any cell, then chips instead of text.
            option_copy = type(option)(option)
            self.initStyleOption(option_copy, index)
            option_copy.text = ""
            style.drawControl(
                QStyle.ControlElement.CE_ItemViewItem, option_copy, painter, option.widget
            )
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
    """The search snippet with its matches in bold on a marker colour, one line."""

    def paint(self, painter: QPainter, option, index) -> None:
        snippet = index.data(SnippetRole) or ""
        option_copy = type(option)(option)
        self.initStyleOption(option_copy, index)
        option_copy.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(
                QStyle.ControlElement.CE_ItemViewItem, option_copy, painter, option.widget
            )
        if not snippet:
            return
        document = SafeTextDocument()  # escaped already; and it could load nothing anyway
        document.setDefaultFont(option.font)
        document.setDocumentMargin(2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        color = (
            option.palette.highlightedText().color() if selected else option.palette.text().color()
        )
        marked = snippet.replace("<b>", '<b style="background-color:#ffe08a;color:#000">')
        document.setHtml(f'<span style="color:{color.name()}; white-space:nowrap">{marked}</span>')
        painter.save()
        painter.translate(option.rect.topLeft())
        clip = QRectF(0, 0, option.rect.width(), option.rect.height())
        painter.setClipRect(clip)
        # documentLayout().draw, not QTextDocument.drawContents: in PySide6 6.12 the latter
        # drops a reference to None on every call and crashes the process after a while.
        context = QAbstractTextDocumentLayout.PaintContext()
        context.clip = clip
        document.documentLayout().draw(painter, context)
        painter.restore()
