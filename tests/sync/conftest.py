"""A real PostgreSQL server for the sync tests, started once for the session.

``initdb`` into a temporary folder and ``pg_ctl`` on a private port whose only listener is
a unix socket in that folder; stopped at the end. initdb refuses to run as root (the
tests run as root here and in CI), so the server then runs as an unprivileged user (the
``postgres`` user Debian's package makes, else ``nobody``) owning the folder. Skipped with
the reason when the binaries or psycopg are absent.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from readinglist.library import Library


def _binaries() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: ourselves unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    pytest.skip("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL")


class PostgresServer:
    def __init__(self, bindir: Path, folder: Path, user: pwd.struct_passwd | None):
        self.bindir, self.folder, self.user = bindir, folder, user
        self.data, self.socket_dir = folder / "data", folder / "socket"
        self.port = _free_port()
        self._names = itertools.count(1)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        user = self.user

        def demote() -> None:  # runs in the child, before exec
            if user is not None:
                os.setgid(user.pw_gid)
                os.setgroups([])
                os.setuid(user.pw_uid)

        env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        return subprocess.run(
            args,
            preexec_fn=demote,
            env=env,
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def init(self) -> None:
        self.socket_dir.mkdir()
        if self.user is not None:
            for path in (self.folder, self.socket_dir):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        result = self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed: {result.stderr or result.stdout}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses='' -c fsync=off "
            "-c full_page_writes=off -c max_connections=60"
        )
        result = self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
            check=False,
        )
        if result.returncode != 0:
            log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {result.stderr}\n{log}")

    def stop(self, mode: str = "fast") -> None:
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-m",
            mode,
            "-w",
            "stop",
            check=False,
        )

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@/{database}?host={self.socket_dir}&port={self.port}"

    def admin(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def new_database(self) -> str:
        name = f"lab{next(self._names)}"
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return name


@pytest.fixture(scope="session")
def postgres():
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install '.[shared]')")
    bindir = _binaries()
    if bindir is None or not (bindir / "initdb").exists():
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's "
            "'postgresql' package (scripts/install-system-deps.sh)"
        )
    user = _server_user()
    folder = Path(tempfile.mkdtemp(prefix="readinglist-pg-"))
    server = PostgresServer(bindir, folder, user)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def server_url(postgres: PostgresServer) -> str:
    """A fresh, empty database on the session's server."""
    return postgres.url(postgres.new_database())


@pytest.fixture
def make_library(tmp_path: Path):
    """Libraries in separate folders, as on different machines; closed at the end."""
    opened: list[Library] = []
    names = itertools.count(1)

    def make(name: str | None = None) -> Library:
        lib = Library(tmp_path / (name or f"member{next(names)}"))
        opened.append(lib)
        return lib

    yield make
    for lib in opened:
        with contextlib.suppress(Exception):
            lib.close()
