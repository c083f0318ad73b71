"""Run the real chat app against the loopback simulator (real HTTP, real store on disk)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from smschat.demo import demo_profile
from smschat.session import Session, open_session
from smschat.sim import make_demo_server
from smschat.ui.app import SmsChatApp


@contextlib.contextmanager
def chat_session(tmp_path: Path, *, fmt: str = "json", speed: float = 40.0, lively: bool = False) -> Iterator[tuple[Session, object]]:
    with session_on(make_demo_server(lively=lively, speed=speed), tmp_path, fmt=fmt) as pair:
        yield pair


@contextlib.contextmanager
def session_on(server, tmp_path: Path, *, fmt: str = "json", store_name: str = "store.sqlite3") -> Iterator[tuple[Session, object]]:
    """A session on any simulator server (started here, stopped after)."""
    server.start()
    account = server.account
    profile = demo_profile(server.url, account.username, account.password, list(account.numbers), fmt)
    try:
        session = open_session(profile, tmp_path / store_name)
    except BaseException:
        server.stop()
        raise
    try:
        yield session, server
    finally:
        session.close()
        server.stop()


def make_app(session: Session) -> SmsChatApp:
    return SmsChatApp(session, poll_interval=0.2)


async def wait_for(pilot, predicate: Callable[[], bool], *, timeout: float = 15.0, what: str = "condition") -> None:
    """Let the app run until `predicate()` holds; fail with `what` after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def widget_lines(widget) -> list[str]:
    """The text of every visible line of a Line-API widget, as drawn."""
    return [widget.render_line(y).text for y in range(widget.size.height)]


def rendered(widget) -> str:
    """The plain text a `render()`-based widget (status bar, header) shows."""
    return str(widget.render())
