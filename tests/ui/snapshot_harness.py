"""A frozen demo for snapshots and README screenshots: fixed clock, fixed seed, UTC, no timers racing."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from smschat.demo import demo_profile
from smschat.session import Session, open_session
from smschat.sim import DEMO_NUMBERS, SimAccount, SimServer, seed_demo_account
from smschat.ui.app import SmsChatApp

FROZEN = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def use_utc() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()


@contextlib.contextmanager
def frozen_session(data_dir: Path) -> Iterator[Session]:
    use_utc()
    account = SimAccount("demo", "demo", DEMO_NUMBERS, clock=FROZEN.timestamp)
    seed_demo_account(account, now=FROZEN.timestamp(), rng_seed=7)
    server = SimServer(account, clock=FROZEN.timestamp).start()
    profile = demo_profile(server.url, "demo", "demo", list(DEMO_NUMBERS))
    session = open_session(profile, data_dir / "store.sqlite3", clock=lambda: FROZEN, demo=True)
    try:
        yield session
    finally:
        session.close()
        server.stop()


def frozen_app(session: Session) -> SmsChatApp:
    # no polling rounds during a capture: the first sync is all the data
    return SmsChatApp(session, poll_interval=3600)


async def idle(pilot) -> None:
    """Wait until no worker is running (cancelled ones count as done)."""
    from chat_harness import wait_for

    await wait_for(pilot, lambda: not any(w.is_running for w in pilot.app.workers), what="workers idle")
    steady_cursors(pilot.app)
    await pilot.pause()


def steady_cursors(app) -> None:
    """A blinking cursor is drawn or not depending on the instant of the capture: keep it on."""
    from textual.widgets import Input, TextArea

    for screen in app.screen_stack:
        for widget in screen.query(Input):
            widget.cursor_blink = False
        for widget in screen.query(TextArea):
            widget.cursor_blink = False


async def settle(pilot) -> None:
    """Wait for the first sync, the open thread and every worker, then let the screen settle."""
    from chat_harness import wait_for

    app = pilot.app
    await wait_for(pilot, lambda: getattr(app.screen, "_initial_synced", False), what="first sync")
    await wait_for(pilot, lambda: app.screen.thread.item_count > 0, what="thread")
    await idle(pilot)
    await pilot.pause(0.2)
    await idle(pilot)
    await pilot.pause()
