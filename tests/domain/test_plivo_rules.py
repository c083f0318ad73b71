"""Plivo's documented send rules, states and error codes (pure)."""

import pytest

from smschat.domain.model import DeliveryStatus, Direction, Status
from smschat.domain.numbers import InvalidNumber
from smschat.domain.plivo_rules import (
    PlivoRefused,
    check_media,
    check_text,
    destination,
    error_meaning,
    map_state,
    source,
    state_error,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+1 (415) 282-8726", "14152828726"),
        ("1-415.282/8726", "14152828726"),
        ("14152828726", "14152828726"),
        ("4152828726", "14152828726"),  # 10 digits: North American, as everywhere in smschat
        ("+44 20 7946 0000", "442079460000"),
        ("+12345678901234", "12345678901234"),  # 14 digits: the most Plivo takes
    ],
)
def test_destination_strips_what_plivo_strips(raw, expected):
    assert destination(raw) == expected


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("+123456789012345", "too long"),  # 15 digits
        ("12345", "too short"),
        ("14155550100<14155550101", "one destination"),
        ("415-CALL-NOW", "not a phone number"),
        ("", "required"),
        ("  ", "required"),
    ],
)
def test_destination_refusals(raw, why):
    with pytest.raises(InvalidNumber, match=why):
        destination(raw)


def test_source_numbers_and_sender_ids():
    assert source("+1 (617) 555-0100") == "16175550100"
    assert source("Spoke&Chain") == "SpokeChain"  # everything but A-Z a-z 0-9 is stripped
    assert source("SPOKE-CHAIN!") == "SPOKECHAIN"
    assert source("ABCDEFGHIJK") == "ABCDEFGHIJK"  # 11: allowed
    with pytest.raises(InvalidNumber, match="at most 11"):
        source("ABCDEFGHIJKL")
    with pytest.raises(InvalidNumber, match="at most 14"):
        source("+123456789012345")
    with pytest.raises(InvalidNumber, match="required"):
        source("+()-")


def test_text_limits_in_characters():
    assert check_text("a" * 1600) == "a" * 1600
    with pytest.raises(PlivoRefused, match="1600"):
        check_text("a" * 1601)
    assert check_text("é" * 0 + "☃" * 737)
    with pytest.raises(PlivoRefused, match="737"):
        check_text("☃" * 738)
    with pytest.raises(PlivoRefused, match="required"):
        check_text("   ")


def test_media_rules():
    assert check_media("sms", ()) == ()
    assert check_media("mms", ["https://a.example/x.jpg"]) == ("https://a.example/x.jpg",)
    ten = [f"https://a.example/{i}.png" for i in range(10)]
    assert len(check_media("mms", ten)) == 10
    with pytest.raises(PlivoRefused, match="at most 10"):
        check_media("mms", [*ten, "https://a.example/11.png"])
    with pytest.raises(PlivoRefused, match="at least one"):
        check_media("mms", [])
    with pytest.raises(PlivoRefused, match="need type 'mms'"):
        check_media("sms", ["https://a.example/x.jpg"])
    with pytest.raises(PlivoRefused, match="not an http"):
        check_media("mms", ["ftp://a.example/x.jpg"])
    with pytest.raises(PlivoRefused, match="'sms' or 'mms'"):
        check_media("whatsapp", [])


@pytest.mark.parametrize(
    ("state", "direction", "status", "delivery"),
    [
        ("queued", Direction.OUTBOUND, Status.QUEUED, DeliveryStatus.UNKNOWN),
        ("sent", Direction.OUTBOUND, Status.SENT, DeliveryStatus.UNKNOWN),
        ("delivered", Direction.OUTBOUND, Status.SENT, DeliveryStatus.DELIVERED),
        ("read", Direction.OUTBOUND, Status.SENT, DeliveryStatus.DELIVERED),
        ("undelivered", Direction.OUTBOUND, Status.SENT, DeliveryStatus.UNDELIVERED),
        ("failed", Direction.OUTBOUND, Status.FAILURE, DeliveryStatus.UNKNOWN),
        ("rejected", Direction.OUTBOUND, Status.FAILURE, DeliveryStatus.UNKNOWN),
        ("received", Direction.INBOUND, Status.RECEIVED, DeliveryStatus.UNKNOWN),
        ("delivered", Direction.INBOUND, Status.RECEIVED, DeliveryStatus.UNKNOWN),  # posted to the message URL
        ("undelivered", Direction.INBOUND, Status.RECEIVED, DeliveryStatus.UNKNOWN),
        ("DELIVERED ", Direction.OUTBOUND, Status.SENT, DeliveryStatus.DELIVERED),
    ],
)
def test_states_map_onto_statuses(state, direction, status, delivery):
    assert map_state(state, direction) == (status, delivery)


def test_unknown_state_is_an_error():
    with pytest.raises(ValueError, match="unknown"):
        map_state("teleported", Direction.OUTBOUND)


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        ("200", "200: recipient replied STOP"),
        ("420", "420: message expired"),
        ("900", "900: insufficient credit"),
        ("1000", "1000: unknown"),
        ("30", "30: spam detected"),
        (30, "30: spam detected"),
        ("040", "40: invalid source number"),
        ("000", ""),
        ("0", ""),
        ("", ""),
        (None, ""),
        ("7777", "7777: error code not in Plivo's list"),
    ],
)
def test_error_meanings(code, meaning):
    assert error_meaning(code) == meaning


def test_state_error_falls_back_to_the_state():
    assert state_error("failed", None) == "failed (no error code)"
    assert state_error("rejected", "") == "rejected by Plivo"
    assert state_error("undelivered", "80") == "80: destination temporarily unavailable"
    assert state_error("delivered", "000") == ""
