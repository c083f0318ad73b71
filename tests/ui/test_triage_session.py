"""A whole triage session, keys only, against the simulator over real HTTP (issue 6's acceptance):
five customers text in while the app runs, the agent works the waiting queue oldest first, names
one customer, replies to three with canned replies (one edited before sending), marks one done and
snoozes one; after a restart the state is the same, and nothing was sent twice."""

from __future__ import annotations

import time

from chat_harness import make_app, rendered, session_on, wait_for

from smschat.domain.numbers import normalize
from smschat.domain.triage import Triage, ViewKind, triage
from smschat.sim import SimAccount, SimServer
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.screens.templates import TemplatePicker

SHOP = "6175550100"
REGULAR = "2125550100"  # an old conversation, answered: must stay out of the queue
CUSTOMERS = ["2125550111", "2125550122", "2125550133", "2125550144", "2125550155"]


def state(screen: ChatScreen, number: str) -> Triage:
    contact = next(c for c in screen._all if c.customer == normalize(number))
    return triage(contact, screen.session.clock())


def outbound_to(account: SimAccount, number: str) -> list[str]:
    return [m.body for m in account.messages() if m.direction == "outbound" and normalize(m.customer) == normalize(number)]


async def test_a_triage_session_with_keys_only_survives_a_restart(tmp_path):
    account = SimAccount("agent", "s3cret", (SHOP,))
    account.inject_inbound(REGULAR, SHOP, "thanks for the tune-up!", at=time.time() - 7200)
    server = SimServer(account)
    with session_on(server, tmp_path) as (session, _):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced,
                           what="first sync")
            screen = app.screen
            await pilot.press("tab")  # the thread: single keys act on the open conversation
            await pilot.press("d")  # the old one: done, no reply needed
            # five customers text in, a few seconds apart (the first has waited longest)
            now = time.time()
            for i, number in enumerate(CUSTOMERS):
                account.inject_inbound(number, SHOP, f"hello from customer {i + 1}", at=now - 50 + i * 10)
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: "5 waiting" in rendered(screen.status), what="five waiting")

            # the waiting view: oldest first
            await pilot.press("v", "w")
            assert screen.view.kind is ViewKind.WAITING
            assert [c.customer for c in screen.contacts.contacts] == [normalize(n) for n in CUSTOMERS]

            # 1: the longest-waiting customer; name them, then a canned reply with their name in it
            await pilot.press("N")
            assert screen.open_key[0] == normalize(CUSTOMERS[0])
            await pilot.press("escape", "a", *"Dana Whitfield", "enter")
            await pilot.press("i", "ctrl+t")
            await wait_for(pilot, lambda: isinstance(app.screen, TemplatePicker), what="template picker")
            await pilot.press(*"pickup", "enter")
            assert screen.composer.text.startswith("Hi Dana, good news: your bike is ready for pickup")
            await pilot.press("enter")
            await wait_for(pilot, lambda: state(screen, CUSTOMERS[0]) is Triage.ANSWERED, what="reply 1")

            # 2: next waiting, a canned reply as it is
            await pilot.press("escape", "n")
            assert screen.open_key[0] == normalize(CUSTOMERS[1])
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: isinstance(app.screen, TemplatePicker), what="template picker")
            await pilot.press(*"hours", "enter", "enter")
            await wait_for(pilot, lambda: state(screen, CUSTOMERS[1]) is Triage.ANSWERED, what="reply 2")

            # 3: a canned reply edited before sending
            await pilot.press("escape", "n")
            assert screen.open_key[0] == normalize(CUSTOMERS[2])
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: isinstance(app.screen, TemplatePicker), what="template picker")
            await pilot.press(*"book", "enter", *" (Tue or Wed best)", "enter")
            await wait_for(pilot, lambda: state(screen, CUSTOMERS[2]) is Triage.ANSWERED, what="reply 3")

            # 4: done without a reply; the queue moves on to 5 by itself
            await pilot.press("escape", "n", "escape")
            assert screen.open_key[0] == normalize(CUSTOMERS[3])
            await pilot.press("d")
            assert state(screen, CUSTOMERS[3]) is Triage.DONE
            assert screen.open_key[0] == normalize(CUSTOMERS[4])

            # 5: snoozed until tomorrow morning
            await pilot.press("z", "t")
            assert state(screen, CUSTOMERS[4]) is Triage.SNOOZED
            assert "no one waiting" in rendered(screen.status)

            # the replies went out once each, through the simulator
            await wait_for(pilot, lambda: all(outbound_to(account, n) for n in CUSTOMERS[:3]), what="replies sent")
            assert outbound_to(account, CUSTOMERS[0])[0].startswith("Hi Dana, good news")
            assert outbound_to(account, CUSTOMERS[1])[0].startswith("Hi there! Spoke & Chain is open")
            assert outbound_to(account, CUSTOMERS[2])[0].endswith("Spoke & Chain (Tue or Wed best)")

    # a restart on the same store: everything is where the agent left it
    server = SimServer(account)
    with session_on(server, tmp_path) as (session, _):
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced,
                           what="first sync after restart")
            screen = app.screen
            await wait_for(pilot, lambda: len(screen._all) == 6, what="contacts")
            assert [state(screen, n) for n in CUSTOMERS] == [Triage.ANSWERED] * 3 + [Triage.DONE, Triage.SNOOZED]
            assert state(screen, REGULAR) is Triage.DONE
            assert "no one waiting" in rendered(screen.status)
            assert next(c for c in screen._all if c.customer == normalize(CUSTOMERS[0])).name == "Dana Whitfield"
            for number in CUSTOMERS[:3]:
                assert len(outbound_to(account, number)) == 1  # sent once, never again on restart
            for number in CUSTOMERS[3:]:
                assert outbound_to(account, number) == []
