"""Where a library's search index lives: in this user's cache, never in the library folder.

Whoosh stores its table of contents and segment metadata with ``pickle``, so opening an
index runs whatever its files say. A library folder is data that travels (a colleague's
zipped library, a shared drive, a synced folder); an index inside it would be code from
whoever wrote the folder. So the index is kept where only this user's installation
writes: ``<cache>/search-index/<path hash>-<id hash>``, in folders only this user can
write, checked before every open. A library folder arriving with a ``search-index`` of
its own (older versions kept it there) has it removed unread; the index is rebuilt from
SQLite, the truth. See docs/security.md.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
from pathlib import Path

import platformdirs

from readinglist.paths import APP_NAME, INDEX_DIR_NAME

log = logging.getLogger(__name__)

CACHE_ENV = "READINGLIST_CACHE"
_INDEXES = "search-index"


def cache_root() -> Path:
    """``$READINGLIST_CACHE`` if set, else the platform's user cache folder."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def _path_prefix(library_folder: Path) -> str:
    return _digest(str(Path(library_folder).resolve()), 20)


def index_folder(library_folder: Path, library_id: str) -> Path:
    """The index folder of the library in ``library_folder`` with this id.

    Keyed by both: two copies of one library (same id, different folders) never share an
    index, and a folder replaced by another library (same path, another id) never finds
    the old one's."""
    parent = cache_root() / _INDEXES
    return parent / f"{_path_prefix(library_folder)}-{_digest(library_id, 12)}"


def indexes_of_folder(library_folder: Path) -> list[Path]:
    """Every index kept for a library at this path, whatever its id (for a restore)."""
    parent = cache_root() / _INDEXES
    return sorted(parent.glob(f"{_path_prefix(library_folder)}-*")) if parent.is_dir() else []


def prepare(folder: Path) -> None:
    """Make the folders that lead to ``folder`` private to this user, and make sure no one
    else could have put files in them; an index folder that fails the check is removed
    (it is derived data) and the caller builds a new one."""
    parent = folder.parent
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    _make_private(parent)
    if folder.exists() and not _trusted(folder):
        log.warning("removing a search index this user did not write: %s", folder)
        _remove(folder)


def _make_private(path: Path) -> None:
    if os.name != "posix":
        return  # the user's profile folder is private on Windows and macOS
    info = path.stat()
    if info.st_uid != os.geteuid():
        raise PermissionError(f"{path} belongs to another user")
    if info.st_mode & 0o077:
        path.chmod(0o700)


def _trusted(folder: Path) -> bool:
    """True if the folder and every file in it belong to this user; symlinks and special
    files are never trusted. (Nobody else can write inside: the parent is private.)"""
    if os.name != "posix":
        return not folder.is_symlink()
    try:
        entries = [folder, *folder.iterdir()]
        for entry in entries:
            info = entry.lstat()
            if stat.S_ISLNK(info.st_mode):
                return False
            if not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
                return False
            if info.st_uid != os.geteuid():
                return False
    except OSError:
        return False
    return True


def discard_legacy_index(library_folder: Path) -> None:
    """Remove, without reading, an index that an older version (or someone else) left in
    the library folder, and the half-built ones beside it."""
    candidates = [library_folder / INDEX_DIR_NAME, *library_folder.glob(f".{INDEX_DIR_NAME}.*")]
    for candidate in candidates:
        if candidate.exists() or candidate.is_symlink():
            _remove(candidate)


def _remove(path: Path) -> None:
    try:
        if path.is_symlink() or not path.is_dir():
            path.unlink()
        else:
            shutil.rmtree(path)  # never follows symlinks inside
    except OSError:
        log.warning("cannot remove %s", path, exc_info=True)
