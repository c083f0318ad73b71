"""A send that takes its time must not pull the agent back to its conversation: the agent has
moved on and is typing to someone else (jumping back would put their words in the wrong thread)."""

from __future__ import annotations

import time

from chat_harness import chat_session, make_app, wait_for

from smschat.ui.screens.chat import ChatScreen


async def test_a_slow_send_does_not_switch_the_conversation_back(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced, what="sync")
            screen = app.screen
            first = screen.open_key
            def late(method, path, status, body):  # the send is queued, and answered 1.5 s later
                if "/queue." in path:
                    time.sleep(1.5)

            server.faults.rewrite = late
            screen.composer.input.focus()
            await pilot.press(*"see you at 5", "enter")
            await pilot.press("escape", "escape", "j")  # on to the next customer, and typing
            await wait_for(pilot, lambda: screen.open_key != first, what="next conversation")
            second = screen.open_key
            screen.composer.input.focus()
            await pilot.press(*"hello")
            await wait_for(pilot, lambda: any(m.body == "see you at 5" for m in server.account.messages()), what="queued")
            await wait_for(pilot, lambda: not [w for w in screen.workers if w.group == "send" and w.is_running], what="send done")
            await pilot.pause(0.3)
            assert screen.open_key == second
            assert screen.composer.text == "hello"
