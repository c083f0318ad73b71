"""New inbound texts ring the bell and show a toast (not for the conversation on screen, not for
history), a burst is one toast, and a desktop notification's escape sequence carries a customer's
hostile text as harmless characters. Against the simulator over HTTP."""

from __future__ import annotations

import dataclasses
import runpy
from pathlib import Path

from chat_harness import chat_session, make_app, wait_for, widget_lines
from textual.widgets._toast import Toast

from smschat.domain.notify import NotifySettings
from smschat.domain.numbers import normalize
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.widgets.thread_view import ThreadView

_corpus = runpy.run_path(str(Path(__file__).parents[1] / "fixtures" / "hostile_bodies.py"))
HOSTILE = {h.name: h for h in _corpus["HOSTILE_BODIES"]}
FORBIDDEN = _corpus["FORBIDDEN"]
ESC, BEL = "\x1b", "\x07"


class Recorder:
    """Counts bells, keeps every notification and every raw write to the terminal driver."""

    def __init__(self, app) -> None:
        self.bells = 0
        self.written: list[str] = []
        app.bell = self.bell  # the real one writes BEL to the driver (nothing when headless)

    def bell(self) -> None:
        self.bells += 1

    def watch_driver(self, app) -> None:
        real = app._driver.write

        def write(data: str) -> None:
            self.written.append(data)
            real(data)

        app._driver.write = write


def notes(app) -> list:
    """The notifications about texts (the app's other notices have no title, or "Server error")."""
    return [n for n in app._notifications if n.title and n.severity == "information"]


def toasts_text(app) -> str:
    return "\n".join(toast.render().plain for toast in app.screen.query(Toast))


async def started(pilot) -> ChatScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced, what="first sync")
    screen = app.screen
    await wait_for(pilot, lambda: screen.open_key is not None and screen.thread.item_count > 0, what="a thread open")
    await wait_for(pilot, lambda: screen.notifier.mark is not None, what="notifier armed")
    return screen


def other_conversation(screen, server, count: int = 1) -> list[tuple[str, str]]:
    """`count` customers of the account, none of them the open conversation."""
    account = screen.session.accounts[0]
    seeded = [normalize(m.customer) for m in server.account.messages()]
    customers = [c for c in dict.fromkeys(seeded) if (c, account) != screen.open_key]
    return [(c, account) for c in customers[:count]]


def thread_text(app) -> str:
    return "\n".join(widget_lines(app.screen.query_one(ThreadView)))


async def test_history_from_the_first_sync_rings_nothing(tmp_path):
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        recorder = Recorder(app)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            waiting = [c for c in screen.contacts.contacts if c.waiting]
            assert waiting  # the seeded history has customers waiting: they were texts, but old ones
            assert screen.notifier.check() is None  # everything stored so far is history
            assert recorder.bells == 0 and notes(app) == []


async def test_a_text_in_another_conversation_rings_once_and_shows_a_toast(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        recorder = Recorder(app)
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            screen = await started(pilot)
            [(customer, account)] = other_conversation(screen, server)
            session.ui_store.set_name(customer, "Ann [b]Lee[/b]")
            server.account.inject_inbound(customer, account, "Is my bike ready? [@click=app.quit]now[/]")
            await wait_for(pilot, lambda: notes(app), what="a toast")
            [note] = notes(app)
            assert note.title == "Ann [b]Lee[/b]" and note.message == "Is my bike ready? [@click=app.quit]now[/]"
            assert note.markup is False
            await wait_for(pilot, lambda: "[@click=app.quit]now[/]" in toasts_text(app), what="the toast drawn")
            assert "Ann [b]Lee[/b]" in toasts_text(app)  # markup shown as the characters it is
            assert recorder.bells == 1
            # the same text seen again (the next polls, a conversation fetch) is not news
            screen.contacts.select_key((customer, account))
            await wait_for(pilot, lambda: "Is my bike ready?" in thread_text(app), what="the thread opened")
            assert screen.notifier.check() is None
            assert recorder.bells == 1 and len(notes(app)) == 1


async def test_the_conversation_on_screen_gets_no_toast_and_no_bell(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        recorder = Recorder(app)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            customer, account = screen.open_key
            server.account.inject_inbound(customer, account, "Thanks, see you at 5")
            # the thread shows it: the same store change ran the notifier
            await wait_for(pilot, lambda: "Thanks, see you at 5" in thread_text(app), what="the text in the thread")
            assert screen.notifier.check() is None
            assert recorder.bells == 0 and notes(app) == []


async def test_the_open_thread_rings_when_the_agent_asked_for_it(tmp_path):
    with chat_session(tmp_path) as (session, server):
        session.profile = dataclasses.replace(session.profile, notifications=NotifySettings(bell_open_thread=True))
        app = make_app(session)
        recorder = Recorder(app)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            customer, account = screen.open_key
            server.account.inject_inbound(customer, account, "Still there?")
            await wait_for(pilot, lambda: "Still there?" in thread_text(app), what="the text in the thread")
            assert recorder.bells == 1 and notes(app) == []


async def test_a_burst_is_one_toast_and_one_bell(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        recorder = Recorder(app)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            account = session.accounts[0]
            conversations = [(f"212555{n:04d}", account) for n in range(12)]  # new customers
            with server.account.lock:  # every text lands before the next poll reads any of them
                for i in range(30):
                    customer, account = conversations[i % 12]
                    server.account.inject_inbound(customer, account, f"text number {i}")
            await wait_for(pilot, lambda: notes(app), what="a toast")
            [note] = notes(app)
            assert note.title == "30 new texts from 12 customers"
            assert note.message.endswith(" and 9 others")
            assert recorder.bells == 1


async def test_desktop_notification_carries_hostile_text_as_plain_characters(tmp_path):
    with chat_session(tmp_path) as (session, server):
        settings = NotifySettings(desktop="osc777")
        session.profile = dataclasses.replace(session.profile, notifications=settings)
        app = make_app(session)
        recorder = Recorder(app)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            screen.notifier.tmux = True  # as inside tmux: the passthrough wrapping
            recorder.watch_driver(app)
            [(customer, account)] = other_conversation(screen, server)
            session.ui_store.set_name(customer, "Ann; Lee")
            for name in ("osc52-clipboard-write", "c1-st-and-csi-mix", "dcs-tmux-passthrough", "c0-bell"):
                before = len(recorder.written)
                server.account.inject_inbound(customer, account, HOSTILE[name].body)
                await wait_for(pilot, lambda before=before: len(recorder.written) > before, what=f"OSC for {name}")
                [sequence] = [w for w in recorder.written[before:] if "777;notify" in w]
                assert sequence.startswith(f"{ESC}Ptmux;{ESC}{ESC}]777;notify;") and sequence.endswith(f"{BEL}{ESC}\\")
                inner = sequence[len(f"{ESC}Ptmux;") : -2].replace(ESC + ESC, ESC)
                assert inner.count(ESC) == 1 and inner.count(BEL) == 1 and inner.endswith(BEL)
                fields = inner[len(f"{ESC}]777;") : -1].split(";")
                assert fields[:2] == ["notify", "smschat: Ann, Lee"] and len(fields) == 3, fields
                assert not any(ch in FORBIDDEN for ch in fields[2]), (name, fields[2])
                assert HOSTILE[name].shown[:6].replace(";", ",") in fields[2]  # the controls shown as pictures, as in the app
            assert recorder.bells == 4


async def test_a_text_stored_by_the_webhook_receiver_rings_too(tmp_path):
    from smschat.receive import ReceiverApp, ReceiverServer
    from smschat.store import Store

    secret = "Notify-Path-Secret_0123456789"
    with chat_session(tmp_path) as (session, server):
        store = Store.open(session.store_path)  # the receiver's own connection, as in its own process
        receiver_app = ReceiverApp(store, public_url="https://sms.example.com", plum_secret=secret)
        with ReceiverServer(receiver_app, host="127.0.0.1", port=0) as receiver:
            app = make_app(session)
            app.poll_interval = 3600  # only the receiver brings the text
            recorder = Recorder(app)
            async with app.run_test(size=(100, 30)) as pilot:
                await started(pilot)
                server.account.app_url = f"{receiver.url}/plum/inbound/{secret}"
                server.account.inject_inbound("2025550199", session.accounts[0], "Hello from a new customer")
                await wait_for(pilot, lambda: notes(app), what="a toast")
                [note] = notes(app)
                assert (note.title, note.message) == ("(202) 555-0199", "Hello from a new customer")
                assert recorder.bells == 1
        store.close()


async def test_old_texts_the_server_sends_late_ring_nothing(tmp_path):
    """History that reaches the store after the first sync (a conversation's older page, a backlog
    the listing had not shown) is older than what the store held: not news."""
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        recorder = Recorder(app)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            [(customer, account)] = other_conversation(screen, server)
            stored = session.ui_store.thread_count(customer, account)
            day_ago = server.account.now() - 86400
            for n in range(3):
                server.account.inject_inbound(customer, account, f"old text {n}", at=day_ago + n)
            screen.fetch_conversation((customer, account))  # as opening it would, but it is not on screen
            await wait_for(pilot, lambda: session.ui_store.thread_count(customer, account) == stored + 3,
                           what="the old texts stored")
            await pilot.pause()
            assert screen.notifier.check() is None
            assert recorder.bells == 0 and notes(app) == []
