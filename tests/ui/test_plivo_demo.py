"""`smschat --demo --provider plivo`: the Plivo simulator and the receiver in-process, the real app.

A customer's text reaches the chat screen by signed webhook (no list request), a reply gets its
delivery mark by the status callback (no status request), and the network polling is a slow
safety net because a receiver is running.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from chat_harness import wait_for, widget_lines

from smschat.demo import open_demo, plivo_demo_session
from smschat.domain.numbers import normalize
from smschat.session import Session
from smschat.sim import plivo_api
from smschat.sim.plivo_demo import make_plivo_demo_server
from smschat.sync.schedule import RECEIVER_BASE, RECEIVER_CAP
from smschat.ui.app import SmsChatApp
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.widgets.contact_list import ContactList
from smschat.ui.widgets.thread_view import ThreadView

NEW_CUSTOMER = "16175550177"  # not in the seed: only the receiver can tell the app about this text


@contextlib.contextmanager
def plivo_demo(tmp_path, *, speed: float = 20.0) -> Iterator[tuple[Session, object]]:
    server = make_plivo_demo_server(lively=False, speed=speed)
    session = plivo_demo_session(server, data_dir=tmp_path)
    try:
        yield session, server
    finally:
        session.close()


def status_requests(server) -> int:
    """GETs of one message (`.../Message/{uuid}/`): status polls."""
    return sum(1 for method, path, _p, _s in server.request_log
               if method == "GET" and (found := plivo_api.route(path)) is not None and found[1] and not found[2])


def thread_text(screen) -> str:
    return "\n".join(widget_lines(screen.query_one(ThreadView)))


def contacts_text(screen) -> str:
    return "\n".join(widget_lines(screen.query_one(ContactList)))


async def test_texts_arrive_by_webhook_and_replies_get_their_delivery_report_by_callback(tmp_path):
    with plivo_demo(tmp_path) as (session, server):
        assert session.receiving and session.engine.callback_url.endswith("/plivo/status")
        app = SmsChatApp(session, poll_interval=0.2)  # polls every 0.2 s without a receiver
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced,
                           what="first sync")
            screen = app.screen
            assert "demo · Plivo" in screen.status.title
            # a receiver runs: the listing is a safety net, not a 0.2 s poll
            schedule = screen.refresh_schedule
            assert (schedule.base, schedule.cap) == (RECEIVER_BASE, RECEIVER_CAP)
            await pilot.pause(0.5)  # a few ticks
            listed = len(server.list_requests())

            account = session.accounts[0]
            uuid = server.account.inject_inbound(NEW_CUSTOMER, account, "Do you rent tandems for the weekend?")
            await wait_for(pilot, lambda: "(617) 555-0177" in contacts_text(screen), timeout=10,
                           what="the new customer in the contact list")
            screen.contacts.select_key((normalize(NEW_CUSTOMER), account))
            await wait_for(pilot, lambda: "Do you rent tandems for the weekend?" in thread_text(screen), timeout=5,
                           what="the text in the thread")
            assert session.ui_store.get_message(uuid).body_known
            assert len(server.list_requests()) == listed  # it came through the receiver, not a list request
            inbound = [d for d in server.webhooks.deliveries if d.kind == "inbound"]
            assert inbound and all(d.status == 200 for d in inbound)  # signed, and accepted

            polled = status_requests(server)
            await pilot.press("enter")  # the contact list: open the conversation and reply
            assert screen.composer.input.has_focus
            await pilot.press(*"Yes, two of them")
            await pilot.press("enter")
            await wait_for(pilot, lambda: "Yes, two of them" in thread_text(screen), what="the reply in the thread")
            await wait_for(pilot, lambda: "✓✓ delivered" in thread_text(screen), timeout=10,
                           what="the delivery mark")
            reports = [d for d in server.webhooks.deliveries if d.kind == "status"]
            assert reports and all(d.url == session.engine.callback_url and d.status == 200 for d in reports)
            assert status_requests(server) == polled  # by callback: no status poll was made
            assert len(server.list_requests()) == listed


async def test_records_whose_text_the_client_never_saw_say_so(tmp_path):
    with plivo_demo(tmp_path) as (session, _server):
        app = SmsChatApp(session, poll_interval=3600)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced,
                           what="first sync")
            screen = app.screen
            club = next(c for c in screen.contacts.contacts if c.customer == "18575550142")  # its oldest part unseen
            screen.contacts.select_key(club.key)
            await wait_for(pilot, lambda: screen.thread.item_count > 30, what="the club's thread")
            screen.thread.focus()
            await pilot.press("g")  # the oldest messages: from before the receiver ran
            await wait_for(pilot, lambda: "(text not available" in thread_text(screen), what="the unknown text")
            unknown = [item for item in screen.thread.items if not item.body_known]
            assert unknown and all(item.body == "" for item in unknown)


def test_open_demo_checks_the_provider():
    with pytest.raises(ValueError, match="plum or plivo"):
        open_demo("twilio")
