"""The sync engine on a Plivo account, against the Plivo simulator over real HTTP: a first sync
that reaches back past 24 hours within the rate limit, sends tracked to delivered with their text
kept, records without text stored honestly, conversations read from the store, reconcile without
text, MMS."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from smschat.domain.model import DeliveryStatus, Direction, Message, Status
from smschat.domain.thread import is_uncertain
from smschat.providers.plivo import PlivoProvider
from smschat.providers.plivo_rate import RateGate
from smschat.sim.plivo_account import PlivoAccount
from smschat.sim.plivo_server import PlivoSimServer
from smschat.store import Store
from smschat.sync import RetryPolicy, SyncEngine
from smschat.sync.retry import no_sleep

AUTH_ID, TOKEN = "MASYNCTESTS000000001", "sync-test-token"
MAIN, CUSTOMER, OTHER = "14155550100", "14155550123", "14155550177"
START = 1_800_000_000.0
FAST = RetryPolicy(attempts=3, sleep=no_sleep)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def dt(self) -> datetime:
        return datetime.fromtimestamp(self.now, tz=UTC)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def sim(clock):
    account = PlivoAccount(AUTH_ID, TOKEN, [MAIN], clock=clock)
    with PlivoSimServer(account, clock=clock, list_limit=4, list_period=0.3) as server:
        yield server


@pytest.fixture
async def plivo(sim, clock):
    provider = PlivoProvider(sim.url, AUTH_ID, TOKEN, numbers=[MAIN], clock=clock.dt, gate=RateGate(4, 0.3))
    yield provider
    await provider.aclose()


@pytest.fixture
def store(clock):
    with Store.open(":memory:", clock=clock.dt) as s:
        yield s


@pytest.fixture
def engine(plivo, store, clock):
    return SyncEngine(plivo, store, [MAIN], clock=clock.dt, retry=FAST)


def seed_history(account: PlivoAccount, count: int) -> list[str]:
    """`count` messages over the last ~10 days, alternating directions, two customers."""
    uuids = []
    for i in range(count):
        at = START - 120 - i * 2 * 3600
        who = CUSTOMER if i % 3 else OTHER
        if i % 2:
            uuids.append(account.inject_inbound(who, MAIN, f"in {i}", at=at))
        else:
            uuids.append(account.add_send(who, MAIN, f"out {i}", at)[0].uuid)
    return uuids


async def test_first_sync_reaches_back_past_24_hours_within_the_rate_limit(sim, engine, store):
    expected = seed_history(sim.account, 120)  # about 10 days
    seen = []
    changed = await engine.refresh(progress=lambda done, total: seen.append((done, total)))
    assert {m.id for c in store.contacts([MAIN]) for m in store.thread(c.customer, c.account, limit=500)} == set(expected)
    assert changed == {(CUSTOMER, MAIN), (OTHER, MAIN)}
    assert sim.list_rate.refused == 0  # paced by the client: no 429
    assert [s[3] for s in sim.list_requests()] == [200] * 6  # ceil(120 / 20) pages
    assert seen[-1] == (120, 120)
    oldest = store.thread(CUSTOMER, MAIN, limit=1000)[0]
    assert (START - oldest.timestamp.timestamp()) > 9 * 86400
    assert all(not m.body_known and m.body == "" for m in store.thread(CUSTOMER, MAIN, limit=500))


async def test_a_first_sync_survives_429s_from_another_tool_using_the_account(sim, clock, store):
    expected = seed_history(sim.account, 90)
    greedy = PlivoProvider(sim.url, AUTH_ID, TOKEN, numbers=[MAIN], clock=clock.dt, gate=RateGate(1000, 1.0))
    try:
        engine = SyncEngine(greedy, store, [MAIN], clock=clock.dt, retry=FAST)
        await engine.refresh()
        stored = {m.id for c in store.contacts([MAIN]) for m in store.thread(c.customer, c.account, limit=500)}
        assert stored == set(expected)
        assert greedy.rate_limited >= 1 and sim.list_rate.refused == greedy.rate_limited
    finally:
        await greedy.aclose()


async def test_a_send_is_tracked_to_delivered_and_keeps_its_text(sim, engine, store, clock):
    row = await engine.send(CUSTOMER, MAIN, "Your bike is ready 🚲")
    assert row.body == "Your bike is ready 🚲" and row.body_known and row.status is Status.QUEUED
    assert sim.account.get(row.id) is not None
    clock.advance(5)
    await engine.poll_statuses()
    done = store.get_message(row.id)
    assert (done.status, done.delivery, done.body) == (Status.SENT, DeliveryStatus.DELIVERED, "Your bike is ready 🚲")
    await engine.refresh()  # the list record has no text: the stored text stays
    again = store.get_message(row.id)
    assert again.body == "Your bike is ready 🚲" and again.body_known
    assert store.thread_items(CUSTOMER, MAIN)[-1].body == "Your bike is ready 🚲"


async def test_a_failed_send_shows_plivos_reason(sim, engine, store, clock):
    sim.account.unsubscribed.add(CUSTOMER)
    row = await engine.send(CUSTOMER, MAIN, "Hello again")
    clock.advance(5)
    await engine.poll_statuses()
    failed = store.get_message(row.id)
    assert failed.status is Status.FAILURE and failed.error == "200: recipient replied STOP"
    assert failed.body == "Hello again"


async def test_a_long_send_is_one_thread_item_with_the_whole_text(sim, engine, store, clock):
    text = "Here is everything about the tune-up. " * 10  # 380 characters: 3 units
    row = await engine.send(CUSTOMER, MAIN, text)
    assert len(row.parts) == 3
    clock.advance(5)
    await engine.poll_statuses()
    await engine.refresh()
    items = store.thread_items(CUSTOMER, MAIN)
    assert len(items) == 1 and items[0].body == text and items[0].delivery is DeliveryStatus.DELIVERED


async def test_inbound_without_a_receiver_is_stored_as_text_unknown_and_the_receivers_text_wins(sim, engine, store):
    uuid = sim.account.inject_inbound(CUSTOMER, MAIN, "Can I pick up at 6?")
    await engine.refresh()
    record = store.get_message(uuid)
    assert record.direction is Direction.INBOUND and not record.body_known
    # the receiver stores the webhook's text later (same uuid): it fills the record in
    webhook = Message(id=uuid, to_number=MAIN, from_number=CUSTOMER, body="Can I pick up at 6?",
                      direction=Direction.INBOUND, status=Status.RECEIVED, requested_at=record.requested_at)
    store.upsert_messages([webhook])
    await engine.refresh()
    assert store.get_message(uuid).body == "Can I pick up at 6?"
    second = sim.account.inject_inbound(CUSTOMER, MAIN, "hello?")
    store.upsert_messages([replace(webhook, id=second, body="hello?")])  # the receiver was first
    await engine.refresh()
    assert store.get_message(second).body == "hello?" and store.get_message(second).body_known


async def test_conversations_come_from_the_store(sim, engine, store):
    sim.account.inject_inbound(CUSTOMER, MAIN, "x")
    await engine.refresh()
    before = len(sim.request_log)
    assert await engine.load_conversation(CUSTOMER, MAIN) == 0
    assert await engine.load_conversation(CUSTOMER, MAIN, older=True) == 0
    assert len(sim.request_log) == before  # no request: Plivo has no conversation endpoint
    assert store.thread_count(CUSTOMER, MAIN) == 1


async def test_an_mms_goes_out_with_its_media(sim, engine, store):
    row = await engine.send(CUSTOMER, MAIN, "The part you asked about", media_urls=["https://cdn.example/part.jpg"])
    assert row.media == ("https://cdn.example/part.jpg",)
    record = sim.account.get(row.id)
    assert record.kind == "mms" and record.media == ("https://cdn.example/part.jpg",)


async def test_a_send_plivo_refuses_is_failed_before_any_request(sim, engine, store):
    row = await engine.send(CUSTOMER, MAIN, "a" * 1601)
    assert row.status is Status.FAILURE and "1600" in row.error and not is_uncertain(row)
    assert not [e for e in sim.request_log if e[0] == "POST"]


async def test_an_unknown_outcome_cannot_be_matched_without_text_and_says_so(sim, engine, store):
    sim.faults.once("timeout_after_queue")
    row = await engine.send(CUSTOMER, MAIN, "did this go?")
    assert row.status is Status.FAILURE and is_uncertain(row)
    assert "carry no text" in row.error


async def test_an_unknown_outcome_with_nothing_on_the_server_is_probably_not_sent(sim, engine, store):
    sim.faults.once("drop")
    row = await engine.send(CUSTOMER, MAIN, "did this go?")
    assert row.status is Status.FAILURE and "probably not" in row.error
