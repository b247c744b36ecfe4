"""What syncing reports: its errors, a run's result, a library's sync status and the
conflicts two members' edits left (``Library.sync``, in ``manager.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from readinglist.errors import UserError


class SyncError(UserError):
    """The server cannot be used (refused, wrong database, not a shared library)."""


class SyncOffline(SyncError):
    """The server cannot be reached: changes wait locally."""


@dataclass(frozen=True, slots=True)
class SyncResult:
    pushed: int
    pulled: int
    conflicts: int  # new conflicts this library heard of

    def as_dict(self) -> dict:
        return {"pushed": self.pushed, "pulled": self.pulled, "conflicts": self.conflicts}


@dataclass(frozen=True, slots=True)
class SyncStatus:
    shared: bool
    url: str = ""
    name: str = ""
    pending: int = 0
    conflicts: int = 0
    read_only: bool = False
    last_sync: str = ""
    online: bool | None = None  # None: not asked
    behind: int = 0  # changes on the server not pulled yet (when online)
    confirmed: bool = True  # False: set up by another installation (a copied folder)

    @property
    def state(self) -> str:
        """What an indicator shows: synced, pending, offline, conflict, unconfirmed or
        local."""
        if not self.shared:
            return "local"
        if not self.confirmed:
            return "unconfirmed"
        if self.online is False:
            return "offline"
        if self.conflicts:
            return "conflict"
        if self.pending or self.behind:
            return "pending"
        return "synced"

    def as_dict(self) -> dict:
        return {
            "shared": self.shared,
            "url": self.url,
            "name": self.name,
            "pending": self.pending,
            "conflicts": self.conflicts,
            "read_only": self.read_only,
            "last_sync": self.last_sync,
            "online": self.online,
            "behind": self.behind,
            "confirmed": self.confirmed,
            "state": self.state,
        }


@dataclass(frozen=True, slots=True)
class Conflict:
    id: int
    kind: str
    gid: str
    field: str
    kept: object
    other: object
    other_device: str
    other_time: str
    paper_id: int | None  # the paper concerned, when it is here
    resolved: bool
