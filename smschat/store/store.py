"""`Store`: the single source of truth the UI and CLI read. One SQLite database per profile.

The class is assembled from small parts: messages and summaries (`messages.py`), status-poll
schedule (`polling.py`), outbox (`outbox.py`), triage state and the address book (`triage.py`),
new inbound texts for notifications (`arrivals.py`), search (`search.py`) and thread windows around
a message (`window.py`); drafts, cursors, `data_version` and `foreign_writes`
live here.
See `base.py` for threads and processes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from smschat.domain.numbers import normalize
from smschat.store.arrivals import ArrivalsMixin
from smschat.store.messages import MessagesMixin
from smschat.store.outbox import OutboxMixin
from smschat.store.polling import PollingMixin
from smschat.store.schema import user_version
from smschat.store.search import SearchMixin
from smschat.store.triage import TriageMixin
from smschat.store.window import ThreadWindowMixin


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Store(MessagesMixin, PollingMixin, OutboxMixin, TriageMixin, ArrivalsMixin, SearchMixin, ThreadWindowMixin):
    """A profile's local database. Safe to share between threads (calls are serialised by a lock).

    Open with `Store.open(path)`; `":memory:"` gives a private in-memory store (tests).
    """

    @classmethod
    def open(cls, path: Path | str, *, clock: Callable[[], datetime] = _utcnow) -> Store:
        """Open (creating and migrating as needed) the database at `path`."""
        conn, text = cls._connect(path)
        return cls(conn, path=text, clock=clock)

    def __enter__(self) -> Store:
        return self

    @property
    def schema_version(self) -> int:
        with self._read() as conn:
            return user_version(conn)

    def data_version(self) -> int:
        """Changes whenever *another* connection (another Store, another process) commits a write.

        Writes made through this Store do not change it: they are reported by the return values
        of the methods that made them.
        """
        with self._read() as conn:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])

    def foreign_writes(self, *known: str) -> tuple[int, int]:
        """A token that changes when a Store other than this one and the `known` writer ids
        (`Store.writer_id`, e.g. the sync engine's) commits a write that changed rows.

        `data_version` says *someone else* wrote; this says whether it was someone unknown (another
        process), so the UI reloads for a webhook receiver's writes but not for its own engine's.
        """
        ids = sorted({self.writer_id, *known})
        with self._read() as conn:
            row = conn.execute(
                f"SELECT coalesce(sum(seq), 0), count(*) FROM writers WHERE id NOT IN ({', '.join('?' * len(ids))})",
                ids,
            ).fetchone()
        return int(row[0]), int(row[1])

    # ----------------------------------------------------------------- drafts

    def get_draft(self, customer: str, account: str) -> str:
        with self._read() as conn:
            row = conn.execute(
                "SELECT body FROM drafts WHERE customer = ? AND account = ?",
                (normalize(customer), normalize(account)),
            ).fetchone()
        return row[0] if row else ""

    def set_draft(self, customer: str, account: str, text: str) -> None:
        """Keep the unsent text of a conversation; an empty (or blank) text removes the draft.

        Setting the draft it already has writes nothing (moving through conversations saves the
        draft of each: no write transaction, so the UI never waits for the sync's writes)."""
        key = (normalize(customer), normalize(account))
        with self._read() as conn:
            row = conn.execute("SELECT body FROM drafts WHERE customer = ? AND account = ?", key).fetchone()
        if (row[0] if row else "") == (text if text.strip() else ""):
            return
        with self._write() as conn:
            if not text.strip():
                conn.execute("DELETE FROM drafts WHERE customer = ? AND account = ?", key)
                return
            conn.execute(
                "INSERT INTO drafts (customer, account, body, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (customer, account) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                (*key, text, self._now_epoch()),
            )

    def drafts(self) -> dict[tuple[str, str], str]:
        """Every draft, by (customer, account)."""
        with self._read() as conn:
            return {(c, a): body for c, a, body in conn.execute("SELECT customer, account, body FROM drafts")}

    # ---------------------------------------------------------------- cursors

    def get_cursor(self, name: str) -> str | None:
        with self._read() as conn:
            row = conn.execute("SELECT value FROM cursors WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_cursor(self, name: str, value: str) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO cursors (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, str(value)),
            )

    def delete_cursor(self, name: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM cursors WHERE name = ?", (name,))
