"""The server half of sync: the PostgreSQL schema, pushes resolved by the conflict rules,
and the log that members pull (docs/sync.md).

``psycopg`` is imported only here, and only when a shared library talks to its server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from readinglist import fingerprints
from readinglist.sync.local import CONFLICT_FIELDS, Item

SCHEMA_VERSION = "1"
CHANNEL = "readinglist"
PUSH_LOCK = 7_303_515  # pg_advisory_xact_lock key: pushes take turns

SCHEMA = """
CREATE TABLE IF NOT EXISTS rl_info (name text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS rl_rows (
    kind text NOT NULL,
    gid text NOT NULL,
    data jsonb NOT NULL,
    field_seq jsonb NOT NULL DEFAULT '{}',
    field_hlc jsonb NOT NULL DEFAULT '{}',
    seq bigint NOT NULL DEFAULT 0,
    gone boolean NOT NULL DEFAULT false,
    PRIMARY KEY (kind, gid)
);
CREATE INDEX IF NOT EXISTS rl_rows_doi ON rl_rows ((data->>'doi'))
    WHERE kind = 'paper' AND data->>'doi' <> '';
CREATE INDEX IF NOT EXISTS rl_rows_arxiv ON rl_rows ((data->>'arxiv_id'))
    WHERE kind = 'paper' AND data->>'arxiv_id' <> '';
CREATE INDEX IF NOT EXISTS rl_rows_abstract ON rl_rows ((data->>'abstract_fingerprint'))
    WHERE kind = 'paper';
CREATE INDEX IF NOT EXISTS rl_rows_record ON rl_rows ((data->>'record_fingerprint'))
    WHERE kind = 'paper';
CREATE INDEX IF NOT EXISTS rl_rows_key ON rl_rows (lower(data->>'key')) WHERE kind = 'paper';
CREATE TABLE IF NOT EXISTS rl_changes (
    seq bigserial PRIMARY KEY,
    kind text NOT NULL,
    gid text NOT NULL,
    data jsonb NOT NULL,
    device text NOT NULL,
    hlc text NOT NULL
);
CREATE TABLE IF NOT EXISTS rl_conflicts (
    id bigserial PRIMARY KEY,
    kind text NOT NULL,
    gid text NOT NULL,
    field text NOT NULL,
    kept jsonb,
    other jsonb,
    other_device text NOT NULL,
    other_time text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS rl_aliases (gid text PRIMARY KEY, canonical text NOT NULL);
CREATE TABLE IF NOT EXISTS rl_devices (
    device text PRIMARY KEY,
    pushed_upto bigint NOT NULL DEFAULT 0,
    seen timestamptz NOT NULL DEFAULT now()
);
"""


def psycopg():
    try:
        import psycopg as module
    except ImportError as error:
        from readinglist.errors import UserError

        raise UserError(
            "sharing a library needs psycopg: pip install 'readinglist[shared]'"
        ) from error
    return module


def connect(url: str, *, password: str | None = None, timeout: int = 5):
    """A connection to the server; libpq reads .pgpass and service files itself."""
    pg = psycopg()
    options: dict[str, Any] = {"connect_timeout": timeout, "autocommit": False}
    if password:
        options["password"] = password
    conn = pg.connect(url, **options)
    conn.execute("SET statement_timeout = '120s'")
    conn.commit()
    return conn


def create_schema(conn, name: str) -> None:
    with conn.transaction():
        conn.execute(SCHEMA)
        conn.execute(
            "INSERT INTO rl_info VALUES ('schema', %s), ('name', %s) ON CONFLICT DO NOTHING",
            [SCHEMA_VERSION, name],
        )


def library_info(conn) -> dict[str, str] | None:
    """The shared library's name and schema, or None where there is none."""
    with conn.transaction():
        exists = conn.execute("SELECT to_regclass('rl_info') IS NOT NULL").fetchone()[0]
        if not exists:
            return None
        return dict(conn.execute("SELECT name, value FROM rl_info").fetchall())


def is_empty(conn) -> bool:
    with conn.transaction():
        return conn.execute("SELECT NOT EXISTS (SELECT 1 FROM rl_rows)").fetchone()[0]


def can_write(conn) -> bool:
    with conn.transaction():
        return conn.execute(
            "SELECT has_table_privilege('rl_changes', 'INSERT') "
            "AND has_table_privilege('rl_rows', 'UPDATE')"
        ).fetchone()[0]


# Publishing a whole library


def publish(conn, rows: Iterator[tuple[str, str, dict]]) -> int:
    """Copy every row of a library into an empty server (share): no conflicts can arise,
    so rows go in with COPY at version 0."""
    from psycopg.types.json import Jsonb

    count = 0
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [PUSH_LOCK])
        with conn.cursor().copy("COPY rl_rows (kind, gid, data) FROM STDIN") as copy:
            for kind, gid, data in rows:
                copy.write_row((kind, gid, Jsonb(data)))
                count += 1
    return count


# Pushing changes


def push(conn, device: str, items: list[Item], upto: int) -> bool:
    """Apply one batch of a device's changes; False if the server already had it (a sync
    that died after the server's commit). The batch and the device's position commit
    together."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [PUSH_LOCK])
        conn.execute("INSERT INTO rl_devices (device) VALUES (%s) ON CONFLICT DO NOTHING", [device])
        done = conn.execute(
            "SELECT pushed_upto FROM rl_devices WHERE device = %s", [device]
        ).fetchone()[0]
        if done >= upto:
            return False
        pusher = _Pusher(conn, device)
        for item in items:
            pusher.push(item)
        conn.execute(
            "UPDATE rl_devices SET pushed_upto = %s, seen = now() WHERE device = %s",
            [upto, device],
        )
        conn.execute(f"NOTIFY {CHANNEL}")
    return True


def pushed_upto(conn, device: str) -> int:
    with conn.transaction():
        row = conn.execute(
            "SELECT pushed_upto FROM rl_devices WHERE device = %s", [device]
        ).fetchone()
    return row[0] if row else 0


class _Pusher:
    def __init__(self, conn, device: str):
        from psycopg.types.json import Jsonb

        self.conn, self.device, self.jsonb = conn, device, Jsonb

    def _alias(self, gid: str | None) -> str | None:
        if gid is None:
            return None
        row = self.conn.execute("SELECT canonical FROM rl_aliases WHERE gid = %s", [gid]).fetchone()
        return row[0] if row else gid

    def push(self, item: Item) -> None:
        data = dict(item.data)
        for ref in ("paper", "list"):
            if isinstance(data.get(ref), str):
                data[ref] = self._alias(data[ref])
        gid = item.gid
        if item.kind == "paper":
            gid = self._alias(gid)
        elif item.kind == "paper_tag":
            gid = f"{data.get('paper')}|{data.get('tag')}"
        elif item.kind == "list_item":
            gid = f"{data.get('list')}|{data.get('paper')}"
        row = self.conn.execute(
            "SELECT data, field_seq, field_hlc, gone FROM rl_rows WHERE kind = %s AND gid = %s "
            "FOR UPDATE",
            [item.kind, gid],
        ).fetchone()
        if row is None:
            if item.gone:
                if item.kind == "tag":  # a tag the server knew only through its papers
                    self._write(item, gid, {}, {}, {"gone"}, insert=True, gone=True)
                return
            if item.kind == "paper":
                same = self._same_paper(data)
                if same is not None:
                    self._record_alias(item, same)
                    return
                data["key"] = self._free_key(data.get("key"), gid)
            fields = set(data)
            stamps = dict.fromkeys(fields, f"{item.hlc}|{self.device}")
            self._write(item, gid, data, stamps, fields, insert=True)
            return
        current, field_seq, field_hlc, gone = row
        self._resolve(item, gid, data, current, field_seq, field_hlc, gone)

    def _resolve(self, item, gid, data, current, field_seq, field_hlc, gone) -> None:
        base, kind = item.base, item.kind
        tracked = CONFLICT_FIELDS.get(kind, frozenset())
        new = dict(current)
        hlcs = dict(field_hlc)
        changed: set[str] = set()
        edited_since = {f for f, s in field_seq.items() if s > base and f not in ("gone",)}
        content_since = edited_since - {"deleted", "modified", "gone"}
        if item.gone:
            # Deleted here, edited there since: the edit keeps the row. (A tag is only a
            # name and a colour: its papers say whether it is used.)
            if not content_since or kind == "tag":
                gone = True
                changed.add("gone")
            self._write(item, gid, new, hlcs, changed, gone=gone)
            return
        fields = set(item.fields) & set(data)
        content = fields - {"deleted", "modified"}
        if gone and content and field_seq.get("gone", 0) > base:
            gone = False  # deleted there, edited here: it comes back with the edit
            changed.add("gone")
        elif gone and content:
            gone = False  # an edit made after seeing the deletion: a deliberate restore
            changed.add("gone")
        for name in sorted(fields):
            mine, theirs = data[name], current.get(name)
            if mine == theirs:
                continue
            if field_seq.get(name, 0) > base:
                # Changed on the server since this device last saw the row.
                if kind == "paper" and name == "deleted" and mine is not None and content_since:
                    continue  # trashed here, edited there: it stays, with the edit
                stamp = f"{item.hlc}|{self.device}"
                mine_later = stamp > hlcs.get(name, "")
                if name in tracked:
                    kept, other = (mine, theirs) if mine_later else (theirs, mine)
                    lost = hlcs.get(name, "|") if mine_later else stamp
                    self._conflict(item, gid, name, kept, other, lost)
                if not mine_later:
                    continue
            new[name] = mine
            hlcs[name] = f"{item.hlc}|{self.device}"
            changed.add(name)
        if (
            kind == "paper"
            and new.get("deleted") is not None
            and content
            and field_seq.get("deleted", 0) > base
        ):
            new["deleted"] = None  # trashed there, edited here: it stays, with the edit
            changed.add("deleted")
        if kind == "paper" and "key" in changed:
            new["key"] = self._free_key(new.get("key"), gid)
        self._write(item, gid, new, hlcs, changed, gone=gone)

    def _conflict(self, item, gid, name, kept, other, lost: str) -> None:
        when, _, device = lost.partition("|")
        self.conn.execute(
            "INSERT INTO rl_conflicts (kind, gid, field, kept, other, other_device, other_time) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                item.kind,
                gid,
                name,
                self.jsonb(kept),
                self.jsonb(other),
                device,
                when,
            ],
        )

    def _write(self, item, gid, data, hlcs, changed, *, insert=False, gone=False) -> None:
        """Store the row and append its state to the log (even when nothing changed: the
        device that pushed then gets the winning values back)."""
        seq = self.conn.execute(
            "INSERT INTO rl_changes (kind, gid, data, device, hlc) VALUES (%s, %s, %s, %s, %s) "
            "RETURNING seq",
            [item.kind, gid, self.jsonb({**data, "gone": gone}), self.device, item.hlc],
        ).fetchone()[0]
        if insert:
            self.conn.execute(
                "INSERT INTO rl_rows (kind, gid, data, field_seq, field_hlc, seq, gone) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [
                    item.kind,
                    gid,
                    self.jsonb(data),
                    self.jsonb(dict.fromkeys(changed, seq)),
                    self.jsonb(hlcs),
                    seq,
                    gone,
                ],
            )
            return
        self.conn.execute(
            "UPDATE rl_rows SET data = %s, field_seq = field_seq || %s, field_hlc = %s, "
            "seq = %s, gone = %s WHERE kind = %s AND gid = %s",
            [
                self.jsonb(data),
                self.jsonb(dict.fromkeys(changed, seq)),
                self.jsonb(hlcs),
                seq,
                gone,
                item.kind,
                gid,
            ],
        )

    def _same_paper(self, data: dict) -> str | None:
        """A paper the server has by the evidence rules of local imports
        (readinglist/fingerprints.py): the same arXiv id, DOI or full abstract, or the same
        record from a file of the same name."""
        live = "kind = 'paper' AND NOT gone AND data->>'deleted' IS NULL"
        for column, value in (
            ("arxiv_id", fingerprints.normalise_arxiv_id(str(data.get("arxiv_id") or ""))),
            ("doi", fingerprints.normalise_doi(str(data.get("doi") or ""))),
            ("abstract_fingerprint", data.get("abstract_fingerprint") or ""),
        ):
            if value:
                row = self.conn.execute(
                    f"SELECT gid FROM rl_rows WHERE {live} AND data->>'{column}' = %s "
                    "ORDER BY seq LIMIT 1",
                    [value],
                ).fetchone()
                if row:
                    return row[0]
        record = data.get("record_fingerprint") or ""
        source = os.path.basename(str(data.get("source_file") or ""))
        if record and source:
            for gid, other in self.conn.execute(
                f"SELECT gid, data->>'source_file' FROM rl_rows WHERE {live} "
                "AND data->>'record_fingerprint' = %s ORDER BY seq",
                [record],
            ).fetchall():
                if os.path.basename(other or "") == source:
                    return gid
        return None

    def _record_alias(self, item: Item, canonical: str) -> None:
        self.conn.execute(
            "INSERT INTO rl_aliases VALUES (%s, %s) ON CONFLICT DO NOTHING", [item.gid, canonical]
        )
        self.conn.execute(
            "INSERT INTO rl_changes (kind, gid, data, device, hlc) "
            "VALUES ('alias', %s, %s, %s, %s)",
            [item.gid, self.jsonb({"paper": canonical}), self.device, item.hlc],
        )
        # The canonical paper's state follows, so the device that pushed takes it on.
        data = self.conn.execute(
            "SELECT data FROM rl_rows WHERE kind = 'paper' AND gid = %s", [canonical]
        ).fetchone()[0]
        self.conn.execute(
            "INSERT INTO rl_changes (kind, gid, data, device, hlc) "
            "VALUES ('paper', %s, %s, %s, %s)",
            [canonical, self.jsonb({**data, "gone": False}), self.device, item.hlc],
        )

    def _free_key(self, key, gid: str):
        if not isinstance(key, str) or not key:
            return key
        taken = {
            row[0]
            for row in self.conn.execute(
                "SELECT lower(data->>'key') FROM rl_rows WHERE kind = 'paper' AND NOT gone "
                "AND gid <> %s AND lower(data->>'key') LIKE %s",
                [
                    gid,
                    key.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",
                ],
            )
        }
        if key.lower() not in taken:
            return key
        for suffix in "bcdefghijklmnopqrstuvwxyz":
            if (key + suffix).lower() not in taken:
                return key + suffix
        n = 2
        while f"{key}-{n}".lower() in taken:
            n += 1
        return f"{key}-{n}"


# Pulling


def changes_after(conn, seq: int, limit: int = 5000) -> list[tuple[int, str, str, Any]]:
    with conn.transaction():
        return conn.execute(
            "SELECT seq, kind, gid, data FROM rl_changes WHERE seq > %s ORDER BY seq LIMIT %s",
            [seq, limit],
        ).fetchall()


def conflicts_after(conn, last: int) -> list[tuple]:
    with conn.transaction():
        return conn.execute(
            "SELECT id, kind, gid, field, kept, other, other_device, other_time "
            "FROM rl_conflicts WHERE id > %s ORDER BY id",
            [last],
        ).fetchall()


def last_seq(conn) -> int:
    with conn.transaction():
        return conn.execute("SELECT coalesce(max(seq), 0) FROM rl_changes").fetchone()[0]


def snapshot(conn, consume) -> int:
    """Every live row, in one consistent snapshot, passed to ``consume(kind, gid, data,
    seq)`` kind by kind (papers first); returns the log position the snapshot is at."""
    pg = psycopg()
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        position = conn.execute("SELECT coalesce(max(seq), 0) FROM rl_changes").fetchone()[0]
        for kind in ("paper", "tag", "list", "paper_tag", "list_item", "note", "highlight"):
            with conn.cursor(name=f"snapshot_{kind}") as cursor:
                cursor.itersize = 5000
                cursor.execute(
                    "SELECT gid, data, seq FROM rl_rows WHERE kind = %s AND NOT gone ORDER BY seq",
                    [kind],
                )
                for gid, data, seq in cursor:
                    consume(kind, gid, data, seq)
    del pg
    return position
