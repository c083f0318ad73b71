"""Triage in the chat screen, against the simulator over real HTTP: the waiting queue (oldest
first), n / N, done (e/d) and its undo, snooze (z) with presets and typed times, the view picker (v),
the address book (a); the state survives a restart and a customer's next text wakes a conversation."""

from __future__ import annotations

import time

from chat_harness import make_app, rendered, session_on, wait_for, widget_lines

from smschat.domain.numbers import normalize
from smschat.domain.triage import Triage, ViewKind, triage
from smschat.sim import SimAccount, SimServer
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.screens.triage import ContactEditor, SnoozeScreen, ViewPicker
from smschat.ui.widgets.contact_list import ContactList
from smschat.ui.widgets.view_bar import ViewBar

SHOP = "6175550100"
CUSTOMERS = ["2125550101", "2125550102", "2125550103", "2125550104", "2125550105"]


def quiet_server(minutes_ago=(50, 40, 30, 20, 10)) -> SimServer:
    """An account where five customers have texted, oldest first, and no one has been answered."""
    account = SimAccount("agent", "s3cret", (SHOP,))
    now = time.time()
    for number, ago in zip(CUSTOMERS, minutes_ago, strict=True):
        account.inject_inbound(number, SHOP, f"question from {number[-4:]}", at=now - ago * 60)
    return SimServer(account)


async def started(pilot, count: int = 5) -> ChatScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced, what="first sync")
    await wait_for(pilot, lambda: len(app.screen._all) >= count, what="contacts painted")
    return app.screen


def shown(screen: ChatScreen) -> list[str]:
    return [c.customer[-4:] for c in screen.contacts.contacts]


def state_of(screen: ChatScreen, number: str) -> Triage:
    contact = next(c for c in screen._all if c.customer == normalize(number))
    return triage(contact, screen.session.clock())


async def test_waiting_queue_done_snooze_undo_and_restart(tmp_path):
    server = quiet_server()
    with session_on(server, tmp_path) as (session, _):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            assert "5 waiting" in rendered(screen.status)
            assert shown(screen) == ["0105", "0104", "0103", "0102", "0101"]  # all: newest activity first
            list_text = "\n".join(widget_lines(screen.contacts))
            assert "● " in list_text and "50m" in list_text  # marker and how long the oldest has waited

            # the waiting view, oldest first, chosen with v then w
            await pilot.press("v")
            assert isinstance(app.screen, ViewPicker)
            await pilot.press("w")
            assert screen.view.kind is ViewKind.WAITING
            assert shown(screen) == ["0101", "0102", "0103", "0104", "0105"]
            assert "Waiting 5" in rendered(screen.view_bar)

            # N: the customer who waited longest, composer focused; a reply clears it
            await pilot.press("N")
            assert screen.open_key[0].endswith("0101") and screen.focused is screen.composer.input
            await pilot.press(*"On our way", "enter")
            await wait_for(pilot, lambda: state_of(screen, CUSTOMERS[0]) is Triage.ANSWERED, what="answered")
            assert "4 waiting" in rendered(screen.status)
            # the answered conversation stays on screen until the agent moves on
            assert "0101" in shown(screen) and screen.open_key[0].endswith("0101")

            # escape, n: the next in the queue
            await pilot.press("escape", "n")
            assert screen.open_key[0].endswith("0102")
            await pilot.press("escape")  # composer -> thread: single keys act on the conversation

            # d: done without replying; the next waiting opens; u undoes
            await pilot.press("d")
            assert state_of(screen, CUSTOMERS[1]) is Triage.DONE
            assert screen.open_key[0].endswith("0103")
            assert "0102" not in shown(screen)  # left the waiting view
            await pilot.press("u")
            assert state_of(screen, CUSTOMERS[1]) is Triage.WAITING
            assert screen.open_key[0].endswith("0102")
            await pilot.press("e")  # e is done too
            assert state_of(screen, CUSTOMERS[1]) is Triage.DONE

            # z: snooze the open one (0103) with a typed time; a bad time says why and stays open
            assert screen.open_key[0].endswith("0103")
            await pilot.press("z")
            assert isinstance(app.screen, SnoozeScreen)
            await pilot.press(*"99x", "enter")  # typed into the line (it has the focus)
            assert isinstance(app.screen, SnoozeScreen)
            assert "type a duration" in rendered(app.screen.query_one("#snooze-error"))
            await pilot.press("ctrl+a", "ctrl+k", *"2h", "enter")
            assert not isinstance(app.screen, SnoozeScreen)
            assert state_of(screen, CUSTOMERS[2]) is Triage.SNOOZED
            until = next(c for c in screen._all if c.customer == normalize(CUSTOMERS[2])).snoozed_until
            assert abs((until - screen.session.clock()).total_seconds() - 7200) < 120  # "2h" is 2 hours
            assert screen.open_key[0].endswith("0104")

            # z then a preset's letter: snoozed for an hour
            await pilot.press("z", "h")
            assert state_of(screen, CUSTOMERS[3]) is Triage.SNOOZED
            assert screen.open_key[0].endswith("0105")
            assert "1 waiting" in rendered(screen.status)

            # the snoozed view lists both, earliest wake first
            await pilot.press("v", "s")
            assert shown(screen) == ["0104", "0103"]

    # restart on the same store: done and snoozed are still there, the reply too
    server = SimServer(server.account)
    with session_on(server, tmp_path) as (session, _):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            assert state_of(screen, CUSTOMERS[0]) is Triage.ANSWERED
            assert state_of(screen, CUSTOMERS[1]) is Triage.DONE
            assert state_of(screen, CUSTOMERS[2]) is Triage.SNOOZED
            assert state_of(screen, CUSTOMERS[3]) is Triage.SNOOZED
            assert "1 waiting" in rendered(screen.status)
            list_text = "\n".join(widget_lines(screen.contacts))
            assert "✓ " in list_text and "z " in list_text
            # a new text from the customer marked done brings them back at once
            server.account.inject_inbound(CUSTOMERS[1], SHOP, "sorry, one more question")
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: state_of(screen, CUSTOMERS[1]) is Triage.WAITING, what="woken by a text")
            await wait_for(pilot, lambda: "2 waiting" in rendered(screen.status), what="count updated")


async def test_nothing_waiting_says_so_and_answered_cannot_be_snoozed(tmp_path):
    account = SimAccount("agent", "s3cret", (SHOP,))
    with session_on(SimServer(account), tmp_path) as (session, server):
        server.account.inject_inbound(CUSTOMERS[0], SHOP, "hi")
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot, count=1)
            await wait_for(pilot, lambda: screen.open_key is not None, what="open")
            await pilot.press("tab")  # the thread
            await pilot.press("d")
            assert state_of(screen, CUSTOMERS[0]) is Triage.DONE
            await pilot.press("n")
            assert any("No one is waiting" in str(n.message) for n in app._notifications)
            await pilot.press("d")  # on a done conversation: reopen
            assert state_of(screen, CUSTOMERS[0]) is Triage.WAITING
            await pilot.press("i", *"answer", "enter", "escape")
            await wait_for(pilot, lambda: state_of(screen, CUSTOMERS[0]) is Triage.ANSWERED, what="answered")
            await pilot.press("z")
            assert not isinstance(app.screen, SnoozeScreen)
            assert any("Nothing to snooze" in str(n.message) for n in app._notifications)


async def test_address_book_names_the_contact_everywhere_and_is_searchable(tmp_path):
    server = quiet_server()
    with session_on(server, tmp_path) as (session, _):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            await wait_for(pilot, lambda: screen.open_key is not None, what="open")
            number = screen.open_key[0]
            await pilot.press("a")
            assert isinstance(app.screen, ContactEditor)
            # a pasted name with an escape sequence and markup is stored as plain text
            app.screen.query_one("#contact-name").value = "[b]Maya[/b] \x1b[31mLopez"
            app.screen.query_one("#contact-notes").text = "Trek FX 3, frame 54 cm"
            await pilot.press("ctrl+s")
            assert not isinstance(app.screen, ContactEditor)
            contact = next(c for c in screen._all if c.customer == number)
            assert contact.name == "[b]Maya[/b] [31mLopez" and contact.note == "Trek FX 3, frame 54 cm"
            header = rendered(screen.query_one("#thread-header"))
            assert "[b]Maya[/b]" in header and "Trek FX 3" in header and "\x1b" not in header
            assert "[b]Maya[…" in "\n".join(widget_lines(screen.query_one(ContactList)))  # shortened, as typed
            # the contact filter finds the name
            screen._filter = "maya"
            screen.reload_contacts()
            assert [c.customer for c in screen.contacts.contacts] == [number]
            # Escape cancels without saving
            await pilot.press("a")
            app.screen.query_one("#contact-name").value = "Someone Else"
            await pilot.press("escape")
            assert session.ui_store.get_name(number).name == "[b]Maya[/b] [31mLopez"


async def test_view_picker_per_number_and_counts(tmp_path):
    second = "6175550199"
    account = SimAccount("agent", "s3cret", (SHOP, second))
    now = time.time()
    account.inject_inbound(CUSTOMERS[0], SHOP, "on the first number", at=now - 600)
    account.inject_inbound(CUSTOMERS[1], second, "on the second number", at=now - 300)
    with session_on(SimServer(account), tmp_path) as (session, _):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot, count=2)
            bar = screen.query_one(ViewBar)
            assert "All 2" in rendered(bar) and "waiting 2" in rendered(bar)
            await pilot.press("v")
            picker = app.screen
            assert isinstance(picker, ViewPicker)
            await pilot.press("2")  # "On 617-555-0199"
            assert screen.view.account == normalize(second)
            assert shown(screen) == ["0102"]
            assert "·0199" in rendered(bar)
            await pilot.press("v", "0")  # every number again
            assert screen.view.account == "" and len(shown(screen)) == 2
            await pilot.press("v", "escape")
            assert screen.view.account == ""


def burst(app, *keys: str) -> None:
    """Keys posted at once, as a slow link delivers them (pilot.press waits between keys)."""
    from textual import events

    for key in keys:
        char = key if len(key) == 1 else ("\r" if key == "enter" else None)
        app.post_message(events.Key(key, char))


async def test_bursts_of_keys_never_close_the_chat_screen_or_send_twice(tmp_path):
    server = quiet_server()
    with session_on(server, tmp_path) as (session, _):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            await wait_for(pilot, lambda: screen.open_key is not None, what="open")
            # a dialog answered by the first key must not pop the chat screen on the second
            await pilot.press("v")
            burst(app, "w", "s")  # "w" answers the picker; "s" must not pop the chat screen
            await pilot.pause(0.3)
            assert app.screen is screen and screen.view.kind is ViewKind.WAITING
            await pilot.press("N", "escape")
            first = screen.open_key
            await pilot.press("z")
            burst(app, "1", "4", ":", "3", "0", "enter")  # "14:30", typed fast: a time, not a preset
            await pilot.pause(0.3)
            assert app.screen is screen
            contact = next(c for c in screen._all if c.key == first)
            wake = contact.snoozed_until.astimezone()
            assert (wake.hour, wake.minute) == (14, 30)
            # Enter, Enter in one burst: sent once; words typed right after Enter stay
            await pilot.press("i")
            key = screen.open_key
            burst(app, *"On my way", "enter", "enter", *"and ")
            await pilot.pause(0.5)
            assert screen.composer.text == "and "
            await wait_for(pilot, lambda: session.ui_store.thread_count(*key) >= 2, what="sent")
            await pilot.pause(0.5)
            bodies = [m.body for m in server.account.messages() if m.direction == "outbound"]
            assert bodies == ["On my way"]


async def test_enter_in_the_thread_replies_and_esc_in_the_filter_clears_it(tmp_path):
    server = quiet_server()
    with session_on(server, tmp_path) as (session, _):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            await wait_for(pilot, lambda: screen.open_key is not None, what="open")
            await pilot.press("tab")
            assert screen.focused is screen.thread
            await pilot.press("enter")  # typing goes to the composer, never to single-key commands
            assert screen.focused is screen.composer.input
            await pilot.press(*"ok", "escape", "escape")
            # a filter left on must not hide the waiting queue from n
            await pilot.press("f", *"0101", "enter")
            assert shown(screen) == ["0101"]
            await pilot.press("escape")  # the list
            screen.contacts.select_key(screen.contacts.contacts[0].key)
            await pilot.press("n")
            assert screen.open_key[0].endswith("0102") and not screen._filter
            await pilot.press("escape", "f", *"0105")
            assert shown(screen) == ["0105"]
            await pilot.press("escape")  # esc in the filter line: no filter
            assert not screen._filter and len(shown(screen)) == 5
