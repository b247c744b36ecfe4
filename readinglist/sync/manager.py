"""``Library.sync``: sharing a library through PostgreSQL, joining one, syncing, and the
conflicts two members' edits left (docs/sync.md)."""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator

from readinglist import trust
from readinglist.db.connection import write_transaction
from readinglist.errors import LibraryReadOnly, UserError
from readinglist.sync import local, server
from readinglist.sync.results import Conflict, SyncError, SyncOffline, SyncResult, SyncStatus

log = logging.getLogger(__name__)

KEYRING_SERVICE = "readinglist-postgresql"
READ_ONLY_MESSAGE = (
    "read-only shared library: your role on the server may read it but not change it; "
    "nothing was changed (you can still list, show, search and export)"
)


def safe_url(url: str) -> tuple[str, str | None]:
    """(the URL without its password, the password) — only the first is ever stored."""
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise UserError(f"not a PostgreSQL address: {url!r} (postgresql://user@host/db)")
    password = parts.password
    netloc = parts.netloc
    if password is not None:
        userinfo, _, host = netloc.rpartition("@")
        netloc = f"{userinfo.split(':', 1)[0]}@{host}"
        password = urllib.parse.unquote(password)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    for name, value in query:
        if name == "password":
            password = value
    query = [(n, v) for n, v in query if n != "password"]
    clean = urllib.parse.urlunsplit(
        (parts.scheme, netloc, parts.path, urllib.parse.urlencode(query), "")
    )
    return clean, password


def _keyring():
    try:
        import keyring
    except ImportError:
        return None
    return keyring


class Sync:
    """The sync part of a ``Library``. Costs one query at open for a library never shared;
    psycopg is imported only when the server is used."""

    batch_size = 5000  # rows per push or pull transaction

    def __init__(self, library):  # the Library that owns it (a layer above: not imported)
        self.library = library
        self.db = library.db
        self._state = dict(self.db.execute("SELECT name, value FROM sync_state").fetchall())

    # State

    @property
    def shared(self) -> bool:
        return "url" in self._state

    @property
    def read_only(self) -> bool:
        return self._state.get("read_only") == "1"

    @property
    def device(self) -> str:
        return self._state.get("device", "")

    @property
    def confirmed(self) -> bool:
        """Whether this installation set the shared library up (or confirmed it). A
        library folder travels: one copied from elsewhere must not talk to a server, or
        push as the device it was copied from, until the user says so here."""
        return trust.is_sealed(self._state.get("seal", ""), *self._seal_parts())

    def _seal_parts(self) -> tuple[str, ...]:
        library = self.db.execute("SELECT value FROM library_info WHERE name = 'id'").fetchone()
        return ("sync", library[0] if library else "", self._state.get("url", ""), self.device)

    def confirm(self) -> None:
        """Use the shared library from this installation: a device of its own, sealed."""
        with write_transaction(self.db):
            self._set(device=local.new_gid())
            self._set(seal=trust.seal(*self._seal_parts()))

    def _set(self, **values: str) -> None:
        for name, value in values.items():
            self.db.execute(
                "INSERT INTO sync_state (name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                [name, str(value)],
            )
            self._state[name] = str(value)

    def _reload(self) -> None:
        self._state = dict(self.db.execute("SELECT name, value FROM sync_state").fetchall())

    def check_writable(self) -> None:
        """Refuse a local write to a shared library this member may only read."""
        if self.read_only:
            raise LibraryReadOnly(READ_ONLY_MESSAGE)

    def pending(self) -> int:
        return local.pending_count(self.db) if self.shared else 0

    def status(self, *, ask_server: bool = False) -> SyncStatus:
        self._reload()
        if not self.shared:
            return SyncStatus(shared=False)
        unresolved = self.db.execute(
            "SELECT count(*) FROM sync_conflicts WHERE resolved = 0"
        ).fetchone()[0]
        online, behind = None, 0
        if ask_server and self.confirmed:
            try:
                with self._connection() as conn:
                    behind = max(0, server.last_seq(conn) - int(self._state.get("pulled", 0)))
                online = True
            except SyncOffline:
                online = False
        return SyncStatus(
            shared=True,
            url=self._state["url"],
            name=self._state.get("name", ""),
            pending=self.pending(),
            conflicts=unresolved,
            read_only=self.read_only,
            last_sync=self._state.get("last_sync", ""),
            online=online,
            behind=behind,
            confirmed=self.confirmed,
        )

    # The server

    @contextlib.contextmanager
    def _connection(self, url: str | None = None, password: str | None = None) -> Iterator:
        url = url or self._state["url"]
        if password is None:
            password = self._stored_password(url)
        pg = server.psycopg()
        try:
            conn = server.connect(url, password=password)
        except pg.OperationalError as error:
            raise self._offline(error) from error
        try:
            yield conn
        except pg.OperationalError as error:
            raise self._offline(error) from error
        finally:
            with contextlib.suppress(Exception):
                conn.close()

    def _offline(self, error: Exception) -> SyncOffline:
        pending = self.pending()
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "no answer"
        if "password" in reason or "authentication" in reason:
            return SyncOffline(
                f"the server refused the login ({reason}); put the password in ~/.pgpass "
                f"or the system keyring; {pending} changes pending"
            )
        return SyncOffline(f"offline: {pending} changes pending (server: {reason})")

    def _stored_password(self, url: str) -> str | None:
        keyring = _keyring()
        if keyring is None:
            return None
        try:
            return keyring.get_password(KEYRING_SERVICE, url)
        except Exception:  # no usable keyring backend: libpq's .pgpass still works
            return None

    def _remember_password(self, url: str, password: str | None) -> str:
        if not password:
            return ""
        keyring = _keyring()
        if keyring is not None:
            try:
                keyring.set_password(KEYRING_SERVICE, url, password)
                return "the password is kept in the system keyring"
            except Exception as error:
                log.info("keyring refused the password: %s", error)
        return (
            "the password was used for this command only and is not stored: put it in "
            "~/.pgpass (or a PostgreSQL service file) for the next syncs"
        )

    # Sharing and joining

    def share(self, url: str, *, name: str = "") -> str:
        """Publish this library to an empty PostgreSQL database (creating the schema);
        returns a note about the password, if one was given."""
        if self.shared:
            raise UserError(f"this library is already shared through {self._state['url']}")
        url, password = safe_url(url)
        name = name or self.library.folder.name
        with self._connection(url, password) as conn:
            info = server.library_info(conn)
            if info is not None and not server.is_empty(conn):
                raise SyncError(
                    f"the database already holds a shared library ({info.get('name', '')!r}): "
                    "join it with 'readinglist join' instead"
                )
            try:
                server.create_schema(conn, name)
            except server.psycopg().errors.InsufficientPrivilege as error:
                raise SyncError(f"your role on the server cannot create tables: {error}") from error
            device = local.new_gid()
            with write_transaction(self.db):
                _assign_gids(self.db)
                server.publish(conn, _all_rows(self.db))
                local.install_triggers(self.db)
                self._set(
                    url=url,
                    name=name,
                    device=device,
                    pulled=0,
                    conflicts_seen=0,
                    read_only=0,
                    last_sync=_now(),
                )
                self._set(seal=trust.seal(*self._seal_parts()))
        return self._remember_password(url, password)

    def join(self, url: str) -> str:
        """Make this (empty) library follow the shared library at ``url``."""
        if self.shared:
            raise UserError(f"this library already follows {self._state['url']}")
        if self.library.count() or self.db.execute("SELECT count(*) FROM papers").fetchone()[0]:
            raise UserError(
                f"{self.library.folder} already holds papers: join into a new, empty folder "
                "(--library DIR)"
            )
        url, password = safe_url(url)
        with self._connection(url, password) as conn:
            info = server.library_info(conn)
            if info is None:
                raise SyncError(
                    "no shared library in that database: publish one with 'readinglist share'"
                )
            if info.get("schema") != server.SCHEMA_VERSION:
                raise SyncError(
                    f"the shared library uses sync schema {info.get('schema')!r}; this "
                    f"readinglist knows {server.SCHEMA_VERSION!r}: update readinglist"
                )
            writable = server.can_write(conn)
            with write_transaction(self.db):
                self.db.execute("INSERT OR IGNORE INTO sync_applying VALUES (1)")

                def consume(kind, gid, data, seq):
                    local.apply_row(self.db, kind, gid, data, seq)

                position = server.snapshot(conn, consume)
                self.db.execute("DELETE FROM sync_applying")
                local.install_triggers(self.db)
                self._set(
                    url=url,
                    name=info.get("name", ""),
                    device=local.new_gid(),
                    pulled=position,
                    conflicts_seen=0,
                    read_only=0 if writable else 1,
                    last_sync=_now(),
                )
                self._set(seal=trust.seal(*self._seal_parts()))
            self._pull_conflicts(conn)
        note = self._remember_password(url, password)
        if not writable:
            note = (note + "; " if note else "") + READ_ONLY_MESSAGE.split(":")[0]
        return note

    def leave(self) -> None:
        """Stop following the server; the library stays, as a local one."""
        with write_transaction(self.db):
            local.remove_triggers(self.db)
            for table in ("sync_state", "sync_ids", "sync_outbox", "sync_conflicts"):
                self.db.execute(f"DELETE FROM {table}")
        self._state = {}

    # Syncing

    def run(self) -> SyncResult:
        """Push this library's changes, then pull everyone else's. Raises SyncOffline
        when the server cannot be reached (the changes stay queued)."""
        self._reload()
        if not self.shared:
            raise UserError("this library is not shared: 'readinglist share URL' publishes it")
        if not self.confirmed:
            raise SyncError(
                f"this library follows {self._state['url']}, but that was set up by another "
                "installation (a copied or received library folder): nothing was sent; "
                "confirm it to sync from here ('readinglist sync --confirm')"
            )
        pushed = pulled = 0
        with self._connection() as conn:
            writable = server.can_write(conn)
            if writable != (not self.read_only):
                with write_transaction(self.db):
                    self._set(read_only=0 if writable else 1)
            if writable:
                pushed = self._push(conn)
            pulled = self._pull(conn)
            conflicts = self._pull_conflicts(conn)
        with write_transaction(self.db):
            self._set(last_sync=_now())
        return SyncResult(pushed=pushed, pulled=pulled, conflicts=conflicts)

    def _push(self, conn) -> int:
        device, pushed = self.device, 0
        # A batch the server took while this library died before forgetting it.
        done = server.pushed_upto(conn, device)
        if done:
            with write_transaction(self.db):
                local.forget_pushed(self.db, done)
        while True:
            self.db.execute("BEGIN")
            try:
                upto, items = local.outbox_items(self.db, self.batch_size)
            finally:
                self.db.execute("COMMIT")
            if not upto:
                return pushed
            server.push(conn, device, items, upto)
            with write_transaction(self.db):
                local.forget_pushed(self.db, upto)
            pushed += len(items)

    def _pull(self, conn) -> int:
        pulled = 0
        while True:
            position = int(self._state.get("pulled", 0))
            rows = server.changes_after(conn, position, self.batch_size)
            if not rows:
                return pulled
            with write_transaction(self.db):
                self.db.execute("INSERT OR IGNORE INTO sync_applying VALUES (1)")
                for seq, kind, gid, data in rows:
                    self.db.execute("SAVEPOINT sync_row")
                    try:
                        local.apply_row(self.db, kind, gid, data, seq)
                    except (sqlite3.IntegrityError, TypeError, ValueError) as error:
                        # A row this library cannot take (bad values from the server):
                        # skip it rather than stop every later change.
                        log.warning("skipped change %s (%s %s): %s", seq, kind, gid, error)
                        self.db.execute("ROLLBACK TO sync_row")
                    self.db.execute("RELEASE sync_row")
                self.db.execute("DELETE FROM sync_applying")
                self._set(pulled=rows[-1][0])
            pulled += len(rows)

    def _pull_conflicts(self, conn) -> int:
        seen = int(self._state.get("conflicts_seen", 0))
        rows = server.conflicts_after(conn, seen)
        if not rows:
            return 0
        with write_transaction(self.db):
            for cid, kind, gid, fieldname, kept, other, device, when in rows:
                self.db.execute(
                    "INSERT OR IGNORE INTO sync_conflicts (id, kind, gid, field, kept, other, "
                    "other_device, other_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        cid,
                        kind,
                        gid,
                        fieldname,
                        local.dumps(kept),
                        local.dumps(other),
                        device,
                        when,
                    ],
                )
            self._set(conflicts_seen=rows[-1][0])
        return len(rows)

    def listener(self) -> Listener:
        """A connection that hears other members' pushes (LISTEN/NOTIFY); for a worker
        thread. Raises SyncOffline."""
        url = self._state["url"]
        return Listener(url, self._stored_password(url), self._offline)

    def wait_for_changes(self, timeout: float) -> bool:
        """Block until another member pushes (PostgreSQL LISTEN/NOTIFY) or ``timeout``
        seconds pass; True if someone pushed. Raises SyncOffline."""
        pg = server.psycopg()
        try:
            conn = pg.connect(
                self._state["url"],
                autocommit=True,
                connect_timeout=5,
                password=self._stored_password(self._state["url"]),
            )
        except pg.OperationalError as error:
            raise self._offline(error) from error
        try:
            conn.execute(f"LISTEN {server.CHANNEL}")
            deadline = time.monotonic() + timeout
            for _ in conn.notifies(timeout=max(0.0, deadline - time.monotonic()), stop_after=1):
                return True
            return False
        finally:
            conn.close()

    # Conflicts

    def conflicts(self, *, include_resolved: bool = False) -> list[Conflict]:
        rows = self.db.execute(
            "SELECT id, kind, gid, field, kept, other, other_device, other_time, resolved "
            "FROM sync_conflicts"
            + ("" if include_resolved else " WHERE resolved = 0")
            + " ORDER BY id"
        ).fetchall()
        out = []
        for cid, kind, gid, fieldname, kept, other, device, when, resolved in rows:
            paper_id = self._paper_of(kind, gid)
            out.append(
                Conflict(
                    cid,
                    kind,
                    gid,
                    fieldname,
                    json.loads(kept),
                    json.loads(other),
                    device,
                    when,
                    paper_id,
                    bool(resolved),
                )
            )
        return out

    def _paper_of(self, kind: str, gid: str) -> int | None:
        if kind == "paper":
            return local.local_id_of(self.db, "paper", gid)
        if kind in ("note", "highlight"):
            row_id = local.local_id_of(self.db, kind, gid)
            table = local.ENTITIES[kind][0]
            row = self.db.execute(f"SELECT paper_id FROM {table} WHERE id = ?", [row_id]).fetchone()
            return row[0] if row else None
        return None

    def restore_conflict(self, conflict_id: int):
        """Write the value that lost back as a new edit (undoable; it travels)."""
        from readinglist.models import Changes

        found = [c for c in self.conflicts(include_resolved=True) if c.id == conflict_id]
        if not found:
            raise UserError(f"no conflict {conflict_id}")
        conflict = found[0]
        if conflict.kind not in local.ENTITIES:
            raise UserError(f"a {conflict.kind} conflict cannot be restored")
        table, columns = local.ENTITIES[conflict.kind]
        if conflict.field not in columns:
            raise UserError(f"the field {conflict.field!r} cannot be restored")
        row_id = local.local_id_of(self.db, conflict.kind, conflict.gid)
        value = local._scalar(conflict.other)
        with self.library._step(f"Restore {conflict.field} from a conflict"):
            if row_id is not None:
                self.db.execute(
                    f"UPDATE {table} SET {conflict.field} = ? WHERE id = ?", [value, row_id]
                )
            self.db.execute("UPDATE sync_conflicts SET resolved = 1 WHERE id = ?", [conflict_id])
        paper = self._paper_of(conflict.kind, conflict.gid)
        return self.library._done(Changes(modified=frozenset({paper} if paper else ())))

    def dismiss_conflict(self, conflict_id: int) -> None:
        with write_transaction(self.db):
            self.db.execute("UPDATE sync_conflicts SET resolved = 1 WHERE id = ?", [conflict_id])


class Listener:
    """Hears pushes to the shared library: ``wait(timeout)`` is True when one came."""

    def __init__(self, url: str, password: str | None, offline):
        pg = server.psycopg()
        self._errors, self._offline = pg.OperationalError, offline
        try:
            self.conn = pg.connect(url, autocommit=True, connect_timeout=5, password=password)
            self.conn.execute(f"LISTEN {server.CHANNEL}")
        except pg.OperationalError as error:
            raise offline(error) from error

    def wait(self, timeout: float) -> bool:
        try:
            for _ in self.conn.notifies(timeout=timeout, stop_after=1):
                return True
        except self._errors as error:
            raise self._offline(error) from error
        return False

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _assign_gids(db) -> None:
    """Global ids for every row that travels (share): random, lists by their path."""
    for kind, table in (("paper", "papers"), ("note", "notes"), ("highlight", "highlights")):
        db.execute(
            f"INSERT OR IGNORE INTO sync_ids (kind, local_id, gid) "
            f"SELECT '{kind}', id, lower(hex(randomblob(16))) FROM {table}"
        )
    # Parents before children: a list's id is its parent's id and its name.
    rows = db.execute("SELECT id, parent_id, name FROM lists").fetchall()
    gids: dict[int, str] = {}
    remaining = list(rows)
    while remaining:
        later = []
        for list_id, parent, name in remaining:
            if parent is None or parent in gids:
                gids[list_id] = f"{gids.get(parent, '')}/{name.lower()}"
            else:
                later.append((list_id, parent, name))
        if len(later) == len(remaining):  # a cycle cannot happen; be safe anyway
            for list_id, _, _ in later:
                gids[list_id] = local.new_gid()
            break
        remaining = later
    for list_id, gid in gids.items():
        db.execute(
            "INSERT OR IGNORE INTO sync_ids (kind, local_id, gid) VALUES ('list', ?, ?)",
            [list_id, gid],
        )


def _all_rows(db) -> Iterator[tuple[str, str, dict]]:
    for kind in ("paper", "list", "note", "highlight"):
        table = local.ENTITIES[kind][0]
        for (row_id,) in db.execute(f"SELECT id FROM {table}").fetchall():
            gid = local.gid_of(db, kind, row_id)
            data = local.row_data(db, kind, row_id)
            if gid and data is not None:
                yield kind, gid, data
    for name, folded, color in db.execute("SELECT name, folded, color FROM tags").fetchall():
        yield "tag", folded, {"name": name, "color": color}
    for paper, folded, name in db.execute(
        "SELECT s.gid, t.folded, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
        "JOIN sync_ids s ON s.kind = 'paper' AND s.local_id = pt.paper_id"
    ).fetchall():
        yield (
            "paper_tag",
            f"{paper}|{folded}",
            {
                "paper": paper,
                "tag": folded,
                "name": name,
                "present": True,
            },
        )
    for list_gid, paper, position, added in db.execute(
        "SELECT l.gid, p.gid, li.position, li.added FROM list_items li "
        "JOIN sync_ids l ON l.kind = 'list' AND l.local_id = li.list_id "
        "JOIN sync_ids p ON p.kind = 'paper' AND p.local_id = li.paper_id"
    ).fetchall():
        yield (
            "list_item",
            f"{list_gid}|{paper}",
            {
                "list": list_gid,
                "paper": paper,
                "present": True,
                "position": position,
                "added": added,
            },
        )
