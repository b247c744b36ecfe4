"""Painting for table cells that plain text does not serve: coloured tag chips."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from readinglist.gui.paper_model import TagsRole

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
        for name, color in tags:
            width = metrics.horizontalAdvance(name) + 12
            if x + width > option.rect.right():
                painter.setPen(option.palette.text().color())
                painter.drawText(QRectF(x, y, 20, height), Qt.AlignmentFlag.AlignVCenter, "…")
                break
            chip = QColor(color or DEFAULT_CHIP)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(chip)
            painter.drawRoundedRect(QRectF(x, y, width, height), height / 2, height / 2)
            painter.setPen(QColor("#ffffff") if chip.lightness() < 140 else QColor("#1d2733"))
            painter.drawText(QRectF(x, y, width, height), Qt.AlignmentFlag.AlignCenter, name)
            x += width + 4
        painter.restore()
