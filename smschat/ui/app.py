"""The smschat Textual app: small on purpose; the chat screen owns the flow.

Without a session (first run: no config file yet) it opens the setup screen; `switch_session` replaces
the chat screen with one on another session (after setup, or a profile switch from the palette).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding

from smschat.ui.commands import ChatCommands
from smschat.ui.profiles import ProfileCommands

if TYPE_CHECKING:
    from smschat.session import Session


class SmsChatApp(App[None]):
    CSS_PATH = ["app.tcss", "widgets/widgets.tcss", "widgets/contacts.tcss"]
    TITLE = "smschat"
    COMMANDS = App.COMMANDS | {ChatCommands, ProfileCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, show=False),
        Binding("question_mark,f1", "help", "Help", id="help"),
    ]

    def __init__(self, session: Session | None, *, poll_interval: float = 3.0,
                 config_path: Path | None = None, setup_name: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.poll_interval = poll_interval
        #: the config file: where setup writes, and where other profiles are found (None: demo/tests)
        self.config_path = config_path
        #: the profile name the setup screen suggests (first run with --profile NAME)
        self.setup_name = setup_name
        #: binding id -> keys from the config's [keys] (applied with `set_keymap`; the help screen shows it)
        self.keymap: dict[str, str] = {}

    def on_mount(self) -> None:
        if self.session is None:
            from smschat.paths import config_file
            from smschat.ui.screens.setup import SetupScreen

            self.push_screen(SetupScreen(self.config_path or config_file(), name=self.setup_name))
            return
        from smschat.ui.screens.chat import ChatScreen

        self.apply_keymap()
        self.push_screen(ChatScreen())

    async def switch_session(self, session: Session) -> None:
        """Show `session` from now on; the previous one is closed off the UI thread."""
        from smschat.ui.screens.chat import ChatScreen

        old, self.session = self.session, None
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        self.session = session
        self.apply_keymap()
        await self.push_screen(ChatScreen())
        if old is not None:
            await asyncio.to_thread(old.close)

    def apply_keymap(self) -> None:
        """The session's `[keys]` (checked when the config was read) replace the default keys."""
        ui = getattr(getattr(self.session, "profile", None), "ui", None)
        self.keymap = dict(getattr(ui, "keymap", None) or {})
        self.set_keymap(self.keymap)

    def _fatal_error(self) -> None:
        """Textual's crash report would list local variables, which can hold the password."""
        from smschat.ui.crash import fatal_error_without_locals

        fatal_error_without_locals(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.session is not None or action != "help"

    def action_help(self) -> None:
        from smschat.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)  # the help key closes it too (also when [keys] remapped it)
        else:
            self.push_screen(HelpScreen())


def run(profile: Any = None, demo: bool = False, store_path: Any = None, config_path: Any = None,
        profile_name: str | None = None, demo_provider: str = "plum") -> int:
    """Run the TUI on a profile, the embedded demo (of `demo_provider`: plum or plivo), or (no
    profile: first run) the setup screen."""
    from smschat.session import open_session

    session: Session | None
    if demo:
        from smschat.demo import open_demo

        session = open_demo(demo_provider)
    elif profile is None:
        session = None
    else:
        from smschat.paths import store_file

        session = open_session(profile, Path(store_path) if store_path else store_file(profile.name))
    app = SmsChatApp(session, config_path=None if demo or config_path is None else Path(config_path),
                     setup_name=profile_name)
    try:
        app.run()
    finally:
        if app.session is not None:
            app.session.close()
    return 0
