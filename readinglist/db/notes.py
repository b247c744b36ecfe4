"""Markdown notes and highlighted passages of abstracts.

A highlight stores its offsets *and* the quoted text: when the abstract is edited, the
passage is found again (the occurrence nearest its old place) or marked as lost, never
silently pointed at other words.
"""

from __future__ import annotations

import sqlite_utils

from readinglist.db.papers import as_row_id
from readinglist.errors import UserError
from readinglist.models import Highlight, Note, utc_now

# A note is a person's text: a megabyte is several hundred pages of it.
MAX_NOTE_BYTES = 1_000_000


def check_note_text(body: str) -> None:
    """Refuse what cannot be a note: nothing, binary data, text too long to be one."""
    if "\x00" in body:
        raise UserError("the note holds NUL characters: it looks like binary data, not text")
    try:
        size = len(body.encode("utf-8"))
    except UnicodeEncodeError as error:
        raise UserError(
            f"the note is not valid text (character {error.start + 1} is not Unicode text)"
        ) from None
    if size > MAX_NOTE_BYTES:
        raise UserError(
            f"the note is {size / 1_000_000:.1f} MB; a note can hold at most "
            f"{MAX_NOTE_BYTES // 1_000_000} MB of text"
        )


def add_note(db: sqlite_utils.Database, paper_id: int, body: str) -> int:
    if not body.strip():
        raise UserError("the note is empty")
    check_note_text(body)
    now = utc_now()
    return db.execute(
        "INSERT INTO notes (paper_id, body, created, modified) VALUES (?, ?, ?, ?)",
        [paper_id, body, now, now],
    ).lastrowid


def note_paper(db: sqlite_utils.Database, note_id: int) -> int:
    row = None
    if as_row_id(note_id) is not None:
        row = db.execute("SELECT paper_id FROM notes WHERE id = ?", [note_id]).fetchone()
    if row is None:
        raise UserError(f"no note with id {note_id}")
    return row[0]


def edit_note(db: sqlite_utils.Database, note_id: int, body: str) -> int:
    paper_id = note_paper(db, note_id)
    if not body.strip():
        raise UserError("the note is empty (delete it instead)")
    check_note_text(body)
    db.execute(
        "UPDATE notes SET body = ?, modified = ? WHERE id = ? AND body != ?",
        [body, utc_now(), note_id, body],
    )
    return paper_id


def delete_note(db: sqlite_utils.Database, note_id: int) -> int:
    paper_id = note_paper(db, note_id)
    db.execute("DELETE FROM notes WHERE id = ?", [note_id])
    return paper_id


def notes_of(db: sqlite_utils.Database, paper_id: int) -> list[Note]:
    rows = db.execute(
        "SELECT id, paper_id, body, created, modified FROM notes WHERE paper_id = ? ORDER BY id",
        [paper_id],
    )
    return [Note(*row) for row in rows]


def add_highlight(
    db: sqlite_utils.Database,
    paper_id: int,
    start: int,
    end: int,
    *,
    color: str = "yellow",
    comment: str = "",
) -> int:
    abstract = db.execute("SELECT abstract FROM papers WHERE id = ?", [paper_id]).fetchone()[0]
    if not 0 <= start < end <= len(abstract):
        raise UserError(f"a highlight must lie inside the abstract (0..{len(abstract)})")
    return db.execute(
        "INSERT INTO highlights (paper_id, anchor_start, anchor_end, quote, color, comment, "
        "created) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [paper_id, start, end, abstract[start:end], color, comment, utc_now()],
    ).lastrowid


def highlight_paper(db: sqlite_utils.Database, highlight_id: int) -> int:
    row = None
    if as_row_id(highlight_id) is not None:
        row = db.execute("SELECT paper_id FROM highlights WHERE id = ?", [highlight_id]).fetchone()
    if row is None:
        raise UserError(f"no highlight with id {highlight_id}")
    return row[0]


def edit_highlight(
    db: sqlite_utils.Database,
    highlight_id: int,
    *,
    color: str | None = None,
    comment: str | None = None,
) -> int:
    paper_id = highlight_paper(db, highlight_id)
    if color is not None:
        db.execute("UPDATE highlights SET color = ? WHERE id = ?", [color, highlight_id])
    if comment is not None:
        db.execute("UPDATE highlights SET comment = ? WHERE id = ?", [comment, highlight_id])
    return paper_id


def delete_highlight(db: sqlite_utils.Database, highlight_id: int) -> int:
    paper_id = highlight_paper(db, highlight_id)
    db.execute("DELETE FROM highlights WHERE id = ?", [highlight_id])
    return paper_id


def highlights_of(db: sqlite_utils.Database, paper_id: int) -> list[Highlight]:
    rows = db.execute(
        "SELECT id, paper_id, anchor_start, anchor_end, quote, color, comment, created "
        "FROM highlights WHERE paper_id = ? ORDER BY anchor_start, id",
        [paper_id],
    )
    return [Highlight(*row) for row in rows]


def reanchor(db: sqlite_utils.Database, paper_id: int, new_abstract: str) -> None:
    """Move each highlight of the paper to where its quote now is in ``new_abstract``."""
    for highlight in highlights_of(db, paper_id):
        start = find_anchor(new_abstract, highlight.quote, highlight.start)
        end = start + len(highlight.quote) if start >= 0 else -1
        if (start, end) != (highlight.start, highlight.end):
            db.execute(
                "UPDATE highlights SET anchor_start = ?, anchor_end = ? WHERE id = ?",
                [start, end, highlight.id],
            )


def find_anchor(text: str, quote: str, old_start: int) -> int:
    """The start of the occurrence of ``quote`` in ``text`` nearest ``old_start``; -1 if none."""
    best = -1
    position = text.find(quote)
    while position >= 0:
        if best < 0 or abs(position - old_start) < abs(best - old_start):
            best = position
        position = text.find(quote, position + 1)
    return best
