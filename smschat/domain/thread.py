"""A thread as the agent reads it: the records of one send grouped into one item. Pure.

A long outbound body is queued once and stored by the provider as several records (one per SMS
part), each carrying `Message.parts`, the ids of all the records of that send in order. The store
keeps raw records; `thread_items` folds each send into one `ThreadItem` whose body is the parts'
text in order and whose state is the worst of its parts.

A failed outbox row whose outcome is unknown (the send request may have reached the provider) is
marked by `UNCERTAIN_PREFIX` at the start of its `error`; `is_uncertain` tests for it. The rest of
the error is the reason, readable as is (after sanitising, like every received string).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from smschat.domain.model import DeliveryStatus, Direction, Message, Status

#: Starts the `error` of a failed send whose outcome is unknown: the agent decides whether to retry.
UNCERTAIN_PREFIX = "Outcome unknown: "
#: Ids of rows the outbox wrote before the provider acknowledged them.
LOCAL_PREFIX = "local:"
#: What to show instead of the body of a record whose text the client never saw.
TEXT_UNKNOWN = "(text not available: sent from another tool or received while no receiver ran)"

# Worst first: failure > undelivered > unconfirmed > unknown (pending) > delivered.
_DELIVERY_BADNESS = {
    DeliveryStatus.DELIVERED: 0,
    DeliveryStatus.UNKNOWN: 1,
    DeliveryStatus.UNCONFIRMED: 2,
    DeliveryStatus.UNDELIVERED: 3,
}
_STATUS_BADNESS = {Status.SENT: 0, Status.RECEIVED: 0, Status.QUEUED: 1, Status.FAILURE: 2}


def is_uncertain(msg: Message) -> bool:
    """A failed send whose request may nevertheless have been queued by the provider."""
    return msg.status is Status.FAILURE and msg.error.startswith(UNCERTAIN_PREFIX)


def is_local(msg: Message) -> bool:
    """An outbox row the provider has not acknowledged (queued locally, failed, or uncertain)."""
    return msg.id.startswith(LOCAL_PREFIX)


@dataclass(frozen=True, slots=True)
class ThreadItem:
    """One bubble: a single record, or all the records of one multi-part send."""

    records: tuple[Message, ...]  # in part order (only the parts the store holds)
    body: str
    status: Status  # worst of the parts
    delivery: DeliveryStatus  # worst of the parts
    missing_parts: int = 0  # parts named in `parts` but not (yet) in the store

    @property
    def id(self) -> str:
        return self.records[0].id

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.records)

    @property
    def direction(self) -> Direction:
        return self.records[0].direction

    @property
    def timestamp(self) -> datetime | None:
        stamps = [r.timestamp for r in self.records if r.timestamp is not None]
        return min(stamps) if stamps else None

    @property
    def error(self) -> str:
        return next((r.error for r in self.records if r.error), "")

    @property
    def body_known(self) -> bool:
        """False when the client never saw the text of this item (see `Message.body_known`): show
        `TEXT_UNKNOWN` with the item's time, direction and state, never an empty bubble."""
        return all(r.body_known for r in self.records)

    @property
    def media(self) -> tuple[str, ...]:
        """The MMS media URLs of the item's records, in order."""
        return tuple(url for r in self.records for url in r.media)

    @property
    def uncertain(self) -> bool:
        return any(is_uncertain(r) for r in self.records)

    @property
    def local(self) -> bool:
        return any(is_local(r) for r in self.records)

    @property
    def state(self) -> str:
        """One word for the bubble's mark: received, uncertain, failed, undelivered, unconfirmed,
        queued, sent (sent, delivery not known yet) or delivered."""
        if self.direction is Direction.INBOUND:
            return "received"
        if self.status is Status.FAILURE:
            return "uncertain" if self.uncertain else "failed"
        if self.delivery is not DeliveryStatus.UNKNOWN:
            return self.delivery.value
        return "queued" if self.status is Status.QUEUED else "sent"


def aggregate(records: Iterable[Message]) -> tuple[Status, DeliveryStatus]:
    """The worst status and the worst delivery among the records of one send."""
    items = list(records)
    if not items:
        raise ValueError("aggregate() needs at least one record")
    status = max((r.status for r in items), key=lambda s: _STATUS_BADNESS[s])
    delivery = max((r.delivery for r in items), key=lambda d: _DELIVERY_BADNESS[d])
    return status, delivery


def _group_key(msg: Message) -> tuple[str, ...] | None:
    if len(msg.parts) > 1 and msg.id in msg.parts:
        return msg.parts
    return None


def thread_items(messages: Iterable[Message]) -> list[ThreadItem]:
    """Group records (oldest to newest, as `Store.thread` returns them) into display items.

    An item sits where its first record appears. Records whose `parts` name several ids are joined
    in the order of `parts`; a part not present is counted in `missing_parts` and left out of the
    body. Records without parts (or with a single part) are items of their own.
    """
    order: list[tuple[str, ...] | Message] = []
    groups: dict[tuple[str, ...], dict[str, Message]] = {}
    for msg in messages:
        key = _group_key(msg)
        if key is None:
            order.append(msg)
            continue
        if key not in groups:
            groups[key] = {}
            order.append(key)
        groups[key][msg.id] = msg
    items: list[ThreadItem] = []
    for entry in order:
        if isinstance(entry, Message):
            items.append(ThreadItem((entry,), entry.body, entry.status, entry.delivery))
            continue
        present = groups[entry]
        records = tuple(present[i] for i in entry if i in present)
        status, delivery = aggregate(records)
        items.append(
            ThreadItem(
                records,
                "".join(r.body for r in records),
                status,
                delivery,
                missing_parts=len(entry) - len(records),
            )
        )
    return items
