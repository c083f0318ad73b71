"""[keys]: every binding of the app, the chat screen and its widgets has a catalogued id; a remapped key
works (against the simulator) and the help screen shows it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import replace
from pathlib import Path

from chat_harness import chat_session, make_app, wait_for
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

import smschat.ui
from smschat.config.keymap import BINDINGS
from smschat.config.ui import parse_ui_settings
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.screens.help import KEYS, HelpScreen

README = Path(__file__).resolve().parents[2] / "README.md"


def ui_classes() -> list[type]:
    """Every class of smschat.ui with BINDINGS of its own."""
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(smschat.ui.__path__, "smschat.ui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == info.name and "BINDINGS" in vars(cls):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


def own_bindings(cls: type) -> list[Binding]:
    return list(Binding.make_bindings(vars(cls)["BINDINGS"]))


def test_every_chat_binding_has_a_catalogued_id_with_the_same_keys():
    """The app, the chat screen and the widgets of smschat.ui.widgets: each binding has an id listed
    in smschat/config/keymap.py BINDINGS with the same default keys (dialogs may go without)."""
    used: set[str] = set()
    problems: list[str] = []
    for cls in ui_classes():
        required = issubclass(cls, App) or cls is ChatScreen or cls.__module__.startswith("smschat.ui.widgets.")
        keys: dict[str, set[str]] = {}
        for binding in own_bindings(cls):  # one per key
            if binding.id is None:
                if required:
                    problems.append(f"{cls.__name__} {binding.key!r} ({binding.action}): no id; add id=... "
                                    "and an entry in smschat/config/keymap.py BINDINGS")
                continue
            keys.setdefault(binding.id, set()).add(binding.key)
        for bid, bound in keys.items():
            used.add(bid)
            action = BINDINGS.get(bid)
            if action is None:
                problems.append(f"{cls.__name__}: id {bid!r} is not in smschat/config/keymap.py BINDINGS")
            elif set(action.keys.split(",")) != bound:
                problems.append(f"{cls.__name__}: {bid!r} is on {sorted(bound)}, BINDINGS says {action.keys!r}")
    problems += [f"BINDINGS[{bid!r}] is not the id of any binding" for bid in BINDINGS if bid not in used]
    assert not problems, "\n".join(problems)


def test_readme_lists_every_binding_id():
    text = README.read_text()
    section = text.split("### Keys of your own")[1].split("\n### ")[0]
    missing = [bid for bid in BINDINGS if f"`{bid}`" not in section]
    assert not missing, f"README's [keys] table lacks {missing}"


def test_help_entries_name_real_ids():
    for _, entries in KEYS:
        for _, _, *ids in entries:
            for bid in (ids[0].split() if ids else ()):
                assert bid in BINDINGS, bid


async def test_remapped_keys_work_and_help_shows_them(tmp_path):
    with chat_session(tmp_path) as (session, server):
        keys = {"next_waiting": "space", "send": "ctrl+s", "cursor_down": "down,s"}
        session.profile = replace(session.profile, ui=parse_ui_settings({"keys": keys}))
        app = make_app(session)
        async with app.run_test(size=(100, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced,
                           what="first sync")
            screen = app.screen
            await wait_for(pilot, lambda: len(screen.contacts.contacts) > 3, what="contacts")
            screen.contacts.focus()
            await pilot.press("home")
            await wait_for(pilot, lambda: screen.open_key == screen.contacts.contacts[0].key, what="first open")
            await pilot.press("s")  # cursor_down's new key
            await wait_for(pilot, lambda: screen.open_key == screen.contacts.contacts[1].key, what="moved down")
            await pilot.press("j")  # no longer cursor_down
            await pilot.pause()
            assert screen.open_key == screen.contacts.contacts[1].key
            before = screen.open_key
            await pilot.press("n")  # no longer next_waiting: nothing happens
            await pilot.pause()
            assert screen.open_key == before and screen.focused is screen.contacts
            await pilot.press("space")
            await wait_for(pilot, lambda: screen.focused is screen.composer.input, what="next waiting")
            contact = next(c for c in screen._all if c.key == screen.open_key)
            assert contact.waiting

            # send is ctrl+s now: enter makes a new line
            await pilot.press(*"Two", "enter", *"lines")
            assert screen.composer.text == "Two\nlines"
            assert not any(m.body.startswith("Two") for m in server.account.messages())
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: any(m.body == "Two\nlines" for m in server.account.messages()), what="sent")
            assert screen.composer.text == ""

            await pilot.press("escape", "question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
            body = str(app.screen.query_one("#help-body").render())
            lines = body.splitlines()
            assert any(line.startswith("  space ") and "next customer waiting" in line for line in lines), body
            assert any(line.startswith("  ctrl+s ") and line.rstrip().endswith("send") for line in lines), body
            assert any(line.startswith("  ↑, k / ↓, s ") for line in lines), body
            assert any(line.startswith("  t ") and "canned reply" in line for line in lines), body  # not remapped
