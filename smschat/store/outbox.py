"""The outbox: a send is written here before any request, so it is never lost and never doubled.

Life of a send (the sync engine drives it):

1. `outbox_add` writes an `outbox` entry (state `pending`) and a local message row
   `local:<uuid4 hex>` (QUEUED, OUTBOUND, requested now) that `thread()` shows at once.
2. The request goes out.
3. `outbox_sent` replaces the local row by the provider's records in one transaction, or
   `outbox_failed` turns it into a FAILURE row that keeps the text and the reason. With
   `uncertain=True` (the request may have reached the provider) the row's `error` starts with
   `smschat.domain.thread.UNCERTAIN_PREFIX`; `is_uncertain(msg)` tests it, and the outbox entry
   has an `uncertain` column.

An entry still `pending` after a restart (`outbox_unsent`) was interrupted between 1 and 3: its
request may or may not have gone out, so it is never re-sent automatically.

`outbox_retry` puts a failed entry back to `pending` under the same local id (the bubble keeps its
identity; `attempts` counts the tries) for a deliberate re-send.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from smschat.domain.model import Direction, Message, Status
from smschat.domain.numbers import normalize
from smschat.domain.thread import LOCAL_PREFIX, UNCERTAIN_PREFIX
from smschat.store import search_index, summaries
from smschat.store.base import StoreBase
from smschat.store.codec import SELECT_MESSAGE, decode, encode, from_epoch

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    local_id: str
    to_number: str
    from_number: str
    body: str
    created_at: datetime
    state: str  # "pending" | "sent" | "failed"
    uncertain: bool
    error: str
    attempts: int
    result_ids: tuple[str, ...]
    updated_at: datetime
    media: tuple[str, ...] = ()  # MMS media URLs (empty for an SMS)


class OutboxMixin(StoreBase):
    def outbox_add(
        self, to: str, from_number: str, body: str, media: Sequence[str] = (), *, clear_draft: Key | None = None
    ) -> str:
        """Write the send before any request; returns its local id (`local:<uuid4 hex>`).
        `media`: the URLs of an MMS (empty for an SMS). `clear_draft`: the (customer, account)
        whose draft this text was; the draft goes in the same transaction (if it is still this
        text), so a crash leaves the text in exactly one place: the draft or the outbox."""
        media = tuple(media)
        local_id = LOCAL_PREFIX + uuid.uuid4().hex
        now = self._now().replace(microsecond=0)
        msg = Message(
            id=local_id,
            to_number=normalize(to),
            from_number=normalize(from_number),
            body=body,
            direction=Direction.OUTBOUND,
            status=Status.QUEUED,
            requested_at=now,
            media=media,
        )
        stamp = self._now_epoch()
        with self._write() as conn:
            conn.execute(
                "INSERT INTO outbox (local_id, to_number, from_number, body, created_at, state, updated_at, media) "
                "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                (local_id, msg.to_number, msg.from_number, body, stamp, stamp, json.dumps(list(media))),
            )
            self._put_local(conn, msg)
            if clear_draft is not None:
                conn.execute(
                    "DELETE FROM drafts WHERE customer = ? AND account = ? AND body = ?",
                    (normalize(clear_draft[0]), normalize(clear_draft[1]), body),
                )
        return local_id

    def outbox_sent(self, local_id: str, records: Sequence[Message]) -> set[Key]:
        """Replace the local row by the provider's records, atomically. Returns changed keys.

        Records of one multi-part send get `parts` (all their ids, in order) when the provider left
        it empty.
        """
        records = list(records)
        if not records:
            raise ValueError("outbox_sent needs the provider's records")
        ids = tuple(r.id for r in records)
        if len(ids) > 1:
            records = [r if r.parts else replace(r, parts=ids) for r in records]
        with self._write() as conn:
            entry = self._entry(conn, local_id)
            keys = self._drop_local(conn, local_id)
            batch: dict[str, Message] = {r.id: r for r in records}
            result = self._ingest(conn, batch)  # type: ignore[attr-defined]
            conn.execute(
                "UPDATE outbox SET state = 'sent', uncertain = 0, error = '', result_ids = ?, updated_at = ? "
                "WHERE local_id = ?",
                (json.dumps(list(ids)), self._now_epoch(), entry.local_id),
            )
            summaries.recompute(conn, keys | result.changed)
        return keys | result.changed

    def outbox_failed(self, local_id: str, error: str, *, uncertain: bool = False) -> set[Key]:
        """The send failed (or its outcome is unknown): keep the text, show the reason."""
        shown = (UNCERTAIN_PREFIX + error) if uncertain else error
        with self._write() as conn:
            self._entry(conn, local_id)
            conn.execute(
                "UPDATE outbox SET state = 'failed', uncertain = ?, error = ?, updated_at = ? WHERE local_id = ?",
                (int(uncertain), error, self._now_epoch(), local_id),
            )
            row = conn.execute(
                "UPDATE messages SET status = 'failure', error = ? WHERE id = ? RETURNING customer, account",
                (shown, local_id),
            ).fetchone()
            keys = {(row[0], row[1])} if row else set()
            summaries.recompute(conn, keys)
        return keys

    def outbox_retry(self, local_id: str) -> Message:
        """Put a failed send back to `pending` (same local id) for a deliberate re-send."""
        now = self._now().replace(microsecond=0)
        with self._write() as conn:
            entry = self._entry(conn, local_id)
            if entry.state != "failed":
                raise ValueError(f"{local_id} is {entry.state}, not failed: nothing to retry")
            conn.execute(
                "UPDATE outbox SET state = 'pending', uncertain = 0, error = '', attempts = attempts + 1, "
                "updated_at = ? WHERE local_id = ?",
                (self._now_epoch(), local_id),
            )
            self._drop_local(conn, local_id)
            msg = Message(
                id=local_id,
                to_number=entry.to_number,
                from_number=entry.from_number,
                body=entry.body,
                direction=Direction.OUTBOUND,
                status=Status.QUEUED,
                requested_at=now,
                media=entry.media,
            )
            self._put_local(conn, msg)
        return msg

    def outbox_unsent(self) -> list[Message]:
        """Local rows never acknowledged nor failed: sends interrupted by a crash. Oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {', '.join('m.' + c for c in SELECT_MESSAGE.split(', '))} FROM outbox AS o "
                "JOIN messages AS m ON m.id = o.local_id WHERE o.state = 'pending' ORDER BY o.created_at, o.local_id"
            ).fetchall()
        return [decode(row) for row in rows]

    def outbox_entry(self, local_id: str) -> OutboxEntry | None:
        with self._read() as conn:
            try:
                return self._entry(conn, local_id)
            except KeyError:
                return None

    def outbox_claimed(self, provider_ids: Iterable[str]) -> set[str]:
        """Which of these provider ids already belong to a send the outbox reconciled."""
        wanted = set(provider_ids)
        if not wanted:
            return set()
        with self._read() as conn:
            rows = conn.execute(
                "SELECT j.value FROM outbox AS o, json_each(o.result_ids) AS j WHERE o.state = 'sent'"
            ).fetchall()
        return wanted & {row[0] for row in rows}

    # ---------------------------------------------------------------- helpers

    def _entry(self, conn, local_id: str) -> OutboxEntry:  # type: ignore[no-untyped-def]
        row = conn.execute(
            "SELECT local_id, to_number, from_number, body, created_at, state, uncertain, error, attempts, "
            "result_ids, updated_at, media FROM outbox WHERE local_id = ?",
            (local_id,),
        ).fetchone()
        if row is None:
            raise KeyError(f"no outbox entry {local_id!r}")
        return OutboxEntry(
            row[0], row[1], row[2], row[3], from_epoch(row[4]), row[5], bool(row[6]), row[7], row[8],
            tuple(json.loads(row[9])), from_epoch(row[10]), tuple(json.loads(row[11] or "[]")),
        )  # fmt: skip

    def _put_local(self, conn, msg: Message) -> None:  # type: ignore[no-untyped-def]
        row = encode(msg, first_seen=self._now_epoch(), local=True)
        conn.execute(f"INSERT INTO messages ({SELECT_MESSAGE}) VALUES ({', '.join('?' * len(row))})", row)
        if self._indexing:
            search_index.add(conn, [(row[0], row[6], row[11])])
        summaries.recompute(conn, [(row[1], row[2])])

    def _drop_local(self, conn, local_id: str) -> set[Key]:  # type: ignore[no-untyped-def]
        rows = conn.execute(
            "DELETE FROM messages WHERE id = ? AND local = 1 RETURNING customer, account, ts", (local_id,)
        ).fetchall()
        if self._indexing:
            search_index.remove(conn, [(local_id, r[2]) for r in rows])
        keys = {(r[0], r[1]) for r in rows}
        summaries.recompute(conn, keys)
        return keys
