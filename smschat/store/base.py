"""The connection, its pragmas, the lock and the transaction helper every part of the store uses.

Threads: a `Store` owns one sqlite3 connection opened with `check_same_thread=False` and guards every
method with a re-entrant lock, so one Store may be shared by the UI thread and worker threads (calls
are serialised). Threads may also open a Store each; that is what two processes do.

Processes: the database is in WAL mode; every write runs in a `BEGIN IMMEDIATE` transaction and
waits up to `busy_timeout` for another writer, so two processes writing at once lose nothing.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from smschat.store import search_index
from smschat.store.schema import migrate

T = TypeVar("T")

#: How long a write waits for another connection's write transaction (milliseconds).
BUSY_TIMEOUT_MS = 15_000
#: Largest number of `?` in one statement we generate (SQLite's floor is 999).
CHUNK = 400
#: Rows of `writers` not bumped for this long are dropped when a store opens (dead processes).
WRITERS_KEPT_S = 30 * 86400

_BUMP_WRITER = (
    "INSERT INTO writers (id, seq, at) VALUES (?, 1, ?) "
    "ON CONFLICT (id) DO UPDATE SET seq = seq + 1, at = excluded.at"
)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def pairs_clause(column_a: str, column_b: str, count: int) -> str:
    """`(a, b) IN (VALUES (?, ?), ...)` for `count` pairs."""
    values = ", ".join(["(?, ?)"] * count)
    return f"({column_a}, {column_b}) IN (VALUES {values})"


class StoreBase:
    """Connection management shared by the store's mixins."""

    def __init__(self, conn: sqlite3.Connection, *, path: str, clock: Callable[[], datetime]) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self._clock = clock
        self.path = path
        #: this Store's row in `writers` (see `Store.foreign_writes`)
        self.writer_id = uuid.uuid4().hex
        #: this connection keeps the message search index (SQLite has FTS5; see `search_index`)
        self._indexing = search_index.prepare(conn)

    @classmethod
    def _connect(cls, path: Path | str) -> tuple[sqlite3.Connection, str]:
        text = str(path)
        memory = text == ":memory:" or text.startswith("file::memory:")
        if not memory:
            file = Path(text).expanduser()
            file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not file.exists():  # customers' texts: private from the first byte (the -wal and -shm
                # files SQLite creates next to it take the database file's permissions)
                os.close(os.open(file, os.O_WRONLY | os.O_CREAT, 0o600))
            text = str(file)
        conn = sqlite3.connect(
            text,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,  # autocommit; transactions are explicit
            check_same_thread=False,
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not memory:
            conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn)
        if not memory:
            cutoff = int(datetime.now(UTC).timestamp()) - WRITERS_KEPT_S
            conn.execute("DELETE FROM writers WHERE at < ?", (cutoff,))
        return conn, text

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None  # type: ignore[assignment]

    @property
    def closed(self) -> bool:
        return self._conn is None

    def __enter__(self) -> StoreBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the store's clock must return aware datetimes")
        return now.astimezone(UTC)

    def _now_epoch(self) -> int:
        return int(self._now().timestamp() // 1)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise RuntimeError("the store is closed")
            yield self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction (nested calls join the outer one)."""
        with self._lock:
            conn = self._conn
            if conn is None:
                raise RuntimeError("the store is closed")
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                changes = conn.total_changes
                yield conn
                if conn.total_changes != changes:
                    conn.execute(_BUMP_WRITER, (self.writer_id, int(datetime.now(UTC).timestamp())))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
