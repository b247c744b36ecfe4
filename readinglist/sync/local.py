"""The local half of sync: triggers that record changes, rows as they travel, and
applying rows from the server (docs/sync.md).

Everything here runs inside the caller's SQLite transaction.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field

import sqlite_utils

from readinglist.db import schema_check
from readinglist.db import tags as tag_queries

PAPER_FIELDS = (
    "key",
    "title",
    "title_inferred",
    "abstract",
    "authors",
    "year",
    "venue",
    "url",
    "code_url",
    "arxiv_id",
    "doi",
    "source_file",
    "source_format",
    "date_listed",
    "added",
    "modified",
    "status",
    "read_date",
    "rating",
    "priority",
    "deleted",
    "abstract_fingerprint",
    "record_fingerprint",
    "arxiv_version",
    "primary_class",
    "date",
)
NOTE_FIELDS = ("body", "created", "modified")
HIGHLIGHT_FIELDS = ("anchor_start", "anchor_end", "quote", "color", "comment", "created")
LIST_FIELDS = ("name", "position", "created")
# Entity kinds: (table, columns that travel as they are).
ENTITIES = {
    "paper": ("papers", PAPER_FIELDS),
    "note": ("notes", NOTE_FIELDS),
    "highlight": ("highlights", HIGHLIGHT_FIELDS),
    "list": ("lists", LIST_FIELDS),
}
# Fields whose concurrent edits are kept as conflicts. Timestamps of edits and derived
# fingerprints follow the winner silently; membership flags merge.
CONFLICT_FIELDS = {
    "paper": frozenset(PAPER_FIELDS) - {"modified", "abstract_fingerprint", "record_fingerprint"},
    "note": frozenset({"body"}),
    "highlight": frozenset({"color", "comment"}),
    "list": frozenset({"name", "parent"}),
}
APPLYING = "EXISTS (SELECT 1 FROM sync_applying)"
NOW = "strftime('%Y-%m-%dT%H:%M:%f', 'now')"
RANDOM_GID = "lower(hex(randomblob(16)))"


def new_gid() -> str:
    return secrets.token_hex(16)


# Triggers


def trigger_sql() -> list[str]:
    """Statements that (re)create the change-recording triggers."""
    out: list[str] = []

    def trigger(name: str, event: str, table: str, body: str, when: str = "") -> None:
        condition = f"NOT {APPLYING}" + (f" AND ({when})" if when else "")
        out.append(f"DROP TRIGGER IF EXISTS sync_{name}")
        out.append(
            f"CREATE TRIGGER sync_{name} {event} ON {table} WHEN {condition} BEGIN {body} END"
        )

    def outbox(kind: str, a: str, b: str, fieldname: str, base: str = "0") -> str:
        return (
            "INSERT INTO sync_outbox (kind, a, b, field, hlc, base) "
            f"VALUES ('{kind}', {a}, {b}, {fieldname}, {NOW}, {base});"
        )

    for kind, (table, columns) in ENTITIES.items():
        columns = (*columns, "paper_id") if kind in ("note", "highlight") else columns
        columns = (*columns, "parent_id") if kind == "list" else columns
        version = f"(SELECT version FROM sync_ids WHERE kind = '{kind}' AND local_id = OLD.id)"
        if kind == "list":
            # Lists made independently under the same name are one list: the id comes
            # from the parent's id and the name, unless a renamed list already has it.
            made = (
                "ifnull((SELECT gid FROM sync_ids WHERE kind = 'list' AND local_id = "
                "NEW.parent_id), '') || '/' || lower(NEW.name)"
            )
            gid = (
                f"CASE WHEN EXISTS (SELECT 1 FROM sync_ids WHERE kind = 'list' AND gid = {made})"
                f" THEN {RANDOM_GID} ELSE {made} END"
            )
        else:
            gid = RANDOM_GID
        trigger(
            f"{kind}_insert",
            "AFTER INSERT",
            table,
            f"INSERT OR IGNORE INTO sync_ids (kind, local_id, gid) VALUES ('{kind}', NEW.id, "
            f"{gid});" + outbox(kind, "NEW.id", "NULL", "'*'"),
        )
        changed = " UNION ALL ".join(
            f"SELECT '{_travelling(c)}' AS f WHERE OLD.{c} IS NOT NEW.{c}" for c in columns
        )
        trigger(
            f"{kind}_update",
            "AFTER UPDATE",
            table,
            "INSERT INTO sync_outbox (kind, a, b, field, hlc, base) "
            f"SELECT '{kind}', NEW.id, NULL, f, {NOW}, ifnull({version}, 0) FROM ({changed});",
        )
        trigger(
            f"{kind}_delete",
            "AFTER DELETE",
            table,
            outbox(kind, "OLD.id", "NULL", "'gone'", f"ifnull({version}, 0)"),
        )
    # Tags: a tag's own fields, and memberships by (paper, casefolded name).
    trigger(
        "tag_update",
        "AFTER UPDATE",
        "tags",
        outbox("tag", "NULL", "NEW.folded", "'color'")
        + "INSERT INTO sync_outbox (kind, a, b, field, hlc) "
        f"SELECT 'paper_tag', paper_id, OLD.folded, 'present', {NOW} FROM paper_tags "
        "WHERE tag_id = NEW.id AND OLD.folded IS NOT NEW.folded;"
        "INSERT INTO sync_outbox (kind, a, b, field, hlc) "
        f"SELECT 'paper_tag', paper_id, NEW.folded, 'present', {NOW} FROM paper_tags "
        "WHERE tag_id = NEW.id AND OLD.folded IS NOT NEW.folded;"
        "INSERT INTO sync_outbox (kind, a, b, field, hlc) "
        f"SELECT 'tag', NULL, OLD.folded, 'gone', {NOW} WHERE OLD.folded IS NOT NEW.folded;",
    )
    trigger("tag_delete", "AFTER DELETE", "tags", outbox("tag", "NULL", "OLD.folded", "'gone'"))
    folded = "(SELECT folded FROM tags WHERE id = {}.tag_id)"
    trigger(
        "paper_tag_insert",
        "AFTER INSERT",
        "paper_tags",
        outbox("paper_tag", "NEW.paper_id", folded.format("NEW"), "'present'"),
    )
    trigger(
        "paper_tag_delete",
        "AFTER DELETE",
        "paper_tags",
        outbox("paper_tag", "OLD.paper_id", folded.format("OLD"), "'present'"),
        when=folded.format("OLD") + " IS NOT NULL",
    )
    trigger(
        "paper_tag_update",
        "AFTER UPDATE",
        "paper_tags",
        outbox("paper_tag", "OLD.paper_id", folded.format("OLD"), "'present'")
        + outbox("paper_tag", "NEW.paper_id", folded.format("NEW"), "'present'"),
    )
    for event, row in (("insert", "NEW"), ("delete", "OLD")):
        trigger(
            f"list_item_{event}",
            f"AFTER {event.upper()}",
            "list_items",
            outbox("list_item", f"{row}.list_id", f"{row}.paper_id", "'present'"),
        )
    trigger(
        "list_item_update",
        "AFTER UPDATE",
        "list_items",
        outbox("list_item", "NEW.list_id", "NEW.paper_id", "'position'"),
    )
    return out


def _travelling(column: str) -> str:
    """The field name a column travels under (a local id becomes a global one)."""
    return {"paper_id": "paper", "parent_id": "parent"}.get(column, column)


# A library checks its triggers on open and drops any it did not write (db/schema_check.py).
schema_check.register_known_code(trigger_sql())


def install_triggers(db: sqlite_utils.Database) -> None:
    for statement in trigger_sql():
        db.execute(statement)


def remove_triggers(db: sqlite_utils.Database) -> None:
    for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync\\_%' ESCAPE '\\'"
    ).fetchall():
        db.execute(f"DROP TRIGGER IF EXISTS {name}")


# Rows as they travel


@dataclass(slots=True)
class Item:
    """One row's changes on their way to the server."""

    kind: str
    gid: str
    data: dict  # the row's full current state (empty when it is gone)
    fields: set[str]  # the fields this library changed
    hlc: str
    base: int
    create: bool = False
    gone: bool = False
    refs: dict = field(default_factory=dict)  # global ids the row names: paper, list

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "gid": self.gid,
            "data": self.data,
            "fields": sorted(self.fields),
            "hlc": self.hlc,
            "base": self.base,
            "create": self.create,
            "gone": self.gone,
        }


def gid_of(db: sqlite_utils.Database, kind: str, local_id: int | None) -> str | None:
    if local_id is None:
        return None
    row = db.execute(
        "SELECT gid FROM sync_ids WHERE kind = ? AND local_id = ?", [kind, local_id]
    ).fetchone()
    return row[0] if row else None


def local_id_of(db: sqlite_utils.Database, kind: str, gid: str | None) -> int | None:
    if gid is None:
        return None
    row = db.execute(
        "SELECT local_id FROM sync_ids WHERE kind = ? AND gid = ?", [kind, gid]
    ).fetchone()
    return row[0] if row else None


def row_data(db: sqlite_utils.Database, kind: str, local_id: int) -> dict | None:
    """The row's state as it travels, or None if the row is gone."""
    table, columns = ENTITIES[kind]
    extra = {"note": ", paper_id", "highlight": ", paper_id", "list": ", parent_id"}.get(kind, "")
    cursor = db.execute(f"SELECT {', '.join(columns)}{extra} FROM {table} WHERE id = ?", [local_id])
    row = cursor.fetchone()
    if row is None:
        return None
    data = dict(zip(columns, row, strict=False))
    if kind in ("note", "highlight"):
        data["paper"] = gid_of(db, "paper", row[-1])
    if kind == "list":
        data["parent"] = gid_of(db, "list", row[-1])
    return data


def outbox_items(db: sqlite_utils.Database, limit: int = 5000) -> tuple[int, list[Item]]:
    """(the last outbox entry read, the rows to push), oldest first. Call inside a read
    transaction so rows and outbox agree."""
    entries = db.execute(
        "SELECT seq, kind, a, b, field, hlc, base FROM sync_outbox ORDER BY seq LIMIT ?", [limit]
    ).fetchall()
    if not entries:
        return 0, []
    grouped: dict[tuple, list] = {}
    for entry in entries:
        grouped.setdefault((entry[1], entry[2], entry[3]), []).append(entry)
    items = []
    for (kind, a, b), rows in grouped.items():
        fields = {r[4] for r in rows}
        hlc = max(r[5] for r in rows)
        base = min(r[6] for r in rows)
        item = _item(db, kind, a, b, fields, hlc, base)
        if item is not None:
            items.append(item)
    # A tag goes after its memberships (a rename sends both): it is dropped where it is
    # left without papers.
    items.sort(key=lambda item: item.kind == "tag" and item.gone)
    return entries[-1][0], items


def _item(db, kind, a, b, fields, hlc, base) -> Item | None:
    if kind in ENTITIES:
        gid = gid_of(db, kind, a)
        if gid is None:
            return None
        data = row_data(db, kind, a)
        create = "*" in fields
        if data is None:
            if create:
                return None  # made and deleted before it ever left: nothing to send
            return Item(kind, gid, {}, {"gone"}, hlc, base, gone=True)
        changed = set(data) if create else (fields - {"*", "gone"})
        return Item(kind, gid, data, changed, hlc, base, create=create)
    if kind == "tag":
        row = db.execute("SELECT name, color FROM tags WHERE folded = ?", [b]).fetchone()
        if row is None:
            return Item("tag", b, {}, {"gone"}, hlc, base, gone=True)
        return Item("tag", b, {"name": row[0], "color": row[1]}, {"name", "color"}, hlc, base)
    if kind == "paper_tag":
        paper = gid_of(db, "paper", a)
        if paper is None or b is None:
            return None
        row = db.execute(
            "SELECT t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
            "WHERE pt.paper_id = ? AND t.folded = ?",
            [a, b],
        ).fetchone()
        data = {"paper": paper, "tag": b, "name": row[0] if row else b, "present": row is not None}
        return Item("paper_tag", f"{paper}|{b}", data, {"present"}, hlc, base)
    if kind == "list_item":
        list_gid, paper = gid_of(db, "list", a), gid_of(db, "paper", b)
        if list_gid is None or paper is None:
            return None
        row = db.execute(
            "SELECT position, added FROM list_items WHERE list_id = ? AND paper_id = ?", [a, b]
        ).fetchone()
        data = {
            "list": list_gid,
            "paper": paper,
            "present": row is not None,
            "position": row[0] if row else 0,
            "added": row[1] if row else "",
        }
        changed = {"present", "position"} if row else {"present"}
        return Item("list_item", f"{list_gid}|{paper}", data, changed, hlc, base)
    return None


def forget_pushed(db: sqlite_utils.Database, up_to: int) -> None:
    db.execute("DELETE FROM sync_outbox WHERE seq <= ?", [up_to])


def pending_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM sync_outbox").fetchone()[0]


# Applying rows from the server


def _pending_fields(db: sqlite_utils.Database, kind: str, a, b=None) -> set[str]:
    rows = db.execute(
        "SELECT field FROM sync_outbox WHERE kind = ? AND a IS ? AND b IS ?", [kind, a, b]
    ).fetchall()
    return {r[0] for r in rows}


def apply_row(db: sqlite_utils.Database, kind: str, gid: str, data: dict, seq: int) -> None:
    """Make the local row match the server's state ``data``, keeping fields with local
    changes not yet pushed. Values are checked for type before they reach SQLite."""
    if not isinstance(data, dict):
        return
    if kind == "alias":
        _apply_alias(db, gid, _text(data.get("paper")))
        return
    if kind in ENTITIES:
        _apply_entity(db, kind, gid, data, seq)
    elif kind == "tag":
        _apply_tag(db, gid, data)
    elif kind == "paper_tag":
        _apply_paper_tag(db, data)
    elif kind == "list_item":
        _apply_list_item(db, data)


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _scalar(value):
    """JSON values that may reach a column: text, numbers, null. Anything else is dropped."""
    if value is None or (isinstance(value, str | int | float) and not isinstance(value, bool)):
        return value
    if isinstance(value, bool):
        return int(value)
    return None


def _apply_entity(db, kind: str, gid: str, data: dict, seq: int) -> None:
    table, columns = ENTITIES[kind]
    local = local_id_of(db, kind, gid)
    if data.get("gone"):
        # Deleted there; a local edit not yet pushed keeps it (and brings it back there).
        if local is not None and not _pending_fields(db, kind, local) - {"gone"}:
            db.execute(f"DELETE FROM {table} WHERE id = ?", [local])
        return
    values = {c: _scalar(data.get(c)) for c in columns if c in data}
    if kind in ("note", "highlight"):
        paper = local_id_of(db, "paper", _text(data.get("paper")))
        if paper is None:
            return  # its paper is not here (gone): the note waits on the server
        values["paper_id"] = paper
    if kind == "list":
        values["parent_id"] = local_id_of(db, "list", _text(data.get("parent")))
    if (
        local is not None
        and not db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [local]).fetchone()
    ):
        local = None  # deleted here, back from the server (edited elsewhere meanwhile)
    if local is None:
        if kind == "paper":
            _free_key(db, values.get("key"), None)
        if kind == "list":
            _free_list_name(db, values, None)
        names = ", ".join(values)
        local = db.execute(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(values))})",
            list(values.values()),
        ).lastrowid
        db.execute(
            "INSERT OR REPLACE INTO sync_ids (kind, local_id, gid, version) VALUES (?, ?, ?, ?)",
            [kind, local, gid, seq],
        )
        return
    pending = _pending_fields(db, kind, local)
    pending = {{"paper": "paper_id", "parent": "parent_id"}.get(f, f) for f in pending}
    values = {c: v for c, v in values.items() if c not in pending}
    if kind == "paper" and "key" in values:
        _free_key(db, values["key"], local)
    if kind == "list" and "name" in values:
        _free_list_name(db, values, local)
    if values:
        assignments = ", ".join(f"{c} = ?" for c in values)
        db.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*values.values(), local])
    db.execute(
        "UPDATE sync_ids SET version = max(version, ?) WHERE kind = ? AND local_id = ?",
        [seq, kind, local],
    )


def _tracked(db, sql: str, params: list) -> None:
    """A write made on this library's behalf that must travel (a renamed local row)."""
    db.execute("DELETE FROM sync_applying")
    try:
        db.execute(sql, params)
    finally:
        db.execute("INSERT OR IGNORE INTO sync_applying VALUES (1)")


def _free_key(db, key, local: int | None) -> None:
    """A paper from the server takes its key; a local paper not yet pushed that holds it
    gets another (which then travels)."""
    if not isinstance(key, str):
        return
    row = db.execute(
        "SELECT id FROM papers WHERE key = ? COLLATE NOCASE AND id IS NOT ?", [key, local]
    ).fetchone()
    if row is not None:
        _tracked(
            db, "UPDATE papers SET key = ? WHERE id = ?", [f"{key}-{secrets.token_hex(2)}", row[0]]
        )


def _free_list_name(db, values: dict, local: int | None) -> None:
    name = values.get("name")
    if not isinstance(name, str):
        return
    row = db.execute(
        "SELECT id FROM lists WHERE ifnull(parent_id, 0) = ifnull(?, 0) AND name = ? "
        "COLLATE NOCASE AND id IS NOT ?",
        [values.get("parent_id"), name, local],
    ).fetchone()
    if row is not None:
        _tracked(db, "UPDATE lists SET name = name || ' (2)' WHERE id = ?", [row[0]])


def _apply_tag(db, folded: str, data: dict) -> None:
    name, color = _text(data.get("name")), _text(data.get("color"))
    if _pending_fields(db, "tag", None, folded):
        return
    if data.get("gone"):
        # Renamed or deleted there: gone here too, unless papers here still carry it.
        db.execute(
            "DELETE FROM tags WHERE folded = ? AND NOT EXISTS "
            "(SELECT 1 FROM paper_tags WHERE tag_id = tags.id)",
            [folded],
        )
        return
    if name is None:
        return
    existing = db.execute("SELECT id FROM tags WHERE folded = ?", [folded]).fetchone()
    if existing is None:
        db.execute(
            "INSERT INTO tags (name, folded, color) VALUES (?, ?, ?)", [name, folded, color or ""]
        )
    else:
        db.execute(
            "UPDATE tags SET name = ?, color = ifnull(?, color) WHERE id = ?",
            [name, color, existing[0]],
        )


def _apply_paper_tag(db, data: dict) -> None:
    paper = local_id_of(db, "paper", _text(data.get("paper")))
    folded, name = _text(data.get("tag")), _text(data.get("name"))
    if paper is None or folded is None:
        return
    if _pending_fields(db, "paper_tag", paper, folded):
        return
    if data.get("present") is True:
        row = db.execute("SELECT id FROM tags WHERE folded = ?", [folded]).fetchone()
        if row is None:
            try:
                cleaned = tag_queries.clean_name(name or folded)
            except Exception:
                return
            tid = db.execute(
                "INSERT INTO tags (name, folded) VALUES (?, ?)", [cleaned, folded]
            ).lastrowid
        else:
            tid = row[0]
        db.execute(
            "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) VALUES (?, ?)", [paper, tid]
        )
    else:
        db.execute(
            "DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = "
            "(SELECT id FROM tags WHERE folded = ?)",
            [paper, folded],
        )


def _apply_list_item(db, data: dict) -> None:
    list_id = local_id_of(db, "list", _text(data.get("list")))
    paper = local_id_of(db, "paper", _text(data.get("paper")))
    if list_id is None or paper is None:
        return
    if _pending_fields(db, "list_item", list_id, paper):
        return
    if data.get("present") is True:
        position = data.get("position") if isinstance(data.get("position"), int) else 0
        added = _text(data.get("added")) or ""
        db.execute(
            "INSERT INTO list_items (list_id, paper_id, position, added) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (list_id, paper_id) DO UPDATE SET position = excluded.position",
            [list_id, paper, position, added],
        )
    else:
        db.execute("DELETE FROM list_items WHERE list_id = ? AND paper_id = ?", [list_id, paper])


def _apply_alias(db, alias: str, canonical: str | None) -> None:
    """The server found that a paper this library pushed is one it already had: the local
    copy becomes that paper (merged into it, if that paper is here too)."""
    if canonical is None:
        return
    mine = local_id_of(db, "paper", alias)
    if mine is None:
        return
    theirs = local_id_of(db, "paper", canonical)
    if theirs is None:
        db.execute(
            "UPDATE sync_ids SET gid = ? WHERE kind = 'paper' AND local_id = ?", [canonical, mine]
        )
        return
    db.execute("DELETE FROM sync_outbox WHERE kind = 'paper' AND a = ?", [mine])
    for sql in (
        "UPDATE OR IGNORE paper_tags SET paper_id = :to WHERE paper_id = :from",
        "UPDATE OR IGNORE list_items SET paper_id = :to WHERE paper_id = :from",
        "UPDATE notes SET paper_id = :to WHERE paper_id = :from",
        "UPDATE highlights SET paper_id = :to WHERE paper_id = :from",
        "UPDATE sync_outbox SET a = :to WHERE kind = 'paper_tag' AND a = :from",
        "UPDATE sync_outbox SET b = :to WHERE kind = 'list_item' AND b = :from",
        "DELETE FROM papers WHERE id = :from",
    ):
        db.execute(sql, {"to": theirs, "from": mine})


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
