"""Plivo's signed posts to the receiver over real HTTP: inbound SMS/MMS and delivery reports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from receive_helpers import ACCOUNT, CUSTOMER, PLIVO_TOKEN, PLIVO_UUID, PUBLIC_URL, plivo_fields, running_receiver

from smschat.domain.model import DeliveryStatus, Direction, Message, Status
from smschat.domain.plivo_signature import NONCE_HEADER, SIGNATURE_HEADER, sign_v3, signature_headers


@pytest.fixture
def rx(tmp_path):
    with running_receiver(tmp_path) as running:
        yield running


def _params(fields: dict[str, str]) -> dict[str, list[str]]:
    return {k: [v] for k, v in fields.items()}


def test_signed_inbound_sms_is_stored(rx):
    response = rx.plivo("message", plivo_fields("Where is my parcel?"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert b"<Response>" in response.content
    [msg] = rx.store.thread(CUSTOMER, ACCOUNT)
    assert (msg.id, msg.body, msg.direction, msg.status) == (PLIVO_UUID, "Where is my parcel?", Direction.INBOUND,
                                                             Status.RECEIVED)
    assert msg.body_known and msg.media == ()
    assert rx.store.contacts([ACCOUNT])[0].waiting


def test_signed_inbound_mms_keeps_its_media_in_order(rx):
    fields = plivo_fields("", Type="mms", Body="Photo of the damage", MediaCount="3",
                          Media1="https://media.plivo.com/a/1.jpg", Media2="https://media.plivo.com/a/2.png",
                          Media3="https://media.plivo.com/a/3.mp4")
    del fields["Text"]
    fields = dict(reversed(list(fields.items())))  # field order on the wire does not matter
    assert rx.plivo("message", fields).status_code == 200
    msg = rx.store.get_message(PLIVO_UUID)
    assert msg.body == "Photo of the damage"
    assert msg.media == ("https://media.plivo.com/a/1.jpg", "https://media.plivo.com/a/2.png",
                         "https://media.plivo.com/a/3.mp4")


def test_mms_media_numbered_from_zero_and_beyond_nine(rx):
    media = {f"Media{i}": f"https://m.example/{i}" for i in range(12)}
    assert rx.plivo("message", plivo_fields("x", Type="mms", MediaCount="12", **media)).status_code == 200
    assert rx.store.get_message(PLIVO_UUID).media == tuple(f"https://m.example/{i}" for i in range(12))


def test_missing_signature_is_403_and_stores_nothing(rx):
    version = rx.store.data_version()
    assert rx.plivo("message", plivo_fields(), headers={}).status_code == 403
    nonce_only = {NONCE_HEADER: "12345678901234567890"}
    assert rx.plivo("message", plivo_fields(), headers=nonce_only).status_code == 403
    fields = plivo_fields()
    signature_only = {SIGNATURE_HEADER: sign_v3(PLIVO_TOKEN, f"{PUBLIC_URL}/plivo/message", "1", _params(fields))}
    assert rx.plivo("message", fields, headers=signature_only).status_code == 403
    assert rx.store.get_message(PLIVO_UUID) is None
    assert rx.store.data_version() == version


def test_wrong_signature_is_403_and_stores_nothing(rx):
    assert rx.plivo("message", plivo_fields(), token="someone-elses-token").status_code == 403
    headers = {NONCE_HEADER: "12345678901234567890", SIGNATURE_HEADER: "bm90IGEgc2lnbmF0dXJl"}
    assert rx.plivo("message", plivo_fields(), headers=headers).status_code == 403
    assert rx.plivo("message", plivo_fields(), headers={**headers, SIGNATURE_HEADER: "garbage,,,=="}).status_code == 403
    assert rx.store.get_message(PLIVO_UUID) is None


def test_signature_over_another_url_is_403(rx):
    # signed for the right path on another host, and for another path on the right host
    assert rx.plivo("message", plivo_fields(), signed_url="https://evil.example/plivo/message").status_code == 403
    assert rx.plivo("message", plivo_fields(), signed_url=f"{PUBLIC_URL}/plivo/status").status_code == 403
    assert rx.store.get_message(PLIVO_UUID) is None


def test_replayed_signature_with_another_body_or_nonce_is_403(rx):
    original = plivo_fields("hello")
    headers = signature_headers(PLIVO_TOKEN, f"{PUBLIC_URL}/plivo/message", _params(original))
    tampered = {**original, "Text": "send me your password"}
    assert rx.plivo("message", tampered, headers=headers).status_code == 403
    added = {**original, "Extra": "1"}
    assert rx.plivo("message", added, headers=headers).status_code == 403
    other_nonce = {**headers, NONCE_HEADER: "09876543210987654321"}
    assert rx.plivo("message", original, headers=other_nonce).status_code == 403
    assert rx.store.get_message(PLIVO_UUID) is None
    # the genuine request still passes, and replaying it exactly changes nothing more
    assert rx.plivo("message", original, headers=headers).status_code == 200
    stored = rx.store.get_message(PLIVO_UUID)
    version = rx.store.data_version()
    assert rx.plivo("message", original, headers=headers).status_code == 200
    assert rx.store.get_message(PLIVO_UUID) == stored
    assert rx.store.data_version() == version


def test_a_status_body_replayed_to_the_message_url_is_403(rx):
    status = {"MessageUUID": PLIVO_UUID, "Status": "delivered", "To": CUSTOMER, "From": ACCOUNT}
    headers = signature_headers(PLIVO_TOKEN, f"{PUBLIC_URL}/plivo/status", _params(status))
    assert rx.plivo("message", status, headers=headers).status_code == 403


def test_duplicate_deliveries_are_stored_once(rx):
    for _ in range(3):  # each retry has a fresh nonce and signature
        assert rx.plivo("message", plivo_fields("just once")).status_code == 200
    assert rx.store.thread_count(CUSTOMER, ACCOUNT) == 1
    assert rx.store.contacts([ACCOUNT])[0].unread == 1


def test_a_listed_record_without_text_gets_the_text_and_keeps_its_time(rx):
    at = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    listed = Message(id=PLIVO_UUID, to_number=ACCOUNT, from_number=CUSTOMER, body="", direction=Direction.INBOUND,
                     status=Status.RECEIVED, requested_at=at, body_known=False)
    rx.store.upsert_messages([listed])
    assert rx.plivo("message", plivo_fields("now we know")).status_code == 200
    msg = rx.store.get_message(PLIVO_UUID)
    assert (msg.body, msg.body_known, msg.requested_at) == ("now we know", True, at)


def _sent(uuid: str = PLIVO_UUID) -> Message:
    return Message(id=uuid, to_number=CUSTOMER, from_number=ACCOUNT, body="Your order shipped",
                   direction=Direction.OUTBOUND, status=Status.QUEUED, requested_at=datetime.now(UTC))


@pytest.mark.parametrize(("state", "status", "delivery"), [
    ("queued", Status.QUEUED, DeliveryStatus.UNKNOWN),
    ("sent", Status.SENT, DeliveryStatus.UNKNOWN),
    ("delivered", Status.SENT, DeliveryStatus.DELIVERED),
    ("read", Status.SENT, DeliveryStatus.DELIVERED),
    ("undelivered", Status.SENT, DeliveryStatus.UNDELIVERED),
    ("failed", Status.FAILURE, DeliveryStatus.UNKNOWN),
    ("rejected", Status.FAILURE, DeliveryStatus.UNKNOWN),
])
def test_delivery_reports_map_onto_statuses(rx, state, status, delivery):
    rx.store.upsert_messages([_sent()])
    response = rx.plivo("status", {"MessageUUID": PLIVO_UUID, "Status": state, "To": CUSTOMER, "From": ACCOUNT,
                                   "ErrorCode": "", "Units": "1"})
    assert response.status_code == 200
    stored = rx.store.get_message(PLIVO_UUID)
    assert (stored.status, stored.delivery) == (status, delivery)


def test_a_failed_report_keeps_the_error_code(rx):
    rx.store.upsert_messages([_sent()])
    rx.plivo("status", {"MessageUUID": PLIVO_UUID, "Status": "undelivered", "ErrorCode": "200"})
    stored = rx.store.get_message(PLIVO_UUID)
    assert stored.delivery is DeliveryStatus.UNDELIVERED
    assert stored.error == "200: recipient replied STOP"
    rx.store.upsert_messages([_sent("11111111-2222-3333-4444-555555555555")])
    rx.plivo("status", {"MessageUUID": "11111111-2222-3333-4444-555555555555", "Status": "failed"})
    assert rx.store.get_message("11111111-2222-3333-4444-555555555555").error == "failed (no error code)"


def test_an_unsigned_delivery_report_changes_nothing(rx):
    rx.store.upsert_messages([_sent()])
    before = rx.store.get_message(PLIVO_UUID)
    assert rx.plivo("status", {"MessageUUID": PLIVO_UUID, "Status": "delivered"}, headers={}).status_code == 403
    assert rx.plivo("status", {"MessageUUID": PLIVO_UUID, "Status": "delivered"}, token="x" * 20).status_code == 403
    assert rx.store.get_message(PLIVO_UUID) == before


def test_plivo_routes_do_not_exist_without_a_token(tmp_path):
    with running_receiver(tmp_path, plivo_token="") as rx:
        assert rx.plivo("message", plivo_fields()).status_code == 404
        assert rx.plivo("status", {"MessageUUID": PLIVO_UUID, "Status": "sent"}).status_code == 404


def test_a_public_url_with_a_path_works_whether_or_not_the_proxy_strips_it(tmp_path):
    public = "https://example.com/sms"
    with running_receiver(tmp_path, public_url=public) as rx:
        headers = signature_headers(PLIVO_TOKEN, f"{public}/plivo/message", _params(plivo_fields("stripped")))
        assert rx.post("/plivo/message", plivo_fields("stripped"), headers=headers).status_code == 200
        other = plivo_fields("kept", uuid="11111111-2222-3333-4444-555555555555")
        headers = signature_headers(PLIVO_TOKEN, f"{public}/plivo/message", _params(other))
        assert rx.post("/sms/plivo/message", other, headers=headers).status_code == 200
        assert rx.store.thread_count(CUSTOMER, ACCOUNT) == 2


def test_a_query_string_is_part_of_what_is_signed(rx):
    fields = plivo_fields("with query")
    signed = signature_headers(PLIVO_TOKEN, f"{PUBLIC_URL}/plivo/message?tag=a", _params(fields))
    assert rx.post("/plivo/message?tag=a", fields, headers=signed).status_code == 200
    assert rx.post("/plivo/message?tag=b", fields, headers=signed).status_code == 403


def test_unusable_but_signed_posts_are_400(rx):
    assert rx.plivo("message", plivo_fields(Type="voice")).status_code == 400
    assert rx.plivo("message", plivo_fields(uuid="")).status_code == 400
    assert rx.plivo("status", {"MessageUUID": PLIVO_UUID, "Status": "teleported"}).status_code == 400
    assert rx.store.get_message(PLIVO_UUID) is None
