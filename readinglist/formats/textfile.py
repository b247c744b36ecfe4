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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from readinglist.errors import NotAnAbstractFile

SNIFF_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024

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


def sniff(path: Path) -> TextInfo:
    """Decide how to decode ``path``, reading it once in chunks (bounded memory).

    Raises NotAnAbstractFile for binary or compressed files.
    """
    with open(path, "rb") as handle:
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
    nul_bytes = 0
    with open(path, "rb") as handle:
        decoders = {name: codecs.getincrementaldecoder(name)() for name in candidates}
        while chunk := handle.read(CHUNK_BYTES):
            nul_bytes += chunk.count(0)
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


def read_lines(path: Path, info: TextInfo) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` with line endings removed, streaming.

    Raises NotAnAbstractFile when the bytes do not decode after all (a BOM followed by
    invalid text, a truncated UTF-16 file): only the BOM-less UTF-8 guess is checked in full
    by ``sniff``.
    """
    raw = open(path, "rb")  # noqa: SIM115 - closed by the wrapper below
    # newline="" keeps the universal \r, \n, \r\n split but nothing else (no U+2028).
    with io.TextIOWrapper(raw, encoding=info.encoding, newline="") as text:
        number = 0
        try:
            for number, line in enumerate(text, start=1):
                if info.nul_bytes:
                    line = line.replace("\x00", "")
                yield number, line.rstrip("\r\n")
        except UnicodeDecodeError as error:
            raise NotAnAbstractFile(
                f"not an abstract file: the text is not valid {info.encoding} "
                f"after line {number} ({error.reason})"
            ) from error


def split_text_lines(text: str) -> Iterator[tuple[int, str]]:
    """The same line split as ``read_lines`` for text already in memory (pasted text)."""
    with io.StringIO(text, newline="") as handle:
        for number, line in enumerate(handle, start=1):
            yield number, line.replace("\x00", "").rstrip("\r\n")
