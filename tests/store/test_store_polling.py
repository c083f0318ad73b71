"""Store: which outbound messages still need a status poll, and their schedule."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from store_helpers import T0, inbound, minutes, outbound

from smschat.domain.model import DeliveryStatus, Status
from smschat.store import Store

NOW = T0 + minutes(60)


def _store():
    return Store.open(":memory:", clock=lambda: NOW)


def test_pending_status_selects_outbound_not_final_inside_window():
    s = _store()
    pending = outbound("p", at=NOW - minutes(1))
    queued = outbound("q", at=NOW - minutes(2), status=Status.QUEUED)
    s.upsert_messages([
        pending,
        queued,
        outbound("d", at=NOW - minutes(3), delivery=DeliveryStatus.DELIVERED),
        outbound("f", at=NOW - minutes(4), status=Status.FAILURE),
        outbound("old", at=NOW - timedelta(days=8)),
        inbound("in", at=NOW - minutes(5)),
    ])  # fmt: skip
    s.outbox_add("15550001111", "2435678910", "local rows are not polled")
    assert [m.id for m in s.pending_status(NOW)] == [pending.id, queued.id]


def test_final_update_removes_from_pending():
    s = _store()
    m = outbound(at=NOW - minutes(1))
    s.upsert_messages([m])
    s.upsert_messages([replace(m, delivery=DeliveryStatus.UNCONFIRMED)])
    assert s.pending_status(NOW) == []


def test_schedule_and_due():
    s = _store()
    a, b = outbound("a", at=NOW - minutes(1)), outbound("b", at=NOW - minutes(2))
    s.upsert_messages([a, b])
    assert {p.message.id for p in s.status_due(NOW)} == {a.id, b.id}
    s.schedule_poll(a.id, attempts=1, next_at=NOW + timedelta(seconds=4))
    due = s.status_due(NOW)
    assert [(p.message.id, p.attempts) for p in due] == [(b.id, 0)]
    later = s.status_due(NOW + timedelta(seconds=4))
    assert [(p.message.id, p.attempts) for p in later] == [(b.id, 0), (a.id, 1)]
    assert len(s.status_due(NOW, limit=1)) == 1
    s.schedule_poll(b.id, attempts=1, next_at=NOW + timedelta(seconds=2))
    assert s.next_poll_due(NOW) == NOW + timedelta(seconds=2)


def test_expire_and_stop_polling():
    s = _store()
    old = outbound("old", at=NOW - timedelta(days=7, seconds=1))
    edge = outbound("edge", at=NOW - timedelta(days=7))
    s.upsert_messages([old, edge])
    assert s.expire_polls(NOW) == [old.id]
    assert s.polling_stopped(old.id) and not s.polling_stopped(edge.id)
    assert s.get_message(old.id).delivery is DeliveryStatus.UNKNOWN  # unknown-final, kept as is
    s.stop_polling([edge.id])
    assert s.pending_status(NOW) == [] and s.next_poll_due(NOW) is None
