"""Multi-part sends shown as one item (smschat.domain.thread and Store.thread_items)."""

from __future__ import annotations

import pytest
from store_helpers import ACCOUNT, CUSTOMER, T0, inbound, minutes, outbound

from smschat.domain.model import DeliveryStatus as D
from smschat.domain.model import Status
from smschat.domain.thread import UNCERTAIN_PREFIX, aggregate, thread_items
from smschat.store import Store

IDS = ("b" * 32, "a" * 32, "c" * 32)  # part order is not id order


def _parts(deliveries=(D.DELIVERED, D.DELIVERED, D.DELIVERED), statuses=(Status.SENT,) * 3):
    bodies = ("first ", "second ", "third")
    return [
        outbound(body, id=i, parts=IDS, delivery=d, status=s, at=T0)
        for body, i, d, s in zip(bodies, IDS, deliveries, statuses, strict=True)
    ]


def test_parts_joined_in_order_as_one_item():
    before, after = inbound("q", at=T0 - minutes(1)), inbound("thanks", at=T0 + minutes(1))
    records = [before, *sorted(_parts(), key=lambda m: m.id), after]
    items = thread_items(records)
    assert [i.body for i in items] == ["q", "first second third", "thanks"]
    assert items[1].ids == IDS and items[1].state == "delivered" and items[1].missing_parts == 0


@pytest.mark.parametrize(
    ("deliveries", "statuses", "state"),
    [
        ((D.DELIVERED, D.UNKNOWN, D.DELIVERED), (Status.SENT,) * 3, "sent"),
        ((D.DELIVERED, D.UNCONFIRMED, D.UNKNOWN), (Status.SENT,) * 3, "unconfirmed"),
        ((D.UNCONFIRMED, D.UNDELIVERED, D.DELIVERED), (Status.SENT,) * 3, "undelivered"),
        ((D.DELIVERED, D.UNDELIVERED, D.DELIVERED), (Status.SENT, Status.FAILURE, Status.SENT), "failed"),
        ((D.UNKNOWN,) * 3, (Status.SENT, Status.QUEUED, Status.SENT), "queued"),
    ],
)
def test_aggregate_is_worst_of_parts(deliveries, statuses, state):
    (item,) = thread_items(_parts(deliveries, statuses))
    assert item.state == state


def test_aggregate_order():
    parts = _parts((D.DELIVERED, D.UNKNOWN, D.UNCONFIRMED))
    assert aggregate(parts) == (Status.SENT, D.UNCONFIRMED)
    with pytest.raises(ValueError):
        aggregate([])


def test_missing_part_is_counted():
    (item,) = thread_items(_parts()[:2])
    assert item.body == "first second " and item.missing_parts == 1


def test_uncertain_and_local_items():
    m = outbound("x", id="local:" + "0" * 32, status=Status.FAILURE, error=UNCERTAIN_PREFIX + "timeout")
    (item,) = thread_items([m])
    assert item.uncertain and item.local and item.state == "uncertain"
    assert item.error.endswith("timeout")


def test_store_thread_items():
    s = Store.open(":memory:")
    s.upsert_messages([inbound("hello", at=T0 - minutes(1)), *_parts()])
    items = s.thread_items(CUSTOMER, ACCOUNT)
    assert [i.body for i in items] == ["hello", "first second third"]
    assert s.thread_count(CUSTOMER, ACCOUNT) == 4  # raw records
