"""The chat screen shows what `smschat receive` stores, within a second or two, without polling the API."""

from __future__ import annotations

from chat_harness import chat_session, wait_for, widget_lines

from smschat.receive import ReceiverApp, ReceiverServer
from smschat.store import Store
from smschat.ui.app import SmsChatApp
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.widgets.contact_list import ContactList
from smschat.ui.widgets.thread_view import ThreadView

SECRET = "Ui-Path-Secret_0123456789"
NEW_CUSTOMER = "2025550199"  # not in the simulator's seed: only the receiver knows this text


def listing_requests(server) -> int:
    return sum(1 for _m, path, _p, _s in server.account.request_log if "/messages." in path or "/status." in path)


async def test_a_text_posted_to_the_receiver_shows_up_without_polling(tmp_path):
    with chat_session(tmp_path) as (session, server):
        store = Store.open(session.store_path)  # the receiver's own connection, as in its own process
        app_under_test = ReceiverApp(store, public_url="https://sms.example.com", plum_secret=SECRET)
        with ReceiverServer(app_under_test, host="127.0.0.1", port=0) as receiver:
            app = SmsChatApp(session, poll_interval=3600)  # the app never polls the API on its own
            async with app.run_test(size=(100, 30)) as pilot:
                await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced,
                               what="first sync")
                screen = app.screen
                await wait_for(pilot, lambda: screen.thread.item_count > 0, what="the first thread open")
                polled = listing_requests(server)
                account = session.accounts[0]
                server.account.app_url = f"{receiver.url}/plum/inbound/{SECRET}"
                server.account.inject_inbound(NEW_CUSTOMER, account, "Hello from a brand new customer")
                await wait_for(pilot, lambda: "(202) 555-0199" in "\n".join(widget_lines(screen.query_one(ContactList))),
                               timeout=5, what="the new customer in the contact list")
                screen.contacts.select_key(("1" + NEW_CUSTOMER, account))
                await wait_for(pilot, lambda: "Hello from a brand new customer" in
                               "\n".join(widget_lines(screen.query_one(ThreadView))), timeout=5, what="the text")
                assert listing_requests(server) == polled  # it came through the receiver, not a poll
        store.close()
