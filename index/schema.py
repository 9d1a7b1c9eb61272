"""The SQLite side of the index: one file in WAL mode; passages, their metadata index, FTS5, files."""

import os
import sqlite3
import uuid
from pathlib import Path

from kb.core.errors import IndexCorruptError, IndexWriteError

DB_NAME = "kb.sqlite3"
SCHEMA_VERSION = 1

# FTS5 with Porter stemming over Unicode tokens with diacritics folded, so "pension" finds "pensión".
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"

DDL = f"""
CREATE TABLE IF NOT EXISTS passages (
    vid        INTEGER PRIMARY KEY AUTOINCREMENT,  -- stable vector id in FAISS, never reused
    id         TEXT NOT NULL UNIQUE,               -- Haystack document id
    content    TEXT,
    context    TEXT,                               -- title and heading, searched by keyword, not quoted
    meta       TEXT NOT NULL DEFAULT '{{}}',       -- JSON
    embedding  BLOB,                               -- float32 (or float64 when not float32-exact)
    blob       BLOB,
    blob_meta  TEXT,
    sparse     TEXT,
    doc_id     TEXT,
    seq        INTEGER
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id, seq);

-- Every scalar metadata value (and every element of a list value), for exact indexed filtering.
CREATE TABLE IF NOT EXISTS meta_index (
    key    TEXT NOT NULL,
    value,
    vtype  TEXT NOT NULL,  -- bool | int | float | str | null
    vid    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS meta_index_kv ON meta_index(key, value, vid);
CREATE INDEX IF NOT EXISTS meta_index_vid ON meta_index(vid);

CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    content, context, content='passages', content_rowid='vid', tokenize='{FTS_TOKENIZER}'
);
CREATE TRIGGER IF NOT EXISTS passages_ai AFTER INSERT ON passages BEGIN
    INSERT INTO passages_fts(rowid, content, context) VALUES (new.vid, new.content, new.context);
END;
CREATE TRIGGER IF NOT EXISTS passages_ad AFTER DELETE ON passages BEGIN
    INSERT INTO passages_fts(passages_fts, rowid, content, context)
        VALUES ('delete', old.vid, old.content, old.context);
    DELETE FROM meta_index WHERE vid = old.vid;
END;
CREATE TRIGGER IF NOT EXISTS passages_au AFTER UPDATE OF content, context ON passages BEGIN
    INSERT INTO passages_fts(passages_fts, rowid, content, context)
        VALUES ('delete', old.vid, old.content, old.context);
    INSERT INTO passages_fts(rowid, content, context) VALUES (new.vid, new.content, new.context);
END;

CREATE TABLE IF NOT EXISTS documents (
    doc_id  TEXT PRIMARY KEY,
    data    TEXT NOT NULL  -- JSON of kb.core.models.SourceDocument
);

CREATE TABLE IF NOT EXISTS files (
    path    TEXT PRIMARY KEY,
    sha256  TEXT NOT NULL,
    mtime   REAL NOT NULL,
    size    INTEGER NOT NULL,
    status  TEXT NOT NULL,
    error   TEXT,
    doc_id  TEXT
);
CREATE INDEX IF NOT EXISTS files_doc ON files(doc_id);

CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT);
"""


def connect(directory: Path, *, create: bool) -> sqlite3.Connection:
    """Open (and if asked, create) the index database with the pragmas kb relies on.

    Where the database cannot be opened for writing (a read-only directory or mount, another user's index, a
    full disk with no room for the WAL files) it is opened read-only, so it can still be searched; such a
    connection has `PRAGMA query_only` set (see `is_read_only`) and the store refuses to write with it.
    """
    path = directory / DB_NAME
    if not create and not path.exists():
        raise FileNotFoundError(path)
    if path.exists() and not (os.access(directory, os.W_OK) and os.access(path, os.W_OK)):
        return _connect_read_only(path)
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("PRAGMA busy_timeout=30000")
        con.execute("PRAGMA temp_store=MEMORY")
        if create:
            con.executescript(DDL)
            con.execute("INSERT OR IGNORE INTO kv VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    except sqlite3.OperationalError as exc:  # disk full, read-only file system: not damage
        con.close()
        if not path.exists() or not path.stat().st_size:
            raise IndexWriteError(f"cannot create the index database {path} ({exc})") from exc
        return _connect_read_only(path)
    except sqlite3.DatabaseError as exc:
        con.close()
        raise _damaged(path, exc) from exc
    return con


def index_id(con: sqlite3.Connection) -> str | None:
    """This database's identity, which its manifest and vector file repeat (None until the first flush)."""
    row = con.execute("SELECT value FROM kv WHERE key = 'index_id'").fetchone()
    return str(row[0]) if row else None


def create_index_id(con: sqlite3.Connection) -> str:
    """Give the database an identity if it has none; returns it (call inside a write transaction)."""
    con.execute("INSERT OR IGNORE INTO kv VALUES ('index_id', ?)", (uuid.uuid4().hex,))
    return str(con.execute("SELECT value FROM kv WHERE key = 'index_id'").fetchone()[0])


def last_vid(con: sqlite3.Connection) -> int:
    """The highest passage vid ever issued (AUTOINCREMENT: deleted ones are never issued again)."""
    row = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'passages'").fetchone()
    return int(row[0]) if row else 0


def is_read_only(con: sqlite3.Connection) -> bool:
    """Whether `connect` could only open the database read-only."""
    return bool(con.execute("PRAGMA query_only").fetchone()[0])


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection: `mode=ro` sees a writer's latest commits; `immutable=1` works where SQLite
    cannot create the WAL index (-shm) beside the database (a read-only mount, a full disk)."""
    last: sqlite3.Error | None = None
    for options in ("mode=ro", "immutable=1"):
        con = sqlite3.connect(
            f"{path.resolve().as_uri()}?{options}", uri=True, isolation_level=None, check_same_thread=False,
            timeout=30.0,
        )
        try:
            con.execute("PRAGMA query_only=1")
            con.execute("SELECT count(*) FROM kv").fetchone()
            return con
        except sqlite3.OperationalError as exc:
            con.close()
            last = exc
        except sqlite3.DatabaseError as exc:
            con.close()
            raise _damaged(path, exc) from exc
    raise IndexWriteError(f"cannot open {path}, even read-only ({last}); check its permissions") from last


def _damaged(path: Path, exc: sqlite3.DatabaseError) -> IndexCorruptError:
    return IndexCorruptError(
        f"{path} is not a readable kb index database ({exc}); re-index into a new directory"
    )
