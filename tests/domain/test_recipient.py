"""Checking a number typed to start a conversation (`smschat.domain.recipient`)."""

from __future__ import annotations

import pytest

from smschat.domain.numbers import InvalidNumber
from smschat.domain.recipient import check_new_number

OWN = ("2435670000", "+1 243 567 0001")


@pytest.mark.parametrize(
    "text, provider, expected",
    [
        ("617 555 0123", "plum", "16175550123"),
        ("(617) 555-0123", "plivo", "16175550123"),
        ("1-617-555-0123", "plum", "16175550123"),
        ("+44 20 7946 0000", "plum", "442079460000"),
        ("+44 20 7946 0000", "plivo", "442079460000"),
        ("55512", "plum", "55512"),  # a US short code: Plum sends to it
    ],
)
def test_accepted_numbers_come_back_canonical(text, provider, expected):
    assert check_new_number(text, provider, OWN) == expected


@pytest.mark.parametrize(
    "text, provider, reason",
    [
        ("", "plum", "a phone number is required"),
        ("617 555 01", "plum", "too short"),
        ("617-555-abcd", "plum", "not a phone number"),
        ("1 011 555 0123", "plivo", "not a valid North American number"),
        ("+1234567890123456", "plum", "at most 15 digits"),
        ("+123 4567 8901 2345", "plivo", "Plivo takes at most 14 digits"),
        ("55512", "plivo", "give the country code"),
        ("243.567.0000", "plum", "one of this account's own numbers"),
        ("12435670001", "plivo", "one of this account's own numbers"),
    ],
)
def test_refused_numbers_say_why(text, provider, reason):
    with pytest.raises(InvalidNumber, match=reason):
        check_new_number(text, provider, OWN)


def test_messages_never_carry_controls():
    with pytest.raises(InvalidNumber) as caught:
        check_new_number("\x1b]52;c;aGk=\x07 617", "plum")
    assert not any(ord(ch) < 0x20 for ch in str(caught.value))
