"""`m`: start a conversation with a number that has never written. Nothing is sent from here.

The number is checked as it is typed, with the rules the send path applies for the profile's
provider (`smschat.domain.recipient`); with several account numbers the agent picks the one to send
from (the current sender by default). OK dismisses with a `NewConversation`; the chat screen opens
that thread (empty, or the existing one) with the composer focused, and the first message goes
through the normal send path. Escape cancels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Label, Select, Static

from smschat.ui.screens.dialog import Dialog
from smschat.domain.numbers import InvalidNumber, normalize, pretty
from smschat.domain.recipient import HINT, check_new_number
from smschat.domain.sanitize import sanitize_line


@dataclass(frozen=True, slots=True)
class NewConversation:
    """The conversation to open: canonical customer number, and the account number to send from."""

    customer: str
    account: str


class NewConversationScreen(Dialog[NewConversation | None]):
    CSS_PATH = "conversation_dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        accounts: Sequence[str],
        sender: str,
        *,
        provider: str = "plum",
        existing: Callable[[str], Sequence[str]] = lambda customer: (),
    ) -> None:
        super().__init__()
        self.accounts = tuple(normalize(a) for a in accounts)
        self.sender = normalize(sender) if normalize(sender) in self.accounts else (self.accounts or ("",))[0]
        self.provider = provider
        #: the account numbers a customer already has a conversation on (read from the store)
        self.existing = existing
        self.number = ""  # canonical, when what is typed is valid

    def compose(self) -> ComposeResult:
        with Vertical(id="newconv-dialog", classes="conversation-dialog"):
            yield Static(Content.assemble(("New conversation", "bold")), classes="dialog-title")
            yield Label("Customer's number")
            yield Input(placeholder="617 555 0123  or  +44 20 7946 0000", id="newconv-number")
            yield Static(Content(HINT), id="newconv-status", classes="dialog-status")
            if len(self.accounts) > 1:
                yield Label("Send from")
                yield Select([(pretty(a), a) for a in self.accounts], value=self.sender, allow_blank=False,
                             id="newconv-sender")
            yield Static(Content("Nothing is sent until you type a message and press Enter."), classes="dialog-note")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Open (enter)"), id="newconv-ok", variant="primary")
                yield Button(Content("Cancel (esc)"), id="newconv-cancel")

    def on_mount(self) -> None:
        self.query_one("#newconv-number", Input).focus()

    @property
    def account(self) -> str:
        if len(self.accounts) > 1:
            value = self.query_one("#newconv-sender", Select).value
            if isinstance(value, str):
                return value
        return self.sender

    def _status(self, text: str, kind: str) -> None:
        status = self.query_one("#newconv-status", Static)
        mark = "✗ " if kind == "error" else "✓ " if kind == "ok" else ""
        status.update(Content(mark + sanitize_line(text, limit=300)))
        status.set_class(kind == "error", "-error")
        status.set_class(kind == "ok", "-ok")
        self.query_one("#newconv-number", Input).set_class(kind == "error", "-invalid")

    def _check(self, *, final: bool) -> bool:
        text = self.query_one("#newconv-number", Input).value
        self.number = ""
        if not text.strip():
            self._status("Type the customer's number first." if final else HINT, "error" if final else "")
            return False
        try:
            number = check_new_number(text, self.provider, self.accounts)
        except InvalidNumber as exc:
            self._status(str(exc), "error")
            return False
        self.number = number
        on = [normalize(a) for a in self.existing(number)]
        account = self.account
        if account in on:
            note = f"{pretty(number)}: already a conversation on {pretty(account)}; OK opens it"
        elif on:
            note = f"{pretty(number)}: new on {pretty(account)} (they have a conversation on {pretty(on[0])})"
        else:
            note = f"{pretty(number)}: a new conversation from {pretty(account)}"
        self._status(note, "ok")
        return True

    @on(Input.Changed, "#newconv-number")
    def _typed(self) -> None:
        self._check(final=False)

    @on(Select.Changed, "#newconv-sender")
    def _sender_changed(self) -> None:
        if self.query_one("#newconv-number", Input).value.strip():
            self._check(final=False)

    @on(Input.Submitted, "#newconv-number")
    @on(Button.Pressed, "#newconv-ok")
    def _submit(self) -> None:
        if not self._check(final=True):
            self.query_one("#newconv-number", Input).focus()
            return
        self.dismiss(NewConversation(self.number, self.account))

    @on(Button.Pressed, "#newconv-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
