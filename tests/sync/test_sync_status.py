"""poll_statuses() against the simulator: backoff, final states, the 7-day window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sync_support import MAIN, requests, reset_log

from smschat.domain.model import DeliveryStatus, Direction, Message, Status

CUSTOMER = "6175551234"
KEY = ("16175551234", "1" + MAIN)


@pytest.mark.parametrize(
    ("mark", "delivery"),
    [("", DeliveryStatus.DELIVERED), ("undeliverable", DeliveryStatus.UNDELIVERED), ("unconfirmed", DeliveryStatus.UNCONFIRMED)],
)
async def test_polls_with_backoff_until_final_then_stops(sim, engine, store, clock, mark, delivery):
    if mark:
        getattr(sim.account, mark).add("1" + CUSTOMER)
    sent = await engine.send(CUSTOMER, MAIN, "hello")
    assert sent.status is Status.QUEUED
    start = clock.now
    polls_at: list[float] = []
    original = engine.provider.status

    async def spy(message_id):
        polls_at.append(clock.now - start)
        return await original(message_id)

    engine.provider.status = spy
    changed = set()
    while engine.next_poll_at() is not None and clock.now - start < 600:
        changed |= await engine.poll_statuses()
        clock.advance(1)
    final = store.get_message(sent.id)
    assert final.delivery is delivery and final.status is Status.SENT
    assert KEY in changed
    assert polls_at == [0, 2, 6][: len(polls_at)] and 2 <= len(polls_at) <= 3  # 2 s, then 4 s backoff
    reset_log(sim)
    clock.advance(3600)
    assert await engine.poll_statuses() == set()
    assert requests(sim, "status") == []  # final: never polled again


async def test_backoff_grows_and_is_capped(sim, engine, store, clock, monkeypatch):
    sim.account.add_message(customer=CUSTOMER, account=MAIN, body="stuck", direction="outbound", at=clock.now - 5)
    await engine.refresh()
    (pending,) = store.pending_status(clock.dt())
    # the carrier never answers: the record stays "sent" with no delivery status
    monkeypatch.setattr(type(sim.account.get(pending.id)), "state", lambda self, now: ("sent", str(self.ts), ""))
    gaps, last = [], None
    start = clock.now
    while clock.now - start < 3 * 3600:
        before = len(requests(sim, "status"))
        await engine.poll_statuses()
        if len(requests(sim, "status")) > before:
            if last is not None:
                gaps.append(clock.now - last)
            last = clock.now
        clock.advance(1)
    assert gaps[:8] == [2, 4, 8, 16, 32, 64, 128, 256]
    assert set(gaps[8:]) == {300}


async def test_seven_day_window_stops_polling(sim, engine, store, clock):
    account = sim.account
    old = account.add_message(customer=CUSTOMER, account=MAIN, body="last week", direction="outbound",
                              at=clock.now - 8 * 86400)  # fmt: skip
    recent = account.add_message(customer=CUSTOMER, account=MAIN, body="recent", direction="outbound",
                                 at=clock.now - 7 * 86400 + 30)  # fmt: skip
    await engine.refresh()
    reset_log(sim)
    await engine.poll_statuses()
    polled = {entry[1].rsplit("/", 1)[-1] for entry in requests(sim, "status")}
    assert polled == {recent.id}  # the old one is past the window: never asked about
    assert store.polling_stopped(old.id)
    assert store.get_message(old.id).delivery is DeliveryStatus.UNKNOWN
    assert store.get_message(recent.id).delivery is DeliveryStatus.DELIVERED


async def test_window_ends_while_still_pending(sim, engine, store, clock, monkeypatch):
    rec = sim.account.add_message(customer=CUSTOMER, account=MAIN, body="limbo", direction="outbound", at=clock.now - 10)
    monkeypatch.setattr(type(rec), "state", lambda self, now: ("sent", str(self.ts), ""))
    await engine.refresh()
    await engine.poll_statuses()
    assert store.pending_status(clock.dt())
    clock.advance(7 * 86400)
    reset_log(sim)
    await engine.poll_statuses()
    assert requests(sim, "status") == []
    assert store.polling_stopped(rec.id) and engine.next_poll_at() is None


async def test_status_not_found_stops_polling_that_id(sim, engine, store, clock):
    ghost = Message("f" * 32, "1" + CUSTOMER, MAIN, "never queued here", Direction.OUTBOUND, Status.SENT,
                    requested_at=clock.dt())  # fmt: skip
    store.upsert_messages([ghost])
    await engine.poll_statuses()
    assert store.polling_stopped(ghost.id)
    reset_log(sim)
    await engine.poll_statuses()
    assert requests(sim, "status") == []


async def test_status_errors_back_off_without_raising(sim, engine, store, clock):
    sim.account.add_message(customer=CUSTOMER, account=MAIN, body="x", direction="outbound", at=clock.now - 1)
    await engine.refresh()
    sim.faults.once("5xx", 1)
    assert await engine.poll_statuses() == set()
    assert engine.next_poll_at() == clock.dt().replace(microsecond=0) + timedelta(seconds=2)
    clock.advance(5)
    assert await engine.poll_statuses() == {KEY}
