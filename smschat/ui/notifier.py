"""Telling the agent a customer texted: the bell, a toast, a desktop notification (the chat screen's glue).

The rules are in `smschat.domain.notify`; this module reads the store and speaks to Textual. The
chat screen arms the notifier when its first sync is done (what that sync brought is history) and
calls `check` on every store change; `check` reads the inbound texts stored since the last call
(one small rowid-range query), leaves out the conversation the agent is looking at, and announces
the rest once: one bell, one toast, one desktop notification per batch.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from smschat.domain.notify import (
    NAMES_LISTED,
    Alert,
    Announcement,
    InboundMark,
    NotifySettings,
    announcement,
    decide,
    desktop_sequence,
    preview,
)

if TYPE_CHECKING:
    from textual.app import App

Key = tuple[str, str]
TOAST_SECONDS = 8.0


def write_to_terminal(app: App[Any], sequence: str) -> None:
    """Send a raw escape sequence to the terminal, between two screen updates.

    The same path Textual uses for its bell and OSC 52 clipboard (`App.bell`,
    `App.copy_to_clipboard`): the driver's writer queue, so the sequence never lands inside a frame.
    """
    driver = app._driver  # noqa: SLF001 - Textual has no public raw-write API
    if driver is not None and sequence:
        driver.write(sequence)


class ArrivalNotifier:
    """Announces new inbound texts on a chat screen (see the module docstring)."""

    def __init__(self, screen: Any, settings: NotifySettings | None = None, *, tmux: bool | None = None) -> None:
        self.screen = screen
        self.settings = settings or NotifySettings()
        self.tmux = bool(os.environ.get("TMUX")) if tmux is None else tmux
        self.mark: InboundMark | None = None  # None: not armed (the first sync is not done)

    @property
    def store(self) -> Any:
        return self.screen.session.ui_store

    def arm(self) -> None:
        """From now on, texts the store receives are news; what it holds now is history."""
        if self.mark is None:
            self.mark = self.store.inbound_mark()

    def watched(self) -> Key | None:
        """The conversation the agent is looking at: open, on screen (no other screen over it, not
        hidden on a narrow terminal) and the terminal focused (when it reports focus)."""
        screen = self.screen
        if screen.open_key is None or screen.app.screen is not screen or not screen.app.app_focus:
            return None
        if not screen.query_one("#conversation").display:
            return None
        return screen.open_key

    def check(self) -> Alert | None:
        """Announce what arrived since the last call; returns the alert given (None: nothing)."""
        if self.mark is None:
            return None
        self.mark, groups = self.store.inbound_since(self.mark)
        alert = decide(groups, self.settings, watched=self.watched())
        if alert is None:
            return None
        app = self.screen.app
        if alert.bell:
            app.bell()
        if alert.toast or alert.desktop != "off":
            note = self.words(alert)
            if alert.toast:
                app.notify(note.body, title=note.title, markup=False, timeout=TOAST_SECONDS)
            if alert.desktop != "off":
                write_to_terminal(app, desktop_sequence(alert.desktop, note, tmux=self.tmux))
        return alert

    def words(self, alert: Alert) -> Announcement:
        """The alert in words: names from the address book, the newest text for one sender."""
        customers = list(dict.fromkeys(g.customer for g in alert.groups))[:NAMES_LISTED]
        names = {c: self.store.get_name(c).name for c in customers}
        newest = ""
        if len(customers) == 1:
            message = self.store.get_message(alert.groups[0].last_id)
            if message is not None:
                newest = preview(message.body, media=len(message.media), known=message.body_known)
        return announcement(alert, names, newest)
