"""Sync logic with an in-memory provider: retry policy, concurrency bound, interrupted syncs,
cancellation and typed errors at the send, listeners."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sync_fakes import ACCOUNT, T0, Clock, FakeProvider, record

from smschat.domain.errors import (
    ApiError,
    AuthError,
    MalformedResponse,
    NetworkError,
    RateLimited,
    RequestTimeout,
    SendOutcomeUnknown,
    ServerError,
)
from smschat.domain.model import Status
from smschat.domain.thread import is_uncertain
from smschat.store import Store
from smschat.sync import CURSOR, RetryPolicy, SyncEngine
from smschat.sync.retry import is_retryable, poll_delay

CUSTOMER = "16175551234"


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _failing(errors):
    errors = list(errors)
    calls = []

    async def call():
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return "ok"

    return call, calls


# --------------------------------------------------------------------------- retry policy


async def test_retry_backs_off_then_succeeds():
    sleeps = Sleeps()
    call, calls = _failing([NetworkError("down"), RequestTimeout("slow"), ServerError("500", status_code=500)])
    assert await RetryPolicy(attempts=4, sleep=sleeps).run(call) == "ok"
    assert len(calls) == 4 and sleeps.waits == [0.5, 1.0, 2.0]


async def test_retry_gives_up_after_attempts():
    sleeps = Sleeps()
    call, calls = _failing([NetworkError(str(i)) for i in range(10)])
    with pytest.raises(NetworkError, match="2"):
        await RetryPolicy(attempts=3, sleep=sleeps).run(call)
    assert len(calls) == 3


async def test_retry_honours_retry_after_capped():
    sleeps = Sleeps()
    call, _ = _failing([RateLimited("slow down", retry_after=7), RateLimited("more", retry_after=9999), RateLimited("?")])
    await RetryPolicy(attempts=4, sleep=sleeps, max_retry_after=60).run(call)
    assert sleeps.waits == [7, 60, 2.0]


@pytest.mark.parametrize(
    "error",
    [AuthError("no"), ApiError("Invalid to number"), SendOutcomeUnknown("?"), ValueError("bad limit")],
)
async def test_not_retried(error):
    call, calls = _failing([error])
    with pytest.raises(type(error)):
        await RetryPolicy(sleep=Sleeps()).run(call)
    assert len(calls) == 1


def test_retryable_classification_and_poll_delays():
    assert is_retryable(MalformedResponse("garbled")) and is_retryable(RateLimited("x"))
    assert not is_retryable(SendOutcomeUnknown("x")) and not is_retryable(AuthError("x"))
    assert [poll_delay(n) for n in range(1, 11)] == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]


# --------------------------------------------------------------------------- refresh


def _engine(provider, **kw):
    clock = kw.pop("clock", Clock())
    store = Store.open(":memory:", clock=clock)
    return SyncEngine(provider, store, (ACCOUNT,), clock=clock, retry=RetryPolicy(sleep=Sleeps()), **kw), store


async def test_first_sync_keeps_at_most_four_requests_in_flight():
    provider = FakeProvider([record(f"1617555{i % 300:04d}", at=T0 + timedelta(seconds=i)) for i in range(10_500)])
    engine, store = _engine(provider)
    await engine.refresh()
    assert provider.count("list_messages") == 11
    assert provider.max_in_flight == 4
    assert sum(c.total for c in store.contacts([])) == 10_500


async def test_interrupted_first_sync_sets_no_cursor_and_starts_over():
    provider = FakeProvider([record(CUSTOMER, at=T0 + timedelta(seconds=i)) for i in range(3000)])

    def fail_page_two(method, query):
        if method == "list_messages" and query.offset == 2000:
            raise ServerError("HTTP 503", status_code=503)

    provider.hook = fail_page_two
    engine, store = _engine(provider)
    with pytest.raises(ServerError):  # the error itself, not an ExceptionGroup
        await engine.refresh()
    assert store.get_cursor(CURSOR) is None
    provider.hook = None
    provider.calls.clear()
    await engine.refresh()
    assert provider.count("list_messages") == 3  # a full sync again
    assert store.thread_count(CUSTOMER, ACCOUNT) == 3000


async def test_history_unread_kept_when_asked():
    provider = FakeProvider([record(CUSTOMER)])
    engine, store = _engine(provider, mark_history_read=False)
    await engine.refresh()
    assert store.contacts([])[0].unread == 1


async def test_listener_errors_do_not_break_sync():
    provider = FakeProvider([record(CUSTOMER)])
    engine, store = _engine(provider)
    got = []
    engine.subscribe(lambda keys: 1 / 0)
    unsubscribe = engine.subscribe(got.append)
    assert await engine.refresh() == {(CUSTOMER, ACCOUNT)}
    assert got == [{(CUSTOMER, ACCOUNT)}]
    unsubscribe()
    provider.messages.append(record(CUSTOMER, at=T0 + timedelta(seconds=5)))
    await engine.refresh()
    assert len(got) == 1


# --------------------------------------------------------------------------- send


@pytest.mark.parametrize(
    "error",
    [ServerError("HTTP 503", status_code=503), RateLimited("429"), NetworkError("refused"), AuthError("401")],
)
async def test_send_errors_that_mean_not_sent(error):
    provider = FakeProvider()

    def refuse(method, arg):
        if method == "queue":
            raise error

    provider.hook = refuse
    engine, store = _engine(provider)
    row = await engine.send(CUSTOMER, ACCOUNT, "hello")
    assert row.status is Status.FAILURE and not is_uncertain(row) and row.body == "hello"
    assert provider.count("queue") == 1 and provider.count("list_messages") == 0


async def test_unknown_outcome_and_search_failing_is_uncertain():
    provider = FakeProvider()

    def hook(method, arg):
        if method == "queue":
            raise SendOutcomeUnknown("no answer")
        raise NetworkError("still down")

    provider.hook = hook
    engine, store = _engine(provider)
    row = await engine.send(CUSTOMER, ACCOUNT, "hello")
    assert is_uncertain(row) and "checking whether it was sent failed" in row.error
    assert provider.count("queue") == 1 and provider.count("list_messages") == 4  # reads retried, send not


async def test_cancelled_send_is_uncertain_and_cancellation_propagates():
    provider = FakeProvider()
    started, forever = asyncio.Event(), asyncio.Event()

    async def hold(method, arg):
        if method == "queue":
            started.set()
            await forever.wait()

    provider.hook = hold
    engine, store = _engine(provider)
    task = asyncio.create_task(engine.send(CUSTOMER, ACCOUNT, "hello"))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (row,) = store.thread(CUSTOMER, ACCOUNT)
    assert is_uncertain(row) and store.outbox_unsent() == []


async def test_recover_skips_a_send_in_flight():
    provider = FakeProvider()
    started, release = asyncio.Event(), asyncio.Event()

    async def hold(method, arg):
        if method == "queue":
            started.set()
            await release.wait()

    provider.hook = hold
    engine, store = _engine(provider)
    task = asyncio.create_task(engine.send(CUSTOMER, ACCOUNT, "hello"))
    await started.wait()
    assert await engine.recover_outbox() == set()
    release.set()
    sent = await task
    assert sent.status is Status.QUEUED and not sent.id.startswith("local:")


# --------------------------------------------------------------------------- polling


async def test_poll_rate_limited_waits_retry_after():
    clock = Clock()
    provider = FakeProvider([record(CUSTOMER, inbound=False, at=T0 - timedelta(seconds=5))])

    def limited(method, arg):
        if method == "status":
            raise RateLimited("429", retry_after=60)

    provider.hook = limited
    engine, store = _engine(provider, clock=clock)
    await engine.refresh()
    await engine.poll_statuses()
    assert engine.next_poll_at() == T0 + timedelta(seconds=60)


async def test_poll_auth_error_stops_everything():
    provider = FakeProvider([record(CUSTOMER, inbound=False, at=T0 - timedelta(seconds=i)) for i in range(10)])

    def deny(method, arg):
        if method == "status":
            raise AuthError("401")

    provider.hook = deny
    engine, store = _engine(provider)
    await engine.refresh()
    with pytest.raises(AuthError):
        await engine.poll_statuses()
    assert provider.count("status") < 10  # the first failure cancelled the rest
