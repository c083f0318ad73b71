"""Pilot tests of the chat screen against the simulator over real HTTP, in both wire formats."""

from __future__ import annotations

import pytest
from chat_harness import chat_session, make_app, rendered, wait_for, widget_lines

from smschat.domain.numbers import normalize
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.screens.help import HelpScreen
from smschat.ui.widgets.contact_list import ContactList
from smschat.ui.widgets.thread_view import ThreadView


def thread_text(app) -> str:
    return "\n".join(widget_lines(app.screen.query_one(ThreadView)))


def contacts_text(app) -> str:
    return "\n".join(widget_lines(app.screen.query_one(ContactList)))


async def started(pilot) -> ChatScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced, what="first sync")
    await wait_for(pilot, lambda: len(app.screen.contacts.contacts) > 5, what="contacts painted")
    await wait_for(pilot, lambda: app.screen.open_key is not None, what="first conversation open")
    return app.screen


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_contacts_and_thread_come_from_the_simulator(tmp_path, fmt):
    with chat_session(tmp_path, fmt=fmt) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            contacts = screen.contacts.contacts
            customers = {c.customer for c in contacts}
            # every customer of the seeded account is listed, newest activity first
            expected = {normalize(m.customer) for m in server.account.messages()}
            assert customers == expected
            stamps = [c.last_activity for c in contacts]
            assert stamps == sorted(stamps, reverse=True)
            # the waiting count in the status bar matches the rows marked as waiting
            waiting = sum(1 for c in contacts if c.waiting)
            assert waiting > 0 and f"{waiting} waiting" in rendered(screen.status)
            # the highlighted conversation opens at once, newest message at the bottom
            first = contacts[0]
            await wait_for(pilot, lambda: screen.open_key == first.key and screen.thread.item_count > 0, what="thread open")
            newest = first.last_message.body.splitlines()[0][:15]
            assert newest in thread_text(app)


async def test_reply_is_shown_queued_then_delivered(tmp_path):
    with chat_session(tmp_path, speed=10.0) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            await pilot.press("enter")  # open the highlighted conversation and focus the composer
            assert screen.focused is screen.composer.input
            await pilot.press(*"On my way")
            await pilot.press("enter")
            await wait_for(pilot, lambda: "On my way" in thread_text(app), what="reply shown")
            assert screen.composer.text == ""
            await wait_for(pilot, lambda: "delivered" in thread_text(app).split("On my way")[-1], what="delivered mark")
            sent = [m for m in server.account.messages() if m.body == "On my way"]
            assert len(sent) == 1  # queued exactly once


async def test_inbound_text_appears_without_a_keypress(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            key = screen.open_key
            customer, account = key
            server.account.inject_inbound(customer, account, "Is the shop open on Sunday?")
            await wait_for(pilot, lambda: "Is the shop open on Sunday?" in thread_text(app), what="inbound in thread")
            assert "Is the shop open on Sunday?" in contacts_text(app)
            # a new customer shows up in the list too
            server.account.inject_inbound("2125550199", account, "first time texting you")
            await wait_for(pilot, lambda: any(c.customer == "12125550199" for c in screen.contacts.contacts), what="new contact")


async def test_failed_send_keeps_text_and_reason_visible(tmp_path):
    with chat_session(tmp_path) as (session, server):
        unsubscribed = next(iter(server.account.unsubscribed))
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            key = next(c.key for c in screen.contacts.contacts if c.customer == normalize(unsubscribed))
            screen.contacts.select_key(key)
            await wait_for(pilot, lambda: screen.open_key == key, what="open unsubscribed")
            screen.composer.input.focus()
            await pilot.press(*"Please reply")
            await pilot.press("enter")
            await wait_for(pilot, lambda: "unsubscribed" in thread_text(app), what="failure reason")
            assert "Please reply" in thread_text(app)
            assert not [m for m in server.account.messages() if m.body == "Please reply"]
            # retry is deliberate: r asks first, n declines, nothing is sent
            screen.thread.focus()
            await pilot.press("r")
            await pilot.pause()
            assert app.screen.__class__.__name__ == "ConfirmScreen"
            await pilot.press("n")
            assert isinstance(app.screen, ChatScreen)


async def test_keyboard_navigation_and_help(tmp_path):
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            assert screen.focused is screen.contacts
            await pilot.press("tab")
            assert screen.focused is screen.thread
            await pilot.press("tab")
            assert screen.focused is screen.composer.input
            await pilot.press("escape")
            assert screen.focused is screen.thread
            await pilot.press("escape")
            assert screen.focused is screen.contacts
            first = screen.open_key
            await pilot.press("j")
            await wait_for(pilot, lambda: screen.open_key != first, what="next contact opens")
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            assert isinstance(app.screen, ChatScreen)
            # n jumps to a conversation waiting for a reply and focuses the composer
            await pilot.press("n")
            assert screen.contacts.highlighted.waiting
            assert screen.focused is screen.composer.input


async def test_filter_narrows_the_list(tmp_path):
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            target = screen.contacts.contacts[3]
            await pilot.press("f")  # (/ is the message search)
            await pilot.press(*target.customer[-4:])
            await wait_for(pilot, lambda: len(screen.contacts.contacts) >= 1, what="filtered")
            assert all(target.customer[-4:] in c.customer or target.customer[-4:] in c.last_message.body for c in screen.contacts.contacts)
            await pilot.press("enter")
            assert screen.focused is screen.contacts


async def test_draft_is_kept_per_conversation(tmp_path):
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            first = screen.open_key
            screen.composer.input.focus()
            await pilot.press(*"half a thought")
            await pilot.press("escape", "escape", "j")
            await wait_for(pilot, lambda: screen.open_key != first, what="moved on")
            assert screen.composer.text == ""
            await pilot.press("k")
            await wait_for(pilot, lambda: screen.open_key == first, what="moved back")
            assert screen.composer.text == "half a thought"
            assert session.ui_store.get_draft(*first) == "half a thought"


async def test_composer_counter_follows_the_text(tmp_path):
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            screen.composer.input.focus()
            await pilot.press(*("a" * 161))
            counter = str(screen.query_one("#composer-counter").render())
            assert "161 chars" in counter and "2 parts" in counter and "GSM-7" in counter
            screen.composer.set_text("ça coûte 😀")
            counter = str(screen.query_one("#composer-counter").render())
            assert "UCS-2" in counter and "1 part" in counter
            await pilot.press("ctrl+j")
            assert "\n" in screen.composer.text


async def test_small_terminal_list_and_thread_take_turns(tmp_path):
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        async with app.run_test(size=(50, 16)) as pilot:
            screen = await started(pilot)
            sidebar, conversation = screen.query_one("#sidebar"), screen.query_one("#conversation")
            assert sidebar.display and not conversation.display
            await pilot.press("enter")  # open: the thread and composer take the screen
            assert screen.focused is screen.composer.input
            assert conversation.display and not sidebar.display
            await pilot.press("escape", "escape")  # back to the list
            assert screen.focused is screen.contacts
            assert sidebar.display and not conversation.display
            await pilot.press("tab")
            assert screen.focused is screen.thread and conversation.display


async def test_long_thread_pages_back_to_its_first_message(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            biggest = max(screen.contacts.contacts, key=lambda c: c.total)
            assert biggest.total > 300
            screen.contacts.select_key(biggest.key)
            await wait_for(pilot, lambda: screen.open_key == biggest.key and screen.thread.item_count > 0, what="open")
            oldest = min(
                (m for m in server.account.messages() if normalize(m.customer) == biggest.customer),
                key=lambda m: m.key,
            )
            screen.thread.focus()
            for _ in range(40):
                if screen.thread.items and screen.thread.items[0].records[0].id == oldest.id:
                    break
                await pilot.press("home")
                await pilot.pause(0.1)
            assert screen.thread.items[0].records[0].id == oldest.id
            await pilot.press("home")
            await pilot.pause()
            assert screen.thread.selected_item.records[0].id == oldest.id
            assert "Start of the conversation" in thread_text(app)


async def test_sender_number_switches_with_ctrl_o(tmp_path):
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            first = screen.composer.sender
            assert first in session.accounts and len(session.accounts) == 2
            await pilot.press("ctrl+o")
            assert screen.composer.sender != first and screen.composer.sender in session.accounts
            assert "from" in str(screen.composer.border_title)
