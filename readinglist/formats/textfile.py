"""Turn a file of unknown encoding into lines of text, streaming, or say why not.

Abstract files come from copy-and-paste on every platform: UTF-8 with or without a BOM,
UTF-16 from Windows editors, Windows-1252 from old tools, CRLF or CR-only line endings,
the odd NUL byte. Binary and compressed files are refused before any text is made of them.
Lines are split on ``\\n``, ``\\r\\n`` and ``\\r`` only: a Unicode line separator inside an
abstract is text, not a line break.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from readinglist.errors import NotAnAbstractFile

SNIFF_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
# A line longer than this (in characters) is no abstract: it is reported and skipped,
# never held in memory whole (a 100 MB line, a sparse file's zeros).
MAX_LINE_CHARS = 1024 * 1024
# NUL bytes past the first 64 KB: a file that is mostly NULs (a sparse or damaged file)
# is refused as soon as they pass this share of what was read, and this many.
NUL_SHARE_LIMIT = 0.10
NUL_BYTES_LIMIT = CHUNK_BYTES // 2

TooLong = Callable[[int, int, str], None]
"""``too_long(line_number, length, head)``: told about each line over ``MAX_LINE_CHARS``."""

# Leading bytes of formats people drop by mistake: archives, documents, images, databases.
MAGIC = [
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"(\xb5/\xfd", "a zstd-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "a program (ELF binary)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
]

BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]

# Control bytes that never occur in text. Excluded: tab, newlines, form feed, ESC, and
# vertical tab, which is how Word copies a soft line break (Shift+Enter) as plain text.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))


@dataclass(frozen=True, slots=True)
class TextInfo:
    encoding: str
    nul_bytes: int = 0

    @property
    def warnings(self) -> list[str]:
        notes = []
        if self.encoding in ("cp1252", "latin-1"):
            notes.append(f"not UTF-8: read as {self.encoding}")
        if self.nul_bytes:
            notes.append(f"removed {self.nul_bytes} NUL byte(s)")
        return notes


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading in binary, refusing anything but a regular file.

    Opened with O_NONBLOCK, so a FIFO swapped in for a file after it was looked at cannot
    block the open; then fstat decides. Raises NotAnAbstractFile (or OSError)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(mode):
            raise NotAnAbstractFile(f"not a regular file: this is {_kind(mode)}; not read")
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def sniff(path: Path) -> TextInfo:
    """Decide how to decode ``path``, reading it once in chunks (bounded memory).

    Raises NotAnAbstractFile for binary or compressed files, and for anything that is
    not a regular file (a FIFO, a device).
    """
    with open_regular(path) as handle:
        head = handle.read(SNIFF_BYTES)
    for magic, what in MAGIC:
        if head.startswith(magic):
            raise NotAnAbstractFile(f"not an abstract file: this is {what}")
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return TextInfo(encoding)
    bom_less_utf16 = _utf16_without_bom(head)
    if bom_less_utf16:
        return TextInfo(bom_less_utf16)
    control = sum(head.count(bytes([b])) for b in _CONTROL)
    nuls = head.count(0)
    if (head and (control - nuls) / len(head) > 0.02) or nuls > max(16, len(head) // 100):
        raise NotAnAbstractFile("not an abstract file: it holds binary data, not text")
    return _scan_encoding(path)


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.7 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.7 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _scan_encoding(path: Path) -> TextInfo:
    """UTF-8 if the whole file decodes as UTF-8, else Windows-1252, else Latin-1."""
    candidates = ["utf-8", "cp1252"]
    nul_bytes = read = 0
    with open_regular(path) as handle:
        decoders = {name: codecs.getincrementaldecoder(name)() for name in candidates}
        while chunk := handle.read(CHUNK_BYTES):
            nul_bytes += chunk.count(0)
            read += len(chunk)
            if nul_bytes > NUL_BYTES_LIMIT and nul_bytes > NUL_SHARE_LIMIT * read:
                raise NotAnAbstractFile(
                    "not an abstract file: it is mostly NUL bytes (a sparse or damaged "
                    f"file; {nul_bytes:,} in the first {read:,} bytes), not text"
                )
            for name in list(decoders):
                try:
                    decoders[name].decode(chunk)
                except UnicodeDecodeError:
                    del decoders[name]
        for name in list(decoders):
            try:
                decoders[name].decode(b"", final=True)
            except UnicodeDecodeError:
                del decoders[name]
    encoding = next((name for name in candidates if name in decoders), "latin-1")
    return TextInfo(encoding, nul_bytes)


def read_lines(
    path: Path, info: TextInfo, *, too_long: TooLong | None = None
) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` with line endings removed, streaming.

    A line over ``MAX_LINE_CHARS`` is read past in pieces, never whole: it comes out
    empty (a paragraph break) and ``too_long`` is told its number, length and start.
    Raises NotAnAbstractFile when the bytes do not decode after all (a BOM followed by
    invalid text, a truncated UTF-16 file): only the BOM-less UTF-8 guess is checked in
    full by ``sniff``.
    """
    raw = open_regular(path)
    # newline="" keeps the universal \r, \n, \r\n split but nothing else (no U+2028).
    with io.TextIOWrapper(raw, encoding=info.encoding, newline="") as text:
        number = 0
        try:
            for number, line, length in _bounded_lines(text, MAX_LINE_CHARS):
                if info.nul_bytes:
                    line = line.replace("\x00", "")
                if length > MAX_LINE_CHARS:
                    if too_long is not None:
                        too_long(number, length, line)
                    line = ""
                yield number, line
        except UnicodeDecodeError as error:
            raise NotAnAbstractFile(
                f"not an abstract file: the text is not valid {info.encoding} "
                f"after line {number} ({error.reason})"
            ) from error


def _bounded_lines(text: io.TextIOBase, max_chars: int) -> Iterator[tuple[int, str, int]]:
    """``(number, line, length)``: the line without its ending, or only its first 200
    characters when ``length`` is over ``max_chars`` (the rest is read and dropped)."""
    limit = max_chars + 2  # room for "\r\n" after a line of max_chars
    number = 0
    split_crlf = False  # the last piece ended in "\r" at the limit: a lone "\n" ends it
    while True:
        piece = text.readline(limit)
        if split_crlf and piece == "\n":
            split_crlf = False
            continue
        if not piece:
            return
        number += 1
        head, length = piece, len(piece)
        # A piece of ``limit`` characters without an ending: the line goes on.
        while len(piece) == limit and not piece.endswith(("\n", "\r")):
            head = head[:200]
            piece = text.readline(limit)
            length += len(piece)
        split_crlf = len(piece) == limit and piece.endswith("\r")
        line = head.rstrip("\r\n") if length == len(head) else head[:200]
        ending = len(piece) - len(piece.rstrip("\r\n"))
        yield number, line, length - ending


def split_text_lines(text: str) -> Iterator[tuple[int, str]]:
    """The same line split as ``read_lines`` for text already in memory (pasted text)."""
    with io.StringIO(text, newline="") as handle:
        for number, line in enumerate(handle, start=1):
            yield number, line.replace("\x00", "").rstrip("\r\n")
