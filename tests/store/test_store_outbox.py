"""Store outbox: row first, atomic reconcile, failures that keep the text, crash recovery listing."""

from __future__ import annotations

import pytest
from store_helpers import ACCOUNT, CUSTOMER, T0, FakeClock, inbound, minutes, outbound, summary_rows

from smschat.domain.model import Direction, Status
from smschat.domain.thread import UNCERTAIN_PREFIX, is_local, is_uncertain
from smschat.store import Store


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def store(clock):
    s = Store.open(":memory:", clock=clock)
    yield s
    s.close()


def test_outbox_add_is_a_queued_local_row_in_the_thread(store):
    store.upsert_messages([inbound("question", at=T0 - minutes(1))])
    local_id = store.outbox_add("(999) 888-1234", ACCOUNT, "answer")
    assert local_id.startswith("local:") and len(local_id) == len("local:") + 32
    last = store.thread(CUSTOMER, ACCOUNT)[-1]
    assert last.id == local_id and is_local(last)
    assert (last.status, last.direction, last.body, last.requested_at) == (Status.QUEUED, Direction.OUTBOUND, "answer", T0)
    summary = store.contacts([ACCOUNT])[0]
    assert summary.last_message.id == local_id and summary.total == 2
    assert [m.id for m in store.outbox_unsent()] == [local_id]


def test_outbox_sent_replaces_local_row_with_all_parts(store):
    local_id = store.outbox_add(CUSTOMER, ACCOUNT, "x" * 300)
    parts = [outbound("x" * 153, id="a" * 32, status=Status.QUEUED), outbound("x" * 147, id="b" * 32, status=Status.QUEUED)]
    changed = store.outbox_sent(local_id, parts)
    assert changed == {("19998881234", "12435678910")}
    thread = store.thread(CUSTOMER, ACCOUNT)
    assert {m.id for m in thread} == {"a" * 32, "b" * 32}
    assert all(m.parts == ("a" * 32, "b" * 32) for m in thread)
    assert store.get_message(local_id) is None
    assert store.outbox_unsent() == []
    entry = store.outbox_entry(local_id)
    assert entry.state == "sent" and entry.result_ids == ("a" * 32, "b" * 32)
    assert store.outbox_claimed(["a" * 32, "c" * 32]) == {"a" * 32}
    assert store.contacts([ACCOUNT])[0].total == 2
    kept, rebuilt = summary_rows(store)
    assert kept == rebuilt


def test_outbox_sent_when_a_refresh_already_stored_the_records(store):
    local_id = store.outbox_add(CUSTOMER, ACCOUNT, "hi")
    rec = outbound("hi", id="c" * 32)
    store.upsert_messages([rec])  # a concurrent listing got there first
    store.outbox_sent(local_id, [rec])
    assert [m.id for m in store.thread(CUSTOMER, ACCOUNT)] == ["c" * 32]


def test_outbox_failed_keeps_text_and_reason(store):
    local_id = store.outbox_add(CUSTOMER, ACCOUNT, "to a landline")
    store.outbox_failed(local_id, "To number: +19998881234, is not a mobile number")
    row = store.get_message(local_id)
    assert row.status is Status.FAILURE and row.body == "to a landline"
    assert row.error == "To number: +19998881234, is not a mobile number"
    assert not is_uncertain(row)
    assert store.outbox_unsent() == []
    assert store.contacts([ACCOUNT])[0].failed == 1
    entry = store.outbox_entry(local_id)
    assert (entry.state, entry.uncertain) == ("failed", False)


def test_outbox_failed_uncertain_is_distinguishable(store):
    local_id = store.outbox_add(CUSTOMER, ACCOUNT, "maybe sent")
    store.outbox_failed(local_id, "no answer from the server", uncertain=True)
    row = store.get_message(local_id)
    assert is_uncertain(row) and row.error == UNCERTAIN_PREFIX + "no answer from the server"
    entry = store.outbox_entry(local_id)
    assert entry.uncertain and entry.error == "no answer from the server"


def test_outbox_retry_reuses_local_id_and_moves_to_now(store, clock):
    local_id = store.outbox_add(CUSTOMER, ACCOUNT, "again")
    store.outbox_failed(local_id, "network down")
    clock.advance(minutes=5)
    msg = store.outbox_retry(local_id)
    assert msg.id == local_id and msg.status is Status.QUEUED and msg.error == ""
    assert msg.requested_at == T0 + minutes(5)
    assert store.get_message(local_id) == msg
    assert store.outbox_entry(local_id).attempts == 2
    assert [m.id for m in store.outbox_unsent()] == [local_id]
    with pytest.raises(ValueError):
        store.outbox_retry(local_id)  # pending, not failed


def test_unknown_local_id_is_an_error(store):
    with pytest.raises(KeyError):
        store.outbox_failed("local:nope", "x")
    with pytest.raises(KeyError):
        store.outbox_sent("local:nope", [outbound()])
    assert store.outbox_entry("local:nope") is None


def test_crash_after_outbox_add_survives_reopen(tmp_path):
    path = tmp_path / "p.sqlite3"
    s = Store.open(path)
    local_id = s.outbox_add(CUSTOMER, ACCOUNT, "written before the request")
    s._conn.close()  # no orderly close: the process died
    with Store.open(path) as again:
        assert [m.id for m in again.outbox_unsent()] == [local_id]
        assert again.thread(CUSTOMER, ACCOUNT)[-1].body == "written before the request"


def test_outbox_sent_is_atomic(store, monkeypatch):
    local_id = store.outbox_add(CUSTOMER, ACCOUNT, "atomic")

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "_ingest", boom)
    with pytest.raises(RuntimeError):
        store.outbox_sent(local_id, [outbound("atomic")])
    assert store.get_message(local_id) is not None  # the local row is still there
    assert [m.id for m in store.outbox_unsent()] == [local_id]
