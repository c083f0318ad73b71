"""A child process that sends one message and is killed (SIGKILL, no cleanup) at a chosen point.

    python crash_child.py URL FORMAT DB_PATH BODY POINT

The text is the conversation's draft first (as in the app) and is sent with `draft=` (the draft is
cleared in the outbox write's transaction).

Points (where the process dies):
- `before_outbox`: the agent pressed Enter; the outbox row is not written yet;
- `before_queue`: the outbox row is written, the request never leaves;
- `held_request`: the request is on the wire, the server holds it (the parent made it slow) and
  processes it after this process is gone;
- `after_answer`: the server queued the message and answered; the answer is never recorded;
- `before_record`: inside `Store.outbox_sent`, before the transaction;
- `during_reconcile`: the answer was lost (the parent injected `timeout_after_queue`) and the
  process dies while searching for the message;
- `after_sent`: everything was recorded; the process dies right after.

Used by `test_crash_safety.py`. Prints nothing; the parent reads the store and the simulator.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from smschat.config import Profile
from smschat.providers.factory import make_provider
from smschat.store import Store
from smschat.sync import SyncEngine
from smschat.sync.retry import RetryPolicy, no_sleep

CUSTOMER = "6175551234"
ACCOUNT = "6175550100"
USER, PASSWORD = "agent", "correct horse battery"


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def main(url: str, fmt: str, db: str, body: str, point: str) -> None:
    profile = Profile(name="crash", provider="plum", base_url=url, format=fmt, username=USER, password=PASSWORD,
                      numbers=(ACCOUNT,), timeout=5.0)  # fmt: skip
    provider = make_provider(profile)
    store = Store.open(db)
    engine = SyncEngine(provider, store, (ACCOUNT,), retry=RetryPolicy(attempts=2, sleep=no_sleep))
    queue = provider.queue

    async def patched_queue(request):
        if point == "before_queue":
            die()
        if point == "held_request":
            task = asyncio.ensure_future(queue(request))
            await asyncio.sleep(0.5)  # the request has reached the server, which is holding it
            die()
            await task
        records = await queue(request)
        if point == "after_answer":
            die()
        return records

    provider.queue = patched_queue  # type: ignore[method-assign]
    if point == "before_outbox":
        store.outbox_add = lambda *a, **k: die()  # type: ignore[method-assign]
    if point == "before_record":
        store.outbox_sent = lambda *a, **k: die()  # type: ignore[method-assign]
    if point == "during_reconcile":
        engine.sender.find_sent = lambda *a, **k: die()  # type: ignore[method-assign]
    store.set_draft(CUSTOMER, ACCOUNT, body)  # typed in the composer
    await engine.send(CUSTOMER, ACCOUNT, body, draft=(CUSTOMER, ACCOUNT))
    if point == "after_sent":
        die()
    raise SystemExit(f"the child was not killed at {point!r}")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
