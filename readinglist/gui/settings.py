"""Every window setting in one place: its key, type and default.

The app builds ``QSettings`` from the organisation and application name; tests pass a
temporary INI file so they never touch the user's settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any


GEOMETRY = Setting("window/geometry", QByteArray, QByteArray())
MAIN_SPLITTER = Setting("window/main_splitter", QByteArray, QByteArray())
TABLE_HEADER = Setting("table/header", QByteArray, QByteArray())
# The columns the saved header describes: a header saved with other columns is ignored.
TABLE_COLUMNS = Setting("table/columns", str, "")
SORT_COLUMN = Setting("table/sort_column", str, "added")
SORT_DESCENDING = Setting("table/sort_descending", bool, True)
LAST_PAPER = Setting("table/last_paper", int, 0)
LAST_IMPORT_DIR = Setting("import/last_dir", str, "")
# How long the search bar waits after a key before it searches, when no search runs
# (while one runs, the newest text waits for it anyway).
SEARCH_DEBOUNCE_MS = Setting("search/debounce_ms", int, 0)
APPEARANCE = Setting("appearance/theme", str, "system")  # system, light or dark
# Online metadata lookups: "" until the user is asked (once), then "yes" or "no".
LOOKUP_CONSENT = Setting("lookup/consent", str, "")
# The detail pane's sections the user closed, comma-separated ("info,related").
DETAIL_CLOSED_SECTIONS = Setting("detail/closed_sections", str, "")
# The contact address Crossref asks polite clients to send ("mailto" in the User-Agent).
LOOKUP_CONTACT = Setting("lookup/contact", str, "")


class Settings:
    def __init__(self, path: Path | None = None):
        if path is None:
            self._qsettings = QSettings()
        else:
            self._qsettings = QSettings(str(path), QSettings.Format.IniFormat)

    def get(self, setting: Setting):
        value = self._qsettings.value(setting.key, setting.default)
        if setting.type is bool and isinstance(value, str):
            return value.lower() == "true"
        if setting.type in (int, str) and value is not None:
            try:
                return setting.type(value)
            except (TypeError, ValueError):
                return setting.default
        if setting.type is QByteArray and not isinstance(value, QByteArray):
            return setting.default
        return value

    def set(self, setting: Setting, value) -> None:
        self._qsettings.setValue(setting.key, value)

    def sync(self) -> None:
        self._qsettings.sync()
