"""Hostile text is data: the real app, the simulator over real HTTP, and what is drawn on the screen.

The corpus (`tests/fixtures/hostile_bodies.py`, 60 bodies: terminal escapes (CSI, OSC incl. OSC 52,
DCS), C0/C1 controls, bidi overrides, Rich/Textual markup, huge bodies, zero-width and combining
characters, wide emoji) is texted in by one customer each. Every conversation is opened and the
screen checked without snapshots:

- no control, C1 or bidi character in any drawn line (the Line-API widgets' own strips, and the
  whole screen as composed), and in the terminal byte stream no escape sequence but Textual's own
  CSI (no OSC, DCS, BEL, 8-bit controls);
- every drawn line of the thread and contact list is exactly the widget's width;
- the body's start is drawn literally (markup shows as the characters typed, ESC as ␛ ...);
- the app still answers keys.

Server error text (a failure envelope, a 5xx body, a hostile `from` number) goes through the same
checks in the status bar, toasts and the thread.
"""

from __future__ import annotations

import io
import re
import runpy
from pathlib import Path

import pytest
from chat_harness import make_app, rendered, session_on, wait_for, widget_lines
from rich.console import Console

from smschat.domain.numbers import normalize
from smschat.sim import DEMO_NUMBERS, DEMO_PASSWORD, DEMO_USERNAME, SimAccount, SimServer, wire
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.widgets.contact_list import ContactList
from smschat.ui.widgets.status_bar import RETRYING
from smschat.ui.widgets.thread_view import ThreadView

_corpus = runpy.run_path(str(Path(__file__).parents[1] / "fixtures" / "hostile_bodies.py"))
HOSTILE = _corpus["HOSTILE_BODIES"]
FORBIDDEN = _corpus["FORBIDDEN"]
ACCOUNT = DEMO_NUMBERS[0]
#: What Textual itself writes: CSI sequences (SGR colours, cursor moves, modes). Nothing else may
#: follow an ESC in the terminal stream.
OWN_CSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]")


def customer(index: int) -> str:
    return f"212555{index:04d}"


def hostile_server(entries) -> SimServer:
    account = SimAccount(DEMO_USERNAME, DEMO_PASSWORD, DEMO_NUMBERS)
    now = account.now()
    for index, entry in enumerate(entries):
        account.inject_inbound(customer(index), ACCOUNT, entry.body, at=now - 3600 + index * 10)
    return SimServer(account, speed=40.0)


def screen_lines(app) -> list[str]:
    """The whole screen as composed (every widget, toasts included), one string per row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def terminal_stream(app) -> str:
    """What Textual would write to the terminal for a full repaint of the current screen."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", legacy_windows=False)  # fmt: skip
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    with console.capture() as capture:
        console.print(update)
    return capture.get()


def assert_safe(app, where: str) -> None:
    screen = app.screen
    for widget in (screen.query_one(ThreadView), screen.query_one(ContactList)):
        width = widget.scrollable_content_region.width
        for y in range(widget.size.height):
            strip = widget.render_line(y)
            bad = FORBIDDEN.intersection(strip.text)
            assert not bad, f"{where}: {type(widget).__name__} line {y} draws {sorted(map(hex, map(ord, bad)))}"
            name = type(widget).__name__
            assert strip.cell_length == width, f"{where}: {name} line {y} is {strip.cell_length} cells, not {width}"
    for y, line in enumerate(screen_lines(app)):
        bad = FORBIDDEN.intersection(line)
        assert not bad, f"{where}: screen row {y} draws {sorted(map(hex, map(ord, bad)))}"
    stream = terminal_stream(app)
    leftover = OWN_CSI.sub("", stream)
    controls = {ch for ch in leftover if ch in FORBIDDEN and ch not in "\n\r"}
    assert not controls, f"{where}: the terminal stream carries {sorted(map(hex, map(ord, controls)))}"


def squashed(lines: list[str]) -> str:
    """Drawn text with wrapping undone: whitespace and bubble decoration removed."""
    return re.sub(r"[\s▌▐▸]", "", "".join(lines))


async def started(pilot) -> ChatScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced, what="first sync")
    return app.screen


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
async def test_every_hostile_body_renders_safely(tmp_path, size):
    entries = HOSTILE if size == (100, 30) else [h for h in HOSTILE if h.category in ("csi", "osc", "markup", "wide", "huge")]
    with session_on(hostile_server(entries), tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=size) as pilot:
            screen = await started(pilot)
            await wait_for(pilot, lambda: len(screen.contacts.contacts) == len(entries), what="every contact listed")
            assert_safe(app, "contact list")
            for index, entry in enumerate(entries):
                key = (normalize(customer(index)), normalize(ACCOUNT))
                assert screen.contacts.select_key(key) or screen.open_key == key
                await wait_for(pilot, lambda: screen.open_key == key and screen.thread.item_count == 1, what=entry.name)
                screen.thread.action_first()  # the start of the body (huge ones are taller than the screen)
                await pilot.pause()
                assert_safe(app, entry.name)
                if entry.shown:
                    drawn = squashed(widget_lines(screen.thread))
                    assert squashed([entry.shown]) in drawn, f"{entry.name}: {entry.shown!r} not drawn literally"
                assert app.is_running and isinstance(app.screen, ChatScreen), entry.name
            # still responsive: keys move the cursor, and nothing quit or switched screens
            screen.contacts.focus()
            await pilot.press("home")
            first = screen.open_key
            await pilot.press("j")
            await wait_for(pilot, lambda: screen.open_key != first, what="cursor moves")
            await pilot.press("tab")
            assert screen.focused is screen.thread
            await pilot.press("k", "k", "end")
            assert app.is_running and isinstance(app.screen, ChatScreen)


async def test_markup_bodies_are_literal_in_preview_header_and_thread(tmp_path):
    entries = [h for h in HOSTILE if h.category == "markup"]
    with session_on(hostile_server(entries), tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await started(pilot)
            await wait_for(pilot, lambda: len(screen.contacts.contacts) == len(entries), what="contacts")
            previews = "\n".join(widget_lines(screen.contacts))
            for entry in entries:
                assert entry.shown[:14] in previews, entry.name
            # clicking on a body that looks like a click action does nothing but select it
            index = next(i for i, h in enumerate(entries) if h.name == "markup-click-quit")
            key = (normalize(customer(index)), normalize(ACCOUNT))
            screen.contacts.select_key(key)
            await wait_for(pilot, lambda: screen.open_key == key and screen.thread.item_count == 1, what="open")
            row = next(y for y, line in enumerate(widget_lines(screen.thread)) if "[@click=app.quit]" in line)
            await pilot.click(ThreadView, offset=(8, row))
            await pilot.pause()
            assert app.is_running and isinstance(app.screen, ChatScreen)
            assert "[@click=app.quit]press here[/]" in "\n".join(widget_lines(screen.thread))


def toast_texts(app) -> list[str]:
    return [str(toast.render()) for toast in app.screen.query("Toast")]


def _failure_for(path: str, text: str) -> bytes:
    return wire.failure("xml" if ".xml" in path else "json", text)


HOSTILE_ERROR = "\x1b]52;c;cHduZWQ=\x07[bold red]pwned[/] [@click=app.quit]quit[/] \u202eoops"


async def test_server_error_text_in_toasts_and_bubbles_is_literal(tmp_path):
    with session_on(hostile_server(HOSTILE[:3]), tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            screen = await started(pilot)
            await wait_for(pilot, lambda: screen.open_key is not None, what="a conversation open")
            server.faults.rewrite = lambda method, path, status, body: (
                (200, _failure_for(path, HOSTILE_ERROR)) if "/queue." in path else None
            )
            screen.composer.input.focus()
            await pilot.press(*"hello there", "enter")
            await wait_for(pilot, lambda: any("pwned" in t for t in toast_texts(app)), what="toast")
            toasts = toast_texts(app)
            assert any("[bold red]pwned[/]" in t and "[@click=app.quit]quit[/]" in t for t in toasts), toasts
            assert "[bold red]pwned[/]" in "\n".join(widget_lines(screen.thread))  # the failed bubble's reason
            assert_safe(app, "send failure")
            for toast in toasts:
                assert not FORBIDDEN.intersection(toast)
            assert app.is_running and isinstance(app.screen, ChatScreen)


async def test_server_error_text_in_the_status_bar_is_literal(tmp_path):
    with session_on(hostile_server(HOSTILE[:3]), tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(160, 30), notifications=True) as pilot:
            screen = await started(pilot)
            body = _failure_for(".json", "[reverse]down[/] \x1b[2J\x9b")
            server.faults.rewrite = lambda method, path, status, _body: (503, body)
            await wait_for(pilot, lambda: screen.status.state == RETRYING and "[reverse]" in rendered(screen.status),
                           what="retrying with the server's words")
            bar = rendered(screen.status)
            assert "[reverse]down[/] ␛[2J" in bar and not FORBIDDEN.intersection(bar)
            assert_safe(app, "status bar")
            # a failure envelope on a read (not retryable) is a toast, literal too
            server.faults.rewrite = lambda method, path, status, _body: (
                (200, _failure_for(path, "[b]odd[/b] \x07")) if "/messages." in path else None
            )
            await wait_for(pilot, lambda: any("[b]odd[/b] ␇" in t for t in toast_texts(app)), what="toast")
            assert_safe(app, "read failure toast")


async def test_a_hostile_from_number_is_reduced_to_digits(tmp_path):
    server = hostile_server(HOSTILE[:2])
    target = customer(1)
    hostile_from = f"\x1b]l;x\x07{target[:3]}[bold]{target[3:]}\u202e"  # no digits in the noise

    def hostile_numbers(method, path, status, body):
        return status, body.replace(f'"from": "{target}"'.encode(), f'"from": {wire.json.dumps(hostile_from)}'.encode())

    server.faults.rewrite = hostile_numbers
    with session_on(server, tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            await wait_for(pilot, lambda: len(screen.contacts.contacts) == 2, what="contacts")
            assert {c.customer for c in screen.contacts.contacts} == {normalize(customer(0)), normalize(target)}
            assert "(212) 555-0001" in "\n".join(screen_lines(app))
            assert_safe(app, "hostile number")


async def test_copying_a_hostile_text_copies_what_is_shown(tmp_path):
    """`y` copies the selected text through the terminal (OSC 52). A raw ESC in it could end the
    terminal's bracketed paste when the agent pastes into a shell, so what is copied is the text
    as shown: controls as pictures, lines and words intact."""
    paste_jack = "echo hello\x1b[201~\nrm -rf ~/important\n\x1b[200~"
    entries = [_corpus["Hostile"]("paste-jack", "c0", paste_jack, "")]
    with session_on(hostile_server(entries), tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            await wait_for(pilot, lambda: screen.thread.item_count == 1, what="thread")
            screen.thread.focus()
            await pilot.press("y")
            assert app.clipboard == "echo hello␛[201~\nrm -rf ~/important\n␛[200~"
            assert not FORBIDDEN.intersection(app.clipboard.replace("\n", ""))
