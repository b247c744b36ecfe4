"""The abstract, read-only, with the user's highlights and the search's matches painted in.

Highlights are stored as offsets into the abstract in Python characters; Qt counts UTF-16
code units, so offsets are converted both ways (an emoji or a rare CJK character is two
units in Qt and one character in Python).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor

from readinglist.gui.safe_text import SafeTextBrowser, plain_rich
from readinglist.models import Highlight

HIGHLIGHT_COLORS = {
    "yellow": "#fff3a0",
    "green": "#c8f0c0",
    "blue": "#c4e0ff",
    "pink": "#ffd0e4",
    "purple": "#e2d4ff",
    "orange": "#ffd8a8",
}
MATCH_COLOR = "#ffbf47"
# A longer abstract (from an older library, or an edit) is shown cut: laying out and
# painting a hundred megabytes froze the window for a minute.
MAX_SHOWN_CHARS = 1024 * 1024
MARKED_TEXT = "#1d2733"


def to_utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def from_utf16(text: str, units: int) -> int:
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


class AbstractView(SafeTextBrowser):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("abstractView")
        self._text = ""

    def show_abstract(
        self,
        text: str,
        highlights: list[Highlight],
        match_spans: list[tuple[int, int]] = (),
    ) -> None:
        shown = text[:MAX_SHOWN_CHARS]
        self._text = shown
        self.setPlainText(shown)
        for highlight in highlights:
            if highlight.anchored and highlight.end <= len(shown):
                color = HIGHLIGHT_COLORS.get(highlight.color, highlight.color)
                self._paint(highlight.start, highlight.end, color, tooltip=highlight.comment)
        for start, end in match_spans:
            if end <= len(shown):
                self._paint(start, end, MATCH_COLOR, bold=True)
        if len(text) > len(shown):
            cursor = QTextCursor(self.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(
                f"\n\n[… {len(text) - len(shown):,} more characters, not shown: "
                f"the first {MAX_SHOWN_CHARS:,} are]"
            )

    def _paint(self, start: int, end: int, color: str, *, tooltip: str = "", bold=False) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(to_utf16(self._text, start))
        cursor.setPosition(to_utf16(self._text, end), QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(color))
        fmt.setForeground(QColor(MARKED_TEXT))  # light markers need dark text, in any theme
        if tooltip:
            fmt.setToolTip(plain_rich(tooltip))  # a comment is text, never markup
        if bold:
            fmt.setFontWeight(700)
        cursor.mergeCharFormat(fmt)

    def selected_span(self) -> tuple[int, int] | None:
        """The selection as Python offsets into the abstract, or None."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start = from_utf16(self._text, cursor.selectionStart())
        end = from_utf16(self._text, cursor.selectionEnd())
        return (start, end) if end > start else None

    def select_span(self, start: int, end: int) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(to_utf16(self._text, start))
        cursor.setPosition(to_utf16(self._text, end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
