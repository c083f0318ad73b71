"""The Plivo simulator over real HTTP: auth, sends, records without text, listing rules, rate limit,
state changes and error codes."""

from __future__ import annotations

import httpx
import pytest
from plivo_sim_helpers import AUTH_ID, CUSTOMER, MAIN, OTHER, SIDE, T0, TOKEN, FakeClock, wait_for

from smschat.sim.plivo_account import PlivoAccount
from smschat.sim.plivo_api import parse_filter_time
from smschat.sim.plivo_records import plivo_time
from smschat.sim.plivo_server import PlivoSimServer

PATH = f"/v1/Account/{AUTH_ID}/Message/"
MDR_FIELDS = {"error_code", "from_number", "message_direction", "message_state", "message_time", "message_type",
              "message_uuid", "resource_uri", "to_number", "total_amount", "total_rate", "units"}


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def account(clock):
    return PlivoAccount(AUTH_ID, TOKEN, [MAIN, SIDE], clock=clock, powerpacks={"pp-1": [SIDE]})


@pytest.fixture
def server(account, clock):
    with PlivoSimServer(account, clock=clock, list_limit=1000, list_period=60.0) as running:
        yield running


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, auth=(AUTH_ID, TOKEN), timeout=5) as client:
        yield client


def send(http, **fields):
    body = {"src": MAIN, "dst": CUSTOMER, "text": "hello", **fields}
    return http.post(PATH, json=body)


def listing(http, **params):
    response = http.get(PATH, params=params)
    assert response.status_code == 200, response.text
    return response.json()


# ------------------------------------------------------------------------------------ auth

def test_every_request_needs_the_auth_id_and_token(server):
    for auth in (None, (AUTH_ID, "wrong"), ("MAOTHER", TOKEN)):
        with httpx.Client(base_url=server.url, auth=auth, timeout=5) as client:
            response = client.get(PATH)
            assert response.status_code == 401
            assert response.json()["error"] == "authentication failed" and "api_id" in response.json()


def test_another_accounts_path_is_refused(http):
    assert http.get("/v1/Account/MAOTHER/Message/").status_code == 401


# ------------------------------------------------------------------------------------ sending

def test_send_answers_202_with_a_uuid_list(http):
    response = send(http)
    assert response.status_code == 202
    data = response.json()
    assert data["message"] == "message(s) queued" and len(data["message_uuid"]) == 1 and data["api_id"]
    assert len(data["message_uuid"][0]) == 36


@pytest.mark.parametrize(("text", "units"), [("a" * 160, 1), ("a" * 161, 2), ("a" * 400, 3), ("☃" * 70, 1),
                                             ("☃" * 71, 2), ("a" * 1600, 11)])
def test_a_long_text_is_split_into_units_each_with_its_uuid(http, account, text, units):
    uuids = send(http, text=text).json()["message_uuid"]
    assert len(uuids) == units == len(set(uuids))
    assert "".join(account.get(u).text for u in uuids) == text


def test_mms_is_one_uuid_with_its_media(http, account):
    media = ["https://cdn.example/a.jpg", "https://cdn.example/b.png"]
    uuids = send(http, type="mms", media_urls=media, text="look").json()["message_uuid"]
    assert len(uuids) == 1
    assert account.get(uuids[0]).media == tuple(media)
    got = http.get(f"{PATH}{uuids[0]}/Media/").json()
    assert [o["media_url"] for o in got["objects"]] == media
    assert got["objects"][0]["content_type"] == "image/jpeg"


def test_a_form_body_is_accepted_too(http):
    response = http.post(PATH, data={"src": MAIN, "dst": CUSTOMER, "text": "form"})
    assert response.status_code == 202


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"dst": ""}, "required"),
        ({"dst": "not-a-number"}, "not a phone number"),
        ({"dst": "+123456789012345"}, "too long"),
        ({"dst": f"{CUSTOMER}<{OTHER}"}, "one destination"),
        ({"text": "a" * 1601}, "1600"),
        ({"text": "☃" * 738}, "737"),
        ({"text": ""}, "required"),
        ({"type": "mms"}, "at least one"),
        ({"type": "mms", "media_urls": [f"https://c.example/{i}.jpg" for i in range(11)]}, "at most 10"),
        ({"media_urls": ["https://c.example/1.jpg"]}, "need type 'mms'"),
        ({"type": "fax"}, "'sms' or 'mms'"),
        ({"powerpack_uuid": "pp-1"}, "cannot both"),
        ({"src": "", "powerpack_uuid": "pp-nope"}, "not found"),
        ({"src": ""}, "required"),
        ({"method": "PUT", "url": "https://r.example/s"}, "GET or POST"),
        ({"src": "ABCDEFGHIJKL"}, "at most 11"),
    ],
)
def test_documented_refusals_are_400_with_an_error(http, fields, why):
    response = send(http, **fields)
    assert response.status_code == 400
    assert why in response.json()["error"]


def test_powerpack_sends_from_its_pool(http, account):
    uuid = send(http, src="", powerpack_uuid="pp-1").json()["message_uuid"][0]
    assert account.get(uuid).account == SIDE and account.get(uuid).powerpack == "pp-1"


# ------------------------------------------------------------------------------------ records

def test_records_have_every_documented_field_and_never_the_text(http, clock):
    uuid = send(http, text="a secret text").json()["message_uuid"][0]
    record = http.get(f"{PATH}{uuid}/").json()
    assert MDR_FIELDS <= set(record) and "api_id" in record
    assert "a secret text" not in str(record)
    assert not {"text", "body", "Text", "Body"} & set(record)
    assert record["message_direction"] == "outbound" and record["message_type"] == "sms"
    assert record["from_number"] == MAIN and record["to_number"] == CUSTOMER
    assert record["message_time"] == plivo_time(T0) and record["message_time"].endswith("+00:00")
    assert record["units"] == 1 and record["resource_uri"] == f"{PATH}{uuid}/"
    listed = listing(http)["objects"][0]
    assert "a secret text" not in str(listed) and listed["message_uuid"] == uuid


def test_unknown_uuid_is_404(http):
    response = http.get(f"{PATH}00000000-0000-4000-8000-000000000000/")
    assert response.status_code == 404 and response.json()["error"] == "not found"


def test_states_change_over_time(http, clock):
    uuid = send(http).json()["message_uuid"][0]

    def state():
        record = http.get(f"{PATH}{uuid}/").json()
        return record["message_state"], record["error_code"]

    assert state() == ("queued", None)
    clock.advance(1.5)
    assert state() == ("sent", None)
    clock.advance(2.0)
    assert state() == ("delivered", "000")


@pytest.mark.parametrize(
    ("group", "final"),
    [
        ("unsubscribed", ("failed", "200")),
        ("spam", ("failed", "30")),
        ("landlines", ("undelivered", "70")),
        ("undeliverable", ("undelivered", "80")),
        ("expired", ("undelivered", "420")),
        ("unconfirmed", ("sent", None)),
    ],
)
def test_customers_decide_the_outcome_and_its_error_code(http, account, clock, group, final):
    getattr(account, group).add(CUSTOMER)
    uuid = send(http).json()["message_uuid"][0]
    clock.advance(10)
    record = http.get(f"{PATH}{uuid}/").json()
    assert (record["message_state"], record["error_code"]) == final


def test_a_source_that_is_not_the_accounts_fails_with_40(http, clock):
    uuid = send(http, src="14155559999").json()["message_uuid"][0]
    clock.advance(10)
    assert http.get(f"{PATH}{uuid}/").json()["error_code"] == "40"


def test_no_credit_fails_with_900(http, account, clock):
    account.credit = 0.004
    uuid = send(http).json()["message_uuid"][0]
    clock.advance(10)
    record = http.get(f"{PATH}{uuid}/").json()
    assert (record["message_state"], record["error_code"], record["total_amount"]) == ("failed", "900", "0.00000")


def test_a_customer_who_texts_stop_is_unsubscribed(http, account, clock):
    account.inject_inbound(CUSTOMER, MAIN, "stop")
    uuid = send(http).json()["message_uuid"][0]
    clock.advance(10)
    assert http.get(f"{PATH}{uuid}/").json()["error_code"] == "200"
    account.inject_inbound(CUSTOMER, MAIN, "START")
    uuid = send(http).json()["message_uuid"][0]
    clock.advance(10)
    assert http.get(f"{PATH}{uuid}/").json()["message_state"] == "delivered"


# ------------------------------------------------------------------------------------ listing

def _seed(account, count, *, every=3600.0, start=T0 - 60):
    return [account.inject_inbound(CUSTOMER, MAIN, f"m{i}", at=start - i * every) for i in range(count)]


def test_list_pages_hold_at_most_20_newest_first(http, account):
    uuids = _seed(account, 23, every=60)
    first = listing(http)
    assert [o["message_uuid"] for o in first["objects"]] == uuids[:20]
    meta = first["meta"]
    assert (meta["limit"], meta["offset"], meta["total_count"], meta["previous"]) == (20, 0, 23, None)
    assert "offset=20" in meta["next"]
    second = listing(http, offset=20)
    assert [o["message_uuid"] for o in second["objects"]] == uuids[20:]
    assert second["meta"]["next"] is None and "offset=0" in second["meta"]["previous"]
    assert [o["message_uuid"] for o in listing(http, limit=5, offset=3)["objects"]] == uuids[3:8]


@pytest.mark.parametrize("limit", ["0", "21", "-1", "x"])
def test_limit_outside_1_to_20_is_refused(http, limit):
    response = http.get(PATH, params={"limit": limit})
    assert response.status_code == 400 and "limit" in response.json()["error"]


def test_without_a_time_filter_only_the_last_24_hours(http, account):
    recent = _seed(account, 3, every=3600, start=T0 - 60)
    older = account.inject_inbound(CUSTOMER, MAIN, "two days ago", at=T0 - 2 * 86400)
    assert [o["message_uuid"] for o in listing(http)["objects"]] == recent
    since = plivo_time(T0 - 3 * 86400, micro=False)[:19]
    assert older in [o["message_uuid"] for o in listing(http, message_time__gte=since)["objects"]]


def test_never_more_than_90_days_back(http, account):
    kept = account.inject_inbound(CUSTOMER, MAIN, "89 days", at=T0 - 89 * 86400)
    gone = account.inject_inbound(CUSTOMER, MAIN, "91 days", at=T0 - 91 * 86400)
    got = [o["message_uuid"] for o in listing(http, message_time__gte="2020-01-01 00:00")["objects"]]
    assert kept in got and gone not in got


def test_time_filters_are_exact_to_the_microsecond(http, account):
    at = T0 - 100.25
    uuid = account.inject_inbound(CUSTOMER, MAIN, "x", at=at)
    stamp = plivo_time(at)[:-6]  # drop "+00:00"

    def got(**params):
        return uuid in [o["message_uuid"] for o in listing(http, **params)["objects"]]

    assert got(message_time__gte=stamp) and not got(message_time__gt=stamp)
    assert got(message_time__lte=stamp) and not got(message_time__lt=stamp)
    assert got(message_time=stamp)
    assert got(message_time__gt="2027-01-15 07:58", message_time__lt="2027-01-15 08:00")


def test_bad_time_filters_are_refused(http):
    response = http.get(PATH, params={"message_time__gte": "yesterday"})
    assert response.status_code == 400 and "message_time__gte" in response.json()["error"]


def test_filters_on_direction_state_type_and_error_code(http, account, clock):
    account.unsubscribed.add(OTHER)
    inbound = account.inject_inbound(CUSTOMER, MAIN, "in")
    delivered = send(http).json()["message_uuid"][0]
    failed = send(http, dst=OTHER).json()["message_uuid"][0]
    mms = send(http, type="mms", media_urls=["https://c.example/x.gif"]).json()["message_uuid"][0]
    clock.advance(10)

    def uuids(**params):
        return {o["message_uuid"] for o in listing(http, **params)["objects"]}

    assert uuids(message_direction="inbound") == {inbound}
    assert uuids(message_direction="outbound") == {delivered, failed, mms}
    assert uuids(message_state="failed") == {failed}
    assert uuids(message_state="delivered") == {delivered, mms}
    assert uuids(message_type="mms") == {mms}
    assert uuids(error_code="200") == {failed}
    assert http.get(PATH, params={"message_state": "lost"}).status_code == 400


def test_filter_time_parser_accepts_the_documented_forms():
    assert parse_filter_time("2027-01-15 08:00", "t") == parse_filter_time("2027-01-15 08:00:00.000000", "t")
    assert parse_filter_time("2027-01-15 08:00:30", "t") - parse_filter_time("2027-01-15 08:00", "t") == 30


# ------------------------------------------------------------------------------------ rate limit

def test_list_requests_beyond_the_rate_limit_get_429_with_retry_after(account, clock):
    with PlivoSimServer(account, clock=clock, list_limit=3, list_period=0.5) as server, \
            httpx.Client(base_url=server.url, auth=(AUTH_ID, TOKEN), timeout=5) as client:
        assert [client.get(PATH).status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get(PATH)
        assert refused.status_code == 429 and refused.json()["error"] == "too many requests"
        assert refused.headers["Retry-After"] == "1"
        assert client.get(f"{PATH}00000000-0000-4000-8000-000000000000/").status_code == 404  # not limited
        assert client.post(PATH, json={"src": MAIN, "dst": CUSTOMER, "text": "x"}).status_code == 202
        assert wait_for(lambda: client.get(PATH).status_code == 200, timeout=3)
        assert server.list_rate.refused >= 1


def test_faults_apply_like_the_plum_simulator(server, http):
    server.faults.once("5xx")
    assert http.get(PATH).status_code in (500, 502, 503)
    server.faults.once("401")
    assert http.get(PATH).status_code == 401
    assert http.get(PATH).status_code == 200
    assert [entry[3] for entry in server.list_requests()][-2:] == [401, 200]
