"""An idle chat screen backs off its `messages` list requests; ctrl+r asks again at once."""

from __future__ import annotations

from chat_harness import chat_session, make_app, wait_for

from smschat.ui.screens.chat import ChatScreen


def list_requests(server) -> int:
    return sum(1 for _m, path, _p, _s in server.account.request_log if "/messages." in path)


async def test_idle_screen_polls_the_listing_less_and_less(tmp_path):
    with chat_session(tmp_path) as (session, server):  # a quiet account: nothing new arrives
        app = make_app(session)  # poll interval 0.2 s: idle backoff up to 2 s
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced,
                           what="first sync")
            screen = app.screen
            ticks = 0

            def count_ticks() -> None:
                nonlocal ticks
                ticks += 1

            screen.set_interval(app.poll_interval, count_ticks)
            before = list_requests(server)
            await wait_for(pilot, lambda: ticks >= 25, timeout=30, what="25 poll intervals")
            idle = list_requests(server) - before
            # every interval would be 25 requests; doubling from 0.2 s to 2 s makes about 7
            assert 1 <= idle <= 10, idle
            assert screen.refresh_schedule.interval == screen.refresh_schedule.cap
            asked = list_requests(server)
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: list_requests(server) > asked, timeout=5, what="a refresh on ctrl+r")
