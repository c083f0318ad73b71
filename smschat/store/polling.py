"""Which outbound messages still need a status poll, and when each is due.

A message is *pending* while it is outbound, acknowledged by the provider (not an outbox row), not
failed, its delivery unknown, inside the 7-day status window, and not given up on (`poll_done`).
Each row carries its own schedule: `poll_attempts` and `next_poll_at` (NULL = due now). The backoff
itself is decided by the sync engine; the store only keeps it, so it survives restarts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from smschat.domain.model import STATUS_WINDOW, Message
from smschat.store.base import StoreBase, chunks
from smschat.store.codec import SELECT_MESSAGE, decode, to_epoch

_PENDING = (
    "direction = 'outbound' AND local = 0 AND poll_done = 0 AND status != 'failure' "
    "AND delivery = 'unknown'"
)


@dataclass(frozen=True, slots=True)
class PollItem:
    message: Message
    attempts: int  # status polls made so far


class PollingMixin(StoreBase):
    def pending_status(self, now: datetime) -> list[Message]:
        """Outbound messages whose delivery is not final, inside the 7-day window; newest first."""
        since = to_epoch(now - STATUS_WINDOW)
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {SELECT_MESSAGE} FROM messages WHERE {_PENDING} AND ts >= ? ORDER BY ts DESC, id DESC",
                (since,),
            ).fetchall()
        return [decode(row) for row in rows]

    def status_due(self, now: datetime, *, limit: int | None = None) -> list[PollItem]:
        """Pending messages whose next poll is due at `now`: never polled first, then oldest due."""
        since, at = to_epoch(now - STATUS_WINDOW), to_epoch(now)
        sql = (
            f"SELECT {SELECT_MESSAGE}, poll_attempts FROM messages WHERE {_PENDING} AND ts >= ? "
            "AND (next_poll_at IS NULL OR next_poll_at <= ?) "
            "ORDER BY coalesce(next_poll_at, 0), ts DESC, id"
        )
        params: list[object] = [since, at]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(0, int(limit)))
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [PollItem(decode(row), int(row[-1])) for row in rows]

    def next_poll_due(self, now: datetime) -> datetime | None:
        """When the earliest pending message is next due (now if one never was polled), or None."""
        since = to_epoch(now - STATUS_WINDOW)
        with self._read() as conn:
            row = conn.execute(
                f"SELECT min(coalesce(next_poll_at, 0)), count(*) FROM messages WHERE {_PENDING} AND ts >= ?",
                (since,),
            ).fetchone()
        if not row[1]:
            return None
        return max(now, datetime.fromtimestamp(row[0], tz=now.tzinfo))

    def schedule_poll(self, message_id: str, *, attempts: int, next_at: datetime) -> None:
        """Record a poll: `attempts` made so far, the next one due at `next_at`."""
        with self._write() as conn:
            conn.execute(
                "UPDATE messages SET poll_attempts = ?, next_poll_at = ? WHERE id = ?",
                (attempts, to_epoch(next_at), message_id),
            )

    def stop_polling(self, message_ids: Iterable[str]) -> None:
        """Never poll these again (their delivery stays what it is: unknown-final)."""
        ids = list(message_ids)
        with self._write() as conn:
            for part in chunks(ids):
                conn.execute(
                    f"UPDATE messages SET poll_done = 1 WHERE id IN ({', '.join('?' * len(part))})", part
                )

    def expire_polls(self, now: datetime) -> list[str]:
        """Give up on pending messages older than the 7-day window; returns their ids."""
        since = to_epoch(now - STATUS_WINDOW)
        with self._write() as conn:
            rows = conn.execute(
                f"UPDATE messages SET poll_done = 1 WHERE {_PENDING} AND ts < ? RETURNING id", (since,)
            ).fetchall()
        return [row[0] for row in rows]

    def polling_stopped(self, message_id: str) -> bool:
        with self._read() as conn:
            row = conn.execute("SELECT poll_done FROM messages WHERE id = ?", (message_id,)).fetchone()
        return bool(row and row[0])
