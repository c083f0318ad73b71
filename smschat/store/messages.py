"""Messages: upsert with dedup and the never-downgrade merge, threads, contact summaries, read state."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from smschat.domain.model import ContactSummary, Direction, Message
from smschat.domain.numbers import normalize
from smschat.domain.thread import ThreadItem, thread_items
from smschat.store import search_index, summaries
from smschat.store.base import StoreBase, chunks, pairs_clause
from smschat.store.codec import (
    MESSAGE_COLUMNS,
    SELECT_MESSAGE,
    decode,
    encode,
    from_epoch,
    is_failed,
    merge,
    to_epoch,
)

Key = tuple[str, str]

_INSERT = f"INSERT INTO messages ({SELECT_MESSAGE}) VALUES ({', '.join('?' * len(MESSAGE_COLUMNS))})"
_UPDATE_COLUMNS = [c for c in MESSAGE_COLUMNS if c not in ("id", "local", "first_seen")]
_UPDATE = f"UPDATE messages SET {', '.join(c + ' = ?' for c in _UPDATE_COLUMNS)} WHERE id = ?"
_UPDATE_INDEXES = [MESSAGE_COLUMNS.index(c) for c in _UPDATE_COLUMNS]


@dataclass(slots=True)
class IngestResult:
    """What one upsert did: the conversations it changed and the ids it stored for the first time."""

    changed: set[Key] = field(default_factory=set)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class MessagesMixin(StoreBase):
    # ----------------------------------------------------------------- writes

    def upsert_messages(self, msgs: Iterable[Message]) -> set[Key]:
        """Store provider records; returns the (customer, account) keys whose data changed.

        Dedups by id (also within `msgs`); a record already stored is merged with
        `codec.merge`, which never downgrades a status or a delivery. A record identical to the
        stored one changes nothing and is not reported.
        """
        return self.ingest(msgs).changed

    def ingest(self, msgs: Iterable[Message]) -> IngestResult:
        """`upsert_messages` with the details: which ids were new, which were updated."""
        batch: dict[str, Message] = {}
        for msg in msgs:
            batch[msg.id] = merge(batch[msg.id], msg) if msg.id in batch else msg
        if not batch:
            return IngestResult()
        with self._write() as conn:
            return self._ingest(conn, batch)

    def _ingest(self, conn: sqlite3.Connection, batch: dict[str, Message]) -> IngestResult:
        now = self._now_epoch()
        existing: dict[str, tuple[Message, tuple]] = {}
        ids = list(batch)
        for part in chunks(ids):
            sql = f"SELECT {SELECT_MESSAGE} FROM messages WHERE id IN ({', '.join('?' * len(part))})"
            for row in conn.execute(sql, part):
                existing[row[0]] = (decode(row), tuple(row))
        result = IngestResult()
        inserts: list[tuple] = []
        updates: list[tuple] = []
        deltas: dict[Key, summaries.Delta] = {}
        new_inbound: list[tuple[Key, int]] = []
        recompute: set[Key] = set()
        reindex_old: list[tuple[str, int]] = []
        reindex_new: list[tuple[str, int, str]] = []
        for message_id, msg in batch.items():
            if message_id not in existing:
                row = encode(msg, first_seen=now)
                key, ts = (row[1], row[2]), row[6]
                inserts.append(row)
                result.added.append(message_id)
                result.changed.add(key)
                delta = deltas.setdefault(key, summaries.Delta())
                delta.total += 1
                delta.newest(ts, message_id)
                if msg.direction is Direction.INBOUND:
                    delta.inbound += 1
                    new_inbound.append((key, ts))
                else:
                    delta.outbound += 1
                delta.failed += is_failed(msg)
                continue
            old, old_row = existing[message_id]
            merged = merge(old, msg)
            if merged == old:
                continue
            row = encode(merged, first_seen=old_row[16], local=bool(old_row[15]))
            updates.append(tuple(row[i] for i in _UPDATE_INDEXES) + (message_id,))
            if old_row[11] != row[11] or old_row[6] != row[6]:  # its text or its time: index again
                reindex_old.append((message_id, old_row[6]))
                reindex_new.append((message_id, row[6], row[11]))
            result.updated.append(message_id)
            old_key, key = (old_row[1], old_row[2]), (row[1], row[2])
            result.changed.update((old_key, key))
            if old_key != key or old_row[6] != row[6] or old.direction is not merged.direction:
                recompute.update((old_key, key))
            else:
                change = int(is_failed(merged)) - int(is_failed(old))
                if change:
                    deltas.setdefault(key, summaries.Delta()).failed += change
        if inserts:
            conn.executemany(_INSERT, inserts)
        if updates:
            conn.executemany(_UPDATE, updates)
        if self._indexing:  # the search index, in this same transaction
            search_index.remove(conn, reindex_old)
            search_index.add(conn, [(row[0], row[6], row[11]) for row in inserts] + reindex_new)
        if new_inbound:
            upto = summaries.read_upto(conn, {key for key, _ in new_inbound})
            for key, ts in new_inbound:
                if ts > upto.get(key, 0):
                    deltas[key].unread += 1
        for key in recompute:
            deltas.pop(key, None)
        summaries.apply_deltas(conn, deltas)
        if recompute:
            summaries.recompute(conn, recompute)
        return result

    def mark_read(self, customer: str, account: str) -> None:
        """Everything in the conversation so far is read.

        Writes nothing when it is read up to its newest message already (opening a conversation
        marks it read: browsing read ones costs no write transaction)."""
        key = (normalize(customer), normalize(account))
        with self._read() as conn:
            row = conn.execute(
                "SELECT s.read_upto >= c.last_ts AND c.unread = 0 FROM conversations AS c "
                "JOIN conversation_state AS s ON s.customer = c.customer AND s.account = c.account "
                "WHERE c.customer = ? AND c.account = ?",
                key,
            ).fetchone()
        if row is not None and row[0]:
            return
        with self._write() as conn:
            self._mark_read(conn, [key])

    def mark_all_read(self) -> None:
        """Every conversation is read up to its newest message (used after a first full sync)."""
        with self._write() as conn:
            keys = [tuple(r) for r in conn.execute("SELECT customer, account FROM conversations")]
            self._mark_read(conn, keys)

    def _mark_read(self, conn: sqlite3.Connection, keys: Sequence[Key]) -> None:
        now = self._now_epoch()
        conn.executemany(
            """INSERT INTO conversation_state (customer, account, read_upto, last_read_at)
               VALUES (?1, ?2, coalesce((SELECT last_ts FROM conversations
                                         WHERE customer = ?1 AND account = ?2), 0), ?3)
               ON CONFLICT (customer, account) DO UPDATE SET
                   read_upto = max(read_upto, excluded.read_upto),
                   last_read_at = excluded.last_read_at""",
            [(c, a, now) for c, a in keys],
        )
        conn.executemany(
            "UPDATE conversations SET unread = 0 WHERE customer = ? AND account = ?", list(keys)
        )

    # ------------------------------------------------------------------ reads

    def get_message(self, message_id: str) -> Message | None:
        with self._read() as conn:
            row = conn.execute(f"SELECT {SELECT_MESSAGE} FROM messages WHERE id = ?", (message_id,)).fetchone()
        return decode(row) if row else None

    def thread(
        self,
        customer: str,
        account: str,
        *,
        before: tuple[datetime, str] | None = None,
        limit: int = 200,
    ) -> list[Message]:
        """Oldest to newest: the newest `limit` records of the conversation before `before`.

        `before` is `(timestamp, id)` of the oldest record already shown (keyset paging: pass
        `(first.timestamp, first.id)` of the previous page to get the page above it).
        """
        params: list[object] = [normalize(customer), normalize(account)]
        where = "customer = ? AND account = ?"
        if before is not None:
            where += " AND (ts, id) < (?, ?)"
            params += [to_epoch(before[0]), before[1]]
        params.append(max(0, int(limit)))
        sql = f"SELECT {SELECT_MESSAGE} FROM messages WHERE {where} ORDER BY ts DESC, id DESC LIMIT ?"
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [decode(row) for row in reversed(rows)]

    def thread_items(
        self,
        customer: str,
        account: str,
        *,
        before: tuple[datetime, str] | None = None,
        limit: int = 200,
    ) -> list[ThreadItem]:
        """`thread` folded into display items (one per send; see `smschat.domain.thread`).

        A multi-part send cut by the page boundary shows the parts on this page; the item reports
        the rest in `missing_parts`.
        """
        return thread_items(self.thread(customer, account, before=before, limit=limit))

    def thread_count(self, customer: str, account: str) -> int:
        with self._read() as conn:
            row = conn.execute(
                "SELECT count(*) FROM messages WHERE customer = ? AND account = ?",
                (normalize(customer), normalize(account)),
            ).fetchone()
        return int(row[0])

    def oldest_in_thread(self, customer: str, account: str, *, provider_only: bool = True) -> Message | None:
        """The oldest record stored for the conversation (outbox rows skipped by default)."""
        local = " AND local = 0" if provider_only else ""
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {SELECT_MESSAGE} FROM messages WHERE customer = ? AND account = ?{local} "
                "ORDER BY ts, id LIMIT 1",
                (normalize(customer), normalize(account)),
            ).fetchone()
        return decode(row) if row else None

    def count_at(self, customer: str, account: str, when: datetime, *, provider_only: bool = True) -> int:
        """How many records of the conversation are stamped in the same second as `when`."""
        local = " AND local = 0" if provider_only else ""
        with self._read() as conn:
            row = conn.execute(
                f"SELECT count(*) FROM messages WHERE customer = ? AND account = ? AND ts = ?{local}",
                (normalize(customer), normalize(account), to_epoch(when)),
            ).fetchone()
        return int(row[0])

    def contacts(self, accounts: Sequence[str], *, search: str = "", limit: int | None = None) -> list[ContactSummary]:
        """Conversation summaries on `accounts` (all accounts when empty), newest activity first;
        the first `limit` only when given (a first paint needs a screenful, not thousands).

        `search` keeps conversations whose contact name or notes, or a message's body, contain the
        text (case-insensitive for ASCII), or, when the text is a number (digits and separators), whose customer number
        contains those digits.
        """
        where = ["c.total > 0"]
        params: list[object] = []
        wanted = sorted({normalize(a) for a in accounts if normalize(a)})
        if wanted:
            where.append(f"c.account IN ({', '.join('?' * len(wanted))})")
            params += wanted
        text = search.strip()
        if text:
            alternatives = [
                "EXISTS (SELECT 1 FROM names AS nm WHERE nm.number = c.customer"
                " AND (nm.name LIKE ? ESCAPE '\\' OR nm.notes LIKE ? ESCAPE '\\'))",
                "EXISTS (SELECT 1 FROM messages AS b WHERE b.customer = c.customer AND b.account = c.account"
                " AND b.body LIKE ? ESCAPE '\\')",
            ]
            params_search: list[object] = [_like(text), _like(text), _like(text)]
            digits = "".join(ch for ch in text if ch not in " -.()/+")
            if digits.isascii() and digits.isdigit():
                alternatives.insert(0, "c.customer LIKE ?")
                params_search.insert(0, f"%{digits}%")
            where.append("(" + " OR ".join(alternatives) + ")")
            params += params_search
        return self._summaries(where, params, limit=limit)

    def contact(self, customer: str, account: str) -> ContactSummary | None:
        """The summary of one conversation, or None when it has no message."""
        found = self._summaries(
            ["c.total > 0", "c.customer = ?", "c.account = ?"], [normalize(customer), normalize(account)]
        )
        return found[0] if found else None

    def contacts_for(self, keys: Iterable[Key]) -> list[ContactSummary]:
        """The summaries of these (customer, account) conversations (those with a message), in
        `contacts` order: a list showing thousands updates the few a sync touched."""
        wanted = list(dict.fromkeys((normalize(c), normalize(a)) for c, a in keys))
        found: list[ContactSummary] = []
        for part in chunks(wanted, 200):
            found += self._summaries(
                ["c.total > 0", pairs_clause("c.customer", "c.account", len(part))], [v for key in part for v in key]
            )
        if len(wanted) > 200:
            rank = {key: i for i, key in enumerate(self.contact_keys([]))}
            found.sort(key=lambda c: rank.get(c.key, len(rank)))
        return found

    def contact_keys(self, accounts: Sequence[str]) -> list[Key]:
        """The (customer, account) keys `contacts(accounts)` lists, in its order, without reading
        any message (a few milliseconds for thousands of conversations)."""
        where, params = ["total > 0"], []
        wanted = sorted({normalize(a) for a in accounts if normalize(a)})
        if wanted:
            where.append(f"account IN ({', '.join('?' * len(wanted))})")
            params += wanted
        sql = (
            f"SELECT customer, account FROM conversations WHERE {' AND '.join(where)} "
            "ORDER BY last_ts DESC, last_id DESC"
        )
        with self._read() as conn:
            return [(c, a) for c, a in conn.execute(sql, params)]

    def _summaries(self, where: list[str], params: list[object], *, limit: int | None = None) -> list[ContactSummary]:
        columns = ", ".join(f"m.{c}" for c in MESSAGE_COLUMNS)
        sql = (
            f"SELECT {columns}, c.customer, c.account, c.total, c.inbound, c.outbound, c.unread, c.failed, "
            f"{_TRIAGE_COLUMNS} "
            "FROM conversations AS c JOIN messages AS m ON m.id = c.last_id "
            "LEFT JOIN conversation_state AS s ON s.customer = c.customer AND s.account = c.account "
            "LEFT JOIN names AS n ON n.number = c.customer "
            f"WHERE {' AND '.join(where)} ORDER BY c.last_ts DESC, c.last_id DESC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params = [*params, max(0, int(limit))]
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
        n = len(MESSAGE_COLUMNS)
        return [
            ContactSummary(
                customer=row[n],
                account=row[n + 1],
                last_message=decode(row),
                total=row[n + 2],
                inbound=row[n + 3],
                outbound=row[n + 4],
                unread=row[n + 5],
                failed=row[n + 6],
                name=row[n + 7],
                note=row[n + 8],
                last_inbound_at=from_epoch(row[n + 9]),
                last_answer_at=from_epoch(row[n + 10]),
                waiting_since=from_epoch(row[n + 11]),
                done_at=from_epoch(row[n + 12]),
                done_upto=from_epoch(row[n + 13]),
                snoozed_until=from_epoch(row[n + 14]),
                snooze_upto=from_epoch(row[n + 15]),
                last_inbound_body=row[n + 16] or "",
            )
            for row in rows
        ]


# The customer's newest text, our newest answer, and the first text after both that answer and what
# was marked done: each one seek in a partial index (schema v5), whatever the thread's length.
_LAST_INBOUND = (
    "(SELECT max(i.ts) FROM messages AS i WHERE i.customer = c.customer AND i.account = c.account"
    " AND i.direction = 'inbound')"
)
_LAST_ANSWER = (
    "(SELECT max(o.ts) FROM messages AS o WHERE o.customer = c.customer AND o.account = c.account"
    " AND o.direction = 'outbound' AND o.status != 'failure')"
)
_WAITING_SINCE = (
    "(SELECT min(w.ts) FROM messages AS w WHERE w.customer = c.customer AND w.account = c.account"
    f" AND w.direction = 'inbound' AND w.ts > max(coalesce({_LAST_ANSWER}, -1), coalesce(s.done_upto, -1)))"
)
_TRIAGE_COLUMNS = (
    "coalesce(n.name, ''), coalesce(n.notes, ''), "
    f"{_LAST_INBOUND}, {_LAST_ANSWER}, "
    f"CASE WHEN c.inbound > 0 THEN {_WAITING_SINCE} END, "
    "s.done_at, s.done_upto, s.snoozed_until, s.snooze_upto, "
    # the customer's newest text, when it is short enough to be a keyword (STOP, START): one seek
    "(SELECT substr(k.body, 1, 24) FROM messages AS k WHERE k.customer = c.customer AND k.account = c.account"
    " AND k.direction = 'inbound' ORDER BY k.ts DESC LIMIT 1)"
)
