import pytest
from sim_helpers import ACCOUNT_A, CUSTOMER, T0, FakeClock, items, parse, queue

from smschat.sim import SimAccount, SimServer


def status(client, fmt, message_id):
    response = client.get(f"/status.{fmt}/{message_id}")
    assert response.status_code == 200
    return parse(response, fmt)


def test_lifecycle_queued_sent_delivered(client, clock, fmt):
    [item] = items(queue(client, fmt))
    message_id = item["sms_message_id"]
    first = status(client, fmt, message_id)["result"]
    assert first == {
        "sms_message_id": message_id, "to": "1" + CUSTOMER, "from": ACCOUNT_A, "body": "hello",
        "request_timestamp": str(T0), "response_timestamp": "", "status": "queued", "delivery_status": "",
    }
    clock.advance(1.0)
    sent = status(client, fmt, message_id)["result"]
    assert (sent["status"], sent["delivery_status"], sent["response_timestamp"]) == ("sent", "", str(T0 + 1))
    clock.advance(2.0)  # 3 s after queueing: the delivery status is known
    final = status(client, fmt, message_id)["result"]
    assert (final["status"], final["delivery_status"]) == ("sent", "delivered")


def test_status_values_are_strings_in_json(client):
    [item] = items(queue(client, "json"))
    result = status(client, "json", item["sms_message_id"])["result"]
    assert all(isinstance(value, str) for value in result.values())


@pytest.mark.parametrize(("bucket", "outcome"), [("undeliverable", "undelivered"), ("unconfirmed", "unconfirmed")])
def test_delivery_outcomes_for_marked_numbers(client, account, clock, bucket, outcome):
    getattr(account, bucket).add("1" + CUSTOMER)
    [item] = items(queue(client, "json"))
    clock.advance(3.0)
    result = status(client, "json", item["sms_message_id"])["result"]
    assert (result["status"], result["delivery_status"]) == ("sent", outcome)


def test_speed_scales_the_lifecycle():
    clock = FakeClock()
    account = SimAccount("u", "p", [ACCOUNT_A])
    with SimServer(account, speed=10, clock=clock) as server:
        import httpx

        with httpx.Client(base_url=server.url, auth=("u", "p")) as client:
            [item] = items(queue(client, "json"))
            clock.advance(0.1)
            assert status(client, "json", item["sms_message_id"])["result"]["status"] == "sent"
            clock.advance(0.2)
            assert status(client, "json", item["sms_message_id"])["result"]["delivery_status"] == "delivered"


def test_delivery_status_blank_after_seven_days(client, clock):
    [item] = items(queue(client, "json"))
    clock.advance(7 * 86400 - 1)
    assert status(client, "json", item["sms_message_id"])["result"]["delivery_status"] == "delivered"
    clock.advance(2)
    result = status(client, "json", item["sms_message_id"])["result"]
    assert (result["status"], result["delivery_status"]) == ("sent", "")


def test_inbound_status_is_received(client, account, fmt):
    message_id = account.inject_inbound(CUSTOMER, ACCOUNT_A, "hi there")
    result = status(client, fmt, message_id)["result"]
    assert (result["status"], result["delivery_status"]) == ("received", "")
    assert (result["from"], result["to"], result["body"]) == (CUSTOMER, ACCOUNT_A, "hi there")


def test_seeded_failure_reports_failure_and_undelivered(client, account):
    [record] = account.add_send(customer=CUSTOMER, account=ACCOUNT_A, body="x", at=T0 - 60, failed=True)
    result = status(client, "json", record.id)["result"]
    assert (result["status"], result["delivery_status"]) == ("failure", "undelivered")


def test_unknown_id_is_a_failure_envelope(client, fmt):
    envelope = status(client, fmt, "0" * 32)
    assert envelope == {"status": "failure", "error": "SMS message not found", "result": None}
