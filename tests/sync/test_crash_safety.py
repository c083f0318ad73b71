"""Crash safety: a process sending a message is killed (SIGKILL) at each point of a send; a fresh
Store + SyncEngine on the same database then recovers. Nothing accepted is lost (the text is in the
store, sent or marked as not known to be sent), nothing is sent twice (recovery never sends, and a
deliberate retry looks on the server first).

Real processes, the real simulator over HTTP; the simulator runs on real time here so that the
child's clock, the parent's and the server's agree.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from sync_support import PASSWORD, USER, profile_for

from smschat.domain.model import Status
from smschat.domain.thread import is_uncertain
from smschat.providers.factory import make_provider
from smschat.sim import SimAccount, SimServer
from smschat.store import Store
from smschat.sync import RetryPolicy, SyncEngine
from smschat.sync.retry import no_sleep

CHILD = Path(__file__).with_name("crash_child.py")
CUSTOMER, ACCOUNT = "6175551234", "6175550100"
KEY = ("16175551234", "16175550100")
POINTS = ["before_outbox", "before_queue", "held_request", "after_answer", "before_record", "during_reconcile", "after_sent"]
#: Where the server certainly has the message when the child dies (the others: certainly not, or
#: later, for `held_request`).
SENT_BEFORE_DEATH = {"after_answer", "before_record", "during_reconcile", "after_sent"}


@pytest.fixture
def live_sim():
    server = SimServer(SimAccount(USER, PASSWORD, (ACCOUNT, "6175550199"))).start()
    yield server
    server.stop()


def on_server(sim: SimServer, body: str) -> int:
    return sum(1 for m in sim.account.messages() if m.body == body)


def queue_requests(sim: SimServer) -> int:
    with sim.account.lock:
        return sum(1 for entry in sim.account.request_log if "/queue." in entry[1])


def run_child(sim: SimServer, fmt: str, db: Path, body: str, point: str) -> int:
    done = subprocess.run(
        [sys.executable, str(CHILD), sim.url, fmt, str(db), body, point],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == -9, f"child at {point}: rc {done.returncode}\n{done.stderr[-2000:]}"
    return done.returncode


async def wait_until(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("point", POINTS)
async def test_killed_mid_send_loses_nothing_and_sends_nothing_twice(live_sim, tmp_path, fmt, point):
    body = f"crash test at {point} ({fmt})"
    db = tmp_path / "agent.sqlite3"
    Store.open(db).close()  # schema in place before the child starts
    if point == "held_request":
        live_sim.faults.slow_seconds = 2.5  # processed well after the child is gone
        live_sim.faults.once("slow")
    if point == "during_reconcile":
        live_sim.faults.once("timeout_after_queue")

    run_child(live_sim, fmt, db, body, point)
    assert queue_requests(live_sim) <= 1
    if point in SENT_BEFORE_DEATH:
        assert on_server(live_sim, body) == 1
    elif point in ("before_outbox", "before_queue"):
        assert on_server(live_sim, body) == 0

    # restart: a fresh store and engine on the same database
    provider = make_provider(profile_for(live_sim.url, fmt, (ACCOUNT,)))
    store = Store.open(db)
    try:
        engine = SyncEngine(provider, store, (ACCOUNT,), retry=RetryPolicy(attempts=2, sleep=no_sleep))
        # the text is in exactly one place: still the draft, or in the outbox (draft cleared with it)
        if point == "before_outbox":
            assert store.get_draft(*KEY) == body and store.thread_items(*KEY) == []
            assert store.outbox_unsent() == [] and on_server(live_sim, body) == 0
            return
        assert store.get_draft(*KEY) == ""
        before = queue_requests(live_sim)
        await engine.recover_outbox()
        assert queue_requests(live_sim) == before  # recovery never sends
        assert store.outbox_unsent() == []  # nothing left pending
        (item,) = store.thread_items(*KEY)  # the text is kept: nothing lost
        assert item.body == body
        if point in SENT_BEFORE_DEATH:
            assert not item.local and item.status is not Status.FAILURE  # found on the server
        if not item.local:
            assert on_server(live_sim, body) == 1
            return
        # not known to be sent: failed and uncertain, waiting for the agent's decision
        row = store.get_message(item.ids[0])
        assert row.status is Status.FAILURE and is_uncertain(row)
        if point == "held_request":  # the server acts on the request after the client died
            await wait_until(lambda: on_server(live_sim, body) == 1)
        # the agent retries deliberately: it looks first, so a message that went out is not resent
        await engine.retry(row.id)
        (item,) = store.thread_items(*KEY)
        assert not item.local and item.body == body
        assert on_server(live_sim, body) == 1, "sent exactly once"
        assert queue_requests(live_sim) == (1 if point == "held_request" else before + 1)
    finally:
        store.close()
        await provider.aclose()
