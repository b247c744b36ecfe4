"""The abstract, read-only, with the user's highlights and the search's matches painted in.

The abstract is shown as a reader reads it: LaTeX accents, escapes and case-protecting
braces decoded (``T\\"ULU`` shows as TÜLU, ``50\\%`` as 50%), inline math kept as written.
Highlights are stored as offsets into the abstract as stored, in Python characters;
``ShownText`` maps them to the decoded text and back, and Qt counts UTF-16 code units,
so offsets are converted again (an emoji or a rare CJK character is two units in Qt and
one character in Python).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextOption
from PySide6.QtWidgets import QFrame, QSizePolicy

from readinglist.formats.latex_decode import decode
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
# Abstracts up to this long are shown whole, the pane scrolling; longer ones scroll inside.
FIT_CHARS = 20_000
READING_LINE_HEIGHT = 145  # percent of the font's line height
READING_FONT_SCALE = 1.12
MAX_LINE_PX = 760  # about 85 characters: wider panes get margins, not longer lines

_MATH = re.compile(r"(?<!\\)\$[^$]{1,300}?(?<!\\)\$")
_LATEX_PIECE = re.compile(
    r"""
      \\[a-zA-Z]+\*?(?:\{(?:[^{}]|\{[^{}]*\})*\})*     # a command and its arguments
    | \\["'`^~=.uvHckrbdt](?:\s*\{[^{}]*\}|\\?[A-Za-z])  # an accent on a letter
    | \\[%&_\#$]                                     # an escaped character
    | \{(?:[^{}$]|\{[^{}$]*\})*\}                     # a group protecting case
    """,
    re.VERBOSE,
)


@lru_cache(maxsize=4096)
def _decoded(piece: str) -> str:
    return decode(piece)


def _looks_like_math(match: re.Match) -> bool:
    """$n$, $k=3$, $O(n^2)$ and $\\alpha$ are math; "$5 and $10" are prices."""
    inner = match.group()[1:-1]
    return bool(re.search(r"[\\^_{}=<>]", inner) or re.fullmatch(r"[A-Za-z]", inner.strip()))


@lru_cache(maxsize=4096)
def _decoded_math(math: str) -> str | None:
    """Inline math as readable text (``3\\times`` → 3×, ``\\alpha`` → α, ``\\frac{1}{2}``
    → 1/2), or None to keep it as written when it does not read well as text."""
    try:
        text = _math_converter().latex_to_text(math)
    except Exception:  # pylatexenc gives up on some malformed input
        return None
    text = re.sub(r"\s+", " ", text).strip()
    return text if text and "\\" not in text else None


@lru_cache(maxsize=1)
def _math_converter():
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text")


class ShownText:
    """The abstract as shown, with offsets mapped between the stored and the shown text.

    Plain runs map one to one; a decoded LaTeX piece maps as a whole (an offset inside
    it goes to its start or end)."""

    def __init__(self, stored: str):
        self.stored = stored
        # (stored start, shown start, stored length, shown length, exact)
        self._segments: list[tuple[int, int, int, int, bool]] = []
        parts: list[str] = []
        at = shown_at = 0
        has_latex = "\\" in stored or "{" in stored
        maths = [m.span() for m in _MATH.finditer(stored) if "$" in stored and _looks_like_math(m)]
        pieces = [(a, b, _decoded_math(stored[a + 1 : b - 1])) for a, b in maths]
        for match in _LATEX_PIECE.finditer(stored) if has_latex else ():
            start, end = match.span()
            if not any(a <= start < b for a, b in maths):
                pieces.append((start, end, _decoded(match.group())))
        for start, end, shown in sorted(pieces):
            if shown is None or shown == stored[start:end]:
                continue
            if start > at:
                parts.append(stored[at:start])
                self._segments.append((at, shown_at, start - at, start - at, True))
                shown_at += start - at
            parts.append(shown)
            self._segments.append((start, shown_at, end - start, len(shown), False))
            shown_at += len(shown)
            at = end
        if at < len(stored) or not self._segments:
            parts.append(stored[at:])
            self._segments.append((at, shown_at, len(stored) - at, len(stored) - at, True))
        self.text = "".join(parts)
        self._stored_starts = [s[0] for s in self._segments]
        self._shown_starts = [s[1] for s in self._segments]

    def to_shown(self, offset: int, *, end: bool = False) -> int:
        index = max(0, bisect.bisect_right(self._stored_starts, offset) - 1)
        stored, shown, _stored_len, shown_len, exact = self._segments[index]
        if exact:
            return shown + min(offset - stored, shown_len)
        return shown + (shown_len if end and offset > stored else 0)

    def to_stored(self, offset: int, *, end: bool = False) -> int:
        index = max(0, bisect.bisect_right(self._shown_starts, offset) - 1)
        stored, shown, stored_len, _shown_len, exact = self._segments[index]
        if exact:
            return stored + min(offset - shown, stored_len)
        return stored + (stored_len if end and offset > shown else 0)


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
        self.shown = ShownText("")
        self._text = ""
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.viewport().setAutoFillBackground(False)
        # Long words, URLs and CJK wrap: never a horizontal scroll bar.
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * READING_FONT_SCALE)
        self.setFont(font)
        self.document().setDocumentMargin(2)
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)

    def show_abstract(
        self,
        text: str,
        highlights: list[Highlight],
        match_spans=None,
    ) -> None:
        """Show ``text`` decoded. ``match_spans`` is a function giving the spans of the
        search's matches in the shown text (or a list of spans in it)."""
        cut = text[:MAX_SHOWN_CHARS]
        self.shown = ShownText(cut)
        shown = self.shown.text
        self._text = shown
        self.setPlainText(shown)
        self._set_reading_format()
        for highlight in highlights:
            if highlight.anchored and highlight.end <= len(cut):
                color = HIGHLIGHT_COLORS.get(highlight.color, highlight.color)
                start = self.shown.to_shown(highlight.start)
                end = self.shown.to_shown(highlight.end, end=True)
                self._paint(start, end, color, tooltip=highlight.comment)
        spans = match_spans(shown) if callable(match_spans) else (match_spans or ())
        for start, end in spans:
            if end <= len(shown):
                self._paint(start, end, MATCH_COLOR, bold=True)
        if len(text) > len(cut):
            cursor = QTextCursor(self.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(
                f"\n\n[… {len(text) - len(cut):,} more characters, not shown: "
                f"the first {MAX_SHOWN_CHARS:,} are]"
            )
        self._fit_height()

    def marked_text(self) -> list[str]:
        """The passages painted as search matches, as the user sees them."""
        found, block = [], self.document().begin()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                if fragment.charFormat().background().color() == QColor(MATCH_COLOR):
                    found.append(fragment.text())
                iterator += 1
            block = block.next()
        return found

    def _set_reading_format(self) -> None:
        if len(self._text) > FIT_CHARS:
            return  # a huge abstract: no reformatting pass over it
        cursor = QTextCursor(self.document())
        cursor.select(QTextCursor.SelectionType.Document)
        block = QTextBlockFormat()
        block.setLineHeight(READING_LINE_HEIGHT, 1)  # 1: proportional height
        cursor.mergeBlockFormat(block)

    def _fit_height(self, *args) -> None:
        """Small abstracts grow the view to their height: the pane scrolls, not the text."""
        if len(self._text) > FIT_CHARS:
            self.setFixedHeight(480)
            return
        height = int(self.document().size().height()) + 2 * self.frameWidth() + 4
        self.setFixedHeight(max(48, height))

    def resizeEvent(self, event) -> None:
        # A comfortable line length: a wide pane gets margins instead of longer lines.
        extra = max(0, event.size().width() - MAX_LINE_PX)
        self.setViewportMargins(0, 0, extra, 0)
        super().resizeEvent(event)
        self._fit_height()

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
        """The selection as offsets into the stored abstract, or None."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start = self.shown.to_stored(from_utf16(self._text, cursor.selectionStart()))
        end = self.shown.to_stored(from_utf16(self._text, cursor.selectionEnd()), end=True)
        return (start, end) if end > start else None

    def select_span(self, start: int, end: int) -> None:
        """Select the passage at these offsets into the stored abstract."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(to_utf16(self._text, self.shown.to_shown(start)))
        cursor.setPosition(
            to_utf16(self._text, self.shown.to_shown(end, end=True)),
            QTextCursor.MoveMode.KeepAnchor,
        )
        self.setTextCursor(cursor)
