"""Builders for store tests: domain Messages with readable defaults."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from smschat.domain.model import DeliveryStatus, Direction, Message, Status

ACCOUNT = "2435678910"  # 10 digits, as Plum writes account numbers
CUSTOMER = "19998881234"  # 11 digits, as Plum writes outbound `to`
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

_ids = itertools.count(1)


def new_id() -> str:
    return f"{next(_ids):032x}"


def inbound(body: str = "hello", *, at: datetime = T0, customer: str = CUSTOMER, account: str = ACCOUNT,
            id: str | None = None) -> Message:  # fmt: skip
    return Message(
        id=id or new_id(),
        to_number=account,
        from_number=customer,
        body=body,
        direction=Direction.INBOUND,
        status=Status.RECEIVED,
        requested_at=at,
        responded_at=at,
    )


def outbound(body: str = "hi there", *, at: datetime = T0, customer: str = CUSTOMER, account: str = ACCOUNT,
             id: str | None = None, status: Status = Status.SENT,
             delivery: DeliveryStatus = DeliveryStatus.UNKNOWN, parts: tuple[str, ...] = (),
             error: str = "") -> Message:  # fmt: skip
    return Message(
        id=id or new_id(),
        to_number=customer,
        from_number=account,
        body=body,
        direction=Direction.OUTBOUND,
        status=status,
        delivery=delivery,
        requested_at=at,
        parts=parts,
        error=error,
    )


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


class FakeClock:
    """A settable clock for the store and the sync engine."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def summary_rows(store) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The conversations table as maintained incrementally, and as a full rebuild computes it."""
    from smschat.store import summaries

    conn = store._conn
    query = "SELECT * FROM conversations ORDER BY customer, account"
    with store._lock:
        kept = conn.execute(query).fetchall()
        conn.execute("BEGIN")
        try:
            summaries.rebuild_all(conn)
            rebuilt = conn.execute(query).fetchall()
        finally:
            conn.execute("ROLLBACK")
    return [kept, rebuilt]
