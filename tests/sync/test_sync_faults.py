"""Fault handling end to end: the sync engine and the real Plum provider against the simulator over
real HTTP, with faults injected by the simulator (`server.faults`). Reads are retried with backoff
(and the UI is told), a queue request never is; an unknown outcome is looked for before a retry."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sync_support import MAIN, profile_for, requests

from smschat.domain.errors import AuthError, RateLimited, RequestTimeout, SmsError
from smschat.domain.model import Status
from smschat.domain.thread import is_uncertain
from smschat.providers.factory import make_provider
from smschat.sim import wire
from smschat.sync import RetryPolicy, SyncEngine

CUSTOMER = "6175551234"


def is_local(msg) -> bool:
    return msg.id.startswith("local:")


def on_server(sim, body: str) -> int:
    return sum(1 for m in sim.account.messages() if m.body == body)


class Recorder:
    """A retry policy's sleep and the engine's retry listener, recording instead of waiting."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.retries: list[tuple[int, str]] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(0)

    def listener(self, attempt: int, error: BaseException, delay: float) -> None:
        self.retries.append((attempt, type(error).__name__))


@pytest.fixture
def recorded(provider, store, clock):
    rec = Recorder()
    engine = SyncEngine(provider, store, (MAIN,), clock=clock.dt, retry=RetryPolicy(attempts=4, sleep=rec.sleep))
    engine.watch_retries(rec.listener)
    return engine, rec


# -- reads: retried with backoff, reported -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["5xx", "drop", "malformed"])
async def test_reads_retry_with_backoff_and_report_each_attempt(sim, store, recorded, kind):
    engine, rec = recorded
    sim.account.inject_inbound(CUSTOMER, MAIN, "hello")
    sim.faults.once(kind, 3)
    await engine.refresh()
    assert [m.body for m in store.thread(CUSTOMER, MAIN)] == ["hello"]
    assert rec.sleeps == [0.5, 1.0, 2.0]  # exponential backoff
    assert [attempt for attempt, _ in rec.retries] == [1, 2, 3]
    assert len(requests(sim, "messages")) == 4


async def test_reads_give_up_after_the_last_attempt_and_work_again_later(sim, store, recorded):
    engine, rec = recorded
    sim.account.inject_inbound(CUSTOMER, MAIN, "hello")
    sim.faults.drop = 1.0
    with pytest.raises(SmsError):
        await engine.refresh()
    assert len(requests(sim, "messages")) == 4 and len(rec.retries) == 3
    sim.faults.clear()
    await engine.refresh()
    assert store.thread_count(CUSTOMER, MAIN) == 1


async def test_429_waits_what_retry_after_says(sim, store, recorded, fmt):
    engine, rec = recorded
    sim.account.inject_inbound(CUSTOMER, MAIN, "hello")
    left = [2]

    def limited(method, path, status, body):
        if left[0] > 0:
            left[0] -= 1
            return 429, b"slow down", {"Retry-After": "7"}
        return None

    sim.faults.rewrite = limited
    await engine.refresh()
    assert rec.sleeps == [7.0, 7.0]
    assert [name for _, name in rec.retries] == ["RateLimited", "RateLimited"]
    assert store.thread_count(CUSTOMER, MAIN) == 1


async def test_429_retry_after_is_capped(sim, provider, store, clock):
    rec = Recorder()
    engine = SyncEngine(provider, store, (MAIN,), clock=clock.dt, retry=RetryPolicy(attempts=2, sleep=rec.sleep))
    sim.faults.rewrite = lambda *a: (429, b"", {"Retry-After": "86400"})
    with pytest.raises(RateLimited):
        await engine.refresh()
    assert rec.sleeps == [120.0]


async def test_401_is_not_retried(sim, store, recorded):
    engine, rec = recorded
    sim.faults.fail_401 = True
    with pytest.raises(AuthError):
        await engine.refresh()
    assert len(requests(sim, "messages")) == 1 and rec.retries == []


async def test_every_call_has_a_timeout(sim, store, clock, fmt):
    """A server that does not answer: reads time out (and are retried); nothing hangs."""
    provider = make_provider(replace(profile_for(sim.url, fmt), timeout=0.3))
    rec = Recorder()
    engine = SyncEngine(provider, store, (MAIN,), clock=clock.dt, retry=RetryPolicy(attempts=2, sleep=rec.sleep))
    engine.watch_retries(rec.listener)
    sim.faults.delay = 1.0
    try:
        with pytest.raises(RequestTimeout):
            await asyncio.wait_for(engine.refresh(), timeout=10)
        assert [name for _, name in rec.retries] == ["RequestTimeout"]
    finally:
        sim.faults.clear()
        await provider.aclose()


# -- sends: never retried blindly -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["5xx", "drop"])
async def test_a_failed_queue_is_sent_once_and_not_retried(sim, store, recorded, kind):
    engine, rec = recorded
    sim.faults.once(kind)
    row = await engine.send(CUSTOMER, MAIN, f"once only {kind}")
    assert len(requests(sim, "queue")) == 1 and on_server(sim, f"once only {kind}") == 0
    assert is_local(row) and row.status is Status.FAILURE
    code = requests(sim, "queue")[0][3]
    # a 500/503 means not processed; a dropped connection or a gateway error (502) may have been
    assert is_uncertain(row) == (kind == "drop" or code == 502)


@pytest.mark.parametrize("kind", ["malformed", "timeout_after_queue"])
async def test_an_unknown_outcome_is_found_on_the_server_not_resent(sim, store, recorded, kind):
    engine, rec = recorded
    sim.faults.once(kind)
    row = await engine.send(CUSTOMER, MAIN, f"did it go {kind}")
    assert not is_local(row) and row.status is not Status.FAILURE
    assert len(requests(sim, "queue")) == 1 and on_server(sim, f"did it go {kind}") == 1
    assert store.outbox_unsent() == []


async def test_retry_of_an_uncertain_send_looks_first_and_finds_it(sim, store, recorded):
    engine, rec = recorded
    sim.faults.once("timeout_after_queue")  # queued, answer lost ...
    sim.faults.once("drop", 4)  # ... and the search for it fails too
    row = await engine.send(CUSTOMER, MAIN, "went out after all")
    assert is_local(row) and is_uncertain(row) and "checking whether it was sent failed" in row.error
    assert on_server(sim, "went out after all") == 1
    sent = await engine.retry(row.id)  # the agent asks to send it again
    assert not is_local(sent) and sent.body == "went out after all"
    assert len(requests(sim, "queue")) == 1 and on_server(sim, "went out after all") == 1  # not sent twice
    assert [m.body for m in store.thread(CUSTOMER, MAIN)] == ["went out after all"]


async def test_retry_of_an_uncertain_send_that_did_not_go_out_sends_it(sim, store, recorded):
    engine, rec = recorded
    sim.faults.once("drop")  # lost before the server queued it
    row = await engine.send(CUSTOMER, MAIN, "try again")
    assert is_uncertain(row)
    sent = await engine.retry(row.id)
    assert not is_local(sent)
    assert len(requests(sim, "queue")) == 2 and on_server(sim, "try again") == 1


async def test_retry_refuses_to_send_when_it_cannot_look(sim, store, recorded):
    engine, rec = recorded
    sim.faults.once("drop")
    row = await engine.send(CUSTOMER, MAIN, "cannot tell")
    sim.faults.drop = 1.0
    with pytest.raises(SmsError, match="not sent again"):
        await engine.retry(row.id)
    sim.faults.clear()
    assert len(requests(sim, "queue")) == 1 and on_server(sim, "cannot tell") == 0
    assert store.outbox_entry(row.id).state == "failed"


async def test_a_queue_answered_late_is_found_when_retried(sim, store, clock, fmt):
    """The client gives up waiting; the server queues the message afterwards. The retry's search
    finds it, so the agent's retry sends nothing."""
    provider = make_provider(replace(profile_for(sim.url, fmt), timeout=0.3))
    engine = SyncEngine(provider, store, (MAIN,), clock=clock.dt, retry=RetryPolicy(attempts=2, sleep=Recorder().sleep))
    try:
        sim.faults.slow_seconds = 0.8
        sim.faults.once("slow")  # the queue request is held before it is processed
        row = await engine.send(CUSTOMER, MAIN, "slow server")
        assert is_local(row) and is_uncertain(row)
        for _ in range(100):  # wait for the server to process the held request
            if on_server(sim, "slow server"):
                break
            await asyncio.sleep(0.05)
        assert on_server(sim, "slow server") == 1
        sent = await engine.retry(row.id)
        assert not is_local(sent)
        assert len(requests(sim, "queue")) == 1 and on_server(sim, "slow server") == 1
    finally:
        await provider.aclose()


async def test_a_server_failure_with_hostile_text_is_data(sim, store, recorded, fmt):
    """A failure envelope's text reaches the error and the failed row sanitised, never raw."""
    hostile = "\x1b]52;c;cHduZWQ=\x07[bold red]pwned[/] [@click=app.quit]x[/]\u202e"

    sim.faults.rewrite = lambda method, path, status, body: (200, wire.failure(fmt, hostile)) if "/queue." in path else None
    row = await recorded[0].send(CUSTOMER, MAIN, "hi")
    assert row.status is Status.FAILURE
    assert "\x1b" not in row.error and "\x07" not in row.error and "\u202e" not in row.error
    assert "[bold red]pwned[/]" in row.error  # kept as text; the UI never parses it as markup
    assert len(requests(sim, "queue")) == 1
