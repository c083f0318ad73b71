"""End to end over loopback HTTP: the Plivo simulator's signed webhooks reach the store through the
receiver (inbound SMS and MMS, status callbacks of a send that carried `url`, duplicate deliveries)."""

from __future__ import annotations

import asyncio

import pytest
from receive_helpers import running_receiver, wait_until

from smschat.domain.model import DeliveryStatus, Direction, Status
from smschat.domain.numbers import normalize
from smschat.providers.plivo import PlivoProvider
from smschat.sim.plivo_account import PlivoAccount
from smschat.sim.plivo_server import PlivoSimServer
from smschat.store import Store
from smschat.sync import SyncEngine

AUTH_ID = "MARECEIVERTEST000001"
TOKEN = "receiver-test-token"
MAIN = "14155550100"
CUSTOMER = "14155550123"


@pytest.fixture
def sim():
    with PlivoSimServer(PlivoAccount(AUTH_ID, TOKEN, [MAIN]), speed=20.0) as server:
        yield server


@pytest.fixture
def rx(tmp_path, sim):
    # the simulator calls the receiver directly on loopback, so that is also the URL it signs
    with running_receiver(tmp_path, plivo_token=TOKEN, public_url=None) as running:
        sim.account.message_url = f"{running.url}/plivo/message"
        yield running


def test_inbound_sms_and_mms_arrive_with_text_and_media(sim, rx):
    sms = sim.account.inject_inbound(CUSTOMER, MAIN, "Do you ship to Canada?")
    mms = sim.account.inject_inbound(CUSTOMER, MAIN, "This one, in blue",
                                     media=("https://media.example/p/1.jpg", "https://media.example/p/2.jpg"))
    wait_until(lambda: rx.store.get_message(sms) and rx.store.get_message(mms), what="both webhooks stored")
    first, second = rx.store.get_message(sms), rx.store.get_message(mms)
    assert (first.body, first.direction, first.body_known) == ("Do you ship to Canada?", Direction.INBOUND, True)
    assert second.body == "This one, in blue"
    assert second.media == ("https://media.example/p/1.jpg", "https://media.example/p/2.jpg")
    assert [c.customer for c in rx.store.contacts([MAIN])] == [normalize(CUSTOMER)]
    assert all(d.status == 200 for d in sim.webhooks.deliveries)  # every signature was accepted


def test_duplicate_webhook_deliveries_are_stored_once(sim, rx):
    sim.webhooks.duplicate = 1.0  # every delivery is posted twice
    uuid = sim.account.inject_inbound(CUSTOMER, MAIN, "twice on the wire, once here")
    wait_until(lambda: len([d for d in sim.webhooks.deliveries if d.kind == "inbound"]) == 2, what="two posts")
    assert rx.store.thread_count(CUSTOMER, MAIN) == 1
    assert rx.store.get_message(uuid).body == "twice on the wire, once here"


def test_a_send_gets_its_delivery_report_through_the_receiver(sim, rx):
    callback = f"{rx.url}/plivo/status"

    async def send():
        store = Store.open(rx.path)
        provider = PlivoProvider(sim.url, AUTH_ID, TOKEN, numbers=[MAIN])
        engine = SyncEngine(provider, store, [MAIN], callback_url=callback)
        try:
            return await engine.send(CUSTOMER, MAIN, "Your parcel left the warehouse")
        finally:
            await provider.aclose()
            store.close()

    sent = asyncio.run(send())
    assert not sent.id.startswith("local:")
    wait_until(lambda: rx.store.get_message(sent.id).delivery is DeliveryStatus.DELIVERED,
               what="the delivery report via the receiver")
    stored = rx.store.get_message(sent.id)
    assert (stored.status, stored.body) == (Status.SENT, "Your parcel left the warehouse")
    reports = [d for d in sim.webhooks.deliveries if d.kind == "status"]
    assert reports and all(d.url == callback and d.status == 200 for d in reports)


def test_webhooks_signed_with_another_token_are_refused(sim, rx):
    sim.account.auth_token = "not-the-token-the-receiver-knows"  # the simulator signs with this one
    uuid = sim.account.inject_inbound(CUSTOMER, MAIN, "forged")
    wait_until(lambda: any(d.kind == "inbound" for d in sim.webhooks.deliveries), what="the post")
    assert {d.status for d in sim.webhooks.deliveries if d.kind == "inbound"} == {403}
    assert rx.store.get_message(uuid) is None
