"""The shared HTTP helpers: timeouts, Retry-After, hosts without credentials."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smschat.providers.http import CONNECT_TIMEOUT, host_of, make_client, make_timeout, parse_retry_after

NOW = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("120", 120.0),
        (" 3 ", 3.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # in the past: no wait
        ("-5", None),
        ("nan", None),
        ("inf", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, now=NOW) == expected


def test_timeouts_connect_short_read_from_profile():
    timeout = make_timeout(30)
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (CONNECT_TIMEOUT, 30, 30, 30)
    assert make_timeout(2).connect == 2


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "15"])
def test_bad_timeouts_are_refused(bad):
    with pytest.raises(ValueError):
        make_timeout(bad)


def test_host_of_never_shows_credentials():
    assert host_of("https://me:secret@example.com:8443/ws/sms") == "example.com:8443"
    assert host_of("https://example.com/ws/sms") == "example.com"
    assert "secret" not in host_of("http://me:secret@[::1]:80/")


async def test_client_settings():
    client = make_client("http://127.0.0.1:9/ws/sms", "u", "p", timeout=12)
    try:
        assert str(client.base_url) == "http://127.0.0.1:9/ws/sms/"
        assert client.timeout.read == 12 and client.timeout.connect == CONNECT_TIMEOUT
        assert client.follow_redirects is False
    finally:
        await client.aclose()
