"""F1 / ?: every key, grouped by where it works."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

#: (section, [(keys, what it does)]) — the README's key table is generated from the same list.
KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Everywhere",
        [
            ("tab / shift+tab", "move between contacts, thread and composer"),
            ("? / f1", "this help"),
            ("ctrl+p", "command palette"),
            ("ctrl+o", "switch the number you send from"),
            ("ctrl+r", "refresh now (also retries after a rejected login)"),
            ("ctrl+b", "show or hide the contact list"),
            ("ctrl+q", "quit"),
        ],
    ),
    (
        "Contact list",
        [
            ("↑ ↓ / j k", "move; the thread opens as you go"),
            ("g / G, home / end", "first / last conversation"),
            ("pgup / pgdn", "a page up / down"),
            ("enter", "open the conversation and start a reply"),
            ("/", "search every message, number and name; enter opens the thread there"),
            ("f", "filter the list by number, name or message text"),
            ("i / c", "reply in the open conversation"),
            ("m", "new conversation: a number that never wrote (checked first)"),
            ("x", "export the open conversation: text, JSON or CSV"),
        ],
    ),
    (
        "Triage (contact list and thread)",
        [
            ("n", "next customer waiting for a reply (oldest waiting first)"),
            ("N", "the customer who has waited longest"),
            ("e / d", "done without replying (their next text reopens it; d again reopens)"),
            ("z", "snooze: 1-4 presets, or type 30m, 2h, 3d, 14:30, 2pm"),
            ("u", "undo the last done or snooze"),
            ("v", "view: all, waiting, unread, failed, snoozed, done; per number"),
            ("a", "name the contact, keep notes (address book)"),
        ],
    ),
    (
        "Thread",
        [
            ("↑ ↓ / j k", "select a message"),
            ("pgup / pgdn, g / G", "page; go to the oldest / newest"),
            ("r", "retry the selected failed message (asks first)"),
            ("y", "copy the message's text (an MMS: its file URLs)"),
            ("esc", "back to the contact list"),
        ],
    ),
    (
        "Composer",
        [
            ("enter", "send"),
            ("ctrl+j / alt+enter", "new line"),
            ("ctrl+a", "attach files by URL: an MMS, up to 10 (Plivo)"),
            ("esc", "leave the composer (the draft is kept)"),
        ],
    ),
]


def help_text() -> Content:
    lines: list[Content] = []
    for section, keys in KEYS:
        lines.append(Content.assemble((section, "bold $accent")))
        for key, what in keys:
            lines.append(Content.assemble((f"  {key:<19}", "bold"), what))
        lines.append(Content(""))
    lines.append(Content.assemble(("Delivery marks  ", "bold"), "◷ queued  ✓ sent  ✓✓ delivered  ✗ undelivered/failed  ? unconfirmed"))
    lines.append(Content.assemble(("Contact marks   ", "bold"), "● waiting (for how long)  z snoozed  ✓ done  ✗ last message failed"))
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog"):
            yield Static(Content.assemble(("smschat keys", "bold")), id="help-title")
            yield Static(help_text(), id="help-body")
            yield Static(Content("esc closes"), id="help-hint")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
