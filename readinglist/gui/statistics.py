"""View → Statistics: what was added and read per week, where the reading stands, which
tags dominate — painted as bar charts (no chart library needed for bars)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from readinglist.library import Library

ADDED_COLOR = "#3f7cb8"
READ_COLOR = "#4f9d69"
STATUS_COLORS = {"unread": "#9aa5b1", "reading": "#e8a33d", "read": "#4f9d69"}


class BarChart(QWidget):
    """Labelled vertical bars; ``values`` are what the chart shows (tests read them)."""

    def __init__(self, title: str, labels: list[str], values: list[int], color: str | list[str]):
        super().__init__()
        self.title = title
        self.labels = labels
        self.values = values
        self.colors = color if isinstance(color, list) else [color] * len(values)
        self.setMinimumSize(360, 200)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.windowText().color()
        metrics = painter.fontMetrics()
        line = metrics.height()
        painter.setPen(text)
        painter.drawText(
            QRectF(0, 0, self.width(), line + 4), Qt.AlignmentFlag.AlignLeft, self.title
        )
        top, bottom = line * 2 + 6, self.height() - line * 2 - 4
        left, right = 8, self.width() - 8
        count = max(1, len(self.values))
        slot = (right - left) / count
        highest = max([*self.values, 1])
        widest = max((metrics.horizontalAdvance(label) for label in self.labels), default=0)
        every = max(1, int(widest // max(slot, 1)) + 1)  # label every n-th bar if crowded
        for index, (label, value) in enumerate(zip(self.labels, self.values, strict=True)):
            height = (bottom - top) * value / highest
            x = left + index * slot + slot * 0.15
            bar = QRectF(x, bottom - height, slot * 0.7, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(self.colors[index]))
            painter.drawRoundedRect(bar, 2, 2)
            painter.setPen(text)
            painter.drawText(
                QRectF(x - 8, bar.top() - line - 2, slot * 0.7 + 16, line),
                Qt.AlignmentFlag.AlignCenter,
                str(value),
            )
            if (len(self.values) - 1 - index) % every == 0:  # the latest is always labelled
                painter.drawText(
                    QRectF(
                        left + index * slot - slot * (every - 1) / 2,
                        bottom + 2,
                        slot * every,
                        line * 2,
                    ),
                    Qt.AlignmentFlag.AlignHCenter,
                    label,
                )
        painter.end()


class StatisticsDialog(QDialog):
    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.setObjectName("statisticsDialog")
        self.setWindowTitle("Statistics")
        self.resize(900, 620)
        data = library.statistics(weeks=12)
        weeks = [week[5:] for week in data["weeks"]]  # "11-16": month-day of the Monday
        self.added = BarChart("Papers added per week", weeks, data["added"], ADDED_COLOR)
        self.read = BarChart("Papers read per week", weeks, data["read"], READ_COLOR)
        statuses = list(data["status"])
        self.status = BarChart(
            "Reading status",
            [s.capitalize() for s in statuses],
            [data["status"][s] for s in statuses],
            [STATUS_COLORS[s] for s in statuses],
        )
        self.tags = BarChart(
            "Top tags",
            [name for name, _ in data["top_tags"]],
            [count for _, count in data["top_tags"]],
            ADDED_COLOR,
        )
        grid = QGridLayout()
        grid.addWidget(self.added, 0, 0)
        grid.addWidget(self.read, 0, 1)
        grid.addWidget(self.status, 1, 0)
        grid.addWidget(self.tags, 1, 1)
        total = sum(data["status"].values())
        summary = QLabel(
            f"{total} papers · {data['status']['read']} read · "
            f"{sum(data['added'])} added and {sum(data['read'])} read in the last 12 weeks",
            objectName="statisticsSummary",
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addLayout(grid, 1)
        layout.addWidget(buttons)
