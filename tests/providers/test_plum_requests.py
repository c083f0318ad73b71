"""What the Plum provider puts on the wire, and what it refuses to send."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest
from plum_canned import PASSWORD, USER
from plum_samples import ID1, QUEUE_DOC, STATUS_DOC, page, render, to_json

from smschat.domain.errors import MalformedResponse
from smschat.providers.base import ListQuery, SendRequest

FORMATS = ["json", "xml"]
START = datetime(2024, 1, 2, 3, 4, 5, 250_000, tzinfo=UTC)
END = datetime(2024, 1, 9, 3, 4, 5, 250_000, tzinfo=UTC)


@pytest.mark.parametrize("fmt", FORMATS)
async def test_messages_sends_every_filter(canned, make_plum, fmt):
    canned.set(f"messages.{fmt}", render(page([]), fmt))
    query = ListQuery(
        offset=100,
        limit=1000,
        order="asc",
        start=START,
        end=END,
        msg_type="inbound",
        phone_number="+1 (999) 888-1234",
        number_type="customer",
    )
    await make_plum(fmt).list_messages(query)
    seen = canned.requests[-1]
    assert (seen.method, seen.path) == ("GET", f"/ws/sms/messages.{fmt}")
    assert seen.query == {
        "offset": "100",
        "limit": "1000",
        "order": "asc",
        "start_timestamp": str(int(START.timestamp())),  # rounded down
        "end_timestamp": str(int(END.timestamp()) + 1),  # rounded up: the last second is included
        "msg_type": "inbound",
        "phone_number": "9998881234",
        "number_type": "customer",
    }
    assert seen.headers["Accept"] == f"application/{fmt}"


async def test_messages_sends_only_what_is_set(canned, make_plum):
    canned.set("messages.json", to_json(page([])))
    await make_plum().list_messages(ListQuery())
    assert canned.requests[-1].query == {"offset": "0", "limit": "50"}


async def test_other_timezones_are_converted(canned, make_plum):
    canned.set("messages.json", to_json(page([])))
    eastern = START.astimezone(timezone(timedelta(hours=-5)))
    await make_plum().list_messages(ListQuery(start=eastern))
    assert canned.requests[-1].query["start_timestamp"] == str(int(START.timestamp()))


@pytest.mark.parametrize("fmt", FORMATS)
async def test_conversation_request(canned, make_plum, fmt):
    canned.set(f"conversation.{fmt}", render(page([]), fmt))
    await make_plum(fmt).conversation("12435678910", "999-888-1234", offset=50, limit=200, start=START)
    seen = canned.requests[-1]
    assert seen.path == f"/ws/sms/conversation.{fmt}"
    assert seen.query == {
        "offset": "50",
        "limit": "200",
        "order": "desc",
        "start_timestamp": str(int(START.timestamp())),
        "phone_number1": "2435678910",
        "phone_number2": "9998881234",
    }


@pytest.mark.parametrize("fmt", FORMATS)
async def test_queue_form(canned, make_plum, fmt):
    canned.set(f"queue.{fmt}", render(QUEUE_DOC, fmt))
    body = "Grüße 👋 & more=1"
    await make_plum(fmt).queue(SendRequest(to="+1 999 888 1234", from_number="12435678910", body=body, result_url="http://x/cb"))
    seen = canned.requests[-1]
    assert (seen.method, seen.path) == ("POST", f"/ws/sms/queue.{fmt}")
    assert seen.form == {"to": "9998881234", "from": "2435678910", "body": body, "result_url": "http://x/cb"}
    assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"


async def test_queue_without_result_url_omits_it(canned, make_plum):
    canned.set("queue.json", to_json(QUEUE_DOC))
    await make_plum().queue(SendRequest(to="9998881234", from_number="2435678910", body="hi"))
    assert "result_url" not in canned.requests[-1].form


async def test_basic_auth_on_every_request(canned, make_plum):
    canned.set("queue.json", to_json(QUEUE_DOC))
    canned.set(f"status.json/{ID1}", to_json(STATUS_DOC))
    plum = make_plum()
    await plum.queue(SendRequest(to="9998881234", from_number="2435678910", body="hi"))
    await plum.status(ID1)
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert [seen.headers["Authorization"] for seen in canned.requests] == [expected, expected]


async def test_status_id_is_quoted_in_the_path(canned, make_plum):
    canned.set("status.json/a%2Fb", to_json(STATUS_DOC))
    with pytest.raises(MalformedResponse):  # the answer names another id; what matters is the path
        await make_plum().status("a/b")
    assert canned.requests[-1].path == "/ws/sms/status.json/a%2Fb"


BAD_QUERIES = [
    ListQuery(limit=49),
    ListQuery(limit=1001),
    ListQuery(limit=0),
    ListQuery(offset=-1),
    ListQuery(order="newest"),
    ListQuery(msg_type="sms"),
    ListQuery(number_type="owner"),
    ListQuery(number_type="account"),  # without msg_type inbound/outbound and a number
    ListQuery(msg_type="all", phone_number="9998881234", number_type="account"),
    ListQuery(msg_type="outbound", phone_number="9998881234"),  # number_type is required here
    ListQuery(start=datetime(2024, 1, 1)),  # naive
    ListQuery(start=END, end=START),
    ListQuery(phone_number="not a number"),  # blank on the wire would list everything
]


@pytest.mark.parametrize("query", BAD_QUERIES, ids=range(len(BAD_QUERIES)))
async def test_bad_queries_are_refused_before_sending(canned, make_plum, query):
    with pytest.raises(ValueError):
        await make_plum().list_messages(query)
    assert canned.requests == []


@pytest.mark.parametrize("kwargs", [{"limit": 20}, {"limit": 5000}, {"offset": -5}, {"order": "up"}])
async def test_bad_conversation_paging_is_refused(canned, make_plum, kwargs):
    with pytest.raises(ValueError):
        await make_plum().conversation("2435678910", "9998881234", **kwargs)
    assert canned.requests == []


async def test_bad_status_id_is_refused(canned, make_plum):
    with pytest.raises(ValueError):
        await make_plum().status("  ")
    assert canned.requests == []


async def test_one_client_for_all_requests(canned, make_plum):
    canned.set(f"status.json/{ID1}", to_json(STATUS_DOC))
    plum = make_plum()
    client = plum._client
    for _ in range(3):
        await plum.status(ID1)
    assert plum._client is client
    await plum.aclose()
    await plum.aclose()  # idempotent
    assert client.is_closed


async def test_async_context_manager_closes(canned):
    from smschat.providers.plum import PlumProvider

    async with PlumProvider(canned.url, USER, PASSWORD) as plum:
        client = plum._client
    assert client.is_closed


def test_repr_never_shows_the_password(canned):
    from smschat.providers.plum import PlumProvider

    plum = PlumProvider(canned.url, USER, PASSWORD, format="xml")
    assert PASSWORD not in repr(plum) and PASSWORD not in str(plum)
    assert "xml" in repr(plum) and USER in repr(plum)
    assert PASSWORD not in repr(vars(plum) if hasattr(plum, "__dict__") else plum)


def test_bad_format_is_refused(canned):
    from smschat.providers.plum import PlumProvider

    with pytest.raises(ValueError):
        PlumProvider(canned.url, USER, PASSWORD, format="yaml")
