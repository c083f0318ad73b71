"""A window of a thread around one message, and the pages after it (opening a search result).

`thread` pages from the newest end; a search result may be thousands of messages back, so the view
opens on `thread_around(message_id)` and pages down with `thread_after`. Records are ordered by
`(ts, id)` as everywhere in the store; every call finds its place by a message id (the store's own
sort key, whatever the message's timestamps say).
"""

from __future__ import annotations

import sqlite3

from smschat.domain.model import Message
from smschat.domain.numbers import normalize
from smschat.store.base import StoreBase
from smschat.store.codec import SELECT_MESSAGE, decode


class ThreadWindowMixin(StoreBase):
    def thread_around(
        self, customer: str, account: str, message_id: str, *, before: int = 100, after: int = 100
    ) -> tuple[list[Message], bool]:
        """Oldest to newest: up to `before` records older than the message, the message, and up to
        `after` newer ones; and whether newer records exist past those. `([], False)` when the
        message is not in this conversation."""
        key = (normalize(customer), normalize(account))
        with self._read() as conn:
            anchor = self._anchor(conn, key, message_id)
            if anchor is None:
                return [], False
            older = conn.execute(
                f"SELECT {SELECT_MESSAGE} FROM messages WHERE customer = ? AND account = ? AND (ts, id) < (?, ?) "
                "ORDER BY ts DESC, id DESC LIMIT ?",
                (*key, *anchor, max(0, int(before))),
            ).fetchall()
            newer = self._from(conn, key, anchor, max(0, int(after)) + 2, inclusive=True)
        more = len(newer) > after + 1
        return [decode(r) for r in reversed(older)] + [decode(r) for r in newer[: after + 1]], more

    def thread_after(self, customer: str, account: str, message_id: str, *, limit: int = 200) -> tuple[list[Message], bool]:
        """Oldest to newest: up to `limit` records after the message; and whether more follow."""
        key = (normalize(customer), normalize(account))
        with self._read() as conn:
            anchor = self._anchor(conn, key, message_id)
            if anchor is None:
                return [], False
            rows = self._from(conn, key, anchor, max(0, int(limit)) + 1, inclusive=False)
        return [decode(r) for r in rows[:limit]], len(rows) > limit

    def thread_between(self, customer: str, account: str, first_id: str, last_id: str) -> list[Message] | None:
        """Oldest to newest: every record from one message to another, both included (what a
        window shows, read again after a change). None when either message is gone."""
        key = (normalize(customer), normalize(account))
        with self._read() as conn:
            first, last = self._anchor(conn, key, first_id), self._anchor(conn, key, last_id)
            if first is None or last is None:
                return None
            rows = conn.execute(
                f"SELECT {SELECT_MESSAGE} FROM messages WHERE customer = ? AND account = ? "
                "AND (ts, id) >= (?, ?) AND (ts, id) <= (?, ?) ORDER BY ts, id",
                (*key, *first, *last),
            ).fetchall()
        return [decode(r) for r in rows]

    @staticmethod
    def _anchor(conn: sqlite3.Connection, key: tuple[str, str], message_id: str) -> tuple[int, str] | None:
        row = conn.execute(
            "SELECT ts, id FROM messages WHERE id = ? AND customer = ? AND account = ?", (message_id, *key)
        ).fetchone()
        return None if row is None else (row[0], row[1])

    @staticmethod
    def _from(conn: sqlite3.Connection, key: tuple[str, str], anchor: tuple[int, str], limit: int, *, inclusive: bool) -> list:
        op = ">=" if inclusive else ">"
        return conn.execute(
            f"SELECT {SELECT_MESSAGE} FROM messages WHERE customer = ? AND account = ? AND (ts, id) {op} (?, ?) "
            "ORDER BY ts, id LIMIT ?",
            (*key, *anchor, limit),
        ).fetchall()
