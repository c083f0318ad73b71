"""The start-up heap is frozen once the chat screen has painted, and thawed when the screen goes."""

from __future__ import annotations

import gc

from chat_harness import chat_session, make_app, wait_for

from smschat.ui.screens.chat import ChatScreen


async def test_the_startup_heap_is_frozen_after_the_first_paint_and_thawed_on_exit(tmp_path):
    gc.unfreeze()  # whatever an earlier test left
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._painted,
                           what="the first paint")
            frozen = gc.get_freeze_count()
            assert frozen > 10_000  # modules, classes, the app: skipped by every later collection
        assert gc.get_freeze_count() == 0  # the screen went: nothing stays exempt from collection
