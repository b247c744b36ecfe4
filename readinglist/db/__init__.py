"""SQLite storage through sqlite-utils: the library's single source of truth."""

from readinglist.db.connection import open_database

__all__ = ["open_database"]
