"""The Plivo simulator's webhooks: inbound texts and status callbacks, posted to a real loopback
server, signed with real V3 signatures, retried on failure, optionally duplicated."""

from __future__ import annotations

import httpx
import pytest
from plivo_sim_helpers import AUTH_ID, CUSTOMER, MAIN, TOKEN, Catcher, FakeClock, wait_for

from smschat.domain.plivo_signature import NONCE_HEADER, SIGNATURE_HEADER, verify_v2, verify_v3
from smschat.sim.plivo_account import PlivoAccount
from smschat.sim.plivo_demo import PLIVO_DEMO_AUTH_ID, PLIVO_DEMO_AUTH_TOKEN, known_messages, make_plivo_demo_server
from smschat.sim.plivo_server import PlivoSimServer

PATH = f"/v1/Account/{AUTH_ID}/Message/"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def account(clock):
    return PlivoAccount(AUTH_ID, TOKEN, [MAIN], clock=clock)


@pytest.fixture
def server(account, clock):
    with PlivoSimServer(account, clock=clock, webhook_retries=2, webhook_retry_delay=0.0) as running:
        yield running


def signed_ok(caught, url):
    headers = {k.lower(): v for k, v in caught.headers.items()}
    params = caught.form if caught.method == "POST" else None
    full = url if caught.method == "POST" else f"http://127.0.0.1:{url.split(':')[2].split('/')[0]}{caught.path}"
    return verify_v3(TOKEN, full, headers[NONCE_HEADER.lower()], headers[SIGNATURE_HEADER.lower()], params,
                     caught.method)


def test_an_inbound_text_is_posted_signed_to_the_message_url(server, account):
    with Catcher() as catcher:
        account.message_url = catcher.url("/plivo/message")
        uuid = account.inject_inbound(CUSTOMER, MAIN, "Is my bike ready? 🚲")
        assert wait_for(lambda: len(catcher.caught) == 1)
        got = catcher.caught[0]
        assert got.method == "POST" and got.path == "/plivo/message"
        assert got.form["From"] == CUSTOMER and got.form["To"] == MAIN and got.form["Type"] == "sms"
        assert got.form["Text"] == "Is my bike ready? 🚲" and got.form["MessageUUID"] == uuid
        assert {"Units", "TotalRate", "TotalAmount", "MessageIntent", "PowerpackUUID"} <= set(got.form)
        assert signed_ok(got, catcher.url("/plivo/message"))
        headers = {k.lower(): v for k, v in got.headers.items()}
        assert verify_v2(TOKEN, catcher.url("/plivo/message"), headers["x-plivo-signature-v2-nonce"],
                         headers["x-plivo-signature-v2"])
        # a replayed signature over a changed body does not verify
        assert not verify_v3(TOKEN, catcher.url("/plivo/message"), headers[NONCE_HEADER.lower()],
                             headers[SIGNATURE_HEADER.lower()], {**got.form, "Text": "forged"})
        assert wait_for(lambda: account.forwarded(uuid) == "delivered")


def test_an_inbound_mms_carries_body_media_count_and_media_urls(server, account):
    with Catcher() as catcher:
        account.message_url = catcher.url()
        media = ("https://media.example/1.jpg", "https://media.example/2.png")
        account.inject_inbound(CUSTOMER, MAIN, "two pics", media=media)
        assert wait_for(lambda: catcher.caught)
        form = catcher.caught[0].form
        assert form["Type"] == "mms" and form["Body"] == "two pics" and "Text" not in form
        assert (form["MediaCount"], form["Media1"], form["Media2"]) == ("2", *media)
        assert signed_ok(catcher.caught[0], catcher.url())


def test_stop_is_posted_with_its_intent(server, account):
    with Catcher() as catcher:
        account.message_url = catcher.url()
        account.inject_inbound(CUSTOMER, MAIN, "STOP")
        assert wait_for(lambda: catcher.caught)
        assert catcher.caught[0].form["MessageIntent"] == "optout"


def test_a_failing_message_url_is_retried_and_the_record_ends_undelivered(server, account):
    with Catcher(status=500) as catcher:
        account.message_url = catcher.url()
        uuid = account.inject_inbound(CUSTOMER, MAIN, "hello?")
        assert wait_for(lambda: len(catcher.caught) == 3)  # the first post and two retries
        assert wait_for(lambda: account.forwarded(uuid) == "undelivered")
        with httpx.Client(base_url=server.url, auth=(AUTH_ID, TOKEN)) as http:
            record = http.get(f"{PATH}{uuid}/").json()
        assert record["message_state"] == "undelivered" and "hello?" not in str(record)
        assert len({c.headers.get(NONCE_HEADER) for c in catcher.caught}) == 3  # each attempt signed anew


def test_without_a_message_url_an_inbound_record_stays_received(server, account):
    uuid = account.inject_inbound(CUSTOMER, MAIN, "nobody listens")
    with httpx.Client(base_url=server.url, auth=(AUTH_ID, TOKEN)) as http:
        assert http.get(f"{PATH}{uuid}/").json()["message_state"] == "received"
    assert server.webhooks.deliveries == []


def test_duplicate_deliveries_can_be_switched_on(server, account):
    server.webhooks.duplicate = 1.0
    with Catcher() as catcher:
        account.message_url = catcher.url()
        account.inject_inbound(CUSTOMER, MAIN, "once")
        assert wait_for(lambda: len(catcher.caught) == 2)
        assert catcher.caught[0].form == catcher.caught[1].form
        assert all(signed_ok(c, catcher.url()) for c in catcher.caught)


def test_status_callbacks_follow_the_message_signed(server, account, clock):
    with Catcher() as catcher, httpx.Client(base_url=server.url, auth=(AUTH_ID, TOKEN)) as http:
        url = catcher.url("/plivo/status")
        uuid = http.post(PATH, json={"src": MAIN, "dst": CUSTOMER, "text": "hi", "url": url}).json()["message_uuid"][0]
        assert wait_for(lambda: len(catcher.caught) == 1)
        clock.advance(1.5)
        assert wait_for(lambda: len(catcher.caught) == 2)
        clock.advance(2.0)
        assert wait_for(lambda: len(catcher.caught) == 3)
        forms = [c.form for c in catcher.caught]
        assert [f["Status"] for f in forms] == ["queued", "sent", "delivered"]
        assert [f["Sequence"] for f in forms] == ["1", "2", "3"]
        assert all(f["MessageUUID"] == uuid and f["To"] == CUSTOMER and f["From"] == MAIN for f in forms)
        assert "ErrorCode" not in forms[2] and forms[2]["DeliveryReportTime"]
        assert {"Units", "TotalRate", "TotalAmount", "MCC", "MNC", "ParentMessageUUID", "PartInfo", "MessageTime",
                "QueuedTime", "SentTime", "PowerpackUUID", "Type"} <= set(forms[0])
        assert all(signed_ok(c, url) for c in catcher.caught)


def test_a_failed_send_calls_back_with_its_error_code(server, account, clock):
    account.unsubscribed.add(CUSTOMER)
    with Catcher() as catcher, httpx.Client(base_url=server.url, auth=(AUTH_ID, TOKEN)) as http:
        http.post(PATH, json={"src": MAIN, "dst": CUSTOMER, "text": "hi", "url": catcher.url()})
        clock.advance(5)
        assert wait_for(lambda: len(catcher.caught) == 2)
        assert [(c.form["Status"], c.form.get("ErrorCode")) for c in catcher.caught] == [("queued", None),
                                                                                         ("failed", "200")]


def test_get_callbacks_put_the_fields_in_the_signed_query(server, account, clock):
    with Catcher() as catcher, httpx.Client(base_url=server.url, auth=(AUTH_ID, TOKEN)) as http:
        http.post(PATH, json={"src": MAIN, "dst": CUSTOMER, "text": "hi", "url": catcher.url("/s?tag=a"),
                              "method": "GET"})
        assert wait_for(lambda: catcher.caught)
        got = catcher.caught[0]
        assert got.method == "GET" and got.fields["Status"] == "queued" and got.fields["tag"] == "a"
        assert signed_ok(got, catcher.url("/s"))


def test_every_unit_of_a_long_send_calls_back(server, account):
    with Catcher() as catcher, httpx.Client(base_url=server.url, auth=(AUTH_ID, TOKEN)) as http:
        uuids = http.post(PATH, json={"src": MAIN, "dst": CUSTOMER, "text": "a" * 200,
                                      "url": catcher.url()}).json()["message_uuid"]
        assert wait_for(lambda: len(catcher.caught) == 2)
        assert {c.form["MessageUUID"] for c in catcher.caught} == set(uuids)
        assert {c.form["ParentMessageUUID"] for c in catcher.caught} == {uuids[0]}
        assert sorted(c.form["PartInfo"] for c in catcher.caught) == ["1 of 2", "2 of 2"]


def test_the_demo_account_is_believable_and_honest_about_texts():
    server = make_plivo_demo_server(lively=False)
    account = server.account
    assert (account.auth_id, account.auth_token) == (PLIVO_DEMO_AUTH_ID, PLIVO_DEMO_AUTH_TOKEN)
    records = account.records()
    assert len(records) > 60
    known = server.history.known
    assert 0 < len(known) < len(records)  # some history was never seen by the client
    states = {r.state(account.now(), account.forwarded(r.uuid)) for r in records}
    assert {("failed", "200"), ("undelivered", "70"), ("undelivered", "80"), ("failed", "30"),
            ("undelivered", "420"), ("sent", "")} <= states
    assert any(r.media for r in records)
    messages = known_messages(account, server.history)
    assert {m.id for m in messages} == set(known) and all(m.body_known for m in messages)
    assert any(m.media for m in messages)
    again = make_plivo_demo_server(lively=False)
    assert [r.text for r in again.account.records()] == [r.text for r in records]  # deterministic


def test_demo_server_serves_and_lively_customers_answer_through_the_message_url():
    with Catcher() as catcher:
        server = make_plivo_demo_server(lively=True, speed=50.0, message_url=catcher.url())
        with server, httpx.Client(base_url=server.url, auth=(PLIVO_DEMO_AUTH_ID, PLIVO_DEMO_AUTH_TOKEN)) as http:
            path = f"/v1/Account/{PLIVO_DEMO_AUTH_ID}/Message/"
            assert http.get(path).status_code == 200
            sent = http.post(path, json={"src": "16175550100", "dst": "16175550123", "text": "Your bike is ready!"})
            assert sent.status_code == 202
            assert wait_for(lambda: any(c.form.get("From") == "16175550123" for c in catcher.caught), timeout=10)
