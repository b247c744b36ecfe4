"""Small widgets of the reading pane: collapsible sections, lists as tall as their
wrapped rows, labels that wrap long words, and the tag completer."""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

ZWSP = "\u200b"
_LONG_WORD = re.compile(r"\S{24,}")


def breakable(text: str) -> str:
    """``text`` with break opportunities inside long words (URLs, identifiers) so a
    wrapping label never grows wider than its pane."""

    def split(match: re.Match) -> str:
        word = match.group()
        word = re.sub(r"([/._\-?&=:])", lambda m: m.group(1) + ZWSP, word)
        return re.sub(rf"([^{ZWSP}]{{20}})(?=[^{ZWSP}])", lambda m: m.group(1) + ZWSP, word)

    return _LONG_WORD.sub(split, text)


def elided(text: str, limit: int = 36) -> str:
    """A tag as a chip shows it: long ones cut in the middle (the tooltip has it whole)."""
    return text if len(text) <= limit else text[: limit - 13] + "…" + text[-12:]


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma."""

    def splitPath(self, path: str) -> list[str]:
        return [path.split(",")[-1].strip()]

    def pathFromIndex(self, index) -> str:
        typed = self.widget().text()
        head = typed.rsplit(",", 1)[0] + ", " if "," in typed else ""
        return head + index.data()


class Section(QWidget):
    """A titled part of the pane that opens and closes with a click on its title."""

    toggled = Signal(str, bool)  # name, open

    def __init__(self, name: str, title: str, parent=None):
        super().__init__(parent)
        self.name, self.title = name, title
        self.setObjectName(f"{name}Section")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        self.header = QHBoxLayout()
        self.button = QToolButton(objectName=f"{name}SectionButton")
        self.button.setCheckable(True)
        self.button.setChecked(True)
        self.button.setAutoRaise(True)
        self.button.setStyleSheet(
            "QToolButton {border: none; background: transparent; color: palette(text);}"
        )
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        font = self.button.font()
        font.setBold(True)
        self.button.setFont(font)
        self.button.clicked.connect(lambda on: self._set(on, by_user=True))
        self.header.addWidget(self.button)
        self.header.addStretch()
        layout.addLayout(self.header)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        self.body = QWidget(objectName=f"{name}SectionBody")
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.body)
        self._note = ""
        self._set(True, by_user=False)

    def is_open(self) -> bool:
        return self.button.isChecked()

    def set_open(self, on: bool) -> None:
        self._set(on, by_user=False)

    def set_note(self, note: str) -> None:
        """A count or "empty" after the title: "Highlights (3)"."""
        self._note = note
        self._label()

    def _label(self) -> None:
        # A text arrow: drawn in the theme's text colour, light or dark.
        arrow = "▾" if self.button.isChecked() else "▸"
        self.button.setText(f"{arrow} {self.title} {self._note}".strip())

    def _set(self, on: bool, *, by_user: bool) -> None:
        self.button.setChecked(on)
        self.body.setVisible(on)
        self._label()
        if by_user:
            self.toggled.emit(self.name, on)


class FittedList(QListWidget):
    """A list as tall as its first ``max_rows`` rows, wrapped at its width: no inner
    scrolling for a few items, no squeezing to a sliver."""

    def __init__(self, max_rows: int, **kwargs):
        super().__init__(**kwargs)
        self.max_rows = max_rows

    def fit(self) -> None:
        width = self.viewport().width() - 32  # room for a scroll bar and the margins
        metrics = self.fontMetrics()
        flags = int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere)
        rows = [
            metrics.boundingRect(0, 0, max(width, 40), 0, flags, self.item(i).text()).height()
            + 6
            + 2 * self.spacing()
            for i in range(min(self.count(), self.max_rows))
        ]
        # Once laid out, the rows say how tall they are (wrapped at the real width).
        self.doItemsLayout()
        shown = min(self.count(), self.max_rows)
        laid_out = sum(
            self.visualItemRect(self.item(i)).height() + 2 * self.spacing() for i in range(shown)
        )
        height = max(sum(rows), laid_out) + 2 * self.frameWidth() + metrics.height() // 2
        if self.height() != max(height, 28):
            self.setFixedHeight(max(height, 28))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            QTimer.singleShot(0, self.fit)  # once the rows are laid out at the new width

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self.fit)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            QTimer.singleShot(0, self.fit)  # another theme, other line heights


def fit_list(widget: FittedList, _max_rows: int = 0) -> None:
    widget.fit()


def wrapping_list(name: str, max_rows: int) -> FittedList:
    widget = FittedList(max_rows, objectName=name)
    widget.setWordWrap(True)
    widget.setTextElideMode(Qt.TextElideMode.ElideNone)
    widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    widget.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
    widget.setResizeMode(QListWidget.ResizeMode.Adjust)
    widget.setUniformItemSizes(False)
    widget.setSpacing(1)
    widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    return widget


def wrapping_label(name: str, *, selectable: bool = True) -> QLabel:
    label = QLabel(objectName=name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
