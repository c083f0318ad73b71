"""With a receiver configured (`callback_url`), sends carry it and status polling is a slow safety net."""

from __future__ import annotations

from datetime import timedelta

from sync_support import FAST, MAIN, SERVICE, requests

from smschat.sync import SyncEngine
from smschat.sync.engine import CALLBACK_POLL_BASE

CUSTOMER = "6175551234"
CALLBACK = "https://sms.example.com/plum/status/s3cret-Path-Segment_0123456789"


def _queued_params(sim) -> list[dict[str, str]]:
    return [params for _method, _path, params, _status in requests(sim, "queue")]


async def test_without_a_receiver_sends_carry_no_result_url_and_poll_at_once(sim, engine, store, clock):
    sent = await engine.send(CUSTOMER, MAIN, "hello")
    assert "result_url" not in _queued_params(sim)[0]
    assert [item.message.id for item in store.status_due(clock.dt())] == [sent.id]


async def test_with_a_receiver_every_send_carries_it_and_polling_waits_minutes(sim, provider, store, clock):
    engine = SyncEngine(provider, store, (MAIN, SERVICE), clock=clock.dt, retry=FAST, callback_url=CALLBACK)
    sent = await engine.send(CUSTOMER, MAIN, "a long message " * 20)  # several parts, one send
    assert len(sent.parts) > 1
    assert _queued_params(sim)[0]["result_url"] == CALLBACK
    assert sim.account.get(sent.id).result_url == CALLBACK
    assert store.status_due(clock.dt()) == []
    assert engine.next_poll_at() == clock.dt().replace(microsecond=0) + timedelta(seconds=CALLBACK_POLL_BASE)
    # the receiver missed every post: the safety net still settles it, with minutes between polls
    sim.account.unconfirmed.add("1" + CUSTOMER)
    before = len(requests(sim, "status"))
    clock.advance(CALLBACK_POLL_BASE - 1)
    assert await engine.poll_statuses() == set()
    assert len(requests(sim, "status")) == before
    clock.advance(1)
    await engine.poll_statuses()
    assert len(requests(sim, "status")) == before + len(sent.parts)
    assert store.get_message(sent.id).is_final


async def test_a_retried_send_carries_it_too(sim, provider, store, clock):
    engine = SyncEngine(provider, store, (MAIN, SERVICE), clock=clock.dt, retry=FAST, callback_url=CALLBACK)
    sim.account.unsubscribed.add("1" + CUSTOMER)
    failed = await engine.send(CUSTOMER, MAIN, "hello")
    sim.account.unsubscribed.clear()
    again = await engine.retry(failed.id)
    assert [p["result_url"] for p in _queued_params(sim)] == [CALLBACK, CALLBACK]
    assert store.status_due(clock.dt()) == [] and not again.id.startswith("local:")

