import json
import re

import pytest
from sim_helpers import ACCOUNT_A, ACCOUNT_B, CUSTOMER, T0, items, queue

from smschat.domain.segments import count_segments

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def test_queue_json_shape_and_types(client):
    response = client.post("/queue.json", data={"to": CUSTOMER, "from": ACCOUNT_A, "body": "This is a notification",
                                                "result_url": "http://example.invalid/r"})
    assert response.headers["content-type"].startswith("application/json")
    envelope = json.loads(response.content)
    assert (envelope["status"], envelope["error"]) == ("success", "")
    [item] = envelope["result"]["sms_messages"]
    assert list(item) == ["sms_message_id", "to", "from", "body", "request_timestamp", "result_url", "status"]
    assert HEX32.match(item["sms_message_id"])
    assert item["request_timestamp"] == T0 and isinstance(item["request_timestamp"], int)
    assert (item["to"], item["from"]) == ("1" + CUSTOMER, ACCOUNT_A)  # outbound `to` has the leading 1
    assert (item["body"], item["status"], item["result_url"]) == ("This is a notification", "queued", "http://example.invalid/r")


def test_queue_xml_shape(client):
    response = client.post("/queue.xml", data={"to": CUSTOMER, "from": ACCOUNT_A, "body": "a < b & c"})
    assert response.headers["content-type"].startswith("application/xml")
    text = response.text
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<error/>" in text and "<result_url/>" in text and "<sms_messages><sms_message>" in text
    assert "a &lt; b &amp; c" in text
    envelope = queue(client, "xml", body="second")
    [item] = items(envelope)
    assert item["request_timestamp"] == str(T0) and item["status"] == "queued"


def test_queued_message_is_stored(client, account, fmt):
    [item] = items(queue(client, fmt, to="+1 (999) 888-1234", frm="1" + ACCOUNT_B, body="hi"))
    record = account.get(item["sms_message_id"])
    assert record is not None and record.customer == "1" + CUSTOMER and record.account == "1" + ACCOUNT_B
    assert not record.inbound and record.body == "hi"


@pytest.mark.parametrize(
    ("body", "expected_parts"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("ж" * 70, 1),
        ("ж" * 71, 2),
        ("a" * 152 + "{" + "b" * 10, 2),  # the two-septet '{' moves whole to part 2
        ("😀" * 35, 1),
        ("x" + "😀" * 34, 1),  # 69 UTF-16 units fit in one part
        ("x" + "😀" * 35, 2),  # 71 units: split
    ],
)
def test_long_bodies_are_split_like_sms(client, account, body, expected_parts):
    parts = items(queue(client, "json", body=body))
    info = count_segments(body)
    assert len(parts) == info.parts == expected_parts
    assert "".join(p["body"] for p in parts) == body
    assert len({p["sms_message_id"] for p in parts}) == len(parts)
    assert len({p["request_timestamp"] for p in parts}) == 1
    assert len(account) == len(parts)


def test_gsm_parts_hold_153_septets_and_keep_extension_chars_whole(client):
    body = "a" * 152 + "€" + "b" * 200
    parts = [p["body"] for p in items(queue(client, "json", body=body))]
    assert parts[0] == "a" * 152
    assert parts[1].startswith("€")
    septets = [sum(2 if ch in "^{}\\[]~|€\f" else 1 for ch in p) for p in parts]
    assert all(s <= 153 for s in septets)


def test_ucs2_parts_never_split_a_surrogate_pair(client):
    body = "é" * 0 + "ж" * 66 + "😀" + "ж" * 10
    parts = [p["body"] for p in items(queue(client, "json", body=body))]
    assert parts[0] == "ж" * 66 and parts[1].startswith("😀")
    assert all(len(p.encode("utf-16-le")) // 2 <= 67 for p in parts)


def test_parts_list_in_order_by_id(client):
    parts = items(queue(client, "json", body="x" * 800))
    assert [p["sms_message_id"] for p in parts] == sorted(p["sms_message_id"] for p in parts)


def _failure(client, fmt, **fields):
    envelope = queue(client, fmt, **fields)
    assert envelope["status"] == "failure" and envelope["result"] is None
    return envelope["error"]


def test_documented_failures(client, account, fmt):
    account.unsubscribed.add("19998887777")
    account.landlines.add("9998886666")  # 10 digits: compared normalised
    assert _failure(client, fmt, to="9998887777") == "Attempt to send to unsubscribed recipient"
    assert _failure(client, fmt, to="19998886666") == "To number: +19998886666, is not a mobile number"
    assert _failure(client, fmt, frm="5550001111") == "From number 5550001111 is not an SMS number on this account"
    assert _failure(client, fmt, body="") == "Message body is required"
    assert _failure(client, fmt, to="12345") == "Invalid to number"
    assert _failure(client, fmt, to="not a number") == "Invalid to number"
    assert _failure(client, fmt, to="") == "Invalid to number"
    assert len(account) == 0


def test_failures_are_http_200(client):
    response = client.post("/queue.json", data={"to": CUSTOMER, "from": "5550001111", "body": "x"})
    assert response.status_code == 200


def test_listener_sees_each_send(client, account):
    seen = []
    account.outbound_listeners.append(seen.append)
    queue(client, "json", body="y" * 200)
    assert len(seen) == 1 and len(seen[0]) == 2
