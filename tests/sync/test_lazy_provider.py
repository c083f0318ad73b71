"""`open_session` builds the provider on first use (the first paint needs no HTTP client)."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest

from smschat.demo import demo_profile
from smschat.domain.errors import ConfigError
from smschat.session import open_session
from smschat.sim import make_demo_server


@pytest.fixture
def server():
    srv = make_demo_server(lively=False).start()
    yield srv
    srv.stop()


def test_provider_is_built_by_the_first_request_not_by_open_session(tmp_path, server):
    account = server.account
    profile = demo_profile(server.url, account.username, account.password, list(account.numbers))
    session = open_session(profile, tmp_path / "s.sqlite3")
    try:
        provider = session.engine.provider
        assert not provider.built
        keys = session.runner.call(session.engine.refresh(), timeout=30)
        assert provider.built and keys
        assert provider.max_limit == 1000  # attributes are the real provider's
    finally:
        session.close()


def test_a_session_never_used_closes_without_building_anything(tmp_path, server, monkeypatch):
    monkeypatch.delitem(sys.modules, "smschat.providers.factory", raising=False)
    account = server.account
    profile = demo_profile(server.url, account.username, account.password, list(account.numbers))
    session = open_session(profile, tmp_path / "s.sqlite3")
    session.close()
    assert not session.engine.provider.built
    assert "smschat.providers.factory" not in sys.modules


def test_a_bad_profile_fails_on_first_use_with_the_config_error(tmp_path, server):
    account = server.account
    profile = replace(demo_profile(server.url, account.username, account.password, list(account.numbers)),
                      provider="carrier-pigeon")
    session = open_session(profile, tmp_path / "s.sqlite3")
    try:
        with pytest.raises(ConfigError, match="unknown provider"):
            session.runner.call(session.engine.refresh(), timeout=30)
    finally:
        session.close()
