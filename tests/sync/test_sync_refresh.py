"""refresh() and load_conversation() against the simulator over HTTP (JSON and XML)."""

from __future__ import annotations

import math

import pytest
from sync_support import MAIN, SERVICE, requests, reset_log

from smschat.domain.errors import AuthError
from smschat.domain.model import Direction
from smschat.sync import CURSOR


def _seed(sim, n: int, customers: int = 40) -> None:
    sim.account.bulk_seed(n, customers, big_thread=min(200, n), now=sim.account.now(), rng_seed=3, span_days=30)


@pytest.mark.parametrize("n", [0, 999, 1000, 2500])
async def test_first_sync_pages_whole_history_in_ceil_n_over_1000_requests(sim, engine, store, n):
    _seed(sim, n)
    seen: list[tuple[int, int]] = []
    changed = await engine.refresh(lambda done, total: seen.append((done, total)))
    lists = requests(sim, "messages")
    assert len(lists) == max(1, math.ceil(n / 1000))
    assert all(entry[2]["limit"] == "1000" and entry[2]["order"] == "asc" for entry in lists)
    assert sorted(int(entry[2]["offset"]) for entry in lists) == list(range(0, max(n, 1), 1000))
    assert sum(c.total for c in store.contacts([])) == n
    assert len(changed) == len(store.contacts([]))
    assert seen[-1] == (n, n) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert store.get_cursor(CURSOR) is not None


async def test_first_sync_stores_direction_and_keys_like_the_server(sim, engine, store):
    sim.account.add_message(customer="6175551234", account=MAIN, body="hi", direction="inbound", at=sim.account.now() - 50)
    sim.account.add_message(customer="6175551234", account=SERVICE, body="out", direction="outbound", at=sim.account.now() - 40)
    await engine.refresh()
    contacts = {c.key: c for c in store.contacts([MAIN, SERVICE])}
    assert set(contacts) == {("16175551234", "1" + MAIN), ("16175551234", "1" + SERVICE)}
    assert contacts[("16175551234", "1" + MAIN)].last_message.direction is Direction.INBOUND
    assert contacts[("16175551234", "1" + SERVICE)].last_message.direction is Direction.OUTBOUND
    assert all(c.unread == 0 for c in contacts.values())  # history is marked read after the first sync


async def test_warm_start_with_nothing_new_is_one_request(sim, engine, store):
    _seed(sim, 1500)
    await engine.refresh()
    reset_log(sim)
    assert await engine.refresh() == set()
    assert len(requests(sim, "messages")) == 1
    assert sum(c.total for c in store.contacts([])) == 1500


async def test_incremental_overlap_dedups_boundary_and_misses_nothing(sim, engine, store, clock):
    account = sim.account
    account.add_message(customer="6175551234", account=MAIN, body="before", direction="inbound", at=clock.now - 10)
    await engine.refresh()
    cursor = int(store.get_cursor(CURSOR))
    # same second as the cursor, and a late arrival stamped inside the overlap window
    account.add_message(customer="6175551234", account=MAIN, body="same second", direction="inbound", at=cursor)
    account.add_message(customer="6175559999", account=MAIN, body="late", direction="inbound", at=cursor - 60)
    clock.advance(30)
    account.inject_inbound("6175551234", MAIN, "new")
    reset_log(sim)
    changed = await engine.refresh()
    lists = requests(sim, "messages")
    assert len(lists) == 1 and int(lists[0][2]["start_timestamp"]) == cursor - 120
    assert changed == {("16175551234", "1" + MAIN), ("16175559999", "1" + MAIN)}
    bodies = [m.body for m in store.thread("6175551234", MAIN)]
    assert sorted(bodies[:2]) == ["before", "same second"] and bodies[2:] == ["new"]  # one each
    assert [m.body for m in store.thread("6175559999", MAIN)] == ["late"]
    assert int(store.get_cursor(CURSOR)) == int(clock.now)


async def test_incremental_pages_on_when_the_first_page_is_full(sim, engine, store, clock):
    _seed(sim, 100)
    await engine.refresh()
    for i in range(1500):
        sim.account.add_message(customer=f"61755{i % 50:05d}", account=MAIN, body=f"burst {i}", direction="inbound",
                                at=clock.now + 1 + i // 100)  # fmt: skip
    clock.advance(60)
    reset_log(sim)
    await engine.refresh()
    assert len(requests(sim, "messages")) == 2
    assert sum(c.total for c in store.contacts([])) == 1600


async def test_pages_that_repeat_are_deduplicated(sim, engine, store, clock, monkeypatch):
    """Older messages land while the first sync pages: later pages repeat records seen before."""
    _seed(sim, 2500)
    account = sim.account
    original = account.list_messages
    stamp = [clock.now - 40 * 86400]

    def shifting(query, **kw):
        stamp[0] += 1
        account.add_message(customer="6175550000", account=MAIN, body="backdated", direction="inbound", at=stamp[0])
        return original(query, **kw)

    monkeypatch.setattr(account, "list_messages", shifting)
    await engine.refresh()
    stored = store.thread_count("6175550000", MAIN) if store.contacts([MAIN], search="6175550000") else 0
    total = sum(c.total for c in store.contacts([]))
    ids = {m.id for c in store.contacts([]) for m in store.thread(c.customer, c.account, limit=100_000)}
    assert len(ids) == total  # no duplicate rows
    assert total - stored == 2500  # every record present at the start is stored


async def test_reads_retry_server_errors_then_succeed(sim, engine, store):
    _seed(sim, 10)
    sim.faults.once("5xx", 2)
    await engine.refresh()
    assert [entry[3] for entry in requests(sim, "messages")][-1] == 200
    assert sum(c.total for c in store.contacts([])) == 10


async def test_auth_error_stops_at_once(sim, engine, store):
    sim.faults.fail_401 = True
    with pytest.raises(AuthError):
        await engine.refresh()
    assert len(requests(sim, "messages")) == 1
    assert store.get_cursor(CURSOR) is None


async def test_load_conversation_newest_then_older_pages(sim, engine, store, clock):
    for i in range(250):
        sim.account.add_message(customer="6175551234", account=MAIN, body=f"m{i}", direction="inbound" if i % 2 else "outbound",
                                at=clock.now - 10_000 + i * 10)  # fmt: skip
    sim.account.add_message(customer="6175557777", account=MAIN, body="other", direction="inbound", at=clock.now - 5)
    assert await engine.load_conversation("6175551234", MAIN) == 100
    assert [m.body for m in store.thread("6175551234", MAIN, limit=2)] == ["m248", "m249"]
    assert await engine.load_conversation("6175551234", MAIN) == 0  # newest page again: nothing new
    assert await engine.load_conversation("6175551234", MAIN, older=True) == 100
    assert await engine.load_conversation("6175551234", MAIN, older=True) == 50
    assert await engine.load_conversation("6175551234", MAIN, older=True) == 0
    assert store.thread_count("6175551234", MAIN) == 250
    assert store.thread("6175551234", MAIN, limit=1)[0].body == "m249"
    assert store.contacts([], search="6175557777") == []
    for entry in requests(sim, "conversation"):
        assert {entry[2]["phone_number1"], entry[2]["phone_number2"]} == {MAIN, "6175551234"}
