"""Rows to messages and back, and the merge rule for a record seen twice. Pure functions, no I/O.

Timestamps are stored as integer unix epoch seconds (what the providers send); a `Message` read
back carries aware UTC datetimes with whole seconds. `ts` is the sort key of a row: the request
time, else the response time, else when the store first saw the record.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache

from smschat.domain.model import DeliveryStatus, Direction, Message, Status
from smschat.domain.numbers import normalize

#: Columns of `messages` that carry the Message itself, in the order `encode` produces them.
MESSAGE_COLUMNS = (
    "id",
    "customer",
    "account",
    "direction",
    "status",
    "delivery",
    "ts",
    "requested_at",
    "responded_at",
    "to_number",
    "from_number",
    "body",
    "result_url",
    "parts",
    "error",
    "local",
    "first_seen",
    "body_known",
    "media",
)
SELECT_MESSAGE = ", ".join(MESSAGE_COLUMNS)

#: Pipeline order of a status; a merge keeps the higher one. Failure is final.
_STATUS_RANK = {Status.QUEUED: 0, Status.SENT: 1, Status.RECEIVED: 1, Status.FAILURE: 2}
#: Delivery order: unknown < unconfirmed < delivered/undelivered. Equal ranks keep the stored one.
_DELIVERY_RANK = {
    DeliveryStatus.UNKNOWN: 0,
    DeliveryStatus.UNCONFIRMED: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.UNDELIVERED: 2,
}


def to_epoch(stamp: datetime | None) -> int | None:
    if stamp is None:
        return None
    return int(stamp.timestamp() // 1)


def from_epoch(value: int | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def is_failed(msg: Message) -> bool:
    """Counts as a failure in a conversation summary."""
    return msg.status is Status.FAILURE or msg.delivery is DeliveryStatus.UNDELIVERED


def sort_ts(msg: Message, first_seen: int) -> int:
    stamp = to_epoch(msg.requested_at)
    if stamp is None:
        stamp = to_epoch(msg.responded_at)
    return first_seen if stamp is None else stamp


@lru_cache(maxsize=16_384)
def _normalized(raw: str) -> str:
    return normalize(raw)


def key_of(msg: Message) -> tuple[str, str]:
    """(customer, account), normalised, as `Message.customer_number/account_number` (cached)."""
    if msg.direction is Direction.INBOUND:
        return _normalized(msg.from_number), _normalized(msg.to_number)
    return _normalized(msg.to_number), _normalized(msg.from_number)


_SURROGATES = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` as SQLite can store it: a lone surrogate (a JSON answer may carry "\\ud83d" alone)
    cannot be encoded as UTF-8 and would make the whole page's write fail, so it becomes U+FFFD."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text)
    return text


def encode(msg: Message, *, first_seen: int, local: bool = False) -> tuple[object, ...]:
    """The row for `msg`, in `MESSAGE_COLUMNS` order."""
    customer, account = key_of(msg)
    return (
        storable(msg.id),
        customer,
        account,
        msg.direction.value,
        msg.status.value,
        msg.delivery.value,
        sort_ts(msg, first_seen),
        to_epoch(msg.requested_at),
        to_epoch(msg.responded_at),
        storable(msg.to_number),
        storable(msg.from_number),
        storable(msg.body),
        storable(msg.result_url),
        json.dumps(list(msg.parts)) if msg.parts else "[]",
        storable(msg.error),
        1 if local else 0,
        first_seen,
        1 if msg.body_known else 0,
        json.dumps(list(msg.media)) if msg.media else "[]",
    )


_DIRECTIONS = {d.value: d for d in Direction}
_STATUSES = {s.value: s for s in Status}
_DELIVERIES = {d.value: d for d in DeliveryStatus}
_fromtimestamp = datetime.fromtimestamp


def decode(row: sqlite3.Row | Sequence[object]) -> Message:
    """A Message from a row selected with `SELECT_MESSAGE` (extra trailing columns are ignored).

    Hot path (contact lists, thread pages): enum members come from dicts, not enum calls."""
    requested, responded = row[7], row[8]
    return Message(
        id=row[0],
        to_number=row[9],
        from_number=row[10],
        body=row[11],
        direction=_DIRECTIONS.get(row[3]) or Direction(row[3]),
        status=_STATUSES.get(row[4]) or Status(row[4]),
        delivery=_DELIVERIES.get(row[5]) or DeliveryStatus(row[5]),
        requested_at=None if requested is None else _fromtimestamp(int(requested), UTC),
        responded_at=None if responded is None else _fromtimestamp(int(responded), UTC),
        result_url=row[12],
        parts=tuple(json.loads(row[13])) if row[13] and row[13] != "[]" else (),
        error=row[14],
        body_known=bool(row[17]),
        media=tuple(json.loads(row[18])) if row[18] and row[18] != "[]" else (),
    )


def merge(old: Message, new: Message) -> Message:
    """What to store when `new` arrives for a record already stored as `old`.

    Never downgrades: the status and the delivery keep the more advanced of the two (a stale list
    result saying `sent` does not undo `delivered`; a failure stays a failure). Fields the new
    record leaves empty (lists carry no parts, no delivery, sometimes no result_url) keep the stored
    value. A known body is never replaced by an unknown one (`Message.body_known`: a Plivo list
    record arriving after the client stored the text it sent, or the text the receiver got), and an
    unknown one gives way to a known one. Everything else comes from the newer record.
    """
    status = new.status if _STATUS_RANK[new.status] > _STATUS_RANK[old.status] else old.status
    if _STATUS_RANK[new.status] == _STATUS_RANK[old.status]:
        status = old.status if old.status is Status.FAILURE else new.status
    delivery = old.delivery
    if _DELIVERY_RANK[new.delivery] > _DELIVERY_RANK[old.delivery]:
        delivery = new.delivery
    if new.body_known and old.body_known:
        body = new.body if new.body else old.body
    elif new.body_known:
        body = new.body
    else:
        body = old.body if old.body_known else ""
    return Message(
        id=old.id,
        to_number=new.to_number or old.to_number,
        from_number=new.from_number or old.from_number,
        body=body,
        direction=new.direction,
        status=status,
        delivery=delivery,
        requested_at=new.requested_at or old.requested_at,
        responded_at=new.responded_at or old.responded_at,
        result_url=new.result_url or old.result_url,
        parts=new.parts or old.parts,
        error=new.error or old.error,
        body_known=old.body_known or new.body_known,
        media=new.media or old.media,
    )
