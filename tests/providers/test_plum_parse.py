"""Plum answers (the reference's shapes and the contract's variants) become the right domain objects,
identically from JSON and XML."""

from __future__ import annotations

import pytest
from plum_samples import (
    CONVERSATION_DOC,
    ID1,
    ID2,
    ID3,
    MESSAGES_DOC,
    QUEUE_DOC,
    STATUS_DOC,
    envelope,
    multipart_queue,
    page,
    record,
    render,
    to_json,
    to_xml,
)

from smschat.domain.errors import MalformedResponse
from smschat.domain.model import DeliveryStatus, Direction, Message, Status, utc_from_epoch
from smschat.providers.base import ListQuery, SendRequest

FORMATS = ["json", "xml"]
SEND = SendRequest(to="19998881234", from_number="2435678910", body="This is a notification")


@pytest.mark.parametrize("fmt", FORMATS)
async def test_queue_doc_sample(canned, make_plum, fmt):
    canned.set(f"queue.{fmt}", render(QUEUE_DOC, fmt))
    (message,) = await make_plum(fmt).queue(SEND)
    assert message == Message(
        id=ID1,
        to_number="19998881234",
        from_number="2435678910",
        body="This is a notification",
        direction=Direction.OUTBOUND,
        status=Status.QUEUED,
        delivery=DeliveryStatus.UNKNOWN,
        requested_at=utc_from_epoch(1330464356),
        responded_at=None,
        result_url="http://myserver.com/storesmsresults.php",
        parts=(ID1,),
    )


@pytest.mark.parametrize("fmt", FORMATS)
async def test_multipart_queue_sets_all_ids_on_every_record(canned, make_plum, fmt):
    canned.set(f"queue.{fmt}", render(multipart_queue(), fmt))
    records = await make_plum(fmt).queue(SEND)
    assert [r.id for r in records] == [ID1, ID2, ID3]
    assert all(r.parts == (ID1, ID2, ID3) for r in records)
    assert [r.body for r in records] == ["part 1", "part 2", "part 3"]
    assert all(r.direction is Direction.OUTBOUND and r.status is Status.QUEUED for r in records)


@pytest.mark.parametrize("fmt", FORMATS)
async def test_status_doc_sample(canned, make_plum, fmt):
    canned.set(f"status.{fmt}/{ID1}", render(STATUS_DOC, fmt))
    message = await make_plum(fmt).status(ID1)
    assert message.status is Status.SENT
    assert message.delivery is DeliveryStatus.DELIVERED
    assert message.requested_at == utc_from_epoch(1330464356)
    assert message.responded_at == utc_from_epoch(1330464357)
    assert message.direction is Direction.OUTBOUND
    assert message.parts == ()
    assert message.is_final


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("delivery", ["", None, "absent"])
async def test_status_without_delivery_is_unknown(canned, make_plum, fmt, delivery):
    result = dict(STATUS_DOC["result"], status="queued")
    if delivery == "absent":
        del result["delivery_status"]
    else:
        result["delivery_status"] = delivery
    canned.set(f"status.{fmt}/{ID1}", render(envelope(result), fmt))
    message = await make_plum(fmt).status(ID1)
    assert message.delivery is DeliveryStatus.UNKNOWN
    assert not message.is_final


@pytest.mark.parametrize("fmt", FORMATS)
async def test_messages_doc_sample(canned, make_plum, fmt):
    canned.set(f"messages.{fmt}", render(MESSAGES_DOC, fmt))
    got = await make_plum(fmt).list_messages(ListQuery())
    assert (got.offset, got.limit, got.total) == (0, 50, 2)
    assert [m.id for m in got.messages] == [ID1, ID2]
    assert all(m.direction is Direction.OUTBOUND for m in got.messages)
    assert got.messages[0].result_url == ""
    assert got.next_offset is None


@pytest.mark.parametrize("fmt", FORMATS)
async def test_conversation_doc_sample_type_decides_direction(canned, make_plum, fmt):
    canned.set(f"conversation.{fmt}", render(CONVERSATION_DOC, fmt))
    got = await make_plum(fmt).conversation("2435678910", "19998881234")
    assert (got.offset, got.limit, got.total) == (0, 50, 4)
    # the sample swaps roles: `type` wins over which side looks like the account's number
    assert [m.direction for m in got.messages] == [Direction.INBOUND, Direction.OUTBOUND] * 2
    assert got.messages[3].body.endswith('<Reply> & "CONFIRM".')


@pytest.mark.parametrize("fmt", FORMATS)
async def test_direction_without_type(canned, make_plum, fmt):
    items = [
        record("a1", status="received", to="19998881234", frm="15550001111"),  # received = inbound
        record("a2", to="12435678910", frm="19998881234"),  # to our number (with the 1) = inbound
        record("a3", to="19998881234", frm="2435678910"),  # from our number = outbound
        record("a4", to="19998881234", frm="15550001111"),  # neither side ours = outbound
        record("a5", to="2435678910", frm="12435678910", status="queued"),  # to ourselves: from wins
        record("a6", to="19998881234", frm="2435678910", type="reply"),  # a reply is outbound
    ]
    canned.set(f"messages.{fmt}", render(page(items), fmt))
    got = await make_plum(fmt).list_messages(ListQuery())
    inbound, outbound = Direction.INBOUND, Direction.OUTBOUND
    assert [m.direction for m in got.messages] == [inbound, inbound, outbound, outbound, outbound, outbound]
    # numbers are kept as received
    assert got.messages[1].to_number == "12435678910" and got.messages[2].from_number == "2435678910"


async def test_direction_uses_profile_numbers(canned, make_plum):
    canned.set("messages.json", to_json(page([record("b1", to="2435678910", frm="19998881234")])))
    ours = await make_plum(numbers=("12435678910",)).list_messages(ListQuery())
    other = await make_plum(numbers=("15550009999",)).list_messages(ListQuery())
    assert ours.messages[0].direction is Direction.INBOUND
    assert other.messages[0].direction is Direction.OUTBOUND


@pytest.mark.parametrize("fmt", FORMATS)
async def test_empty_elements_and_missing_optional_fields(canned, make_plum, fmt):
    item = {
        "sms_message_id": ID1,
        "to": "19998881234",
        "from": "2435678910",
        "body": "",
        "request_timestamp": "1330464356",
        "response_timestamp": "",
        "result_url": "",
        "status": "queued",
    }
    canned.set(f"messages.{fmt}", render(page([item]), fmt))
    (message,) = (await make_plum(fmt).list_messages(ListQuery())).messages
    assert message.body == ""
    assert message.responded_at is None
    assert message.result_url == ""
    assert message.delivery is DeliveryStatus.UNKNOWN


@pytest.mark.parametrize(
    "value, expected",
    [
        (1330464356, utc_from_epoch(1330464356)),
        ("1330464356", utc_from_epoch(1330464356)),
        (" 1330464356 ", utc_from_epoch(1330464356)),
        ("1330464356.0", utc_from_epoch(1330464356)),
        ("0", None),
        (0, None),
        ("", None),
        (None, None),
        ("2012-02-28T21:25:56", utc_from_epoch(1330464356)),
    ],
)
async def test_timestamp_variants(canned, make_plum, value, expected):
    canned.set(f"status.json/{ID1}", to_json(envelope(dict(STATUS_DOC["result"], request_timestamp=value))))
    assert (await make_plum().status(ID1)).requested_at == expected


@pytest.mark.parametrize("counters", [(0, 50, 2), ("0", "50", "2"), (" 0", "50 ", 2)])
async def test_counters_as_strings_or_integers(canned, make_plum, counters):
    offset, limit, total = counters
    result = {"offset": offset, "limit": limit, "total": total, "sms_messages": MESSAGES_DOC["result"]["sms_messages"]}
    canned.set("messages.json", to_json(envelope(result)))
    got = await make_plum().list_messages(ListQuery())
    assert (got.offset, got.limit, got.total) == (0, 50, 2)


async def test_missing_counters_fall_back_to_the_request(canned, make_plum):
    canned.set("messages.json", to_json(envelope({"sms_messages": [record("c1")]})))
    got = await make_plum().list_messages(ListQuery(offset=100, limit=50))
    assert (got.offset, got.limit, got.total) == (100, 50, 101)
    assert got.next_offset is None


@pytest.mark.parametrize("fmt", FORMATS)
async def test_empty_listing(canned, make_plum, fmt):
    canned.set(f"messages.{fmt}", render(page([], total=0), fmt))
    got = await make_plum(fmt).list_messages(ListQuery())
    assert got.messages == () and got.total == 0 and got.next_offset is None


async def test_xml_any_root_and_single_item_shapes(canned, make_plum):
    # the reference's own sample uses <sample> as the root; queue answers a single <sms_message>
    body = (
        "<sample><status>success</status><error/><result><sms_message>"
        f"<sms_message_id>{ID1}</sms_message_id><to>19998881234</to><from>2435678910</from>"
        "<body>This is a notification</body><request_timestamp>1330464356</request_timestamp>"
        "<result_url>http://myserver.com/storesmsresults.php</result_url><status>queued</status>"
        "</sms_message></result></sample>"
    )
    canned.set("queue.xml", body)
    canned.set("queue.json", to_json(QUEUE_DOC))
    assert await make_plum("xml").queue(SEND) == await make_plum("json").queue(SEND)


async def test_xml_whitespace_namespaces_and_comments_are_tolerated(canned, make_plum):
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<ns:response xmlns:ns="urn:plum">
  <!-- a comment -->
  <ns:status> success </ns:status>
  <ns:error/>
  <ns:result>
    <ns:sms_messages>
      <ns:sms_message>
        <ns:sms_message_id>{ID1}</ns:sms_message_id>
        <ns:to>19998881234</ns:to>
        <ns:from>2435678910</ns:from>
        <ns:body>This is a notification</ns:body>
        <ns:request_timestamp>1330464356</ns:request_timestamp>
        <ns:result_url>http://myserver.com/storesmsresults.php</ns:result_url>
        <ns:status>queued</ns:status>
      </ns:sms_message>
    </ns:sms_messages>
  </ns:result>
</ns:response>"""
    canned.set("queue.xml", body)
    canned.set("queue.json", to_json(QUEUE_DOC))
    assert await make_plum("xml").queue(SEND) == await make_plum("json").queue(SEND)


async def test_json_variants_of_the_list(canned, make_plum):
    items = MESSAGES_DOC["result"]["sms_messages"]
    expected = await _listing(canned, make_plum, to_json(MESSAGES_DOC))
    keyed = envelope({"offset": 0, "limit": 50, "total": "2", "sms_messages": {"0": items[0], "1": items[1]}})
    assert await _listing(canned, make_plum, to_json(keyed)) == expected
    wrapped = envelope({"offset": 0, "limit": 50, "total": "2", "sms_messages": {"sms_message": items}})
    assert await _listing(canned, make_plum, to_json(wrapped)) == expected


async def _listing(canned, make_plum, body):
    canned.set("messages.json", body)
    return await make_plum().list_messages(ListQuery())


async def test_unicode_bodies_survive_both_formats(canned, make_plum):
    text = "  Grüße 👋🏽 — line1\nline2\t\"quoted\" <b>&amp;</b> [bold]\n "
    env = page([record("u1", body=text)])
    canned.set("messages.json", to_json(env))
    canned.set("messages.xml", to_xml(env))
    from_json = await make_plum("json").list_messages(ListQuery())
    from_xml = await make_plum("xml").list_messages(ListQuery())
    assert from_json.messages[0].body == text
    assert from_xml == from_json


async def test_status_is_case_insensitive_and_failed_alias(canned, make_plum):
    canned.set(f"status.json/{ID1}", to_json(envelope(dict(STATUS_DOC["result"], status="FAILED", delivery_status="Undelivered"))))
    message = await make_plum().status(ID1)
    assert message.status is Status.FAILURE and message.delivery is DeliveryStatus.UNDELIVERED


@pytest.mark.parametrize(
    "name, env, call",
    [
        ("queue", multipart_queue(), "queue"),
        ("queue-doc", QUEUE_DOC, "queue"),
        ("status", STATUS_DOC, "status"),
        ("messages", MESSAGES_DOC, "messages"),
        ("conversation", CONVERSATION_DOC, "conversation"),
        ("mixed", page([record("m1", status="received"), record("m2", to="2435678910", frm="19998881234"), record("m3", delivery_status="undelivered", status="failure", error="carrier said no")]), "messages"),
    ],
)
async def test_json_and_xml_give_identical_objects(canned, make_plum, name, env, call):
    results = []
    for fmt in FORMATS:
        endpoint = {"queue": "queue", "status": f"status.{fmt}/{ID1}", "messages": "messages", "conversation": "conversation"}[call]
        canned.set(endpoint if call == "status" else f"{endpoint}.{fmt}", render(env, fmt))
        provider = make_plum(fmt)
        if call == "queue":
            results.append(await provider.queue(SEND))
        elif call == "status":
            results.append(await provider.status(ID1))
        elif call == "messages":
            results.append(await provider.list_messages(ListQuery()))
        else:
            results.append(await provider.conversation("2435678910", "19998881234"))
    assert results[0] == results[1]
    assert results[0]  # not vacuously equal


async def test_message_level_error_is_kept(canned, make_plum):
    canned.set(
        f"status.json/{ID1}",
        to_json(envelope(dict(STATUS_DOC["result"], status="failure", delivery_status="undelivered", error="not a mobile"))),
    )
    message = await make_plum().status(ID1)
    assert message.status is Status.FAILURE and message.error == "not a mobile" and message.is_final


async def test_status_for_a_different_id_is_malformed(canned, make_plum):
    canned.set(f"status.json/{ID2}", to_json(STATUS_DOC))
    with pytest.raises(MalformedResponse):
        await make_plum().status(ID2)
