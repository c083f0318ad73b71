"""Connection health in the real app against the simulator over real HTTP: the status bar says
connected / retrying / offline since ... / login rejected, polling stops on a rejected login and
backs off while the server is away, and everything comes back when the faults clear. Also: an
XML answer with bytes that are not UTF-8 does not stop the app, and drafts survive a restart."""

from __future__ import annotations

import re

from chat_harness import chat_session, make_app, rendered, session_on, wait_for, widget_lines

from smschat.demo import demo_profile
from smschat.session import open_session
from smschat.sim import DEMO_NUMBERS, DEMO_PASSWORD, DEMO_USERNAME, SimAccount, SimServer, make_demo_server
from smschat.store import Store
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.widgets.status_bar import AUTH, OFFLINE, OK, RETRYING
from smschat.ui.widgets.thread_view import ThreadView

POLL = 0.2  # the harness app's poll interval (seconds)


async def started(pilot) -> ChatScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced, what="first sync")
    await wait_for(pilot, lambda: app.screen.status.state == OK, what="connected")
    return app.screen


def log_size(server) -> int:
    with server.account.lock:
        return len(server.account.request_log)


async def test_rejected_login_stops_polling_and_ctrl_r_tries_once(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            assert "✓ connected" in rendered(screen.status)
            server.faults.fail_401 = True
            await wait_for(pilot, lambda: screen.status.state == AUTH, what="login rejected")
            bar = rendered(screen.status)
            assert "✗ login rejected" in bar and "ctrl+r" in bar  # fits 80 columns with its hint
            await pilot.pause(2 * POLL)  # let a round that was already under way finish
            before = log_size(server)
            await pilot.pause(10 * POLL)
            await pilot.press("j")  # opening another conversation does not knock either
            await pilot.pause(5 * POLL)
            assert log_size(server) == before, "no requests while the login is rejected"
            # ctrl+r: one deliberate round (one request: a 401 is not retried), then quiet again
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: log_size(server) > before, what="the retry round")
            await pilot.pause(10 * POLL)
            assert log_size(server) == before + 1
            assert screen.status.state == AUTH
            # the credentials work again: ctrl+r reconnects and polling resumes
            server.faults.fail_401 = False
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: screen.status.state == OK, what="reconnected")
            mark = log_size(server)
            await wait_for(pilot, lambda: log_size(server) > mark + 2, what="polling again")


async def test_offline_since_then_connected_again(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            server.faults.drop = 1.0  # every connection is cut without an answer
            await wait_for(pilot, lambda: screen.status.state == RETRYING, what="retrying")
            assert "⟳ retrying" in rendered(screen.status)
            trouble_began = screen.status.since
            await wait_for(pilot, lambda: screen.status.state == OFFLINE, what="offline")
            bar = rendered(screen.status)
            assert re.search(r"✗ offline since \d\d:\d\d", bar), bar
            assert screen.status.since == trouble_began  # "since" is when the trouble began
            # backing off: over 20 poll intervals far fewer than 20 rounds of 4 tries go out
            before = log_size(server)
            await pilot.pause(20 * POLL)
            assert log_size(server) - before < 40
            assert screen.status.state == OFFLINE and screen.status.since == trouble_began
            # the app stays usable offline: the thread is painted from the store, keys work
            await pilot.press("tab")
            assert screen.focused is screen.thread
            assert any(line.strip() for line in widget_lines(screen.query_one(ThreadView)))
            server.faults.clear()
            await wait_for(pilot, lambda: screen.status.state == OK, timeout=30, what="connected again")
            assert "✓ connected" in rendered(screen.status)


async def test_server_errors_show_retrying_and_recover(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            server.faults.fail_5xx = 1.0
            await wait_for(pilot, lambda: screen.status.state == RETRYING, what="retrying")
            assert re.search(r"HTTP 50[023]", rendered(screen.status))
            server.faults.clear()
            await wait_for(pilot, lambda: screen.status.state == OK, timeout=30, what="connected again")
            # texts that arrived meanwhile show up
            customer, account = screen.open_key
            server.account.inject_inbound(customer, account, "are you there?")
            await wait_for(pilot, lambda: "are you there?" in "\n".join(widget_lines(screen.thread)), what="inbound after recovery")


async def test_unreadable_answers_are_reported_and_the_app_keeps_going(tmp_path):
    with chat_session(tmp_path, fmt="xml") as (session, server):
        app = make_app(session)
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            screen = await started(pilot)
            server.faults.malformed = 1.0
            await wait_for(pilot, lambda: screen.status.state == RETRYING and "XML" in rendered(screen.status), what="reported")
            server.faults.clear()
            await wait_for(pilot, lambda: screen.status.state == OK, timeout=30, what="connected again")
            assert isinstance(app.screen, ChatScreen) and app.is_running


async def test_invalid_utf8_in_xml_is_shown_replaced(tmp_path):
    account = SimAccount(DEMO_USERNAME, DEMO_PASSWORD, DEMO_NUMBERS)
    now = account.now()
    account.inject_inbound("2125550100", DEMO_NUMBERS[0], "fine text", at=now - 120)
    account.inject_inbound("2125550100", DEMO_NUMBERS[0], "caf@@ latin-1 bytes", at=now - 60)
    server = SimServer(account, speed=40.0)
    server.faults.rewrite = lambda method, path, status, body: (status, body.replace(b"@@", b"\xe9\xff"))
    with session_on(server, tmp_path, fmt="xml") as (session, server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            await wait_for(pilot, lambda: screen.thread.item_count == 2, what="both texts")
            text = "\n".join(widget_lines(screen.thread))
            assert "caf\ufffd\ufffd latin-1 bytes" in text and "fine text" in text
            assert screen.status.state == OK


async def test_a_draft_survives_a_restart(tmp_path):
    server = make_demo_server(lively=False, speed=40.0).start()
    profile = demo_profile(server.url, server.account.username, server.account.password, list(server.account.numbers), "json")
    store_path = tmp_path / "store.sqlite3"
    try:
        session = open_session(profile, store_path)
        try:
            app = make_app(session)
            async with app.run_test(size=(80, 24)) as pilot:
                screen = await started(pilot)
                await pilot.press("j", "j")
                await wait_for(pilot, lambda: screen.open_key == screen.contacts.contacts[2].key, what="third contact")
                key = screen.open_key
                await pilot.press("enter")
                await pilot.press(*"Half-written reply, ")
                await pilot.press("ctrl+j")
                await pilot.press(*"second line")
                # saved as typed: another connection (another process, after a crash) reads it now
                with Store.open(store_path) as other:
                    assert other.get_draft(*key) == "Half-written reply, \nsecond line"
                await pilot.press("escape", "escape", "k")  # move away: the draft stays with its conversation
                await wait_for(pilot, lambda: screen.open_key != key, what="moved away")
        finally:
            session.close()

        session = open_session(profile, store_path)  # a new app on the same store
        try:
            app = make_app(session)
            async with app.run_test(size=(80, 24)) as pilot:
                screen = await started(pilot)
                assert screen.composer.text != "Half-written reply, \nsecond line"
                screen.contacts.select_key(key)
                await wait_for(pilot, lambda: screen.open_key == key, what="reopened")
                assert screen.composer.text == "Half-written reply, \nsecond line"
                # sent: the draft goes with the outbox write, and the text is in the thread
                screen.composer.input.focus()
                await pilot.press("enter")
                await wait_for(pilot, lambda: "second line" in "\n".join(widget_lines(screen.thread)), what="sent")
                assert screen.composer.text == "" and session.ui_store.get_draft(*key) == ""
                sent = [m for m in server.account.messages() if m.body == "Half-written reply, \nsecond line"]
                assert len(sent) == 1
        finally:
            session.close()
    finally:
        server.stop()
