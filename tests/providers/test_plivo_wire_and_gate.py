"""Plivo's wire format (MDRs, list pages, the 202 answer, errors, times) and the client-side rate gate."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from smschat.domain.errors import MalformedResponse
from smschat.domain.model import DeliveryStatus, Direction, Status
from smschat.providers import plivo_wire as wire
from smschat.providers.plivo_rate import RateGate

# The shape of the reference's "retrieve a message" sample (a STOP'd recipient).
SAMPLE = {
    "api_id": "035eeada-6df1-11e6-b608-06a72a185e87",
    "error_code": "200",
    "from_number": "18552828641",
    "message_direction": "outbound",
    "message_state": "failed",
    "message_time": "2016-08-17 21:22:36+05:30",
    "message_type": "sms",
    "message_uuid": "2a340179-e8a9-4b1d-ae2c-9f346e7b6d7d",
    "resource_uri": "/v1/Account/MA/Message/2a340179-e8a9-4b1d-ae2c-9f346e7b6d7d/",
    "to_number": "19352326448",
    "total_amount": "0.00000",
    "total_rate": "0.00350",
    "units": 1,
}


def test_an_mdr_becomes_a_message_without_text():
    msg = wire.message_from(SAMPLE)
    assert msg.id == SAMPLE["message_uuid"] and msg.direction is Direction.OUTBOUND
    assert (msg.to_number, msg.from_number) == ("19352326448", "18552828641")
    assert msg.status is Status.FAILURE and msg.error == "200: recipient replied STOP"
    assert (msg.body, msg.body_known) == ("", False)
    assert msg.requested_at == datetime(2016, 8, 17, 15, 52, 36, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-07-13 13:04:06.799021+05:30", datetime(2021, 7, 13, 7, 34, 6, 799021, tzinfo=UTC)),
        ("2021-07-13 13:04:06", datetime(2021, 7, 13, 13, 4, 6, tzinfo=UTC)),
        ("2021-07-13T13:04:06Z", datetime(2021, 7, 13, 13, 4, 6, tzinfo=UTC)),
        ("2021-07-13 13:04:06+0530", datetime(2021, 7, 13, 7, 34, 6, tzinfo=UTC)),
        (1626181446, datetime(2021, 7, 13, 13, 4, 6, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_times_in_every_form_seen(text, expected):
    assert wire.parse_time(text) == expected


def test_filter_times_are_utc_with_microseconds():
    stamp = datetime(2026, 3, 1, 12, 0, 5, 250, tzinfo=UTC)
    assert wire.format_filter_time(stamp) == "2026-03-01 12:00:05.000250"
    with pytest.raises(ValueError):
        wire.format_filter_time(datetime(2026, 3, 1))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"message_uuid": ""}, "message_uuid"),
        ({"message_state": "teleported"}, "unknown state"),
        ({"message_direction": "sideways"}, "direction"),
        ({"message_time": "yesterday"}, "not a time"),
        ({"to_number": None}, "to_number"),
        ({"error_code": ["200"]}, "error_code"),
        ({"from_number": 1.5}, "from_number"),
    ],
)
def test_broken_records_are_malformed_responses(change, why):
    with pytest.raises(MalformedResponse, match=why):
        wire.message_from({**SAMPLE, **change})


def test_integer_numbers_and_inbound_records():
    inbound = {**SAMPLE, "message_direction": "inbound", "message_state": "delivered", "from_number": 14155550123,
               "to_number": 18552828641, "error_code": None}
    msg = wire.message_from(inbound)
    assert msg.direction is Direction.INBOUND and msg.status is Status.RECEIVED
    assert msg.delivery is DeliveryStatus.UNKNOWN and msg.error == "" and msg.from_number == "14155550123"


def test_a_list_page_with_meta():
    data = {"api_id": "x", "meta": {"limit": 20, "offset": 40, "total_count": 45, "next": None, "previous": "/p"},
            "objects": [SAMPLE] * 5}
    page = wire.page_from(data, offset=40, limit=20)
    assert (page.offset, page.limit, page.total, len(page.messages)) == (40, 20, 45, 5)


def test_a_list_page_without_total_count_uses_next():
    more = wire.page_from({"meta": {"limit": 2, "offset": 0, "next": "/v1/...offset=2"}, "objects": [SAMPLE, SAMPLE]},
                          offset=0, limit=2)
    assert more.total == 3 and more.next_offset == 2
    last = wire.page_from({"meta": {"limit": 2, "offset": 2, "next": None}, "objects": [SAMPLE]}, offset=2, limit=2)
    assert last.total == 3 and last.next_offset is None
    empty = wire.page_from({"meta": {"limit": 20, "offset": 0, "total_count": 0}, "objects": []}, offset=0, limit=20)
    assert empty.total == 0 and empty.messages == ()


def test_counters_as_strings_are_tolerated_and_garbage_is_not():
    page = wire.page_from({"meta": {"limit": "20", "offset": "0", "total_count": "1"}, "objects": [SAMPLE]},
                          offset=0, limit=20)
    assert page.total == 1
    with pytest.raises(MalformedResponse):
        wire.page_from({"meta": {"total_count": "many"}, "objects": []}, offset=0, limit=20)
    with pytest.raises(MalformedResponse):
        wire.page_from({"objects": {"a": 1}}, offset=0, limit=20)
    with pytest.raises(MalformedResponse):
        wire.page_from([SAMPLE], offset=0, limit=20)


def test_queued_uuids():
    answer = {"message": "message(s) queued", "message_uuid": ["db3ce55a-7f1d-11e1-8ea7-1231380bc196"],
              "api_id": "db342550-7f1d-11e1-8ea7-1231380bc196"}
    assert wire.queued_uuids(answer) == ("db3ce55a-7f1d-11e1-8ea7-1231380bc196",)
    assert wire.queued_uuids({"message_uuid": "one"}) == ("one",)
    for bad in ({"message_uuid": []}, {"message_uuid": [1]}, {"message_uuid": ["a", "a"]}, {}, []):
        with pytest.raises(MalformedResponse):
            wire.queued_uuids(bad)


def test_status_must_be_about_the_message_asked_for():
    assert wire.status_from(SAMPLE, SAMPLE["message_uuid"].upper()).id == SAMPLE["message_uuid"]
    with pytest.raises(MalformedResponse, match="answered about"):
        wire.status_from(SAMPLE, "another")


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (json.dumps({"api_id": "x", "error": "too many requests"}), "too many requests"),
        (json.dumps({"error": {"dst": ["is invalid"], "text": ["is required"]}}), "dst: is invalid; text: is required"),
        (json.dumps({"message": "not found"}), "not found"),
        ("<html>oops</html>", ""),
        ("plain words", "plain words"),
        ("", ""),
    ],
)
def test_error_texts(body, text):
    assert wire.error_text(body.encode()) == text


def test_malformed_json_is_refused():
    with pytest.raises(MalformedResponse):
        wire.load(b"{not json")
    with pytest.raises(MalformedResponse):
        wire.load(b"   ")


# ------------------------------------------------------------------------------------ rate gate

class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_the_gate_lets_limit_requests_through_per_period():
    t = FakeTime()
    gate = RateGate(3, 60.0, clock=t.clock, sleep=t.sleep)
    for _ in range(3):
        gate.release(await gate.acquire())
    assert t.slept == []
    t.now = 10.0
    gate.release(await gate.acquire())  # the 4th waits for the 1st to leave the window
    assert t.slept == [50.0] and t.now == 60.0
    assert gate.waited == 50.0


async def test_a_slot_counts_from_its_answer():
    t = FakeTime()
    gate = RateGate(1, 10.0, clock=t.clock, sleep=t.sleep)
    slot = await gate.acquire()
    t.now = 4.0  # the answer took 4 s
    gate.release(slot)
    await gate.acquire()
    assert t.now == 14.0


async def test_hold_closes_the_gate_after_a_429():
    t = FakeTime()
    gate = RateGate(100, 60.0, clock=t.clock, sleep=t.sleep)
    gate.hold(7.5)
    assert gate.next_wait() == 7.5
    await gate.acquire()
    assert t.now == 7.5


def test_a_gate_needs_sensible_numbers():
    with pytest.raises(ValueError):
        RateGate(0, 60)
    with pytest.raises(ValueError):
        RateGate(1, 0)
