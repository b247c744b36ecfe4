"""Which files an import reads: the files named, and the text files inside folders.

A folder is walked without following symlinks out of it or round a loop, without going
into system file systems (``/proc``, ``/sys``, ``/dev``), checking for cancel as it goes.
Only regular files are taken from a folder: a FIFO, a socket or a device named like an
abstract file is reported with the reason it was left out, never opened (reading a FIFO
blocks for ever). A file named on its own is always tried; the importer refuses it if it
is not a regular file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from readinglist.errors import ImportCancelled
from readinglist.formats.textfile import file_kind
from readinglist.models import SkippedFile
from readinglist.paths import DATABASE_NAME

# Files taken when a folder is imported; files named one by one are always tried.
FOLDER_EXTENSIONS = {".txt", ".text", ".abs", ".abstracts", ".bib", ".bibtex", ""}
FOLDER_SKIPPED_NAMES = ("readme", "license", "licence", "copying", "changelog", "sources")
# More candidate files than this in one import is asked about first (the window asks,
# the command line wants --yes): a folder chosen by mistake (a home folder, "/") is big.
CONFIRM_FILES = 2_000
CANCEL_CHECK_EVERY = 64
# File systems that hold no documents: kernel interfaces whose "files" block, never end
# or change the machine when read.
SYSTEM_FILESYSTEMS = frozenset(
    {
        "proc",
        "sysfs",
        "devtmpfs",
        "devpts",
        "cgroup",
        "cgroup2",
        "debugfs",
        "tracefs",
        "securityfs",
        "pstore",
        "bpf",
        "configfs",
        "fusectl",
        "mqueue",
        "hugetlbfs",
        "binfmt_misc",
        "efivarfs",
        "rpc_pipefs",
        "nsfs",
        "autofs",
        "selinuxfs",
    }
)

Cancel = Callable[[], bool]
Walking = Callable[[int, str], None]  # (files found so far, folder being read)


@dataclass(slots=True)
class Candidates:
    """The files an import would read, and what a walk left out and why."""

    files: list[Path] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    # False when the walk stopped at its limit: there are more files than ``files``.
    complete: bool = True


def wanted_in_folder(name: str) -> bool:
    """True for a name a folder import takes: a text file that is not a README."""
    lowered = name.lower()
    return (
        not lowered.startswith(".")
        and Path(lowered).suffix in FOLDER_EXTENSIONS
        and not lowered.startswith(FOLDER_SKIPPED_NAMES)
    )


def find_candidates(
    paths: Iterable[str | os.PathLike],
    *,
    cancel: Cancel | None = None,
    limit: int | None = None,
    walking: Walking | None = None,
) -> Candidates:
    """The files to import for ``paths``, in order; folders walked recursively.

    ``cancel()`` is polled during the walk (ImportCancelled when it returns True);
    ``limit`` stops the walk once more than that many files are found (``complete`` is
    then False); ``walking(found, folder)`` reports progress now and then.
    """
    walk = _Walk(cancel, limit, walking)
    for given in paths:
        path = Path(given)
        try:
            is_folder = path.is_dir()  # a folder named by the user is followed if a link
        except OSError:
            is_folder = False
        if is_folder:
            walk.folder(path)
        else:
            walk.add(path)
        if not walk.result.complete:
            break
    return walk.result


class _Walk:
    def __init__(self, cancel: Cancel | None, limit: int | None, walking: Walking | None):
        self.cancel = cancel
        self.limit = limit
        self.walking = walking
        self.result = Candidates()
        self.seen_files: set[tuple[int, int]] = set()
        self.entries = 0
        self._system_mounts: dict[str, str] | None = None

    def add(self, path: Path) -> None:
        if self.limit is not None and len(self.result.files) >= self.limit:
            self.result.complete = False
            return
        self.result.files.append(path)

    def skip(self, path: str, reason: str) -> None:
        self.result.skipped.append(SkippedFile(path, reason))

    def tick(self, folder: str) -> None:
        self.entries += 1
        if self.entries % CANCEL_CHECK_EVERY:
            return
        if self.cancel is not None and self.cancel():
            raise ImportCancelled(folder)
        if self.walking is not None:
            self.walking(len(self.result.files), folder)

    def folder(self, given: Path) -> None:
        """Walk ``given`` depth first, in name order (the order files are imported in)."""
        root = os.path.realpath(given)
        system = self._filesystem_of(root)
        if system:
            self.skip(str(given), f"a system folder ({system} file system), not documents")
            return
        try:
            info = os.stat(root)
        except OSError as error:
            self.skip(str(given), f"cannot read the folder: {error.strerror or error}")
            return
        seen_dirs = {(info.st_dev, info.st_ino)}
        # (the path shown to the user, the real path it stands for)
        stack: list[tuple[str, str]] = [(str(given), root)]
        while stack and self.result.complete:
            shown, real = stack.pop()
            self.tick(shown)
            subfolders = self._read_folder(shown, real, root, seen_dirs)
            stack.extend(reversed(subfolders))

    def _read_folder(
        self, shown: str, real: str, root: str, seen_dirs: set[tuple[int, int]]
    ) -> list[tuple[str, str]]:
        try:
            with os.scandir(real) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            self.skip(shown, f"cannot read the folder: {error.strerror or error}")
            return []
        if any(entry.name == DATABASE_NAME for entry in entries):
            return []  # a readinglist library: its files are not abstracts
        subfolders = []
        for entry in entries:
            self.tick(shown)
            if not self.result.complete:
                break
            if entry.name.startswith("."):
                continue  # hidden files and folders (.git, .cache) are never abstracts
            shown_path = os.path.join(shown, entry.name)
            target = self._entry(entry, shown_path, root)
            if target is None:
                continue
            real_path, info = target
            if stat.S_ISDIR(info.st_mode):
                folder = self._subfolder(shown_path, real_path, info, seen_dirs)
                if folder is not None:
                    subfolders.append(folder)
            elif not wanted_in_folder(entry.name):
                continue
            elif not stat.S_ISREG(info.st_mode):
                self.skip(shown_path, f"not a regular file: {file_kind(info.st_mode)}")
            elif (info.st_dev, info.st_ino) in self.seen_files:
                self.skip(shown_path, "the same file was found under another name")
            else:
                self.seen_files.add((info.st_dev, info.st_ino))
                self.add(Path(shown_path))
        return subfolders

    def _entry(self, entry: os.DirEntry, shown: str, root: str):
        """(real path, stat) of a folder entry, following a link only inside ``root``;
        None (reported when it matters) for anything not to be looked at."""
        try:
            if not entry.is_symlink():
                return entry.path, entry.stat(follow_symlinks=False)
            target = os.path.realpath(entry.path)
            if target != root and not target.startswith(root.rstrip(os.sep) + os.sep):
                if entry.is_dir() or wanted_in_folder(entry.name):
                    self.skip(shown, "a symlink pointing outside the imported folder")
                return None
            return target, os.stat(target)
        except OSError as error:
            if wanted_in_folder(entry.name):
                reason = (
                    "a symlink loop or a broken symlink"
                    if entry.is_symlink()
                    else f"cannot be read: {error.strerror or error}"
                )
                self.skip(shown, reason)
            return None

    def _subfolder(self, shown: str, real: str, info: os.stat_result, seen_dirs: set):
        key = (info.st_dev, info.st_ino)
        if key in seen_dirs:
            self.skip(shown, "a folder already walked (a symlink loop or a second link)")
            return None
        seen_dirs.add(key)
        system = self._system_mount(real)
        if system:
            self.skip(shown, f"a system folder ({system} file system), not documents")
            return None
        return shown, real

    def _system_mount(self, real: str) -> str:
        """The type of the system file system mounted at ``real``, or ""."""
        return self._mounts().get(real, "")

    def _filesystem_of(self, real: str) -> str:
        """The system file system ``real`` lies on (the longest mount point above it)."""
        best, found = "", ""
        for mount, kind in self._mounts().items():
            inside = real == mount or real.startswith(mount.rstrip("/") + "/")
            if inside and len(mount) > len(best):
                best, found = mount, kind
        return found

    def _mounts(self) -> dict[str, str]:
        """System file systems by mount point (Linux; nothing elsewhere)."""
        if self._system_mounts is None:
            self._system_mounts = {}
            try:
                with open("/proc/self/mounts", encoding="utf-8", errors="replace") as mounts:
                    for line in mounts:
                        parts = line.split()
                        if len(parts) >= 3 and parts[2] in SYSTEM_FILESYSTEMS:
                            self._system_mounts[_unescape(parts[1])] = parts[2]
            except OSError:
                pass
        return self._system_mounts


def _unescape(mount: str) -> str:
    """Mount points in /proc/self/mounts escape spaces and the like as ``\\040``."""
    if "\\" not in mount:
        return mount
    out, index = [], 0
    while index < len(mount):
        chunk = mount[index : index + 4]
        if len(chunk) == 4 and chunk[0] == "\\" and chunk[1:].isdigit():
            out.append(chr(int(chunk[1:], 8)))
            index += 4
        else:
            out.append(mount[index])
            index += 1
    return "".join(out)
