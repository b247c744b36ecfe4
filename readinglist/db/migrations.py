"""Named, transactional schema migrations (sqlite-utils ``Migrations``).

Append new migrations at the end; never edit one that has shipped. A library whose
database records a migration this version does not know was written by a newer
readinglist, and is refused rather than half-understood.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

from readinglist.errors import LibraryError
from readinglist.models import utc_now

migrations = Migrations("readinglist")


@migrations(name="0001_papers")
def _papers(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE papers (
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: scripts and undo hold ids
            key TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL DEFAULT '',
            title_inferred INTEGER NOT NULL DEFAULT 0,
            abstract TEXT NOT NULL DEFAULT '',
            authors TEXT NOT NULL DEFAULT '[]',   -- JSON list of "Last, First" names
            year INTEGER,
            venue TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            code_url TEXT NOT NULL DEFAULT '',
            arxiv_id TEXT NOT NULL DEFAULT '',
            doi TEXT NOT NULL DEFAULT '',
            source_file TEXT NOT NULL DEFAULT '',
            source_format TEXT NOT NULL DEFAULT '',
            date_listed TEXT NOT NULL DEFAULT '',
            added TEXT NOT NULL,
            modified TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'unread'
                CHECK (status IN ('unread', 'reading', 'read')),
            read_date TEXT,
            rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
            priority INTEGER NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 2),
            deleted TEXT,                          -- set while the paper is in the trash
            abstract_fingerprint TEXT,             -- only for abstracts long enough to be evidence
            record_fingerprint TEXT NOT NULL DEFAULT '',
            import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL
        );
        CREATE INDEX papers_abstract_fingerprint ON papers(abstract_fingerprint);
        CREATE INDEX papers_record_fingerprint ON papers(record_fingerprint, source_file);
        CREATE INDEX papers_arxiv_id ON papers(arxiv_id) WHERE arxiv_id != '';
        CREATE INDEX papers_doi ON papers(doi) WHERE doi != '';
        -- Views list papers outside the trash in a chosen order: partial indexes over the
        -- live papers let SQLite read them in order without sorting (7x faster at 100k).
        CREATE INDEX papers_added ON papers(added) WHERE deleted IS NULL;
        CREATE INDEX papers_title ON papers(title COLLATE NOCASE) WHERE deleted IS NULL;
        CREATE INDEX papers_year ON papers(year) WHERE deleted IS NULL;
        CREATE INDEX papers_status ON papers(status) WHERE deleted IS NULL;
        CREATE INDEX papers_trash ON papers(deleted) WHERE deleted IS NOT NULL;
        -- Covers the sidebar's counts: one pass over small index pages, not the rows.
        CREATE INDEX papers_counts ON papers(deleted, status, title_inferred, added);

        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            format TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            finished TEXT NOT NULL,
            added INTEGER NOT NULL,
            merged INTEGER NOT NULL,
            duplicates INTEGER NOT NULL,
            skipped INTEGER NOT NULL
        );

        CREATE TABLE tags (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            folded TEXT NOT NULL UNIQUE,          -- casefolded name: RLHF and rlhf are one tag
            color TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE paper_tags (
            paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
            PRIMARY KEY (paper_id, tag_id)
        ) WITHOUT ROWID;
        CREATE INDEX paper_tags_tag ON paper_tags(tag_id);

        CREATE TABLE settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )


@migrations(name="0002_organise")
def _organise(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE lists (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            parent_id INTEGER REFERENCES lists(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            created TEXT NOT NULL
        );
        CREATE UNIQUE INDEX lists_unique_name ON lists(ifnull(parent_id, 0), name COLLATE NOCASE);
        CREATE TABLE list_items (
            list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
            paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            added TEXT NOT NULL,
            PRIMARY KEY (list_id, paper_id)
        ) WITHOUT ROWID;
        CREATE INDEX list_items_paper ON list_items(paper_id);

        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            body TEXT NOT NULL,                    -- Markdown
            created TEXT NOT NULL,
            modified TEXT NOT NULL
        );
        CREATE INDEX notes_paper ON notes(paper_id);

        CREATE TABLE highlights (
            id INTEGER PRIMARY KEY,
            paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            anchor_start INTEGER NOT NULL,         -- offsets into the abstract; -1 if lost
            anchor_end INTEGER NOT NULL,
            quote TEXT NOT NULL,                   -- the text, to re-anchor after an edit
            color TEXT NOT NULL DEFAULT 'yellow',
            comment TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL
        );
        CREATE INDEX highlights_paper ON highlights(paper_id);

        CREATE TABLE saved_searches (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            query TEXT NOT NULL
        );

        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            label TEXT NOT NULL,
            created TEXT NOT NULL,
            undone INTEGER NOT NULL DEFAULT 0,
            open_by INTEGER                        -- pid of the process still recording it
        );
        CREATE TABLE undolog (
            seq INTEGER PRIMARY KEY,
            step INTEGER NOT NULL,
            tbl TEXT NOT NULL,
            paper_id INTEGER,                      -- the paper a row belongs to, if any
            sql TEXT NOT NULL
        );
        CREATE INDEX undolog_step ON undolog(step);
        """
    )


@migrations(name="0003_cite")
def _cite(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- What a BibTeX import carried beyond the paper's own fields, written back on export.
        CREATE TABLE paper_bibtex (
            paper_id INTEGER PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
            entry_type TEXT NOT NULL DEFAULT '',
            fields TEXT NOT NULL DEFAULT '[]'      -- JSON [[name, LaTeX value], ...]
        );
        CREATE TABLE auto_exports (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            scope TEXT NOT NULL CHECK (scope IN ('library', 'tag', 'list')),
            value TEXT NOT NULL DEFAULT '',
            format TEXT NOT NULL DEFAULT 'bibtex',
            last_written TEXT,
            last_error TEXT NOT NULL DEFAULT ''
        );
        -- BibTeX compares keys without case: so does the library.
        CREATE UNIQUE INDEX papers_key_nocase ON papers(key COLLATE NOCASE);
        """
    )


@migrations(name="0004_index_queue")
def _index_queue(db: sqlite_utils.Database) -> None:
    # Papers whose search-index entry is behind the database. Triggers fill it in the same
    # transaction as the change, so no write, from any program, can be missed; the index
    # drains it before it answers a search.
    statements = [
        "CREATE TABLE index_queue (seq INTEGER PRIMARY KEY, paper_id INTEGER NOT NULL)",
        "CREATE TABLE library_info (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "INSERT INTO library_info VALUES ('id', lower(hex(randomblob(16))))",
    ]
    for table, column in (
        ("papers", "id"),
        ("paper_tags", "paper_id"),
        ("notes", "paper_id"),
        ("highlights", "paper_id"),
        ("list_items", "paper_id"),
    ):
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            statements.append(
                f"CREATE TRIGGER index_queue_{table}_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN INSERT INTO index_queue (paper_id) VALUES ({row}.{column}); END"
            )
    statements += [
        "CREATE TRIGGER index_queue_tag_rename AFTER UPDATE OF name ON tags BEGIN "
        "INSERT INTO index_queue (paper_id) SELECT paper_id FROM paper_tags "
        "WHERE tag_id = NEW.id; END",
        "CREATE TRIGGER index_queue_list_rename AFTER UPDATE OF name ON lists BEGIN "
        "INSERT INTO index_queue (paper_id) SELECT paper_id FROM list_items "
        "WHERE list_id = NEW.id; END",
    ]
    for statement in statements:
        db.execute(statement)


@migrations(name="0005_field_sources")
def _field_sources(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- Where each field's value came from ('file', 'bibtex', 'arxiv', 'crossref', 'user');
        -- a field without a row keeps its import's origin. A lookup never overwrites 'user'.
        CREATE TABLE field_sources (
            paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            source TEXT NOT NULL,
            PRIMARY KEY (paper_id, field)
        ) WITHOUT ROWID;
        -- The last lookup of a paper: 'not_found' is not asked again by "look up all";
        -- 'ambiguous' keeps its candidates (JSON) for the user to pick from.
        CREATE TABLE lookup_state (
            paper_id INTEGER PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
            status TEXT NOT NULL CHECK (status IN ('matched', 'ambiguous', 'not_found')),
            checked TEXT NOT NULL,
            candidates TEXT NOT NULL DEFAULT '[]'
        );
        -- What a lookup brings that has no column yet: the version and primary category
        -- of an arXiv record, and the date of its first version (or of publication).
        ALTER TABLE papers ADD COLUMN arxiv_version TEXT NOT NULL DEFAULT '';
        ALTER TABLE papers ADD COLUMN primary_class TEXT NOT NULL DEFAULT '';
        ALTER TABLE papers ADD COLUMN date TEXT NOT NULL DEFAULT '';
        """
    )


@migrations(name="0006_key_state")
def _key_state(db: sqlite_utils.Database) -> None:
    # A (paper, key) pair whose key has left the app: exported, copied, cited or typed by the
    # user. A paper's key is pinned while it is one of its pinned keys, and provisional (the
    # key pattern may remake it when a lookup brings authors and year) otherwise. Not undone
    # with the edits: an undo cannot take a key back out of someone's .tex file.
    db.execute(
        """
        CREATE TABLE key_pins (
            paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            pinned TEXT NOT NULL,
            PRIMARY KEY (paper_id, key)
        ) WITHOUT ROWID
        """
    )
    now = utc_now()
    # Existing libraries: a BibTeX entry's key is its author's own, and a paper an
    # auto-export has written is in someone's bibliography; both are pinned. Keys of papers
    # from abstract files were made by the app and never recorded as used: provisional,
    # unless the user chose them (below).
    db.execute(
        "INSERT OR IGNORE INTO key_pins SELECT id, key, ? FROM papers "
        "WHERE source_format = 'bibtex'",
        [now],
    )
    written = "SELECT scope, value FROM auto_exports WHERE last_written IS NOT NULL"
    for scope, value in db.execute(written).fetchall():
        if scope == "library":
            where, params = "1", []
        elif scope == "list":
            where = "id IN (SELECT paper_id FROM list_items WHERE list_id = ?)"
            params = [value]
        else:
            where = (
                "id IN (SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                "WHERE t.folded = ? OR substr(t.folded, 1, length(?) + 1) = ? || '/')"
            )
            params = [value.casefold()] * 3
        db.execute(
            "INSERT OR IGNORE INTO key_pins SELECT id, key, ? FROM papers "
            f"WHERE deleted IS NULL AND {where}",
            [now, *params],
        )
    # Keys the user chose: one the app never makes (the default recipe gives lower-case
    # letters and digits), or one set by a key edit still in the undo history.
    db.execute(
        "INSERT OR IGNORE INTO key_pins SELECT id, key, ? FROM papers "
        "WHERE key GLOB '*[^a-z0-9]*' OR id IN (SELECT u.paper_id FROM undolog u "
        "JOIN history h ON h.id = u.step WHERE h.label LIKE 'Change citation key to %' "
        "AND h.undone = 0 AND u.tbl = 'papers')",
        [now],
    )


@migrations(name="0007_auto_export_seals")
def _auto_export_seals(db: sqlite_utils.Database) -> None:
    # An auto-export rewrites a file outside the library after every change; it is honoured
    # only with this installation's seal (readinglist/trust.py), so a received library
    # cannot point one at ~/.bashrc. Bindings made before seals existed wait for the user
    # to confirm them.
    db.execute("ALTER TABLE auto_exports ADD COLUMN seal TEXT NOT NULL DEFAULT ''")


@migrations(name="0008_sync")
def _sync(db: sqlite_utils.Database) -> None:
    # Sharing a library through PostgreSQL (docs/sync.md). Only tables here: the triggers
    # that fill the outbox are installed when a library is shared or joined, so a library
    # that never is pays nothing for them.
    db.executescript(
        """
        CREATE TABLE sync_state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        -- Global ids of the rows that travel; local ids stay local. version: the server
        -- log position of the last change of the row this library applied.
        CREATE TABLE sync_ids (
            kind TEXT NOT NULL,
            local_id INTEGER NOT NULL,
            gid TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (kind, local_id)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX sync_ids_gid ON sync_ids(kind, gid);
        -- One row per changed field, written by triggers in the change's transaction.
        CREATE TABLE sync_outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: the server counts them
            kind TEXT NOT NULL,
            a INTEGER,                             -- the row's local id (of a membership: 1st)
            b,                                     -- a membership's tag (folded) or paper id
            field TEXT NOT NULL,                   -- '*' created, 'gone' deleted, or a column
            hlc TEXT NOT NULL,                     -- when (UTC, ms): the later write wins
            base INTEGER NOT NULL DEFAULT 0        -- the row's version the edit was made on
        );
        CREATE INDEX sync_outbox_row ON sync_outbox(kind, a, b);
        -- Present (one row) while changes from the server are applied: triggers stay quiet.
        CREATE TABLE sync_applying (flag INTEGER PRIMARY KEY);
        CREATE TABLE sync_conflicts (
            id INTEGER PRIMARY KEY,                -- the server's id
            kind TEXT NOT NULL,
            gid TEXT NOT NULL,
            field TEXT NOT NULL,
            kept TEXT NOT NULL,                    -- JSON values
            other TEXT NOT NULL,
            other_device TEXT NOT NULL,
            other_time TEXT NOT NULL,
            resolved INTEGER NOT NULL DEFAULT 0
        );
        """
    )


@migrations(name="0009_abstract_fingerprints")
def _abstract_fingerprints(db: sqlite_utils.Database) -> None:
    # The abstract evidence now leaves spaces out and counts letters, not words
    # (readinglist/fingerprints.py), so an abstract pasted from a PDF that lost its spaces
    # is the same text: the stored digests are made again. The search index holds none of
    # them, so the papers are not queued for it.
    from readinglist.fingerprints import abstract_fingerprint

    queued = db.execute("SELECT ifnull(max(seq), 0) FROM index_queue").fetchone()[0]
    changed = [
        (fingerprint, paper_id)
        for paper_id, abstract, stored in db.execute(
            "SELECT id, abstract, abstract_fingerprint FROM papers"
        )
        if (fingerprint := abstract_fingerprint(abstract)) != stored
    ]
    db.conn.executemany("UPDATE papers SET abstract_fingerprint = ? WHERE id = ?", changed)
    db.execute("DELETE FROM index_queue WHERE seq > ?", [queued])


def migrate(db: sqlite_utils.Database) -> None:
    known = {m.name for m in migrations._migrations}
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise LibraryError(
            "this library was written by a newer version of readinglist "
            f"(schema step {unknown[-1]!r}); update readinglist to open it"
        )
    migrations.apply(db)


def schema_version(db: sqlite_utils.Database) -> str:
    applied = migrations.applied(db)
    return applied[-1].name if applied else ""
