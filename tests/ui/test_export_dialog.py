"""`x`: export the open conversation from the chat screen (real simulator over HTTP, real files)."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import datetime

from chat_harness import chat_session, make_app, wait_for
from textual.command import CommandList
from textual.widgets import Checkbox, Input, RadioSet, Static

from smschat.ui.screens.chat import ChatScreen
from smschat.ui.screens.export import ExportScreen
from smschat.ui.screens.new_conversation import NewConversationScreen


async def started(pilot) -> ChatScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced, what="first sync")
    await wait_for(pilot, lambda: len(app.screen.contacts.contacts) > 5, what="contacts painted")
    await wait_for(pilot, lambda: app.screen.open_key is not None and app.screen.thread.item_count > 0,
                   what="first conversation open")
    return app.screen


def status_text(app) -> str:
    return str(app.screen.query_one("#export-status", Static).render())


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def path_box(app) -> Input:
    return app.screen.query_one("#export-path", Input)


async def test_x_writes_the_open_conversation_where_the_dialog_says(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            screen = await started(pilot)
            customer, account = screen.open_key
            records = session.ui_store.thread_count(customer, account)
            await pilot.press("x")
            assert isinstance(app.screen, ExportScreen)
            today = datetime.now().astimezone().strftime("%Y-%m-%d")
            expected = home / "Downloads" / f"smschat-{customer}-{today}.txt"
            assert path_box(app).value == str(expected)
            # the format is chosen with the keyboard; the suggested name follows it
            await pilot.press("shift+tab")
            assert isinstance(app.screen.focused, RadioSet)
            await pilot.press("down", "down", "enter")
            assert path_box(app).value == str(expected.with_suffix(".csv"))
            path_box(app).focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="the dialog closes")
            target = expected.with_suffix(".csv")
            assert stat.S_IMODE(target.stat().st_mode) == 0o600
            rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
            assert len(rows) == records and {r["customer"] for r in rows} == {customer}
            await wait_for(pilot, lambda: any(str(target) in n for n in notes(app)), what="the path notified")


async def test_an_existing_file_is_kept_until_replace_is_ticked(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # no Downloads folder: the home directory
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            screen = await started(pilot)
            await pilot.press("x")
            target = tmp_path / "thread.json"
            target.write_text("precious")
            path_box(app).value = str(target)
            app.screen.query_one(RadioSet).focus()
            await pilot.press("down", "enter")  # JSON
            path_box(app).focus()
            await pilot.press("enter")
            assert isinstance(app.screen, ExportScreen)  # the dialog stays, with the reason
            assert "already exists" in status_text(app) and "Replace" in status_text(app)
            assert target.read_text() == "precious"
            app.screen.query_one("#export-force", Checkbox).focus()
            await pilot.press("space")
            path_box(app).focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="the dialog closes")
            data = json.loads(target.read_text())
            assert data["header"]["customer"] == screen.open_key[0]
            assert stat.S_IMODE(target.stat().st_mode) == 0o600


async def test_bad_paths_escape_and_keys_that_type(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            screen = await started(pilot)
            await pilot.press("x")
            path_box(app).value = str(tmp_path / "no-such-folder" / "t.txt")
            await pilot.press("enter")
            assert "does not exist" in status_text(app) and status_text(app).startswith("✗")
            path_box(app).value = str(tmp_path)
            await pilot.press("enter")
            assert "is a directory" in status_text(app)
            path_box(app).value = "   "
            await pilot.press("enter")
            assert "give a file name" in status_text(app)
            await pilot.press("escape")
            assert isinstance(app.screen, ChatScreen)
            assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("smschat-")) == []
            # in the composer x is a letter
            screen.composer.input.focus()
            await pilot.press("x")
            assert screen.composer.text == "x" and isinstance(app.screen, ChatScreen)


async def test_nothing_to_export_in_a_new_conversation(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            screen = await started(pilot)
            await pilot.press("m", *"2125550142", "enter")
            assert screen.open_key[0] == "12125550142"
            screen.thread.focus()
            await pilot.press("x")
            assert isinstance(app.screen, ChatScreen)
            await wait_for(pilot, lambda: any("Nothing to export yet" in n for n in notes(app)), what="the warning")


async def test_the_palette_offers_export_and_new_conversation_even_from_the_composer(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            for title, dialog in (("Export conversation", ExportScreen), ("New conversation", NewConversationScreen)):
                screen.composer.input.focus()  # where x and m type: the palette must still run them
                await pilot.press("ctrl+p")
                await pilot.press(*title)

                def listed() -> bool:
                    found = app.screen.query(CommandList)
                    return bool(found) and found.first().option_count > 0

                await wait_for(pilot, listed, what="the palette entry", timeout=5)
                first = app.screen.query_one(CommandList).get_option_at_index(0)
                assert title in str(first.prompt)
                await pilot.press("enter")
                await wait_for(pilot, lambda: isinstance(app.screen, dialog), what=f"the {title} dialog")
                await pilot.press("escape")
                await wait_for(pilot, lambda: app.screen is screen, what="back on the chat screen")
            assert screen.composer.text == ""  # nothing typed by the palette
