"""Every way a Plum request can fail becomes the right typed error, never a crash or a leak."""

from __future__ import annotations

import pytest
from plum_canned import PASSWORD, Reply
from plum_samples import ID1, QUEUE_DOC, STATUS_DOC, envelope, failure, page, record, render, to_json, to_xml

from smschat.domain.errors import (
    ApiError,
    AuthError,
    MalformedResponse,
    NetworkError,
    NotFound,
    RateLimited,
    RequestTimeout,
    SendOutcomeUnknown,
    ServerError,
    SmsError,
)
from smschat.providers.base import ListQuery, SendRequest

FORMATS = ["json", "xml"]
SEND = SendRequest(to="9998881234", from_number="2435678910", body="hello")

DOCUMENTED_FAILURES = [
    ("Attempt to send to unsubscribed recipient", "unsubscribed"),
    ("To number: +19998881234, is not a mobile number", "landline"),
    ("From number 2435678911 is not an SMS number on this account", "bad_from"),
    ("Message body is required", "invalid"),
    ("Invalid to number", "invalid"),
]


def _no_secret(exc: BaseException) -> None:
    for text in (str(exc), repr(exc), str(exc.__cause__ or ""), repr(exc.__cause__ or "")):
        assert PASSWORD not in text


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("message, kind", DOCUMENTED_FAILURES)
async def test_documented_queue_failures_with_http_200(canned, make_plum, fmt, message, kind):
    canned.set(f"queue.{fmt}", render(failure(message), fmt))
    with pytest.raises(ApiError) as caught:
        await make_plum(fmt).queue(SEND)
    assert caught.type is ApiError
    assert caught.value.kind == kind
    assert caught.value.server_message == message
    assert caught.value.status_code == 200
    assert not caught.value.retryable


async def test_doubled_quotes_of_the_reference_are_stripped(canned, make_plum):
    canned.set("queue.json", '{"status":"failure","error":"\\"Attempt to send to unsubscribed recipient\\""}')
    with pytest.raises(ApiError) as caught:
        await make_plum().queue(SEND)
    assert caught.value.server_message == "Attempt to send to unsubscribed recipient"
    assert caught.value.kind == "unsubscribed"


@pytest.mark.parametrize("fmt", FORMATS)
async def test_unknown_id_is_not_found(canned, make_plum, fmt):
    canned.set(f"status.{fmt}/{ID1}", render(failure("SMS message not found"), fmt))
    with pytest.raises(NotFound) as caught:
        await make_plum(fmt).status(ID1)
    assert caught.value.kind == "not_found" and caught.value.status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
async def test_limit_failure_envelope(canned, make_plum, fmt):
    canned.set(f"messages.{fmt}", render(failure("limit must be between 50 and 1000"), fmt))
    with pytest.raises(ApiError) as caught:
        await make_plum(fmt).list_messages(ListQuery())
    assert caught.value.server_message == "limit must be between 50 and 1000"


async def test_failure_with_4xx_uses_the_envelope(canned, make_plum):
    canned.set("queue.json", Reply(to_json(failure("Invalid to number")), status=400))
    canned.set(f"status.xml/{ID1}", Reply(to_xml(failure("SMS message not found")), status=404))
    with pytest.raises(ApiError) as bad_to:
        await make_plum().queue(SEND)
    assert (bad_to.value.kind, bad_to.value.status_code) == ("invalid", 400)
    with pytest.raises(NotFound) as missing:
        await make_plum("xml").status(ID1)
    assert missing.value.status_code == 404


async def test_4xx_without_envelope(canned, make_plum):
    canned.set("messages.json", Reply("<html>nope</html>", status=404))
    with pytest.raises(ApiError) as caught:
        await make_plum().list_messages(ListQuery())
    assert caught.value.status_code == 404 and "base_url" in str(caught.value)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", [500, 503])
async def test_5xx_with_envelope_keeps_status_and_message(canned, make_plum, fmt, code):
    canned.set(f"messages.{fmt}", Reply(render(failure("database is down"), fmt), status=code))
    with pytest.raises(ServerError) as caught:
        await make_plum(fmt).list_messages(ListQuery())
    assert caught.value.status_code == code and "database is down" in str(caught.value)
    assert caught.value.retryable


async def test_5xx_without_body(canned, make_plum):
    canned.set("messages.json", Reply(b"", status=500))
    with pytest.raises(ServerError) as caught:
        await make_plum().list_messages(ListQuery())
    assert caught.type is ServerError and caught.value.status_code == 500


async def test_queue_500_is_server_error_but_gateway_errors_are_unknown_outcome(canned, make_plum):
    canned.set("queue.json", Reply("oops", status=500))
    with pytest.raises(ServerError):
        await make_plum().queue(SEND)
    for code in (502, 504):
        canned.set("queue.json", Reply("bad gateway", status=code))
        with pytest.raises(SendOutcomeUnknown):
            await make_plum().queue(SEND)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", [401, 403])
async def test_auth_failures(canned, make_plum, fmt, code):
    canned.set(f"messages.{fmt}", Reply(render(failure("Authentication failed"), fmt), status=code))
    with pytest.raises(AuthError) as caught:
        await make_plum(fmt).list_messages(ListQuery())
    assert f"HTTP {code}" in str(caught.value) and "Authentication failed" in str(caught.value)
    _no_secret(caught.value)


async def test_auth_failure_envelope_with_http_200(canned, make_plum):
    canned.set("messages.json", to_json(failure("Authentication failed")))
    with pytest.raises(AuthError) as caught:
        await make_plum().list_messages(ListQuery())
    _no_secret(caught.value)


@pytest.mark.parametrize(
    "header, expected",
    [({"Retry-After": "7"}, 7.0), ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0), ({}, None), ({"Retry-After": "soon"}, None)],
)
async def test_rate_limited(canned, make_plum, header, expected):
    canned.set("messages.json", Reply(to_json(failure("Too many requests")), status=429, headers=header))
    with pytest.raises(RateLimited) as caught:
        await make_plum().list_messages(ListQuery())
    assert caught.value.retry_after == expected
    assert caught.value.status_code == 429 and caught.value.retryable


async def test_redirect_is_not_followed(canned, make_plum):
    canned.set("messages.json", Reply(b"", status=301, headers={"Location": "https://user:pw@elsewhere.example/ws"}))
    with pytest.raises(MalformedResponse) as caught:
        await make_plum().list_messages(ListQuery())
    assert "elsewhere.example" in str(caught.value) and "pw@" not in str(caught.value)


# -- malformed answers ---------------------------------------------------------------------------

BAD_JSON = [
    "",
    "{",
    "not json at all",
    "<html><body>Service Unavailable</body></html>",
    '["status", "success"]',
    '{"error": "", "result": null}',
    '{"status": "maybe", "error": "", "result": null}',
    '{"status": ["success"], "error": "", "result": null}',
    "[" * 100000,
    b"\xff\xfe\xfa garbage",
]


@pytest.mark.parametrize("body", BAD_JSON, ids=range(len(BAD_JSON)))
async def test_malformed_json(canned, make_plum, body):
    canned.set("messages.json", body)
    with pytest.raises(MalformedResponse):
        await make_plum().list_messages(ListQuery())


ENTITY_BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<response><status>success</status><error>&lol4;</error><result/></response>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<response><status>failure</status><error>&xxe;</error><result/></response>"""

DTD_ONLY = """<?xml version="1.0"?>
<!DOCTYPE response SYSTEM "http://127.0.0.1:9/evil.dtd">
<response><status>success</status><error/><result/></response>"""

BAD_XML = [
    "",
    '<?xml version="1.0"?><response><status>success</status><error/><result><sms_messages><sms_mess',
    "<response><status>success</status>",
    "just text",
    "<response/>",
    "<response><error/></response>",
    "<response><status>success</status><status>failure</status></response>",
    ENTITY_BOMB,
    EXTERNAL_ENTITY,
    DTD_ONLY,
    "<a>" * 200 + "</a>" * 200,
]


@pytest.mark.parametrize("body", BAD_XML, ids=range(len(BAD_XML)))
async def test_malformed_or_hostile_xml(canned, make_plum, body):
    canned.set("messages.xml", body)
    with pytest.raises(MalformedResponse) as caught:
        await make_plum("xml").list_messages(ListQuery())
    assert "root:" not in str(caught.value)  # nothing of /etc/passwd leaks into a message


WRONG_RESULTS = {
    "to is a list": page([record("w1", to=["19998881234"])]),
    "status is an object": page([record("w2", status={"v": "sent"})]),
    "status unknown": page([record("w3", status="teleported")]),
    "delivery unknown": page([record("w4", delivery_status="lost in space")]),
    "timestamp text": page([record("w5", request_timestamp="yesterday-ish")]),
    "timestamp bool": page([record("w6", request_timestamp=True)]),
    "timestamp huge": page([record("w7", request_timestamp="1e30")]),
    "total text": page([record("w8")], total="many"),
    "total negative": page([record("w9")], total=-1),
    "item is text": page(["just a string"]),  # type: ignore[list-item]
    "no id": page([{k: v for k, v in record("w10").items() if k != "sms_message_id"}]),
    "empty id": page([record("")]),
    "no status": page([{k: v for k, v in record("w11").items() if k != "status"}]),
    "no to": page([{k: v for k, v in record("w12").items() if k != "to"}]),
    "result is text": envelope("nothing here"),
    "result lacks list": envelope({"offset": 0, "limit": 50, "total": "3"}),
}


@pytest.mark.parametrize("name", list(WRONG_RESULTS))
async def test_wrong_types_and_missing_fields(canned, make_plum, name):
    canned.set("messages.json", to_json(WRONG_RESULTS[name]))
    with pytest.raises(MalformedResponse):
        await make_plum().list_messages(ListQuery())


@pytest.mark.parametrize("fmt", FORMATS)
async def test_unknown_status_in_status_answer(canned, make_plum, fmt):
    canned.set(f"status.{fmt}/{ID1}", render(envelope(dict(STATUS_DOC["result"], status="pending-ish")), fmt))
    with pytest.raises(MalformedResponse) as caught:
        await make_plum(fmt).status(ID1)
    assert "pending-ish" in str(caught.value)


@pytest.mark.parametrize(
    "body",
    ["{not json", to_json(envelope(None)), to_json(envelope({"sms_messages": []})), to_json(envelope({"sms_messages": [{"to": "1"}]}))],
    ids=["bad-json", "null-result", "no-ids", "record-without-id"],
)
async def test_unreadable_queue_success_is_unknown_outcome(canned, make_plum, body):
    canned.set("queue.json", body)
    with pytest.raises(SendOutcomeUnknown) as caught:
        await make_plum().queue(SEND)
    assert isinstance(caught.value.__cause__, MalformedResponse)
    assert not caught.value.retryable


async def test_duplicate_ids_in_one_send_is_unknown_outcome(canned, make_plum):
    canned.set("queue.json", to_json(envelope({"sms_messages": [record(ID1, status="queued"), record(ID1, status="queued")]})))
    with pytest.raises(SendOutcomeUnknown):
        await make_plum().queue(SEND)


# -- transport failures --------------------------------------------------------------------------


async def test_dropped_connection_on_queue_is_unknown_outcome(canned, make_plum):
    canned.set("queue.json", Reply(action="drop"))
    with pytest.raises(SendOutcomeUnknown) as caught:
        await make_plum().queue(SEND)
    assert canned.requests and canned.requests[-1].form["body"] == "hello"  # it did go out
    _no_secret(caught.value)


async def test_truncated_answer_on_queue_is_unknown_outcome(canned, make_plum):
    canned.set("queue.json", Reply(to_json(QUEUE_DOC)[:40], action="short"))
    with pytest.raises(SendOutcomeUnknown):
        await make_plum().queue(SEND)


async def test_dropped_connection_on_read_is_network_error(canned, make_plum):
    canned.set("messages.json", Reply(action="drop"))
    with pytest.raises(NetworkError) as caught:
        await make_plum().list_messages(ListQuery())
    assert not isinstance(caught.value, SendOutcomeUnknown)
    assert caught.value.retryable


async def test_read_timeout_on_queue_is_unknown_outcome(canned, make_plum):
    canned.set("queue.json", Reply(action="hang"))
    with pytest.raises(SendOutcomeUnknown):
        await make_plum(timeout=0.3).queue(SEND)


async def test_read_timeout_on_status_is_request_timeout(canned, make_plum):
    canned.set(f"status.json/{ID1}", Reply(action="hang"))
    with pytest.raises(RequestTimeout) as caught:
        await make_plum(timeout=0.3).status(ID1)
    assert not isinstance(caught.value, SendOutcomeUnknown)
    assert caught.value.retryable


@pytest.mark.parametrize("call", ["queue", "messages"])
async def test_connection_refused_is_plain_network_error(make_plum, refused_url, call):
    provider = make_plum(url=refused_url)
    with pytest.raises(NetworkError) as caught:
        if call == "queue":
            await provider.queue(SEND)
        else:
            await provider.list_messages(ListQuery())
    assert type(caught.value) is NetworkError  # not SendOutcomeUnknown: nothing went out
    assert "127.0.0.1" in str(caught.value)
    _no_secret(caught.value)


async def test_unreachable_host_is_network_error(make_plum):
    provider = make_plum(url="http://no-such-host.invalid/ws/sms")
    with pytest.raises(NetworkError) as caught:
        await provider.status(ID1)
    assert type(caught.value) is NetworkError


async def test_every_error_is_an_sms_error_without_the_password(canned, make_plum):
    canned.set("messages.json", Reply(to_json(failure(f"bad password {PASSWORD}?")), status=401))
    with pytest.raises(SmsError) as caught:
        await make_plum().list_messages(ListQuery())
    assert caught.type is AuthError
    assert "***" in str(caught.value)  # a server echoing the password back is masked
    _no_secret(caught.value)
    assert PASSWORD not in repr(make_plum())
