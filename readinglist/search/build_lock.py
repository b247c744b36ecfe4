"""A lock held while a search index is rebuilt, so that another program can tell a live
rebuild from one that crashed."""

from __future__ import annotations

import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

# Without file locks (Windows), a rebuild folder untouched this long belongs to a crash.
LEFTOVER_AGE_S = 30 * 60


class BuildLock:
    """An exclusive lock held while a rebuild writes its folder, so that another program
    can tell a live rebuild from one that crashed (the kernel drops the lock of a dead
    process). Without ``fcntl`` (Windows), a folder untouched for a while counts as dead."""

    def __init__(self, building: Path):
        self._file = open(self.path_for(building), "a+b")  # noqa: SIM115 - held open
        if fcntl is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)

    @staticmethod
    def path_for(building: Path) -> Path:
        return building.with_name(building.name + ".lock")

    def release(self) -> None:
        path = Path(self._file.name)
        self._file.close()
        path.unlink(missing_ok=True)

    @classmethod
    def held_elsewhere(cls, building: Path) -> bool:
        if fcntl is None:
            try:
                newest = max(
                    (p.stat().st_mtime for p in building.rglob("*")),
                    default=building.stat().st_mtime,
                )
            except OSError:
                return True
            return newest >= time.time() - LEFTOVER_AGE_S
        try:
            with open(cls.path_for(building), "rb") as probe:
                try:
                    fcntl.flock(probe.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(probe.fileno(), fcntl.LOCK_UN)
        except FileNotFoundError:
            return False  # an old index being swapped out, or a crash before locking
        except OSError:
            return True
        return False
