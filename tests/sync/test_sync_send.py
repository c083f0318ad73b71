"""send(), retry() and outbox recovery against the simulator: never lost, never sent twice."""

from __future__ import annotations

import socket

import pytest
from sync_support import FAST, MAIN, SERVICE, profile_for, requests

from smschat.domain.model import Direction, Status
from smschat.domain.thread import is_local, is_uncertain
from smschat.providers.base import SendRequest
from smschat.providers.factory import make_provider
from smschat.sync import InvalidSend, SyncEngine

CUSTOMER = "6175551234"
KEY = ("16175551234", "1" + MAIN)
LONG = "".join(f"sentence {i} of a long answer. " for i in range(14))  # > 306 chars: 3 GSM parts


async def test_send_single_part(sim, engine, store):
    seen: list[set] = []
    engine.subscribe(seen.append)
    msg = await engine.send("(617) 555-1234", MAIN, "Your bike is ready")
    assert not is_local(msg) and msg.status is Status.QUEUED and msg.direction is Direction.OUTBOUND
    assert [m.id for m in store.thread(CUSTOMER, MAIN)] == [msg.id]
    assert store.outbox_unsent() == []
    assert len(requests(sim, "queue")) == 1
    assert seen and all(keys == {KEY} for keys in seen)
    assert sim.account.get(msg.id).body == "Your bike is ready"


async def test_send_multipart_is_one_item(sim, engine, store):
    msg = await engine.send(CUSTOMER, SERVICE, LONG)
    records = store.thread(CUSTOMER, SERVICE)
    assert len(records) == 3
    assert all(r.parts == records[0].parts and len(r.parts) == 3 for r in records)
    assert msg.id == records[0].parts[0]  # send returns the first part
    (item,) = store.thread_items(CUSTOMER, SERVICE)
    assert item.body == LONG and item.missing_parts == 0
    assert len(requests(sim, "queue")) == 1


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("unsubscribed", "Attempt to send to unsubscribed recipient"),
        ("landlines", "To number: +16175551234, is not a mobile number"),
    ],
)
async def test_refused_sends_keep_text_and_server_reason(sim, engine, store, setup, expected):
    getattr(sim.account, setup).add("16175551234")
    row = await engine.send(CUSTOMER, MAIN, "are you there?")
    assert is_local(row) and row.status is Status.FAILURE and not is_uncertain(row)
    assert row.error == expected and row.body == "are you there?"
    assert store.contacts([MAIN])[0].failed == 1
    assert len(requests(sim, "queue")) == 1


async def test_bad_from_number_reported_by_server(sim, provider, store, clock):
    engine = SyncEngine(provider, store, (MAIN, "6175550142"), clock=clock.dt, retry=FAST)
    row = await engine.send(CUSTOMER, "6175550142", "from a number the account does not own")
    assert row.status is Status.FAILURE and "is not an SMS number on this account" in row.error


@pytest.mark.parametrize(
    ("customer", "account", "body"),
    [(CUSTOMER, MAIN, ""), (CUSTOMER, MAIN, "   \n"), ("12", MAIN, "hi"), ("call me", MAIN, "hi"), (CUSTOMER, "6175550142", "hi")],
)
async def test_invalid_input_is_refused_before_anything(sim, engine, store, customer, account, body):
    with pytest.raises(InvalidSend):
        await engine.send(customer, account, body)
    assert store.outbox_unsent() == [] and store.contacts([]) == []
    assert requests(sim, "queue") == []


@pytest.mark.parametrize("body", ["Short one", LONG])
async def test_timeout_after_queue_is_reconciled_not_resent(sim, engine, store, body):
    sim.faults.once("timeout_after_queue")
    msg = await engine.send(CUSTOMER, MAIN, body)
    assert not is_local(msg) and msg.status is not Status.FAILURE
    assert len(requests(sim, "queue")) == 1  # never re-sent
    assert len(sim.account.messages()) == (3 if body == LONG else 1)
    (item,) = store.thread_items(CUSTOMER, MAIN)
    assert item.body == body and not item.local
    assert store.outbox_unsent() == []
    search = requests(sim, "messages")[-1][2]
    assert search["msg_type"] == "outbound" and search["number_type"] == "customer"


async def test_reconcile_ignores_an_earlier_identical_send(sim, engine, store, clock):
    first = await engine.send(CUSTOMER, MAIN, "ok")
    clock.advance(5)
    sim.faults.once("drop")  # this time the request is lost before the server queues it
    row = await engine.send(CUSTOMER, MAIN, "ok")
    assert is_local(row) and is_uncertain(row)  # the earlier "ok" is not mistaken for this one
    assert [m.id for m in store.thread(CUSTOMER, MAIN)] == [first.id, row.id]


async def test_dropped_send_is_failed_uncertain_and_not_retried(sim, engine, store):
    sim.faults.once("drop")
    row = await engine.send(CUSTOMER, MAIN, "did it go?")
    assert is_local(row) and row.status is Status.FAILURE and is_uncertain(row)
    assert len(requests(sim, "queue")) == 1 and sim.account.messages() == []
    assert store.outbox_entry(row.id).uncertain


async def test_connect_refused_is_failed_not_uncertain(store, clock, fmt):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    provider = make_provider(profile_for(f"http://127.0.0.1:{port}/ws/sms", fmt))
    engine = SyncEngine(provider, store, (MAIN,), clock=clock.dt, retry=FAST)
    try:
        row = await engine.send(CUSTOMER, MAIN, "nobody home")
    finally:
        await provider.aclose()
    assert row.status is Status.FAILURE and not is_uncertain(row) and row.error.startswith("not sent")


async def test_retry_resends_a_failed_row_under_the_same_local_id(sim, engine, store):
    sim.account.unsubscribed.add("16175551234")
    failed = await engine.send(CUSTOMER, MAIN, "second chance")
    sim.account.unsubscribed.clear()
    sent = await engine.retry(failed.id)
    assert not is_local(sent) and sent.body == "second chance"
    assert store.get_message(failed.id) is None
    assert [m.id for m in store.thread(CUSTOMER, MAIN)] == [sent.id]
    assert store.outbox_entry(failed.id).attempts == 2
    assert len(requests(sim, "queue")) == 2
    with pytest.raises(InvalidSend):
        await engine.retry(failed.id)  # already sent
    with pytest.raises(InvalidSend):
        await engine.retry("local:nope")


async def test_crash_between_outbox_add_and_queue(sim, provider, tmp_path, clock):
    from smschat.store import Store

    path = tmp_path / "crash.sqlite3"
    first = Store.open(path, clock=clock.dt)
    local_id = first.outbox_add(CUSTOMER, MAIN, "written, then the process died")
    first._conn.close()  # no orderly shutdown

    store = Store.open(path, clock=clock.dt)
    assert [m.id for m in store.outbox_unsent()] == [local_id]
    engine = SyncEngine(provider, store, (MAIN,), clock=clock.dt, retry=FAST)
    assert await engine.recover_outbox() == {KEY}
    row = store.get_message(local_id)
    assert row.status is Status.FAILURE and is_uncertain(row)
    assert requests(sim, "queue") == [] and sim.account.messages() == []  # nothing sent by recovery
    assert store.outbox_unsent() == []
    store.close()


async def test_crash_after_queue_before_reconcile(sim, provider, store, clock):
    local_id = store.outbox_add(CUSTOMER, MAIN, "queued, then the process died")
    await provider.queue(SendRequest(CUSTOMER, MAIN, "queued, then the process died"))  # answer lost
    engine = SyncEngine(provider, store, (MAIN,), clock=clock.dt, retry=FAST)
    await engine.recover_outbox()
    (item,) = store.thread_items(CUSTOMER, MAIN)
    assert not item.local and item.body == "queued, then the process died"
    assert len(requests(sim, "queue")) == 1  # sent exactly once
    assert store.outbox_entry(local_id).state == "sent"


async def test_sent_message_later_listed_is_not_duplicated(sim, engine, store, clock):
    await engine.refresh()
    msg = await engine.send(CUSTOMER, MAIN, LONG)
    clock.advance(10)
    await engine.refresh()
    assert store.thread_count(CUSTOMER, MAIN) == 3
    assert [i.body for i in store.thread_items(CUSTOMER, MAIN)] == [LONG]
    assert store.get_message(msg.id).parts  # the listing (no parts) did not erase them
