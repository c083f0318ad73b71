"""End to end over loopback HTTP: the Plum simulator posts to the receiver, which feeds the store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from receive_helpers import PLUM_SECRET, running_receiver, wait_until

from smschat.domain.model import DeliveryStatus, Direction, Status
from smschat.domain.numbers import normalize
from smschat.providers.plum import PlumProvider
from smschat.sim import SimAccount, SimServer
from smschat.store import Store
from smschat.sync import SyncEngine

ACCOUNT = "2435678910"
CUSTOMER = "9998881234"


@pytest.fixture
def sim():
    with SimServer(SimAccount("agent", "pw", [ACCOUNT]), speed=20.0) as server:
        yield server


def test_an_injected_inbound_text_reaches_the_store_through_the_receiver(tmp_path, sim):
    with running_receiver(tmp_path) as rx:
        sim.account.app_url = f"{rx.url}/plum/inbound/{PLUM_SECRET}"
        msg_id = sim.account.inject_inbound(CUSTOMER, ACCOUNT, "Hi, is the shop open today?")
        wait_until(lambda: rx.store.get_message(msg_id) is not None, what="the inbound text in the store")
        [contact] = rx.store.contacts([ACCOUNT])
        assert contact.customer == normalize(CUSTOMER) and contact.unread == 1
        stored = rx.store.get_message(msg_id)
        assert (stored.body, stored.direction) == ("Hi, is the shop open today?", Direction.INBOUND)


def test_a_send_with_result_url_gets_its_statuses_through_the_receiver(tmp_path, sim):
    with running_receiver(tmp_path) as rx:
        callback = f"{rx.url}/plum/status/{PLUM_SECRET}"

        async def send():
            store = Store.open(rx.path)
            provider = PlumProvider(sim.url, "agent", "pw", numbers=[ACCOUNT])
            engine = SyncEngine(provider, store, [ACCOUNT], callback_url=callback)
            try:
                sent = await engine.send(CUSTOMER, ACCOUNT, "Your order has shipped")
                due = store.status_due(datetime.now(UTC))
                return sent, due
            finally:
                await provider.aclose()
                store.close()

        sent, due = asyncio.run(send())
        assert sent.status is Status.QUEUED and not sent.id.startswith("local:")
        assert due == []  # the provider will report: no status poll right away
        queued = [params for method, path, params, _ in sim.account.request_log if path.endswith("/queue.json")]
        assert queued and queued[0]["result_url"] == callback
        wait_until(lambda: rx.store.get_message(sent.id).delivery is DeliveryStatus.DELIVERED,
                   what="the delivery report via the receiver")
        assert rx.store.get_message(sent.id).status is Status.SENT
