"""Plivo profiles: `auth_id` (the same Profile field as username), the token from the same secret
sources as Plum's password, `powerpack_uuid`; and `make_provider` builds the Plivo provider."""

from __future__ import annotations

import pytest

from smschat.config import parse_profile
from smschat.domain.errors import ConfigError
from smschat.providers.factory import make_provider
from smschat.providers.plivo import PlivoProvider

TOKEN = "plivo-T0KEN-secret"


def doc(**table):
    base = {"provider": "plivo", "auth_id": "MAXXXXXXXXXXXXXXXXXX", "password_env": "PLIVO_TOKEN",
            "numbers": ["+1 415 555 0100"]}
    base.update(table)
    return {"profiles": {"p": {k: v for k, v in base.items() if v is not None}}}


def profile(**table):
    return parse_profile(doc(**table), None, env={"PLIVO_TOKEN": TOKEN})


def test_auth_id_is_the_username_and_the_token_comes_from_the_secret_sources():
    p = profile()
    assert (p.provider, p.username, p.password, p.base_url) == ("plivo", "MAXXXXXXXXXXXXXXXXXX", TOKEN,
                                                                "https://api.plivo.com")
    assert p.secret_source == "password_env:PLIVO_TOKEN" and TOKEN not in repr(p)
    assert p.numbers == ("14155550100",) and p.powerpack_uuid == ""
    assert profile(auth_id=None, username="MAXXXXXXXXXXXXXXXXXX").username == "MAXXXXXXXXXXXXXXXXXX"
    assert profile(username="MAXXXXXXXXXXXXXXXXXX").username == "MAXXXXXXXXXXXXXXXXXX"  # both, equal


def test_other_secret_sources_work_too():
    p = parse_profile(doc(password_env=None, password=TOKEN), None, env={})
    assert p.password == TOKEN


def test_auth_id_and_a_different_username_are_refused():
    with pytest.raises(ConfigError, match="not two different values"):
        profile(username="someone-else")


def test_auth_id_needs_a_plivo_profile():
    with pytest.raises(ConfigError, match="auth_id is for"):
        profile(provider="plum")


def test_powerpack_uuid():
    assert profile(powerpack_uuid="pp-123").powerpack_uuid == "pp-123"
    assert profile(powerpack_uuid="pp-123").redacted()["powerpack_uuid"] == "pp-123"
    with pytest.raises(ConfigError, match="powerpack_uuid is for"):
        profile(provider="plum", auth_id=None, username="me", powerpack_uuid="pp-123")
    with pytest.raises(ConfigError, match="powerpack_uuid"):
        profile(powerpack_uuid="  ")


def test_a_typo_is_reported():
    with pytest.raises(ConfigError, match="did you mean 'auth_id'"):
        profile(auth_idd="x")


async def test_make_provider_builds_the_plivo_provider_from_the_profile():
    provider = make_provider(profile(powerpack_uuid="pp-1", base_url="http://127.0.0.1:9"))
    try:
        assert isinstance(provider, PlivoProvider)
        assert (provider.auth_id, provider.powerpack_uuid, provider.base_url) == ("MAXXXXXXXXXXXXXXXXXX", "pp-1",
                                                                                  "http://127.0.0.1:9")
        assert provider.max_limit == 20 and provider.min_limit == 1
        assert TOKEN not in repr(provider)
    finally:
        await provider.aclose()
