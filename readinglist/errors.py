"""Errors a person can act on, kept apart from programming errors.

``UserError`` and its subclasses carry a message meant for the user (a bad file, a
library from a newer version, a full disk). Anything else that escapes is a bug: the
command line and the window log its traceback and show a short apology instead.
"""


class ReadingListError(Exception):
    """Base class for every error readinglist raises on purpose."""


class UserError(ReadingListError):
    """Bad input or an environmental failure; the message is shown to the user as is."""


class NotAnAbstractFile(UserError):
    """The file cannot be read as an abstract listing (binary, compressed, BibTeX, ...)."""


class LibraryError(UserError):
    """The library folder or database cannot be used (newer schema, unreadable, ...)."""


class LibraryReadOnly(UserError):
    """A write to a library this user cannot write (a read-only folder, mount or file)."""


class LibraryBusy(UserError):
    """Another program holds the library's write lock longer than we can wait."""


class PaperNotFound(UserError):
    """No paper matches the id or citation key the user gave."""


class TooManyFiles(UserError):
    """An import would read more files than the caller allowed without asking."""

    def __init__(self, message: str, *, found: int, limit: int):
        super().__init__(message)
        self.found = found  # at least this many: the walk stops past the limit
        self.limit = limit


class ImportCancelled(ReadingListError):
    """Raised inside an import when the caller's cancel callback asks to stop."""
