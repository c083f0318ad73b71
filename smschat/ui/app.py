"""The smschat Textual app: small on purpose; the chat screen owns the flow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding

from smschat.ui.commands import ChatCommands

if TYPE_CHECKING:
    from smschat.session import Session


class SmsChatApp(App[None]):
    CSS_PATH = ["app.tcss", "widgets/widgets.tcss", "widgets/contacts.tcss"]
    TITLE = "smschat"
    COMMANDS = App.COMMANDS | {ChatCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("question_mark,f1", "help", "Help", id="help"),
    ]

    def __init__(self, session: Session, *, poll_interval: float = 3.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.poll_interval = poll_interval

    def on_mount(self) -> None:
        from smschat.ui.screens.chat import ChatScreen

        self.push_screen(ChatScreen())

    def action_help(self) -> None:
        from smschat.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def run(profile: Any = None, demo: bool = False, store_path: Any = None) -> int:
    """Run the TUI on a profile (or the embedded demo). Returns the exit code."""
    from smschat.session import open_session

    if demo:
        from smschat.demo import open_demo_session

        session = open_demo_session()
    else:
        from pathlib import Path

        from smschat.paths import store_file

        session = open_session(profile, Path(store_path) if store_path else store_file(profile.name))
    try:
        SmsChatApp(session).run()
    finally:
        session.close()
    return 0
