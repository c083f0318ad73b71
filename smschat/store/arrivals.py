"""Arrivals: which inbound texts the store received since a mark (for notifications).

Rows of `messages` get increasing rowids as they are inserted; an update keeps its row (a message
seen again is not new), and inbound rows are never deleted (only unacknowledged outbox rows are), so
"inbound rows with a rowid above the newest one seen" are exactly the texts stored since then,
whoever stored them (this client's sync engine, or the webhook receiver in another process).
See `smschat.domain.notify` for what is announced.
"""

from __future__ import annotations

from smschat.domain.notify import ArrivalGroup, InboundMark
from smschat.domain.thread import LOCAL_PREFIX
from smschat.store.base import StoreBase


class ArrivalsMixin(StoreBase):
    def inbound_mark(self) -> InboundMark:
        """A mark at the store's current state: every stored text counts as seen, and texts older
        than the newest provider record are history (`inbound_since` leaves them out)."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT rowid FROM messages WHERE direction = 'inbound' ORDER BY rowid DESC LIMIT 1"
            ).fetchone()
            # the newest provider record, from the conversation summaries (not a scan of every
            # message); where a conversation's newest row is an outbox row (this machine's clock),
            # its newest provider record instead (an index seek)
            ts = conn.execute(
                "SELECT max(CASE WHEN c.last_id NOT LIKE ? THEN c.last_ts ELSE "
                "(SELECT m.ts FROM messages AS m WHERE m.customer = c.customer AND m.account = c.account "
                "AND m.local = 0 ORDER BY m.ts DESC LIMIT 1) END) FROM conversations AS c WHERE c.total > 0",
                (LOCAL_PREFIX + "%",),
            ).fetchone()[0]
        return InboundMark(row[0] if row else 0, ts or 0)

    def inbound_since(self, mark: InboundMark) -> tuple[InboundMark, list[ArrivalGroup]]:
        """The inbound texts stored after `mark` that are not history (timestamp at least
        `mark.ts`), grouped by conversation, newest first; and the mark to pass next time."""
        with self._read() as conn:
            top = conn.execute(
                "SELECT max(rowid) FROM messages WHERE rowid > ? AND direction = 'inbound'", (mark.rowid,)
            ).fetchone()[0]
            if top is None:
                return mark, []
            # one max() aggregate: SQLite takes the bare `id` from the row holding the max rowid
            rows = conn.execute(
                "SELECT customer, account, count(*), max(rowid), id FROM messages "
                "WHERE rowid > ? AND rowid <= ? AND direction = 'inbound' AND local = 0 AND ts >= ? "
                "GROUP BY customer, account ORDER BY max(rowid) DESC",
                (mark.rowid, top, mark.ts),
            ).fetchall()
        groups = [ArrivalGroup((customer, account), count, last_id, last_rowid)
                  for customer, account, count, last_rowid, last_id in rows]
        return InboundMark(top, mark.ts), groups
