"""Sharing a library through PostgreSQL, offline first (docs/sync.md).

The part ``Library.sync`` is a ``Sync``; psycopg is imported only when a server is used.
"""

from readinglist.sync.manager import Sync, safe_url
from readinglist.sync.results import Conflict, SyncError, SyncOffline, SyncResult, SyncStatus

__all__ = ["Conflict", "Sync", "SyncError", "SyncOffline", "SyncResult", "SyncStatus", "safe_url"]
