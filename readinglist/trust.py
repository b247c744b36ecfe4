"""Seals for settings a library folder must not be able to make up on its own.

A library folder travels, and its database holds a few settings that act outside it:
an auto-export names a file that readinglist rewrites after every change. A received
library could name ``~/.bashrc``. Such a setting is honoured only when it carries a seal
(an HMAC) made with this installation's secret key, which lives in the user's config
folder, never in a library: a setting made elsewhere is kept, shown, and inactive until
the user confirms it here.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

import platformdirs

from readinglist.paths import APP_NAME

CONFIG_ENV = "READINGLIST_CONFIG"
KEY_NAME = "installation.key"
_KEY_BYTES = 32


def config_dir() -> Path:
    """``$READINGLIST_CONFIG`` if set, else the platform's user config folder."""
    configured = os.environ.get(CONFIG_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def _secret_key() -> bytes:
    path = config_dir() / KEY_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    with os.fdopen(descriptor, "wb") as stream:
        key = secrets.token_bytes(_KEY_BYTES)
        stream.write(key)
        stream.flush()
        os.fsync(stream.fileno())
    return key


def _read_key(path: Path) -> bytes:
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file")
        key = stream.read(_KEY_BYTES + 1)
    if len(key) != _KEY_BYTES:
        raise OSError(f"{path} is not a readinglist key (delete it to make a new one)")
    return key


def seal(*parts: str) -> str:
    """The seal of a setting, made of its parts (which the caller chooses: whatever must
    not change without the user's say, e.g. the library's id and a target path)."""
    message = "\0".join(parts).encode("utf-8", "surrogatepass")
    return hmac.new(_secret_key(), message, hashlib.sha256).hexdigest()


def is_sealed(mark: str, *parts: str) -> bool:
    """True if ``mark`` is this installation's seal of these parts."""
    if not mark:
        return False
    try:
        expected = seal(*parts)
    except OSError:
        return False
    return hmac.compare_digest(mark, expected)
