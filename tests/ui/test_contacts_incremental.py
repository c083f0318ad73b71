"""A new message re-reads its own conversation; the other contact rows are kept as they were."""

from __future__ import annotations

from chat_harness import chat_session, make_app, wait_for

from smschat.ui.screens.chat import ChatScreen


async def test_a_new_message_updates_one_contact_and_keeps_the_others(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced,
                           what="first sync")
            screen = app.screen
            await wait_for(pilot, lambda: len(screen.contacts.contacts) > 5, what="the whole contact list")
            await wait_for(pilot, lambda: session.engine.next_poll_at() is None, what="no status left to poll")
            await wait_for(pilot, lambda: not any(w.is_running for w in app.workers if w.group != "sync"),
                           what="conversation pages fetched")
            await pilot.pause(0.3)
            before = {c.key: c for c in screen.contacts.contacts}
            last = screen.contacts.contacts[-1]
            server.account.inject_inbound(last.customer, last.account, "are you there?")
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: screen.contacts.contacts[0].key == last.key, timeout=10,
                           what="the conversation with news on top")
            after = screen.contacts.contacts
            assert after[0].last_message.body == "are you there?" and after[0].unread == last.unread + 1
            assert len(after) == len(before)
            kept = [c for c in after[1:] if c is before[c.key]]
            assert len(kept) == len(after) - 1  # the same summaries, not re-read
            assert screen.status.waiting == sum(1 for c in after if c.waiting)
