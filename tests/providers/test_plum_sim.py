"""The Plum provider against the loopback simulator (`smschat.sim`), in both formats, over real HTTP.

The simulator's clock is injected, so status progression is stepped, never waited for.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from smschat.domain.errors import (
    ApiError,
    AuthError,
    MalformedResponse,
    NotFound,
    RequestTimeout,
    SendOutcomeUnknown,
    ServerError,
)
from smschat.domain.model import DeliveryStatus, Direction, Message, Status
from smschat.domain.numbers import normalize
from smschat.providers.base import ListQuery, SendRequest
from smschat.providers.paging import iter_conversation, iter_messages
from smschat.providers.plum import PlumProvider
from smschat.sim import SimAccount, SimServer, seed_demo_account

FORMATS = ["json", "xml"]
T0 = 1_750_000_000.0
ACCOUNT = "6175550100"
OTHER_ACCOUNT = "6175550101"
CUSTOMER = "6175550123"
USER, PASSWORD = "agent", "sim-Pa55word!"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def sim(clock):
    account = SimAccount(USER, PASSWORD, numbers=(ACCOUNT, OTHER_ACCOUNT))
    server = SimServer(account, port=0, clock=clock).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def plum(sim):
    made: list[PlumProvider] = []

    def factory(fmt: str = "json", *, password: str = PASSWORD, timeout: float = 5.0) -> PlumProvider:
        provider = PlumProvider(sim.url, USER, password, format=fmt, numbers=(ACCOUNT, OTHER_ACCOUNT), timeout=timeout)
        made.append(provider)
        return provider

    yield factory
    for provider in made:
        await provider.aclose()


def _send(body: str = "hello there", *, to: str = CUSTOMER, frm: str = ACCOUNT) -> SendRequest:
    return SendRequest(to=to, from_number=frm, body=body)


# -- queue and status ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
async def test_queue_then_status_progression(plum, clock, fmt):
    provider = plum(fmt)
    (queued,) = await provider.queue(_send())
    assert queued.status is Status.QUEUED and queued.direction is Direction.OUTBOUND
    assert queued.parts == (queued.id,)
    assert normalize(queued.to_number) == normalize(CUSTOMER)
    assert queued.requested_at == datetime.fromtimestamp(int(T0), tz=UTC)

    first = await provider.status(queued.id)
    assert (first.status, first.delivery) == (Status.QUEUED, DeliveryStatus.UNKNOWN)
    assert not first.is_final

    clock.now = T0 + 1.5
    sent = await provider.status(queued.id)
    assert (sent.status, sent.delivery) == (Status.SENT, DeliveryStatus.UNKNOWN)
    assert sent.responded_at is not None and not sent.is_final

    clock.now = T0 + 10
    done = await provider.status(queued.id)
    assert (done.status, done.delivery) == (Status.SENT, DeliveryStatus.DELIVERED)
    assert done.is_final and done.direction is Direction.OUTBOUND
    assert done.body == "hello there"

    clock.now = T0 + 8 * 86400  # past the 7-day window: delivery status is blank again
    old = await provider.status(queued.id)
    assert old.delivery is DeliveryStatus.UNKNOWN and old.past_status_window(datetime.fromtimestamp(clock.now, tz=UTC))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bucket, expected", [("undeliverable", DeliveryStatus.UNDELIVERED), ("unconfirmed", DeliveryStatus.UNCONFIRMED)])
async def test_other_delivery_outcomes(sim, plum, clock, fmt, bucket, expected):
    getattr(sim.account, bucket).add(normalize(CUSTOMER))
    provider = plum(fmt)
    (queued,) = await provider.queue(_send())
    clock.now = T0 + 10
    assert (await provider.status(queued.id)).delivery is expected


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("body, count", [("x" * 400, 3), ("Grüße 👋 " * 20, 3), ("y" * 160, 1), ("z" * 161, 2)])
async def test_multipart_send_is_tracked_as_one(plum, clock, fmt, body, count):
    provider = plum(fmt)
    records = await provider.queue(_send(body))
    ids = tuple(r.id for r in records)
    assert len(records) == count and len(set(ids)) == count
    assert all(r.parts == ids for r in records)
    assert "".join(r.body for r in records) == body
    clock.now = T0 + 10
    statuses = [await provider.status(message_id) for message_id in ids]
    assert [s.id for s in statuses] == list(ids)
    assert all(s.delivery is DeliveryStatus.DELIVERED for s in statuses)
    listed = await provider.list_messages(ListQuery(msg_type="outbound"))
    assert {m.id for m in listed.messages} == set(ids)


# -- failures ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
async def test_documented_send_failures(sim, plum, fmt):
    sim.account.unsubscribed.add(normalize("6175550155"))
    sim.account.landlines.add(normalize("6175550190"))
    provider = plum(fmt)
    cases = [
        (_send(to="6175550155"), "unsubscribed"),
        (_send(to="6175550190"), "landline"),
        (_send(frm="6175550199"), "bad_from"),
        (_send(body=""), "invalid"),
        (_send(to="12"), "invalid"),
    ]
    for request, kind in cases:
        with pytest.raises(ApiError) as caught:
            await provider.queue(request)
        assert caught.value.kind == kind, caught.value.server_message
    assert len(sim.account) == 0  # nothing was queued


@pytest.mark.parametrize("fmt", FORMATS)
async def test_stop_keyword_unsubscribes(sim, plum, fmt):
    sim.account.inject_inbound(CUSTOMER, ACCOUNT, "STOP")
    with pytest.raises(ApiError) as caught:
        await plum(fmt).queue(_send())
    assert caught.value.kind == "unsubscribed"


@pytest.mark.parametrize("fmt", FORMATS)
async def test_unknown_id_and_bad_credentials(plum, fmt):
    with pytest.raises(NotFound):
        await plum(fmt).status("0" * 32)
    with pytest.raises(AuthError) as caught:
        await plum(fmt, password="wrong").list_messages(ListQuery())
    assert "wrong" not in str(caught.value) and PASSWORD not in str(caught.value)


@pytest.mark.parametrize("fmt", FORMATS)
async def test_faults(sim, plum, fmt):
    provider = plum(fmt)
    sim.faults.once("drop")
    with pytest.raises(SendOutcomeUnknown):
        await provider.queue(_send("dropped"))
    assert len(sim.account) == 0  # this fault drops before processing: the outcome really was unknown

    sim.faults.once("timeout_after_queue")
    with pytest.raises(SendOutcomeUnknown):
        await provider.queue(_send("queued but unanswered"))
    listed = await provider.list_messages(ListQuery())
    assert [m.body for m in listed.messages] == ["queued but unanswered"]  # the sender can find it

    sim.faults.once("5xx")
    with pytest.raises((ServerError, SendOutcomeUnknown)):  # 502 on a send is "unknown"
        await provider.queue(_send("5xx"))

    sim.faults.once("5xx")
    with pytest.raises(ServerError):
        await provider.list_messages(ListQuery())

    sim.faults.once("malformed")
    with pytest.raises(MalformedResponse):
        await provider.list_messages(ListQuery())

    sim.faults.once("malformed")
    with pytest.raises(SendOutcomeUnknown):
        await provider.queue(_send("garbled answer"))

    sim.faults.once("401")
    with pytest.raises(AuthError):
        await provider.status(listed.messages[0].id)

    sim.faults.slow_seconds = 1.0
    sim.faults.once("slow")
    with pytest.raises(RequestTimeout):
        await plum(fmt, timeout=0.2).list_messages(ListQuery())


# -- listing and conversations -----------------------------------------------------------------------


def _fill_thread(account: SimAccount, count: int, *, customer: str = CUSTOMER, number: str = ACCOUNT) -> None:
    for n in range(count):
        account.add_message(
            customer=customer, account=number, body=f"message {n}",
            direction="inbound" if n % 3 == 0 else "outbound", at=T0 - 10_000 + n * 10,
        )


@pytest.mark.parametrize("fmt", FORMATS)
async def test_conversation_paging(sim, plum, fmt):
    _fill_thread(sim.account, 120)
    _fill_thread(sim.account, 7, customer="6175550178")  # another customer: not in this thread
    provider = plum(fmt)
    pages = []
    offset = 0
    while True:
        got = await provider.conversation(ACCOUNT, CUSTOMER, offset=offset, limit=50)
        pages.append(got)
        if got.next_offset is None:
            break
        offset = got.next_offset
    assert [len(p.messages) for p in pages] == [50, 50, 20]
    assert all(p.total == 120 for p in pages)
    everything = [m for p in pages for m in p.messages]
    assert [m.body for m in everything] == [f"message {n}" for n in reversed(range(120))]  # newest first
    assert all((m.direction is Direction.INBOUND) == (int(m.body.split()[1]) % 3 == 0) for m in everything)
    assert {m.customer_number() for m in everything} == {normalize(CUSTOMER)}
    assert {m.account_number() for m in everything} == {normalize(ACCOUNT)}

    ascending = await provider.conversation(CUSTOMER, "1" + ACCOUNT, order="asc", limit=50)
    assert ascending.messages[0].body == "message 0"

    walked = [m async for m in iter_conversation(provider, ACCOUNT, CUSTOMER, page_size=50)]
    assert walked == everything


@pytest.mark.parametrize("fmt", FORMATS)
async def test_messages_filters(sim, plum, fmt):
    _fill_thread(sim.account, 90)  # 30 inbound, 60 outbound on ACCOUNT
    _fill_thread(sim.account, 12, customer="6175550178", number=OTHER_ACCOUNT)  # 4 in, 8 out
    provider = plum(fmt)

    async def ids(query: ListQuery) -> list[Message]:
        return [m async for m in iter_messages(provider, query, page_size=50)]

    everything = await ids(ListQuery())
    assert len(everything) == 102 and len({m.id for m in everything}) == 102
    inbound = await ids(ListQuery(msg_type="inbound"))
    assert len(inbound) == 34 and all(m.direction is Direction.INBOUND and m.status is Status.RECEIVED for m in inbound)
    outbound = await ids(ListQuery(msg_type="outbound"))
    assert len(outbound) == 68 and all(m.direction is Direction.OUTBOUND for m in outbound)
    assert len(await ids(ListQuery(msg_type="all"))) == 102

    by_account = await ids(ListQuery(msg_type="inbound", phone_number=OTHER_ACCOUNT, number_type="account"))
    assert len(by_account) == 4 and {m.account_number() for m in by_account} == {normalize(OTHER_ACCOUNT)}
    by_customer = await ids(ListQuery(msg_type="outbound", phone_number="+1 617 555 0123", number_type="customer"))
    assert len(by_customer) == 60 and {m.customer_number() for m in by_customer} == {normalize(CUSTOMER)}
    either_side = await ids(ListQuery(phone_number=CUSTOMER))
    assert len(either_side) == 90

    start = datetime.fromtimestamp(T0 - 10_000 + 100, tz=UTC)  # message 10 of each thread and later
    end = datetime.fromtimestamp(T0 - 10_000 + 200, tz=UTC)
    window = await ids(ListQuery(start=start, end=end, order="asc"))
    assert [m.body for m in window if normalize(m.customer_number()) == normalize(CUSTOMER)] == [f"message {n}" for n in range(10, 21)]
    assert all(start <= m.requested_at <= end for m in window)

    first = await provider.list_messages(ListQuery(limit=50, order="asc"))
    second = await provider.list_messages(ListQuery(offset=50, limit=50, order="asc"))
    assert first.total == 102 and first.next_offset == 50 and second.next_offset == 100
    assert first.messages[-1].requested_at <= second.messages[0].requested_at


@pytest.mark.parametrize("fmt", FORMATS)
async def test_inbound_shows_up_with_the_right_direction(sim, plum, clock, fmt):
    sim.account.inject_inbound("+1 617 555 0123", ACCOUNT, "Is my bike ready?")
    provider = plum(fmt)
    (message,) = (await provider.list_messages(ListQuery())).messages
    assert message.direction is Direction.INBOUND and message.status is Status.RECEIVED
    assert message.customer_number() == normalize(CUSTOMER) and message.is_final
    assert (await provider.status(message.id)).direction is Direction.INBOUND
    (in_thread,) = (await provider.conversation(ACCOUNT, CUSTOMER)).messages
    assert in_thread == message


@pytest.mark.parametrize("fmt", FORMATS)
async def test_limit_out_of_range_never_reaches_the_server(sim, plum, fmt):
    with pytest.raises(ValueError):
        await plum(fmt).list_messages(ListQuery(limit=20))
    assert sim.account.request_log == []


# -- both formats, one truth ---------------------------------------------------------------------------

#: XML 1.0 cannot carry C0 controls: the simulator writes U+FFFD for them (see `smschat.sim.wire`).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _as_xml_carries_it(message: Message) -> Message:
    return replace(message, body=_XML_ILLEGAL.sub("\ufffd", message.body))


@pytest.fixture
def demo(sim, clock):
    seed_demo_account(sim.account, now=T0 - 60)
    clock.now = T0
    return sim


async def test_formats_agree_on_the_demo_account(demo, plum):
    as_json, as_xml = plum("json"), plum("xml")
    listed_json = [m async for m in iter_messages(as_json, ListQuery(), page_size=200)]
    listed_xml = [m async for m in iter_messages(as_xml, ListQuery(), page_size=200)]
    assert len(listed_json) == len(demo.account) > 300
    assert [_as_xml_carries_it(m) for m in listed_json] == listed_xml
    assert any(m.direction is Direction.INBOUND for m in listed_json) and any(m.status is Status.FAILURE for m in listed_json)

    pairs = sorted({(m.account_number(), m.customer_number()) for m in listed_json})
    for account, customer in pairs:
        page_json = await as_json.conversation(account, customer, limit=1000)
        page_xml = await as_xml.conversation(account, customer, limit=1000)
        assert replace(page_json, messages=tuple(map(_as_xml_carries_it, page_json.messages))) == page_xml
        assert page_json.total == len(page_json.messages) > 0

    for message in listed_json[::25]:
        assert _as_xml_carries_it(await as_json.status(message.id)) == await as_xml.status(message.id)

    page_json = await as_json.list_messages(ListQuery(msg_type="inbound", phone_number="6175550101", number_type="account", limit=50))
    page_xml = await as_xml.list_messages(ListQuery(msg_type="inbound", phone_number="6175550101", number_type="account", limit=50))
    assert page_json.messages and replace(page_json, messages=tuple(map(_as_xml_carries_it, page_json.messages))) == page_xml


@pytest.mark.parametrize("body", ["short", "x" * 500, "emoji 🚲 " * 30, "  spaced\r\nlines <&> \t"], ids=["short", "long", "emoji", "whitespace"])
async def test_formats_agree_on_queue(plum, body):
    from_json = await plum("json").queue(_send(body))
    from_xml = await plum("xml").queue(_send(body))
    assert len(from_json) == len(from_xml)
    assert "".join(m.body for m in from_xml) == body
    # the same send at the same (frozen) time: everything but the fresh ids is identical
    assert [replace(m, id="", parts=()) for m in from_json] == [replace(m, id="", parts=()) for m in from_xml]


async def test_formats_agree_on_failures(sim, plum):
    sim.account.landlines.add(normalize("6175550190"))
    errors = []
    for fmt in FORMATS:
        with pytest.raises(ApiError) as caught:
            await plum(fmt).queue(_send(to="6175550190"))
        errors.append((type(caught.value), caught.value.kind, caught.value.server_message))
    assert errors[0] == errors[1]
