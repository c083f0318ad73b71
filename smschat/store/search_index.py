"""The full-text index of message bodies (SQLite FTS5, trigram tokenizer), kept in step with `messages`.

`message_search(id UNINDEXED, text, digits)` holds each body with a known text, folded
(`domain.search.fold`: no case, no accents) in `text`, and in `digits` its `collapse_digits` form
when that differs (so "617-555-0123" in a body is found by "6175550123"). The trigram tokenizer
matches any substring of three characters or more; shorter terms are checked with `instr` on the
stored text.

Row ids sort like messages: `ts << 22` plus a slot derived from the message id (the next free slot
when two messages of one second share it), so "the newest matches" is a walk down the index that
stops at the cap instead of a sort of every match. A message is found again by its id within its
second's range (`remove`). The index is written by the Store's own write paths (`add`/`remove`), in
the same transaction as the rows they index.

Without FTS5 (a Python built against an SQLite without it, or older than 3.34) the store works and
searches by scanning; a database written meanwhile is marked stale (`STALE_CURSOR`) and re-indexed
by the next build that has FTS5 (`prepare`).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable

from smschat.domain.search import collapse_digits, fold

TABLE = "message_search"
CREATE = f"CREATE VIRTUAL TABLE {TABLE} USING fts5(id UNINDEXED, text, digits, tokenize = 'trigram case_sensitive 1')"
#: a row in `cursors`: the index misses writes (made without FTS5) and must be rebuilt
STALE_CURSOR = "search_index_stale"
SLOT_BITS = 22
_SLOTS = 1 << SLOT_BITS
_TS_LIMIT = 1 << 40  # epoch seconds kept in range (rowids stay inside 63 bits)
_BATCH = 2_000


def usable(conn: sqlite3.Connection) -> bool:
    """This SQLite has FTS5 with the trigram tokenizer."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp._smschat_fts_probe USING fts5(x, tokenize = 'trigram')")
        conn.execute("DROP TABLE temp._smschat_fts_probe")
    except sqlite3.Error:
        return False
    return True


def exists(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (TABLE,)).fetchone() is not None


def _stale(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM cursors WHERE name = ?", (STALE_CURSOR,)).fetchone() is not None


def _mark_stale(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT OR REPLACE INTO cursors (name, value) VALUES (?, '1')", (STALE_CURSOR,))


def migrate(conn: sqlite3.Connection) -> None:
    """The schema step: create and fill the index (or mark it missing when FTS5 is not there)."""
    if usable(conn):
        conn.execute(CREATE)
        rebuild(conn)
    else:
        _mark_stale(conn)


def prepare(conn: sqlite3.Connection) -> bool:
    """At open (autocommit connection): True when this connection keeps the index.

    Rebuilds a stale or missing index when FTS5 is here; marks it stale when it is not (this
    connection's writes will not reach it)."""
    if not usable(conn):
        if exists(conn) and not _stale(conn):
            conn.execute("BEGIN IMMEDIATE")
            try:
                _mark_stale(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return False
    if exists(conn) and not _stale(conn):
        return True
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not exists(conn):
            conn.execute(CREATE)
        if _stale(conn) or not conn.execute(f"SELECT 1 FROM {TABLE} LIMIT 1").fetchone():
            rebuild(conn)
        conn.execute("DELETE FROM cursors WHERE name = ?", (STALE_CURSOR,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True


def rebuild(conn: sqlite3.Connection) -> None:
    """Index every message again (inside the caller's transaction)."""
    conn.execute(f"DELETE FROM {TABLE}")
    cursor = conn.execute("SELECT id, ts, body FROM messages WHERE body != ''")
    while rows := cursor.fetchmany(_BATCH):
        add(conn, rows)


def _base(ts: int) -> int:
    return max(-_TS_LIMIT, min(_TS_LIMIT, int(ts))) << SLOT_BITS


def _home(message_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(message_id.encode("utf-8", "surrogatepass"), digest_size=4).digest()) % _SLOTS


def document(body: str) -> tuple[str, str] | None:
    """The indexed columns of a body (None: nothing to index)."""
    if not body:
        return None
    text = fold(body).replace("\x00", " ")  # as queries have it (`parse_query`)
    digits = collapse_digits(text)
    return text, ("" if digits == text else digits)


def add(conn: sqlite3.Connection, entries: Iterable[tuple[str, int, str]]) -> None:
    """Index messages given as (id, ts, body); each must not be indexed already."""
    rows: list[tuple[int, str, str, str]] = []
    taken: set[int] = set()
    for message_id, ts, body in entries:
        doc = document(body)
        if doc is None:
            continue
        base, slot = _base(ts), _home(message_id)
        for _ in range(_SLOTS):
            rowid = base + slot
            if rowid not in taken and conn.execute(f"SELECT 1 FROM {TABLE} WHERE rowid = ?", (rowid,)).fetchone() is None:
                break
            slot = (slot + 1) % _SLOTS
        else:  # four million messages in one second
            raise RuntimeError("the search index has no free slot for this second")
        taken.add(rowid)
        rows.append((rowid, message_id, *doc))
    if rows:
        conn.executemany(f"INSERT INTO {TABLE} (rowid, id, text, digits) VALUES (?, ?, ?, ?)", rows)


def remove(conn: sqlite3.Connection, entries: Iterable[tuple[str, int]]) -> None:
    """Drop the index rows of messages given as (id, ts) (ts: as stored when they were indexed)."""
    params = [(_base(ts), _base(ts) + _SLOTS - 1, message_id) for message_id, ts in entries]
    if params:
        conn.executemany(f"DELETE FROM {TABLE} WHERE rowid BETWEEN ? AND ? AND id = ?", params)
