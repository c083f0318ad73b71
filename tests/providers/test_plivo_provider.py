"""The Plivo provider against the Plivo simulator over real HTTP: sends (every field, refusals
before any request), records without text, listing and its filters, paging past 24 hours, the rate
limit (429 waits and resumes, no page lost), status, errors."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from plivo_helpers import AUTH_ID, CUSTOMER, MAIN, T0, TOKEN, plivo_pair

from smschat.domain.errors import ApiError, AuthError, NotFound, RateLimited, SendOutcomeUnknown, Unsupported
from smschat.domain.model import DeliveryStatus, Direction, Status
from smschat.domain.numbers import InvalidNumber
from smschat.domain.plivo_rules import PlivoRefused
from smschat.providers.base import ListQuery, SendRequest
from smschat.providers.paging import iter_messages
from smschat.providers.plivo import PlivoProvider, api_root
from smschat.providers.plivo_rate import RateGate

REQ = SendRequest(to="+1 (415) 555-0123", from_number=MAIN, body="Your bike is ready")


def sends(server):
    return [e for e in server.request_log if e[0] == "POST"]


async def test_send_returns_records_with_the_text_and_the_uuid():
    async with plivo_pair() as (server, plivo, clock):
        records = await plivo.queue(REQ)
        assert len(records) == 1
        record = records[0]
        assert server.account.get(record.id) is not None
        assert (record.to_number, record.from_number, record.body) == (CUSTOMER, MAIN, "Your bike is ready")
        assert record.body_known and record.direction is Direction.OUTBOUND and record.status is Status.QUEUED
        assert record.parts == () and record.requested_at == clock.dt()


async def test_a_long_text_gives_several_uuids_tracked_as_parts():
    async with plivo_pair() as (server, plivo, _clock):
        text = "word " * 100  # 500 GSM characters: 4 units
        records = await plivo.queue(replace(REQ, body=text))
        ids = tuple(r.id for r in records)
        assert len(ids) == 4 and all(r.parts == ids for r in records)
        assert records[0].body == text and all(r.body == "" and r.body_known for r in records[1:])
        assert {server.account.get(i).parent for i in ids} == {ids[0]}


async def test_the_json_body_carries_every_documented_field():
    async with plivo_pair() as (server, plivo, _clock):
        seen = []
        server.faults.rewrite = lambda method, path, status, body: seen.append((method, path)) or None
        request = SendRequest(to=CUSTOMER, from_number=MAIN, body="pics", result_url="https://r.example/plivo/status",
                              media_urls=("https://cdn.example/a.jpg",), kind="mms")
        payload = plivo.build_send(request)
        assert payload == {"src": MAIN, "dst": CUSTOMER, "text": "pics", "type": "mms",
                           "media_urls": ["https://cdn.example/a.jpg"], "url": "https://r.example/plivo/status",
                           "method": "POST", "log": True}
        records = await plivo.queue(request)
        assert records[0].media == ("https://cdn.example/a.jpg",) and records[0].result_url.endswith("/status")
        stored = server.account.get(records[0].id)
        assert stored.kind == "mms" and stored.url == "https://r.example/plivo/status" and stored.method == "POST"
        assert seen and seen[0][0] == "POST"


async def test_sms_without_callback_has_no_url_and_log_follows_the_option():
    async with plivo_pair(log_content=False) as (_server, plivo, _clock):
        payload = plivo.build_send(REQ)
        assert "url" not in payload and "method" not in payload and "media_urls" not in payload
        assert payload["type"] == "sms" and payload["log"] is False


async def test_a_powerpack_replaces_src():
    async with plivo_pair(powerpack_uuid="pp-1") as (server, plivo, _clock):
        payload = plivo.build_send(REQ)
        assert payload["powerpack_uuid"] == "pp-1" and "src" not in payload
        records = await plivo.queue(REQ)
        assert server.account.get(records[0].id).powerpack == "pp-1"


@pytest.mark.parametrize(
    ("change", "error", "why"),
    [
        ({"body": "a" * 1601}, PlivoRefused, "1600"),
        ({"body": "☃" * 738}, PlivoRefused, "737"),
        ({"body": "  "}, PlivoRefused, "required"),
        ({"to": "+123456789012345"}, InvalidNumber, "14 digits"),
        ({"to": "12345"}, InvalidNumber, "too short"),
        ({"to": f"{CUSTOMER}<14155550199"}, InvalidNumber, "one destination"),
        ({"from_number": "ABCDEFGHIJKL"}, InvalidNumber, "11 characters"),
        ({"kind": "mms"}, PlivoRefused, "at least one"),
        ({"kind": "mms", "media_urls": tuple(f"https://c.example/{i}.jpg" for i in range(11))}, PlivoRefused,
         "at most 10"),
        ({"media_urls": ("https://c.example/1.jpg",)}, PlivoRefused, "need type 'mms'"),
    ],
)
async def test_refused_before_any_request(change, error, why):
    async with plivo_pair() as (server, plivo, _clock):
        with pytest.raises(error, match=why):
            await plivo.queue(replace(REQ, **change))
        assert sends(server) == []


async def test_limits_are_exact():
    async with plivo_pair() as (_server, plivo, _clock):
        assert len(await plivo.queue(replace(REQ, body="a" * 1600))) == 11
        assert len(await plivo.queue(replace(REQ, body="☃" * 737))) == 11
        ten = tuple(f"https://c.example/{i}.jpg" for i in range(10))
        assert len(await plivo.queue(replace(REQ, kind="mms", media_urls=ten))) == 1


async def test_a_400_from_plivo_is_an_api_error_with_its_words():
    async with plivo_pair() as (server, plivo, _clock):
        server.faults.rewrite = lambda m, p, s, b: (400, json.dumps({"api_id": "x", "error": "dst is blocked"}).encode())
        with pytest.raises(ApiError, match="dst is blocked"):
            await plivo.queue(REQ)


async def test_unreadable_or_gateway_answers_to_a_send_are_outcome_unknown():
    async with plivo_pair() as (server, plivo, _clock):
        server.faults.once("timeout_after_queue")
        with pytest.raises(SendOutcomeUnknown):
            await plivo.queue(REQ)
        server.faults.rewrite = lambda m, p, s, b: (202, b'{"message": "message(s) queued"}')
        with pytest.raises(SendOutcomeUnknown, match="no message_uuid"):
            await plivo.queue(REQ)
        server.faults.rewrite = lambda m, p, s, b: (502, b"<html>bad gateway</html>")
        with pytest.raises(SendOutcomeUnknown, match="gateway"):
            await plivo.queue(REQ)


async def test_wrong_token_is_an_auth_error_without_the_token():
    async with plivo_pair() as (server, _plivo, clock):
        async with PlivoProvider(server.url, AUTH_ID, "not-the-token", clock=clock.dt) as wrong:
            with pytest.raises(AuthError) as caught:
                await wrong.list_messages(ListQuery(limit=20))
            assert "not-the-token" not in str(caught.value) and "not-the-token" not in repr(wrong)


# ------------------------------------------------------------------------------------ records

async def test_status_follows_the_message_and_has_no_text():
    async with plivo_pair() as (server, plivo, clock):
        uuid = (await plivo.queue(REQ))[0].id
        first = await plivo.status(uuid)
        assert (first.status, first.body, first.body_known) == (Status.QUEUED, "", False)
        clock.advance(5)
        done = await plivo.status(uuid)
        assert (done.status, done.delivery, done.error) == (Status.SENT, DeliveryStatus.DELIVERED, "")
        assert done.to_number == CUSTOMER and done.from_number == MAIN


async def test_failures_carry_the_error_code_and_its_meaning():
    async with plivo_pair() as (server, plivo, clock):
        server.account.unsubscribed.add(CUSTOMER)
        uuid = (await plivo.queue(REQ))[0].id
        clock.advance(5)
        failed = await plivo.status(uuid)
        assert failed.status is Status.FAILURE and failed.error == "200: recipient replied STOP"
        server.account.unsubscribed.clear()
        server.account.expired.add(CUSTOMER)
        uuid = (await plivo.queue(REQ))[0].id
        clock.advance(5)
        late = await plivo.status(uuid)
        assert (late.delivery, late.error) == (DeliveryStatus.UNDELIVERED, "420: message expired")


async def test_unknown_uuid_is_not_found():
    async with plivo_pair() as (_server, plivo, _clock):
        with pytest.raises(NotFound):
            await plivo.status("00000000-0000-4000-8000-000000000000")


async def test_listing_maps_the_query_and_returns_records_without_text():
    async with plivo_pair() as (server, plivo, clock):
        account = server.account
        inbound = account.inject_inbound(CUSTOMER, MAIN, "in", at=T0 - 30)
        out = (await plivo.queue(REQ))[0].id
        page = await plivo.list_messages(ListQuery(limit=50))  # clamped to 20
        assert page.limit == 20 and page.total == 2 and [m.id for m in page.messages] == [out, inbound]
        assert all(m.body == "" and not m.body_known for m in page.messages)
        assert page.messages[1].direction is Direction.INBOUND and page.messages[1].status is Status.RECEIVED
        only_in = await plivo.list_messages(ListQuery(limit=20, msg_type="inbound"))
        assert [m.id for m in only_in.messages] == [inbound]
        params = server.list_requests()[-1][2]
        assert params["message_direction"] == "inbound" and params["limit"] == "20"
        assert "message_time__gte" in params and "message_time__lte" in params


async def test_every_list_filter_reaches_the_wire():
    async with plivo_pair() as (server, plivo, clock):
        start, end = clock.dt() - timedelta(hours=2), clock.dt() - timedelta(minutes=1)
        await plivo.list_records(offset=3, limit=7, start=start, end=end, direction="outbound", state="failed",
                                 kind="mms", error_code=200)
        params = server.list_requests()[-1][2]
        assert params == {"limit": "7", "offset": "3", "message_time__gte": start.strftime("%Y-%m-%d %H:%M:%S.%f"),
                          "message_time__lte": end.strftime("%Y-%m-%d %H:%M:%S.%f"), "message_direction": "outbound",
                          "message_state": "failed", "message_type": "mms", "error_code": "200"}
        await plivo.list_records(after=start, before=end)
        params = server.list_requests()[-1][2]
        assert set(params) == {"limit", "offset", "message_time__gt", "message_time__lt"}


@pytest.mark.parametrize(
    "bad",
    [{"offset": -1}, {"direction": "sideways"}, {"state": "lost"}, {"kind": "fax"}, {"error_code": "x"}],
)
async def test_bad_list_arguments_are_refused_before_a_request(bad):
    async with plivo_pair() as (server, plivo, _clock):
        with pytest.raises(ValueError):
            await plivo.list_records(**bad)
        assert server.list_requests() == []


async def test_no_conversation_endpoint_and_no_number_filter():
    async with plivo_pair() as (server, plivo, _clock):
        with pytest.raises(Unsupported):
            await plivo.conversation(MAIN, CUSTOMER)
        with pytest.raises(Unsupported):
            await plivo.list_messages(ListQuery(phone_number=CUSTOMER, msg_type="outbound", number_type="customer"))
        assert server.list_requests() == []


async def test_paging_reaches_back_past_24_hours_and_stops_at_90_days():
    async with plivo_pair() as (server, plivo, _clock):
        account = server.account
        expected = [account.inject_inbound(CUSTOMER, MAIN, f"m{i}", at=T0 - 60 - i * 7 * 3600) for i in range(50)]
        account.inject_inbound(CUSTOMER, MAIN, "too old", at=T0 - 95 * 86400)
        got = [m.id async for m in iter_messages(plivo, ListQuery(limit=20), page_size=plivo.max_limit)]
        assert got == expected  # newest first, 50 over ~15 days, nothing older than 90 days
        assert len(server.list_requests()) == 3


async def test_a_walk_keeps_its_window_while_new_messages_arrive():
    async with plivo_pair() as (server, plivo, clock):
        account = server.account
        old = [account.inject_inbound(CUSTOMER, MAIN, f"m{i}", at=T0 - 100 - i) for i in range(30)]
        first = await plivo.list_messages(ListQuery(limit=20))
        clock.advance(5)
        for i in range(5):  # arrive between the pages: newer than the pinned end
            account.inject_inbound(CUSTOMER, MAIN, f"new{i}")
        second = await plivo.list_messages(ListQuery(offset=20, limit=20))
        assert [m.id for m in first.messages + second.messages] == old
        fresh = await plivo.list_messages(ListQuery(limit=20))  # a new walk sees them
        assert fresh.total == 35


async def test_a_429_waits_and_asks_for_the_same_page_again():
    async with plivo_pair(list_limit=2, list_period=0.4) as (server, plivo, _clock):
        account = server.account
        expected = [account.inject_inbound(CUSTOMER, MAIN, f"m{i}", at=T0 - 60 - i) for i in range(75)]
        got = [m.id async for m in iter_messages(plivo, ListQuery(limit=20), page_size=20)]
        assert got == expected  # every page, none lost, none doubled
        statuses = [e[3] for e in server.list_requests()]
        assert statuses.count(429) == plivo.rate_limited >= 1
        assert statuses.count(200) == 4
        offsets_ok = [e[2]["offset"] for e in server.list_requests() if e[3] == 200]
        assert offsets_ok == ["0", "20", "40", "60"]


async def test_the_client_side_gate_keeps_within_the_limit():
    async with plivo_pair(list_limit=3, list_period=0.5, gate=RateGate(3, 0.5)) as (server, plivo, _clock):
        for _ in range(7):
            await plivo.list_messages(ListQuery(limit=20))
        assert [e[3] for e in server.list_requests()] == [200] * 7
        assert plivo.rate_limited == 0 and plivo.gate.waited > 0


async def test_endless_429s_end_in_rate_limited_after_the_allowed_waits():
    async with plivo_pair(max_rate_waits=2) as (server, plivo, _clock):
        server.faults.rewrite = lambda m, p, s, b: (429, b'{"error": "too many requests"}', {"Retry-After": "0"}) \
            if m == "GET" else None
        with pytest.raises(RateLimited):
            await plivo.list_messages(ListQuery(limit=20))
        assert plivo.rate_limited == 3


def test_api_root_tolerates_a_v1_suffix():
    assert api_root("https://api.plivo.com/v1/") == "https://api.plivo.com"
    assert api_root("https://api.plivo.com") == "https://api.plivo.com"


def test_repr_never_shows_the_token():
    provider = PlivoProvider("https://api.plivo.com", AUTH_ID, TOKEN)
    assert TOKEN not in repr(provider)


async def test_media_of_an_mms_and_of_an_sms():
    async with plivo_pair() as (_server, plivo, _clock):
        urls = ("https://cdn.example/a.jpg", "https://cdn.example/b.gif")
        mms = (await plivo.queue(replace(REQ, kind="mms", media_urls=urls)))[0].id
        sms = (await plivo.queue(REQ))[0].id
        assert await plivo.media(mms) == urls
        assert await plivo.media(sms) == ()
        with pytest.raises(NotFound):
            await plivo.media("00000000-0000-4000-8000-000000000000")
