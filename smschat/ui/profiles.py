"""Switching profiles from the command palette: "Switch profile: NAME" for each other profile.

The other profile is loaded (its secret resolved) and its session opened on a worker thread; the app
then swaps sessions (`SmsChatApp.switch_session`). A profile that does not load is reported as a
notification; the current session stays open.
"""

from __future__ import annotations

import asyncio
import re
from functools import partial
from pathlib import Path
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from smschat.domain.errors import SmsError
from smschat.domain.sanitize import sanitize_line

PREFIX = "Switch profile: "
_PLAIN = re.compile(r"^[A-Za-z0-9_-]+$")  # names that can be highlighted safely (no markup characters)


def other_profiles(path: Path | None, current: str) -> list[str]:
    """Profile names in the config file other than `current` ([] when it cannot be read)."""
    if path is None:
        return []
    from smschat.config import profile_names, read_config

    try:
        doc = read_config(Path(path))
    except SmsError:
        return []
    return [name for name in profile_names(doc) if name != current]


def switch_profile(app: Any, name: str) -> None:
    """Open profile `name` in the background and switch the app to it."""
    app.notify(Content(f"Opening profile {sanitize_line(name, limit=60)}…"), timeout=3)
    app.run_worker(partial(_open_and_switch, app, name), thread=True, group="profile", exclusive=True,
                   exit_on_error=False, name="switch_profile")


def _open_and_switch(app: Any, name: str) -> None:
    from smschat.config import load_profile
    from smschat.paths import store_file
    from smschat.session import open_session

    def warn(text: str) -> None:
        app.call_from_thread(app.notify, Content(sanitize_line(text, limit=300)), severity="warning", timeout=10)

    try:
        profile = load_profile(app.config_path, name, warn=warn)
        session = open_session(profile, store_file(profile.name))
    except SmsError as error:
        text = sanitize_line(str(error), limit=400)
        app.call_from_thread(app.notify, Content(text), title="Cannot switch profile", severity="error", timeout=10)
        return
    except Exception as error:  # noqa: BLE001 - e.g. the data folder is not writable
        text = f"{type(error).__name__}: {sanitize_line(str(error), limit=300)}"
        app.call_from_thread(app.notify, Content(text), title="Cannot switch profile", severity="error", timeout=10)
        return
    app.call_from_thread(app.switch_session, session)


class ProfileCommands(Provider):
    """One palette entry per other profile of the config file."""

    async def _names(self) -> list[str]:
        app = self.app
        session = getattr(app, "session", None)
        if session is None or getattr(session, "demo", False):
            return []
        return await asyncio.to_thread(other_profiles, getattr(app, "config_path", None), session.profile.name)

    async def discover(self) -> Hits:
        for name in await self._names():
            title = PREFIX + sanitize_line(name, limit=60)
            yield DiscoveryHit(Content(title), partial(switch_profile, self.app, name), text=title,
                               help="Close this account and open that one")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name in await self._names():
            title = PREFIX + sanitize_line(name, limit=60)
            score = matcher.match(title)
            if score > 0:
                shown = matcher.highlight(title) if _PLAIN.match(name) else Content(title)
                yield Hit(score, shown, partial(switch_profile, self.app, name), text=title,
                          help="Close this account and open that one")
