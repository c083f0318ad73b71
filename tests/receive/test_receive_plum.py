"""Plum's posts to the receiver over real HTTP: inbound texts (application URL) and statuses (result URL)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from receive_helpers import ACCOUNT, CUSTOMER, PLUM_ID, PLUM_SECRET, plum_fields, running_receiver, wait_until

from smschat.domain.model import DeliveryStatus, Direction, Message, Status
from smschat.receive import writer


@pytest.fixture
def rx(tmp_path):
    with running_receiver(tmp_path) as running:
        yield running


def test_inbound_text_is_stored_and_visible_to_another_connection(rx):
    version = rx.store.data_version()
    response = rx.plum_inbound(plum_fields("Is my order ready?"))
    assert response.status_code == 200
    assert response.content == b'<?xml version="1.0"?><reply/>'
    assert response.headers["content-type"].startswith("text/xml")
    assert rx.store.data_version() != version  # what the TUI polls once a second
    [contact] = rx.store.contacts([ACCOUNT])
    assert contact.customer == CUSTOMER and contact.unread == 1 and contact.waiting
    [msg] = rx.store.thread(CUSTOMER, ACCOUNT)
    assert (msg.id, msg.body, msg.direction, msg.status) == (PLUM_ID, "Is my order ready?", Direction.INBOUND,
                                                             Status.RECEIVED)
    assert msg.from_number == CUSTOMER and msg.to_number == ACCOUNT  # raw, as posted
    assert msg.requested_at is not None and msg.requested_at.tzinfo is not None


def test_duplicate_delivery_is_stored_once_and_keeps_its_first_time(rx):
    assert rx.plum_inbound(plum_fields("once")).status_code == 200
    [first] = rx.store.thread(CUSTOMER, ACCOUNT)
    version = rx.store.data_version()
    for _ in range(3):  # the provider retries
        assert rx.plum_inbound(plum_fields("once")).status_code == 200
    assert rx.store.thread(CUSTOMER, ACCOUNT) == [first]
    assert rx.store.thread_count(CUSTOMER, ACCOUNT) == 1
    assert rx.store.contacts([ACCOUNT])[0].unread == 1
    assert rx.store.data_version() == version  # nothing was written at all


def test_a_record_the_sync_engine_stored_keeps_the_providers_time(rx):
    at = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    synced = Message(id=PLUM_ID, to_number=ACCOUNT, from_number=CUSTOMER, body="hi", direction=Direction.INBOUND,
                     status=Status.RECEIVED, requested_at=at, responded_at=at)
    rx.store.upsert_messages([synced])
    assert rx.plum_inbound(plum_fields("hi")).status_code == 200
    assert rx.store.thread(CUSTOMER, ACCOUNT) == [synced]


@pytest.mark.parametrize("secret", ["wrong", PLUM_SECRET[:-1], PLUM_SECRET + "x", PLUM_SECRET.upper(), ""])
def test_a_wrong_secret_is_a_plain_404_and_stores_nothing(rx, secret):
    for route in ("inbound", "status"):
        response = rx.post(f"/plum/{route}/{secret}", plum_fields())
        assert response.status_code == 404
        assert response.text == "Not Found\n"  # the same as any unknown path: no hint
    assert rx.post("/nothing/here", plum_fields()).text == "Not Found\n"
    assert rx.store.get_message(PLUM_ID) is None


def test_plum_routes_do_not_exist_without_a_secret(tmp_path):
    with running_receiver(tmp_path, plum_secret="") as rx:
        assert rx.post("/plum/inbound/", plum_fields()).status_code == 404
        assert rx.post("/plum/inbound/anything", plum_fields()).status_code == 404


def test_only_post_is_allowed(rx):
    with __import__("httpx").Client() as client:
        response = client.get(f"{rx.url}/plum/inbound/{PLUM_SECRET}")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def _outbound(msg_id: str = PLUM_ID) -> Message:
    return Message(id=msg_id, to_number=CUSTOMER, from_number=ACCOUNT, body="Your order shipped",
                   direction=Direction.OUTBOUND, status=Status.QUEUED, requested_at=datetime.now(UTC))


def test_status_posts_update_the_delivery_and_never_downgrade(rx):
    rx.store.upsert_messages([_outbound()])
    response = rx.plum_status({"sms_message_id": PLUM_ID, "status": "sent"})
    assert response.status_code == 200
    assert rx.store.get_message(PLUM_ID).status is Status.SENT
    assert rx.plum_status({"sms_message_id": PLUM_ID, "status": "sent", "delivery_status": "delivered"}).status_code == 200
    stored = rx.store.get_message(PLUM_ID)
    assert (stored.status, stored.delivery) == (Status.SENT, DeliveryStatus.DELIVERED)
    assert rx.store.pending_status(datetime.now(UTC)) == []  # final: nothing left to poll
    # a late, stale post does not undo it
    assert rx.plum_status({"sms_message_id": PLUM_ID, "status": "queued"}).status_code == 200
    assert rx.store.get_message(PLUM_ID).delivery is DeliveryStatus.DELIVERED


def test_status_for_a_failed_send_and_for_an_undelivered_one(rx):
    rx.store.upsert_messages([_outbound("a" * 32), _outbound("b" * 32)])
    rx.plum_status({"sms_message_id": "a" * 32, "status": "failure"})
    rx.plum_status({"sms_message_id": "b" * 32, "status": "sent", "delivery_status": "undelivered"})
    assert rx.store.get_message("a" * 32).status is Status.FAILURE
    assert rx.store.get_message("b" * 32).delivery is DeliveryStatus.UNDELIVERED
    assert rx.store.contacts([ACCOUNT])[0].failed == 2


def test_a_status_that_beats_the_send_answer_is_applied_when_the_record_arrives(rx, monkeypatch):
    monkeypatch.setattr(writer, "PARK_RETRY", 0.05)
    response = rx.plum_status({"sms_message_id": PLUM_ID, "status": "sent", "delivery_status": "delivered"})
    assert response.status_code == 200
    assert rx.app.writer.parked == 1
    rx.store.upsert_messages([_outbound()])  # the send's own answer is stored a moment later
    wait_until(lambda: rx.store.get_message(PLUM_ID).delivery is DeliveryStatus.DELIVERED, what="parked status")
    wait_until(lambda: rx.app.writer.parked == 0, what="parked status to be dropped")


def test_a_parked_status_for_a_message_that_never_comes_is_dropped(rx, monkeypatch):
    monkeypatch.setattr(writer, "PARK_RETRY", 0.02)
    monkeypatch.setattr(writer, "PARK_SECONDS", 0.1)
    rx.plum_status({"sms_message_id": PLUM_ID, "status": "sent"})
    wait_until(lambda: rx.app.writer.parked == 0, what="the parked status to expire")
    assert rx.store.get_message(PLUM_ID) is None


@pytest.mark.parametrize("fields", [
    {"to": ACCOUNT, "from": CUSTOMER, "body": "no id"},
    {"sms_message_id": "", "to": ACCOUNT, "from": CUSTOMER, "body": "blank id"},
    {"sms_message_id": "local:" + "0" * 32, "to": ACCOUNT, "from": CUSTOMER, "body": "an outbox id"},
    {"sms_message_id": "x" * 200, "to": ACCOUNT, "from": CUSTOMER, "body": "too long an id"},
    {"sms_message_id": PLUM_ID, "to": ACCOUNT, "from": "not a number", "body": "no digits"},
    {"sms_message_id": PLUM_ID, "from": CUSTOMER, "body": "no to"},
])
def test_unusable_inbound_posts_are_400_and_store_nothing(rx, fields):
    assert rx.plum_inbound(fields).status_code == 400
    assert rx.store.contacts([]) == []


@pytest.mark.parametrize("fields", [
    {"status": "sent"},
    {"sms_message_id": PLUM_ID, "status": "exploded"},
    {"sms_message_id": PLUM_ID, "status": "sent", "delivery_status": "maybe"},
    {"sms_message_id": PLUM_ID, "status": "received"},
])
def test_unusable_status_posts_are_400_and_change_nothing(rx, fields):
    rx.store.upsert_messages([_outbound()])
    before = rx.store.get_message(PLUM_ID)
    assert rx.plum_status(fields).status_code == 400
    assert rx.store.get_message(PLUM_ID) == before


HOSTILE = [
    "\x1b[2J\x1b]0;pwned\x07[bold red]markup[/] <script>alert(1)</script>",
    "null\x00byte \u202eevil\u202c \ud83d\ude00 " + "\u0301" * 50,
    "line one\r\nline two\n\n" + "x" * 5000,
    "' OR 1=1; DROP TABLE messages; --",
]


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_fields_are_stored_as_data(rx, body):
    body = body.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    assert rx.plum_inbound(plum_fields(body)).status_code == 200
    [msg] = rx.store.thread(CUSTOMER, ACCOUNT)
    assert msg.body == body  # byte for byte: the UI sanitises on display
    assert rx.store.contacts([ACCOUNT], search="DROP TABLE" if "DROP" in body else "")[0].customer == CUSTOMER


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def log_lines():
    logger = logging.getLogger("smschat.receive")
    handler, level = _Lines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_the_log_has_one_line_per_request_without_secret_or_body(rx, log_lines):
    rx.store.upsert_messages([_outbound("c" * 32)])
    rx.plum_inbound(plum_fields("a very private text"))
    rx.plum_status({"sms_message_id": "c" * 32, "status": "sent"})
    rx.post("/plum/inbound/" + PLUM_SECRET[:-2] + "zz", plum_fields("guess"))
    rx.post("/plum/inbound/" + PLUM_SECRET + "/deeper", plum_fields("guess"))
    rx.plum_inbound({"to": ACCOUNT})
    lines = list(log_lines)
    assert len(lines) == 5
    text = "\n".join(lines)
    assert PLUM_SECRET not in text and PLUM_SECRET[:10] not in text
    assert "private" not in text and "guess" not in text
    assert lines[0].endswith(f"POST /plum/inbound/*** 200 {PLUM_ID}")
    assert lines[1].endswith(f"POST /plum/status/*** 200 {'c' * 32}")
    assert lines[2].endswith("POST /plum/inbound/*** 404 -")
    assert lines[3].endswith("POST /plum/inbound/*** 404 -")
    assert lines[4].endswith("POST /plum/inbound/*** 400 -")
    assert lines[0][:20].endswith("Z") and lines[0][4] == "-"  # an ISO UTC time first
