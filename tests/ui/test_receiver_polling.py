"""A profile with a `[receiver]`: the chat screen's network polling is a slow safety net.

The provider posts new texts and delivery reports to the receiver, so the screen neither lists the
account's messages every poll interval nor polls a fresh send's status (its first poll is minutes away).
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

from chat_harness import wait_for

from smschat.config.receiver import ReceiverConfig
from smschat.demo import demo_profile
from smschat.session import open_session
from smschat.sim import make_demo_server
from smschat.sync.schedule import RECEIVER_BASE, RECEIVER_CAP
from smschat.ui.app import SmsChatApp
from smschat.ui.screens.chat import ChatScreen

SECRET = "Ui-Path-Secret_0123456789"
RECEIVER = ReceiverConfig(public_url="https://sms.example.com", plum_secret=SECRET)


def requests_to(server, endpoint: str) -> int:
    return sum(1 for _m, path, _p, _s in server.account.request_log if f"/{endpoint}." in path)


@contextlib.contextmanager
def session_with(tmp_path, receiver):
    server = make_demo_server(lively=False, speed=40.0).start()
    account = server.account
    profile = replace(demo_profile(server.url, account.username, account.password, list(account.numbers)),
                      receiver=receiver)
    session = open_session(profile, tmp_path / "store.sqlite3")
    try:
        yield session, server
    finally:
        session.close()
        server.stop()


async def idle_rounds(pilot, screen, rounds: int) -> None:
    ticks = 0

    def count() -> None:
        nonlocal ticks
        ticks += 1

    screen.set_interval(pilot.app.poll_interval, count)
    await wait_for(pilot, lambda: ticks >= rounds, timeout=30, what=f"{rounds} poll intervals")


async def test_with_a_receiver_the_screen_barely_polls(tmp_path):
    with session_with(tmp_path, RECEIVER) as (session, server):
        assert session.receiving
        app = SmsChatApp(session, poll_interval=0.2)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced,
                           what="first sync")
            screen = app.screen
            assert (screen.refresh_schedule.base, screen.refresh_schedule.cap) == (RECEIVER_BASE, RECEIVER_CAP)
            listed = requests_to(server, "messages")
            await pilot.press("enter")  # open the first conversation and reply
            await pilot.press(*"On my way")
            await pilot.press("enter")
            await wait_for(pilot, lambda: any("On my way" == i.body and not i.local for i in screen.thread.items),
                           what="the send acknowledged")
            queued = [p for _m, path, p, _s in server.account.request_log if "/queue." in path]
            assert queued[-1]["result_url"] == RECEIVER.plum_status_url  # the receiver gets its status
            polled = requests_to(server, "status")
            await idle_rounds(pilot, screen, 25)
            # one listing right after the first sync at most; no status poll of the fresh send
            assert requests_to(server, "messages") - listed <= 1
            assert requests_to(server, "status") == polled


async def test_without_a_receiver_the_same_screen_polls_every_interval(tmp_path):
    with session_with(tmp_path, None) as (session, server):
        assert not session.receiving
        app = SmsChatApp(session, poll_interval=0.2)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced,
                           what="first sync")
            screen = app.screen
            assert screen.refresh_schedule.base == 0.2
            listed = requests_to(server, "messages")
            await idle_rounds(pilot, screen, 25)
            assert requests_to(server, "messages") - listed >= 3
