"""`make_provider(profile)`: the right provider from a profile, clear errors for bad ones."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from smschat.config import Profile
from smschat.domain.errors import ConfigError
from smschat.providers.factory import make_provider
from smschat.providers.plum import PlumProvider

SECRET = "correct horse battery staple"


def _profile(**changes) -> Profile:
    base = Profile(
        name="work",
        provider="plum",
        base_url="http://127.0.0.1:8080/ws/sms",
        format="xml",
        username="agent",
        password=SECRET,
        numbers=("12435678910",),
        timeout=7.5,
    )
    return replace(base, **changes)


async def test_plum_profile():
    provider = make_provider(_profile())
    try:
        assert isinstance(provider, PlumProvider)
        assert provider.format == "xml" and provider.base_url == "http://127.0.0.1:8080/ws/sms"
        assert provider.accounts == frozenset({"12435678910"})
        assert provider._client.timeout.read == 7.5
        assert SECRET not in repr(provider)
    finally:
        await provider.aclose()


async def test_any_object_with_the_attributes():
    @dataclass
    class Stub:
        name: str = "x"
        provider: str = "PLUM"
        base_url: str = "https://hosting.plumvoice.com/ws/sms/"
        format: str = "json"
        username: str = "u"
        password: str = SECRET
        numbers: tuple[str, ...] = ()
        timeout: float = 15

    provider = make_provider(Stub())
    try:
        assert provider.name == "plum" and provider.base_url == "https://hosting.plumvoice.com/ws/sms"
    finally:
        await provider.aclose()


@pytest.mark.parametrize(
    "changes, key",
    [
        ({"provider": "twilio"}, "provider"),
        ({"base_url": ""}, "base_url"),
        ({"base_url": "ftp://example.com/ws"}, "base_url"),
        ({"base_url": "https:///ws"}, "base_url"),
        ({"base_url": f"https://agent:{SECRET}@example.com/ws/sms"}, "base_url"),
        ({"format": "yaml"}, "format"),
        ({"username": ""}, "username"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -3.0}, "timeout"),
        ({"numbers": "2435678910"}, "numbers"),
    ],
)
def test_bad_profiles(changes, key):
    with pytest.raises(ConfigError) as caught:
        make_provider(_profile(**changes))
    assert caught.value.key == f"profiles.work.{key}"
    assert SECRET not in str(caught.value)


def test_provider_not_built_yet_is_a_config_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "smschat.providers.plivo", None)  # as if the module did not exist
    with pytest.raises(ConfigError) as caught:
        make_provider(_profile(provider="plivo"))
    assert "plivo" in str(caught.value)
