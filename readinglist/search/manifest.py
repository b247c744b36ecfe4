"""The small file beside the Whoosh files that says whether the index can be trusted.

It records the schema version, the caller's stamp and the size of every index file.
Whoosh only notices a truncated file when a query happens to read the damaged part;
comparing sizes on open catches it at once, for the cost of a directory listing.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

META_NAME = "readinglist-index.json"


@dataclass(frozen=True, slots=True)
class Manifest:
    schema_version: int
    stamp: str
    files: dict[str, int] = field(default_factory=dict)
    # Where in the library's change queue the index stands, when the library could not
    # record its catch-up (a read-only library keeps its queue): later entries are new.
    queue_seq: int = 0


def _index_files(folder: Path) -> dict[str, int]:
    files = {}
    for entry in os.scandir(folder):
        # Lock files come and go with writers; temporary folders with merges.
        if entry.name.startswith(META_NAME) or "LOCK" in entry.name or not entry.is_file():
            continue
        files[entry.name] = entry.stat().st_size
    return files


def read(folder: Path) -> Manifest | None:
    """The manifest in ``folder``; None if it is missing or unreadable."""
    try:
        data = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
        return Manifest(
            schema_version=int(data["schema_version"]),
            stamp=str(data["stamp"]),
            files={str(k): int(v) for k, v in data["files"].items()},
            queue_seq=int(data.get("queue_seq", 0)),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write(folder: Path, schema_version: int, stamp: str, *, queue_seq: int = 0) -> None:
    """Record the index as it is now. Written to a temporary file and renamed, so a
    crash leaves the old manifest or the new one, never half of one."""
    data = {
        "schema_version": schema_version,
        "stamp": stamp,
        "files": _index_files(folder),
        "queue_seq": queue_seq,
    }
    temporary = folder / f"{META_NAME}.tmp"
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(data, stream, indent=1, sort_keys=True)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, folder / META_NAME)


def files_intact(folder: Path, manifest: Manifest) -> bool:
    """True if every file the manifest lists is there with its recorded size."""
    if not manifest.files:
        return False
    try:
        present = _index_files(folder)
    except OSError:
        return False
    return all(present.get(name) == size for name, size in manifest.files.items())
