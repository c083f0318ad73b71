"""The `conversations` table: one summary row per (customer, account), kept current on every write.

Bulk upserts apply *deltas* (counts added, the newest message if newer) so a first sync of 100,000
messages never re-scans a conversation; operations that delete rows or move a message to another
conversation recompute the affected keys from `messages` (indexed, one key at a time).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from smschat.store.base import chunks, pairs_clause
from smschat.store.schema import REBUILD_CONVERSATIONS

Key = tuple[str, str]


@dataclass(slots=True)
class Delta:
    total: int = 0
    inbound: int = 0
    outbound: int = 0
    unread: int = 0
    failed: int = 0
    last_ts: int = 0
    last_id: str = ""

    def newest(self, ts: int, message_id: str) -> None:
        if (ts, message_id) > (self.last_ts, self.last_id):
            self.last_ts, self.last_id = ts, message_id


_APPLY = """
INSERT INTO conversations (customer, account, total, inbound, outbound, unread, failed, last_ts, last_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (customer, account) DO UPDATE SET
    total = total + excluded.total,
    inbound = inbound + excluded.inbound,
    outbound = outbound + excluded.outbound,
    unread = unread + excluded.unread,
    failed = failed + excluded.failed,
    last_id = CASE WHEN (excluded.last_ts, excluded.last_id) > (last_ts, last_id)
                   THEN excluded.last_id ELSE last_id END,
    last_ts = max(last_ts, excluded.last_ts)
"""


def apply_deltas(conn: sqlite3.Connection, deltas: dict[Key, Delta]) -> None:
    conn.executemany(
        _APPLY,
        [
            (c, a, d.total, d.inbound, d.outbound, d.unread, d.failed, d.last_ts, d.last_id)
            for (c, a), d in deltas.items()
        ],
    )


def read_upto(conn: sqlite3.Connection, keys: Iterable[Key]) -> dict[Key, int]:
    """`conversation_state.read_upto` of each key that has one."""
    found: dict[Key, int] = {}
    for part in chunks(list(keys)):
        sql = "SELECT customer, account, read_upto FROM conversation_state WHERE " + pairs_clause(
            "customer", "account", len(part)
        )
        for customer, account, upto in conn.execute(sql, [v for key in part for v in key]):
            found[(customer, account)] = upto
    return found


def recompute(conn: sqlite3.Connection, keys: Iterable[Key]) -> None:
    """Rebuild the summaries of `keys` from `messages`; drop those with no message left."""
    for part in chunks(list(dict.fromkeys(keys)), 200):
        params = [v for key in part for v in key]
        conn.execute(
            "DELETE FROM conversations WHERE " + pairs_clause("customer", "account", len(part)), params
        )
        where = pairs_clause("m.customer", "m.account", len(part))
        conn.execute(REBUILD_CONVERSATIONS.format(where=where), params)


def rebuild_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM conversations")
    conn.execute(REBUILD_CONVERSATIONS.format(where="1"))
