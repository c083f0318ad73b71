"""Triage on a Plivo profile (the Plivo demo: simulator and receiver in-process): a text that
arrives by signed webhook joins the waiting queue, is answered with a canned reply or marked done,
and the state is kept in the same local store as on Plum."""

from __future__ import annotations

from chat_harness import rendered, wait_for
from test_plivo_demo import NEW_CUSTOMER, plivo_demo

from smschat.domain.numbers import normalize
from smschat.domain.triage import Triage, ViewKind, triage
from smschat.ui.app import SmsChatApp
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.screens.templates import TemplatePicker

SECOND = "16175550188"


def state(screen: ChatScreen, number: str) -> Triage | None:
    contact = next((c for c in screen._all if c.customer == normalize(number)), None)
    return triage(contact, screen.session.clock()) if contact else None


async def test_plivo_texts_by_webhook_join_the_queue_and_are_triaged(tmp_path):
    with plivo_demo(tmp_path) as (session, server):
        app = SmsChatApp(session, poll_interval=0.2)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced,
                           what="first sync")
            screen = app.screen
            waiting_before = sum(1 for c in screen._all if state(screen, c.customer) is Triage.WAITING)
            account = session.accounts[0]
            server.account.inject_inbound(NEW_CUSTOMER, account, "Do you rent tandems?")
            server.account.inject_inbound(SECOND, account, "Is the shop open today?")
            await wait_for(pilot, lambda: state(screen, SECOND) is Triage.WAITING, timeout=10, what="webhook texts")
            assert state(screen, NEW_CUSTOMER) is Triage.WAITING
            await wait_for(pilot, lambda: f"{waiting_before + 2} waiting" in rendered(screen.status), what="count")

            await pilot.press("v", "w")
            assert screen.view.kind is ViewKind.WAITING
            queue = [c.customer for c in screen.contacts.contacts]
            assert queue[-2:] == [normalize(NEW_CUSTOMER), normalize(SECOND)]  # the newest wait, last

            # the tandem question: done without a reply
            screen.contacts.select_key((normalize(NEW_CUSTOMER), normalize(account)))
            await pilot.press("tab", "d")
            assert state(screen, NEW_CUSTOMER) is Triage.DONE
            # the opening-hours question: a canned reply, sent through Plivo
            screen.contacts.select_key((normalize(SECOND), normalize(account)))
            await pilot.press("i", "ctrl+t")
            await wait_for(pilot, lambda: isinstance(app.screen, TemplatePicker), what="templates")
            await pilot.press(*"hours", "enter", "enter")
            await wait_for(pilot, lambda: state(screen, SECOND) is Triage.ANSWERED, what="answered")
            await wait_for(
                pilot,
                lambda: any(not r.inbound and r.customer == normalize(SECOND)
                            for r in server.account.records()),
                what="sent through the Plivo simulator",
            )
            assert session.ui_store.triage_mark(NEW_CUSTOMER, account).done_upto is not None
