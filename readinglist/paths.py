"""Where things live: the user's library, and the files shipped with the program."""

from __future__ import annotations

import importlib.util
import os
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
    # The data folders hold no __init__.py (they are plain folders in the checkout), so in
    # a wheel they are namespace packages: ask the import system where they are.
    try:
        spec = importlib.util.find_spec(package)
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if Path(location).is_dir():
                return Path(location)
    return _REPO_ROOT / folder


def seeds_dir() -> Path:
    """The sample abstract files a new user can import in one click."""
    return _shipped_dir("readinglist._seeds", "seeds")


def resources_dir() -> Path:
    """Icons and stylesheets."""
    return _shipped_dir("readinglist._resources", "resources")
