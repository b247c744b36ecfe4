"""Turn a file of unknown encoding into lines of text, streaming, or say why not.

Abstract files come from copy-and-paste on every platform: UTF-8 with or without a BOM,
UTF-16 from Windows editors (with or without a BOM), Windows-1252 from old tools, files
concatenated from several of these, CRLF or CR-only line endings, NUL bytes (stray ones, or
the run a truncated download ends in). Binary and compressed files are refused before any
text is made of them. Lines are split on ``\\n``, ``\\r\\n`` and ``\\r`` only: a Unicode line
separator inside an abstract is text, not a line break.

A file that is not UTF-8 as a whole is read line by line: a line that is valid UTF-8 is
UTF-8 (the part of ``cat utf8.txt latin1.txt > all.txt`` that came from the UTF-8 file),
any other line is Windows-1252, the superset of Latin-1's printable characters. No C1
control character (U+0080-U+009F) ever comes out of that fallback: the five bytes that
Windows-1252 leaves undefined become U+FFFD and are counted.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import unicodedata
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
# In the first 64 KB, NUL bytes are removed (and counted) up to this share; a head that is
# mostly NUL is no text file.
HEAD_NUL_SHARE_LIMIT = 0.5
# Runs of lines read by the fallback named in the report; more are summed up.
MAX_SPANS_NAMED = 5

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
# Magic found further in: a tar archive's "ustar" at offset 257 (its first bytes are the
# member's name, text followed by NUL bytes).
MAGIC_AT = [(257, b"ustar", "a tar archive")]

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
# Encodings read line by line (see the module's docstring).
LINE_BY_LINE = ("cp1252", "latin-1")
# Windows-1252 leaves these bytes undefined; Latin-1 reads them as C1 control characters.
_UNDEFINED_IN_CP1252 = b"\x81\x8d\x8f\x90\x9d"


@dataclass(frozen=True, slots=True)
class TextInfo:
    encoding: str
    nul_bytes: int = 0
    # Only for a file read line by line (``encoding`` in LINE_BY_LINE): lines with
    # non-ASCII text read as UTF-8, lines read by the fallback and the first runs of them
    # ((first, last) line numbers), and bytes no encoding reads as text (U+FFFD now).
    utf8_lines: int = 0
    fallback_lines: int = 0
    fallback_spans: tuple[tuple[int, int], ...] = ()
    undefined_bytes: int = 0

    @property
    def warnings(self) -> list[str]:
        notes = []
        if self.encoding in LINE_BY_LINE and self.utf8_lines and self.fallback_lines:
            notes.append(
                f"mixed encodings: {self.utf8_lines:,} line(s) read as UTF-8 and "
                f"{self.fallback_lines:,} not UTF-8, read as {self.encoding} "
                f"({_describe_spans(self.fallback_spans, self.fallback_lines)})"
            )
        elif self.encoding in LINE_BY_LINE:
            notes.append(f"not UTF-8: read as {self.encoding}")
        if self.undefined_bytes:
            notes.append(
                f"{self.undefined_bytes:,} byte(s) that are no character in cp1252 "
                "(0x81, 0x8D, 0x8F, 0x90, 0x9D) shown as \ufffd"
            )
        if self.nul_bytes:
            notes.append(f"removed {self.nul_bytes} NUL byte(s)")
        return notes


def _describe_spans(spans: tuple[tuple[int, int], ...], lines: int) -> str:
    named = [f"{first}" if first == last else f"{first}-{last}" for first, last in spans]
    shown = sum(last - first + 1 for first, last in spans)
    more = f" and {lines - shown:,} more" if lines > shown else ""
    return ("line " if lines == 1 else "lines ") + ", ".join(named) + more


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
            raise NotAnAbstractFile(f"not a regular file: this is {file_kind(mode)}; not read")
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, in words (for messages)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def sniff(path: Path) -> TextInfo:
    """Decide how to decode ``path``, reading it once in chunks (bounded memory), twice
    when it is not UTF-8 (to find which lines are).

    Raises NotAnAbstractFile for binary or compressed files, and for anything that is
    not a regular file (a FIFO, a device).
    """
    with open_regular(path) as handle:
        head = handle.read(SNIFF_BYTES)
    for magic, what in MAGIC:
        if head.startswith(magic):
            raise NotAnAbstractFile(f"not an abstract file: this is {what}")
    for offset, magic, what in MAGIC_AT:
        if head[offset : offset + len(magic)] == magic:
            raise NotAnAbstractFile(f"not an abstract file: this is {what}")
    for bom, encoding in BOMS:
        if head.startswith(bom):
            if encoding == "utf-8-sig":
                break  # UTF-8 as a whole, or a UTF-8 file with another one after it
            return TextInfo(encoding)
    bom_less_utf16 = _utf16_without_bom(head)
    if bom_less_utf16:
        return TextInfo(bom_less_utf16)
    _refuse_binary(head)
    return _scan_encoding(path, head.startswith(codecs.BOM_UTF8))


# NUL bytes in text come alone (an editor's stray ones) or in long runs (the end of a
# truncated download, a damaged block), in a file without other control bytes. Binary
# files without a known magic number (compiled messages, bytecode, terminal descriptions,
# object files) hold NUL bytes in many places, between records rather than lines, beside
# other control bytes. Measured on 40,000 files under /usr, /opt and Python installations
# (compiled catalogues, bytecode, object files, terminfo, fonts, images): no file that the
# former rule (over 1% NUL bytes is binary) refused is taken for text, and 16 binaries it
# read as Latin-1 text are refused now.
NUL_PLACES_WITH_CONTROLS = 4
CONTROLS_BESIDE_NULS = 4
NUL_PLACES_FREE = 16
_NUL_RUN = re.compile(b"\x00+")


def _refuse_binary(head: bytes) -> None:
    nuls = head.count(0)
    if nuls > HEAD_NUL_SHARE_LIMIT * len(head) and nuls > NUL_PLACES_FREE:
        raise NotAnAbstractFile(
            "not an abstract file: it is mostly NUL bytes (binary data or a damaged file; "
            f"{nuls:,} in the first {len(head):,} bytes), not text"
        )
    control = sum(head.count(bytes([b])) for b in _CONTROL) - nuls
    binary = control > 0.02 * (len(head) - nuls)
    if nuls and not binary:
        places = sum(1 for _ in _NUL_RUN.finditer(head))
        lines = head.count(b"\n") + head.count(b"\r")
        binary = (places > NUL_PLACES_WITH_CONTROLS and control >= CONTROLS_BESIDE_NULS) or (
            places > NUL_PLACES_FREE and places > lines
        )
    if binary:
        raise NotAnAbstractFile("not an abstract file: it holds binary data, not text")


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
    return _cjk_utf16(head)


# Text in UTF-16 without a BOM, mostly Chinese, Japanese or Korean: its bytes hold few NULs
# (a CJK character has none), so the NUL pattern above cannot tell. It is UTF-16 when the
# head is not UTF-8, decodes as UTF-16 without error, has its line breaks as UTF-16 line
# breaks (an 8-bit file has none: "\n" would need a NUL byte beside it), holds no control,
# private-use or unassigned code point beyond a trace, and is largely CJK. Ordinary
# 8-bit text read as UTF-16 also looks like CJK ideographs ("Bush hid the facts"): the
# line breaks and the UTF-8 check rule it out; binary data fails on the code points.
CJK_UTF16_SHARE = 0.2
CJK_UTF16_BAD_SHARE = 0.01
_CJK_TEXT = re.compile(
    "[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)
_TEXT_CONTROLS = frozenset("\t\n\v\f\r\x1b")


def _cjk_utf16(head: bytes) -> str | None:
    if len(head) < SNIFF_BYTES and len(head) % 2:
        return None  # a whole file of an odd number of bytes is no UTF-16
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SNIFF_BYTES)
        return None  # UTF-8 (the head of it)
    except UnicodeDecodeError:
        pass
    even = head[: len(head) // 2 * 2]
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(even, final=False)
        except UnicodeDecodeError:
            continue
        if "\n" not in text and "\r" not in text:
            continue
        visible = len(text) - sum(map(str.isspace, text))
        if not visible or len(_CJK_TEXT.findall(text)) < CJK_UTF16_SHARE * visible:
            continue
        bad = sum(
            1
            for char in text
            if unicodedata.category(char) in ("Cc", "Cn", "Co", "Cs") and char not in _TEXT_CONTROLS
        )
        if bad <= CJK_UTF16_BAD_SHARE * len(text):
            return encoding
    return None


def _scan_encoding(path: Path, bom: bool = False) -> TextInfo:
    """UTF-8 if the whole file decodes as UTF-8; else read line by line (cp1252 and
    UTF-8 lines). Refuses a file that turns out mostly NUL bytes."""
    nul_bytes = read = 0
    with open_regular(path) as handle:
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8 = True
        while chunk := handle.read(CHUNK_BYTES):
            nul_bytes += chunk.count(0)
            read += len(chunk)
            if nul_bytes > NUL_BYTES_LIMIT and nul_bytes > NUL_SHARE_LIMIT * read:
                raise NotAnAbstractFile(
                    "not an abstract file: it is mostly NUL bytes (a sparse or damaged "
                    f"file; {nul_bytes:,} in the first {read:,} bytes), not text"
                )
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        return TextInfo("utf-8-sig" if bom else "utf-8", nul_bytes)
    return _scan_lines(path, nul_bytes)


def _scan_lines(path: Path, nul_bytes: int) -> TextInfo:
    """Which lines of a file that is not UTF-8 as a whole are UTF-8, and which not."""
    utf8_lines = fallback_lines = undefined = 0
    spans: list[list[int]] = []
    with io.TextIOWrapper(open_regular(path), encoding="latin-1", newline="") as text:
        for number, line, length in _bounded_lines(text, MAX_LINE_CHARS):
            if length > MAX_LINE_CHARS or line.isascii():
                continue
            raw = line.encode("latin-1").removeprefix(codecs.BOM_UTF8)
            if raw.isascii():
                continue
            try:
                raw.decode("utf-8")
                utf8_lines += 1
                continue
            except UnicodeDecodeError:
                pass
            fallback_lines += 1
            undefined += sum(raw.count(byte) for byte in _UNDEFINED_IN_CP1252)
            if spans and spans[-1][1] == number - 1:
                spans[-1][1] = number
            elif len(spans) < MAX_SPANS_NAMED:
                spans.append([number, number])
    return TextInfo(
        "cp1252",
        nul_bytes,
        utf8_lines=utf8_lines,
        fallback_lines=fallback_lines,
        fallback_spans=tuple((first, last) for first, last in spans),
        undefined_bytes=undefined,
    )


def decode_line(raw: bytes) -> str:
    """One line of a file that is not UTF-8 as a whole: UTF-8 when it is valid UTF-8,
    else Windows-1252 with its five undefined bytes as U+FFFD (never a C1 control);
    without a UTF-8 BOM at its start (left there by ``cat``).

    A line that starts as UTF-8 text (two or more bytes of non-ASCII characters before
    the first byte that is not UTF-8) is UTF-8 up to that byte: ``cat`` glues the first
    line of the second file to the last line of a first one without a final newline."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        head = raw[: error.start].decode("utf-8")
        if error.start - len(head) >= 2:
            return head + raw[error.start :].decode("cp1252", errors="replace")
        return raw.decode("cp1252", errors="replace")


def read_lines(
    path: Path, info: TextInfo, *, too_long: TooLong | None = None
) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` with line endings removed, streaming.

    A line over ``MAX_LINE_CHARS`` is read past in pieces, never whole: it comes out
    empty (a paragraph break) and ``too_long`` is told its number, length and start.
    Raises NotAnAbstractFile when the bytes do not decode after all (a UTF-16 BOM
    followed by invalid text, a truncated UTF-16 file): only the UTF-8 guess is checked
    in full by ``sniff``.
    """
    raw = open_regular(path)
    by_line = info.encoding in LINE_BY_LINE
    # newline="" keeps the universal \r, \n, \r\n split but nothing else (no U+2028).
    # Read line by line, the text is Latin-1 first: one character a byte, the line's
    # bytes exactly, decoded below.
    encoding = "latin-1" if by_line else info.encoding
    with io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        number = 0
        try:
            for number, line, length in _bounded_lines(text, MAX_LINE_CHARS):
                if by_line and not line.isascii():
                    line = decode_line(line.encode("latin-1"))
                elif line[:1] == "\ufeff":
                    line = line[1:]  # the BOM of a file concatenated after another
                if "\x00" in line:  # stray NUL bytes, or U+0000 read from UTF-16/32
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
