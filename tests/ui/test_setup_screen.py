"""First run in the TUI: the setup screen against the simulator over real HTTP."""

from __future__ import annotations

import socket
import stat
import tomllib

import pytest
from chat_harness import wait_for

from smschat.config import load_profile
from smschat.domain.numbers import national
from smschat.sim import make_demo_server
from smschat.ui.app import SmsChatApp
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.screens.setup import SetupScreen
from textual.widgets import Input, Static

USER = "agent"
PASSWORD = "Setup-S3cret-pw"
WRONG = "Wrong-Pa55word"


@pytest.fixture
def server():
    srv = make_demo_server(lively=False, username=USER, password=PASSWORD).start()
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SMSCHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SMSCHAT_CONFIG", raising=False)


def message(screen) -> str:
    return str(screen.query_one("#setup-message", Static).render())


async def type_into(pilot, widget_id: str, text: str) -> None:
    """Really type (key presses), as a person would."""
    box = pilot.app.screen.query_one(f"#{widget_id}", Input)
    box.value = ""
    box.focus()
    await pilot.pause()
    await pilot.press(*text)


async def set_value(pilot, widget_id: str, text: str) -> None:
    pilot.app.screen.query_one(f"#{widget_id}", Input).value = text
    await pilot.pause()


async def fill(pilot, url: str, password: str, numbers: str) -> None:
    await set_value(pilot, "base_url", url)
    await type_into(pilot, "username", USER)
    await type_into(pilot, "password", password)
    await set_value(pilot, "numbers", numbers)


async def failed(pilot, screen) -> str:
    await wait_for(pilot, lambda: not screen.busy, what="the check to finish")
    return message(screen)


async def test_first_run_wrong_password_then_right_saves_and_opens_contacts(tmp_path, server):
    path = tmp_path / "conf" / "config.toml"
    numbers = ", ".join(national(n) for n in server.account.numbers)
    app = SmsChatApp(None, config_path=path, poll_interval=0.2)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            assert isinstance(screen, SetupScreen)
            # the defaults: Plum's real URL, JSON
            assert screen.query_one("#base_url", Input).value == "https://hosting.plumvoice.com/ws/sms"
            assert screen.value("format") == "json"

            await fill(pilot, server.url, WRONG, numbers)
            shot = app.export_screenshot()
            assert WRONG not in shot and "•" in shot  # the password field is masked on screen
            await pilot.press("ctrl+s")
            text = await failed(pilot, screen)
            assert "Password:" in text and "username or password" in text and "Nothing was saved" in text
            assert WRONG not in text and WRONG not in app.export_screenshot()
            assert screen.query_one("#row-password").has_class("-invalid")
            assert not path.exists()

            await type_into(pilot, "password", PASSWORD)
            await pilot.press("enter")  # moves on to the numbers field
            await pilot.press("enter")  # enter in the last field tests and saves
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="the chat screen")
            chat = app.screen
            await wait_for(pilot, lambda: len(chat.contacts.contacts) > 3, what="contacts from the simulator")
            assert PASSWORD not in app.export_screenshot()

        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        doc = tomllib.loads(path.read_text())
        assert doc["default_profile"] == "default"
        table = doc["profiles"]["default"]
        assert table["base_url"] == server.url and table["username"] == USER and table["format"] == "json"
        assert table["numbers"] == [national(n) for n in server.account.numbers]
        profile = load_profile(path, warn=lambda text: pytest.fail(f"unexpected warning {text}"))
        assert profile.password == PASSWORD
        assert app.session is not None and app.session.profile.name == "default"
        assert (tmp_path / "data" / "default.sqlite3").exists()
    finally:
        if app.session is not None:
            app.session.close()


async def test_unreachable_host_and_bad_numbers_are_named(tmp_path, server):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/ws/sms"
    path = tmp_path / "config.toml"
    app = SmsChatApp(None, config_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await fill(pilot, dead, PASSWORD, "2435678910")
        await pilot.press("ctrl+s")
        text = await failed(pilot, screen)
        assert "Base URL:" in text and "cannot reach the server" in text
        assert screen.query_one("#row-base_url").has_class("-invalid")

        await set_value(pilot, "base_url", server.url)
        await set_value(pilot, "numbers", "12, call me")
        await pilot.press("ctrl+s")
        text = await failed(pilot, screen)
        assert "SMS numbers:" in text and "too short" in text

        await set_value(pilot, "numbers", "")
        await pilot.press("ctrl+s")
        text = await failed(pilot, screen)
        assert "SMS numbers:" in text and "no SMS numbers" in text

        await set_value(pilot, "numbers", "2435678910")
        await set_value(pilot, "base_url", "http://sms.example.com/ws/sms")
        await pilot.press("ctrl+s")
        text = await failed(pilot, screen)
        assert "Base URL:" in text and "plain http://" in text
        assert isinstance(app.screen, SetupScreen) and not path.exists()


async def test_server_text_in_errors_is_not_markup(tmp_path, server):
    """A hostile server error is shown as text (the screen's message widget never parses markup)."""
    path = tmp_path / "config.toml"
    app = SmsChatApp(None, config_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen._failed("[bold red]boom[/] \x1b[31m", "")
        await pilot.pause()
        assert "[bold red]boom[/]" in message(screen)


async def test_provider_choice_changes_defaults_and_labels(tmp_path, monkeypatch):
    from smschat.ui.screens import setup

    monkeypatch.setattr(setup, "available_providers", lambda: ["plum", "plivo"])
    app = SmsChatApp(None, config_path=tmp_path / "config.toml", setup_name="work")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert screen.query_one("#name", Input).value == "work"  # `smschat --profile work` on first run
        screen.query_one("#provider").value = "plivo"
        await pilot.pause()
        assert screen.query_one("#base_url", Input).value == "https://api.plivo.com"
        assert not screen.query_one("#row-format").display
        assert str(screen.query_one("#row-username Label").content) == "Auth ID"
        assert str(screen.query_one("#row-password Label").content) == "Auth token"
        screen.query_one("#provider").value = "plum"
        await pilot.pause()
        assert screen.query_one("#base_url", Input).value == "https://hosting.plumvoice.com/ws/sms"
        assert screen.query_one("#row-format").display


async def test_a_crash_report_shows_no_local_variables(tmp_path, capsys):
    """Textual's crash traceback lists locals; ours does not (a frame could hold the password)."""
    app = SmsChatApp(None, config_path=tmp_path / "config.toml")

    def explode(secret=PASSWORD):
        raise RuntimeError("boom")

    capsys.readouterr()
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(80, 24)) as pilot:
            app.call_later(explode)
            await pilot.pause()
    report = capsys.readouterr().err
    assert "RuntimeError" in report and "boom" in report and "explode" in report
    assert PASSWORD not in report
