"""`/` search against the simulator: results as you type, Enter opens the thread at the message found
(also far back in a long thread), `f` is the contact filter, hostile text stays data."""

from __future__ import annotations

from datetime import timedelta

from chat_harness import chat_session, make_app, wait_for, widget_lines
from snapshot_harness import frozen_app, frozen_session, idle, settle

from smschat.domain.model import Direction, Message, Status
from smschat.domain.numbers import normalize
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.screens.search import SearchScreen


async def started(pilot) -> ChatScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced, what="first sync")
    await wait_for(pilot, lambda: app.screen.open_key is not None, what="first conversation open")
    return app.screen


def long_thread(session, server, count: int, special_at: int, special: str) -> tuple[tuple[str, str], str]:
    """`count` messages in the conversation of the account's quietest customer, straight into the
    store (older than anything the simulator holds); the one `special_at` back from the newest
    says `special`. Returns the conversation key and that message's id."""
    account = normalize(server.account.numbers[0])
    contacts = session.ui_store.contacts([account])
    contact = contacts[-1]
    start = contact.last_message.timestamp - timedelta(days=30)
    records = []
    for i in range(count):
        inbound = i % 2 == 0
        body = special if i == count - 1 - special_at else f"filler line {i} about wheels"
        records.append(Message(
            id=f"long-{i:05d}",
            to_number=contact.account if inbound else contact.customer,
            from_number=contact.customer if inbound else contact.account,
            body=body,
            direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
            status=Status.RECEIVED if inbound else Status.SENT,
            requested_at=start + timedelta(minutes=i),
        ))  # fmt: skip
    session.ui_store.upsert_messages(records)
    return contact.key, f"long-{count - 1 - special_at:05d}"


async def search_screen(pilot) -> SearchScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SearchScreen), what="the search screen")
    return pilot.app.screen


def options_text(search: SearchScreen) -> list[str]:
    return widget_lines(search.options)


async def test_search_far_back_in_a_long_thread_opens_the_thread_at_that_message(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            # 300 messages back, plus what the simulator holds for that customer (newer)
            key, target = long_thread(session, server, 700, 300, "The SADDLE code is zx-4471, keep it safe")
            await pilot.press("slash")
            search = await search_screen(pilot)
            assert search.input.has_focus
            await pilot.press(*"saddle code")
            await wait_for(pilot, lambda: search.results.message_count == 1, what="search results")
            shown = "\n".join(options_text(search))
            assert "The SADDLE code is zx-4471, keep it safe" in shown and "→ sent" in shown
            assert "1 message" in str(search.query_one("#search-status").render())
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is screen, what="search closed")
            await wait_for(pilot, lambda: screen.thread.selected_item is not None
                           and screen.thread.selected_item.id == target, what="message selected")  # fmt: skip
            assert screen.open_key == key and screen.thread.has_focus and screen.thread.has_newer
            await pilot.pause()
            marked = [line for line in widget_lines(screen.thread) if line.startswith("▸")]
            assert marked and "SADDLE code" in " ".join(marked)
            # moving down reaches the window's bottom: the next pages come from the store
            loaded = screen.thread.item_count
            for _ in range(120):
                await pilot.press("pagedown")
            await wait_for(pilot, lambda: screen.thread.item_count > loaded, what="the page below")
            # end: the newest message, as when the conversation opens
            await pilot.press("end")
            await wait_for(pilot, lambda: not screen.thread.has_newer, what="newest page")
            newest = session.ui_store.thread(*key, limit=1)[-1]
            assert screen.thread.selected_item.id == newest.id


async def test_a_reply_from_a_window_goes_to_the_newest_page(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            key, target = long_thread(session, server, 600, 400, "puncture kit price?")
            screen.open_at(*key, target)
            await pilot.pause()
            assert screen.thread.has_newer and screen.thread.selected_item.id == target
            await pilot.press("i", *"It is 12 dollars", "enter")
            await wait_for(pilot, lambda: any("It is 12 dollars" in line for line in widget_lines(screen.thread)),
                           what="the reply on screen")  # fmt: skip
            assert not screen.thread.has_newer


async def test_numbers_in_any_format_and_escape(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            other = next(c for c in screen.contacts.contacts if c.key != screen.open_key)
            digits = other.customer[-10:]
            typed = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
            await pilot.press("slash")
            search = await search_screen(pilot)
            await pilot.press(*typed)
            await wait_for(pilot, lambda: search.results.contact_count >= 1, what="conversation by number")
            assert search.results.hits[0].customer == other.customer
            assert "conversation" in options_text(search)[0]
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen, what="search closed")
            assert screen.open_key != other.key
            await pilot.press("slash")  # the last search comes back
            again = await search_screen(pilot)
            assert again.input.value == typed
            await wait_for(pilot, lambda: again.results.contact_count >= 1, what="the same search")
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.open_key == other.key, what="opened by number")


async def test_hostile_bodies_show_as_data_in_results(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(100, 24)) as pilot:
            screen = await started(pilot)
            customer, account = screen.open_key
            server.account.inject_inbound(customer, account, "\x1b]0;PWNED\x07[bold]red alert[/bold] \x1b[2J call")
            await wait_for(pilot, lambda: session.ui_store.search("red alert").message_count == 1, what="stored")
            await pilot.press("slash")
            search = await search_screen(pilot)
            await pilot.press(*"red alert")
            await wait_for(pilot, lambda: search.results.message_count == 1, what="results")
            line = options_text(search)[1]
            assert "␛]0;PWNED␇[bold]red alert[/bold] ␛[2J call" in line
            assert not any(ch in line for ch in "\x1b\x07")


async def test_f_filters_the_contacts_and_slash_types_in_inputs(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            await pilot.press("f")
            box = screen.query_one("#filter")
            assert box.has_focus and app.screen is screen
            await pilot.press(*"a/b")
            assert box.value == "a/b" and app.screen is screen  # "/" types here
            await pilot.press("escape", "i", *"1/2")
            assert screen.composer.text == "1/2" and app.screen is screen


async def test_enter_before_the_results_opens_the_first_when_they_come(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            key, target = long_thread(session, server, 50, 10, "derailleur hanger bent")
            await pilot.press("slash", *"hanger", "enter")  # no pause: the debounce has not fired
            await wait_for(pilot, lambda: app.screen is screen and screen.open_key == key, what="opened")
            await wait_for(pilot, lambda: screen.thread.selected_item.id == target, what="selected")


def test_snapshot_search_results(snap_compare, tmp_path):
    async def searching(pilot):
        await settle(pilot)
        await pilot.press("slash", *"ready")
        await pilot.pause(0.3)
        await idle(pilot)
        await pilot.pause()

    with frozen_session(tmp_path) as session:
        assert snap_compare(frozen_app(session), terminal_size=(80, 24), run_before=searching)

