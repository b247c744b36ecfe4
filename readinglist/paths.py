"""Where things live: the user's library, and the files shipped with the program."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

APP_NAME = "readinglist"
LIBRARY_ENV = "READINGLIST_HOME"
DATABASE_NAME = "library.sqlite3"
INDEX_DIR_NAME = "search-index"

_REPO_ROOT = Path(__file__).resolve().parent.parent


def default_library_dir() -> Path:
    """``$READINGLIST_HOME`` if set, else the platform's user data folder."""
    configured = os.environ.get(LIBRARY_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def _shipped_dir(package: str, folder: str) -> Path:
    """A data folder from the installed wheel, or from the source checkout."""
    try:
        path = Path(str(resources.files(package)))
        if path.is_dir():
            return path
    except (ModuleNotFoundError, TypeError):
        pass
    return _REPO_ROOT / folder


def seeds_dir() -> Path:
    """The sample abstract files a new user can import in one click."""
    return _shipped_dir("readinglist._seeds", "seeds")


def resources_dir() -> Path:
    """Icons and stylesheets."""
    return _shipped_dir("readinglist._resources", "resources")
