import json

import pytest
from sim_helpers import ACCOUNT_A, ACCOUNT_B, CUSTOMER, OTHER, T0, items, parse


@pytest.fixture
def history(account):
    """Known history: 60 messages with CUSTOMER on A (alternating in/out, one per minute),
    30 with OTHER on B (all inbound), 10 outbound from A to OTHER. Returns the records oldest first."""
    records = []
    for i in range(60):
        records.append(account.add_message(customer=CUSTOMER, account=ACCOUNT_A, body=f"c{i}",
                                           direction="inbound" if i % 2 == 0 else "outbound", at=T0 - 10_000 + 60 * i))
    for i in range(30):
        records.append(account.add_message(customer=OTHER, account=ACCOUNT_B, body=f"o{i}", direction="inbound",
                                           at=T0 - 20_000 + 60 * i))
    for i in range(10):
        records.append(account.add_message(customer=OTHER, account=ACCOUNT_A, body=f"x{i}", direction="outbound",
                                           at=T0 - 5_000 + 60 * i))
    return sorted(records, key=lambda r: (r.ts, r.id))


def get(client, fmt, endpoint, **params):
    response = client.get(f"/{endpoint}.{fmt}", params=params)
    assert response.status_code == 200
    return parse(response, fmt)


def ids(envelope):
    return [m["sms_message_id"] for m in items(envelope)]


# ---------------------------------------------------------------------------- messages: shape
def test_messages_json_types_and_item_fields(client, history):
    envelope = json.loads(client.get("/messages.json", params={"limit": 50}).content)
    result = envelope["result"]
    assert (result["offset"], result["limit"], result["total"]) == (0, 50, "100")
    item = result["sms_messages"][0]
    assert list(item) == ["sms_message_id", "to", "from", "body", "request_timestamp", "response_timestamp",
                          "result_url", "status"]
    assert all(isinstance(v, str) for v in item.values())


def test_messages_xml_shape(client, history):
    text = client.get("/messages.xml").text
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<response><status>success</status><error/>')
    assert "<offset>0</offset><limit>50</limit><total>100</total><sms_messages><sms_message>" in text


def test_empty_list_is_an_empty_element_in_xml(client):
    assert "<sms_messages/>" in client.get("/messages.xml").text
    assert items(get(client, "xml", "messages")) == []


def test_directions_and_numbers_on_the_wire(client, history):
    inbound = items(get(client, "json", "messages", msg_type="inbound", phone_number=CUSTOMER))[0]
    outbound = items(get(client, "json", "messages", msg_type="outbound", phone_number=CUSTOMER))[0]
    assert (inbound["status"], inbound["from"], inbound["to"]) == ("received", CUSTOMER, ACCOUNT_A)
    assert (outbound["status"], outbound["to"], outbound["from"]) == ("sent", "1" + CUSTOMER, ACCOUNT_A)


# ---------------------------------------------------------------------------- limit, paging, order
@pytest.mark.parametrize("endpoint", ["messages", "conversation"])
@pytest.mark.parametrize("limit", ["49", "1001", "0", "-5", "many"])
def test_limit_out_of_range_is_a_failure(client, fmt, endpoint, limit):
    envelope = get(client, fmt, endpoint, limit=limit, phone_number1=CUSTOMER, phone_number2=ACCOUNT_A)
    assert envelope == {"status": "failure", "error": "limit must be between 50 and 1000", "result": None}


@pytest.mark.parametrize(("limit", "expected"), [("50", 50), ("1000", 1000), ("", 50)])
def test_limit_bounds_accepted(client, history, limit, expected):
    result = get(client, "json", "messages", limit=limit)["result"]
    assert result["limit"] == expected
    assert len(result["sms_messages"]) == min(expected, 100)


def test_paging_with_offset_and_total(client, history, fmt):
    pages = [get(client, fmt, "messages", offset=offset, limit=50) for offset in (0, 50, 100)]
    assert [len(items(p)) for p in pages] == [50, 50, 0]
    assert all(p["result"]["total"] == "100" for p in pages)
    assert str(pages[1]["result"]["offset"]) == "50"
    seen = ids(pages[0]) + ids(pages[1])
    assert seen == [r.id for r in reversed(history)]  # default order: newest first


def test_order_asc_desc_blank(client, history):
    assert ids(get(client, "json", "messages", order="asc", limit=1000)) == [r.id for r in history]
    newest_first = [r.id for r in reversed(history)]
    assert ids(get(client, "json", "messages", order="desc", limit=1000)) == newest_first
    assert ids(get(client, "json", "messages", order="", limit=1000)) == newest_first
    assert get(client, "json", "messages", order="sideways")["status"] == "failure"


def test_negative_offset_is_a_failure(client):
    assert get(client, "json", "messages", offset=-1)["status"] == "failure"


# ---------------------------------------------------------------------------- filters
def test_timestamps_are_inclusive(client, history):
    start, end = history[10].ts, history[20].ts
    got = items(get(client, "json", "messages", start_timestamp=start, end_timestamp=end, order="asc"))
    expected = [r for r in history if start <= r.ts <= end]
    assert [m["sms_message_id"] for m in got] == [r.id for r in expected]
    assert got[0]["request_timestamp"] == str(start) and got[-1]["request_timestamp"] == str(end)


def test_zero_timestamps_mean_no_bound(client, history):
    result = get(client, "json", "messages", start_timestamp=0, end_timestamp=0)["result"]
    assert result["total"] == "100"


def test_bad_timestamp_is_a_failure(client):
    assert get(client, "json", "messages", start_timestamp="yesterday")["status"] == "failure"


@pytest.mark.parametrize(("msg_type", "total"), [("inbound", 60), ("outbound", 40), ("all", 100), ("", 100)])
def test_msg_type(client, history, fmt, msg_type, total):
    envelope = get(client, fmt, "messages", msg_type=msg_type, limit=1000)
    assert envelope["result"]["total"] == str(total)
    statuses = {m["status"] for m in items(envelope)}
    if msg_type == "inbound":
        assert statuses == {"received"}
    if msg_type == "outbound":
        assert statuses == {"sent"}


def test_bad_msg_type_or_number_type_is_a_failure(client):
    assert get(client, "json", "messages", msg_type="both")["status"] == "failure"
    assert get(client, "json", "messages", phone_number=CUSTOMER, number_type="friend")["status"] == "failure"


@pytest.mark.parametrize(
    ("params", "total"),
    [
        ({"phone_number": CUSTOMER}, 60),  # either side
        ({"phone_number": "1" + CUSTOMER}, 60),  # 11 digits: the same person
        ({"phone_number": ACCOUNT_A}, 70),
        ({"phone_number": ACCOUNT_B}, 30),
        ({"phone_number": OTHER, "number_type": "customer"}, 40),
        ({"phone_number": OTHER, "number_type": "account"}, 0),
        ({"phone_number": ACCOUNT_A, "number_type": "account", "msg_type": "outbound"}, 40),
        ({"phone_number": ACCOUNT_A, "number_type": "account", "msg_type": "inbound"}, 30),
        ({"phone_number": CUSTOMER, "number_type": "customer", "msg_type": "inbound"}, 30),
        ({"phone_number": "5550009999"}, 0),
    ],
)
def test_phone_number_filters(client, history, params, total):
    envelope = get(client, "json", "messages", limit=1000, **params)
    assert envelope["result"]["total"] == str(total)
    assert len(items(envelope)) == total


# ---------------------------------------------------------------------------- conversation
def test_conversation_shape_json(client, history):
    envelope = json.loads(client.get("/conversation.json", params={"phone_number1": CUSTOMER,
                                                                   "phone_number2": ACCOUNT_A}).content)
    result = envelope["result"]
    assert (result["offset"], result["limit"], result["total"]) == ("0", "50", "60")
    item = result["sms_messages"][0]
    assert list(item) == ["sms_message_id", "to", "from", "body", "request_timestamp", "response_timestamp",
                          "result_url", "type", "status"]
    assert (item["type"], item["status"]) in {("inbound", "received"), ("outbound", "sent")}


def test_conversation_pairs_numbers_in_any_order_and_form(client, history, fmt):
    one = get(client, fmt, "conversation", phone_number1=CUSTOMER, phone_number2=ACCOUNT_A, limit=1000)
    two = get(client, fmt, "conversation", phone_number1="1" + ACCOUNT_A, phone_number2="+1 999-888-1234", limit=1000)
    assert ids(one) == ids(two) and len(ids(one)) == 60
    assert ids(one) == [r.id for r in reversed(history) if r.customer == "1" + CUSTOMER]
    other_a = get(client, fmt, "conversation", phone_number1=OTHER, phone_number2=ACCOUNT_A)
    assert other_a["result"]["total"] == "10"
    assert {m["type"] for m in items(other_a)} == {"outbound"}


def test_conversation_paging_order_and_time(client, history):
    asc = get(client, "json", "conversation", phone_number1=CUSTOMER, phone_number2=ACCOUNT_A, order="asc",
              offset=50, limit=50)
    assert [m["body"] for m in items(asc)] == [f"c{i}" for i in range(50, 60)]
    assert asc["result"]["offset"] == "50"
    start = T0 - 10_000 + 60 * 5
    window = get(client, "json", "conversation", phone_number1=CUSTOMER, phone_number2=ACCOUNT_A,
                 start_timestamp=start, end_timestamp=start + 120)
    assert [m["body"] for m in items(window)] == ["c7", "c6", "c5"]


def test_conversation_needs_both_numbers(client, fmt):
    envelope = get(client, fmt, "conversation", phone_number1=CUSTOMER)
    assert envelope["status"] == "failure" and "phone_number2" in envelope["error"]


def test_unknown_pair_is_empty(client, history):
    envelope = get(client, "json", "conversation", phone_number1="5550001234", phone_number2=ACCOUNT_A)
    assert envelope["result"]["total"] == "0" and items(envelope) == []
