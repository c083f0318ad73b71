"""Switching profiles from the command palette, against the simulator over real HTTP."""

from __future__ import annotations

import pytest
from chat_harness import rendered, wait_for

from smschat.config import load_profile, save_config
from smschat.domain.numbers import normalize
from smschat.paths import store_file
from smschat.session import open_session
from smschat.sim import make_demo_server
from smschat.sim.seed_text import MAIN_LINE, SERVICE_LINE
from smschat.ui.app import SmsChatApp
from smschat.ui.profiles import other_profiles, switch_profile
from smschat.ui.screens.chat import ChatScreen

USER, PASSWORD = "agent", "Switch-S3cret"


@pytest.fixture
def server():
    srv = make_demo_server(lively=False, username=USER, password=PASSWORD).start()
    yield srv
    srv.stop()


@pytest.fixture
def config(tmp_path, monkeypatch, server):
    monkeypatch.setenv("SMSCHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SMSCHAT_CONFIG", raising=False)
    monkeypatch.delenv("SWITCH_MISSING_PW", raising=False)

    def profile(numbers, **extra):
        return {"base_url": server.url, "username": USER, "password": PASSWORD, "numbers": numbers, **extra}

    path = tmp_path / "config.toml"
    save_config(path, {
        "default_profile": "shop",
        "profiles": {
            "shop": profile([MAIN_LINE, SERVICE_LINE]),
            "repairs": profile([SERVICE_LINE]),
            "broken": {"base_url": server.url, "username": USER, "password_env": "SWITCH_MISSING_PW",
                       "numbers": [MAIN_LINE]},
        },
    })
    return path


def start(path, name="shop") -> SmsChatApp:
    profile = load_profile(path, name)
    return SmsChatApp(open_session(profile, store_file(profile.name)), config_path=path, poll_interval=0.2)


async def synced(pilot) -> ChatScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced, what="first sync")
    return app.screen


def test_other_profiles_lists_the_rest(config, tmp_path):
    assert other_profiles(config, "shop") == ["broken", "repairs"]
    assert other_profiles(None, "shop") == []
    assert other_profiles(tmp_path / "missing.toml", "shop") == []


async def test_switch_from_the_palette(config):
    app = start(config)
    first = app.session
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await synced(pilot)
            assert "shop" in rendered(screen.status)
            await wait_for(pilot, lambda: len(screen.contacts.contacts) > 3, what="contacts")
            assert {c.account for c in screen.contacts.contacts} == {normalize(MAIN_LINE), normalize(SERVICE_LINE)}

            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"Switch profile: repairs")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.session is not first and app.session is not None, what="the switch")
            new = await synced(pilot)
            assert new is not screen and app.session.profile.name == "repairs"
            assert "repairs" in rendered(new.status)
            await wait_for(pilot, lambda: len(new.contacts.contacts) > 0, what="contacts of the other profile")
            assert {c.account for c in new.contacts.contacts} == {normalize(SERVICE_LINE)}
            await wait_for(pilot, lambda: not first.runner._thread.is_alive(), what="the old session to close")
            assert (config.parent / "data" / "repairs.sqlite3").exists()
    finally:
        if app.session is not None:
            app.session.close()


async def test_a_profile_that_does_not_load_keeps_the_current_one(config):
    app = start(config)
    first = app.session
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await synced(pilot)
            switch_profile(app, "broken")
            await wait_for(pilot, lambda: any("SWITCH_MISSING_PW" in str(n.message) for n in app._notifications),
                           what="the error notification")
            assert app.session is first and first.runner._thread.is_alive()
            assert isinstance(app.screen, ChatScreen)
    finally:
        if app.session is not None:
            app.session.close()
