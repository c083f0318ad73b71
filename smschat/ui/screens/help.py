"""F1 / ?: every key, grouped by where it works."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from smschat.ui.screens.dialog import Dialog
from smschat.config.keymap import display_key, effective_keys

#: (section, [(keys, what it does, binding ids)]) — the README's key table is generated from the same
#: list. The ids (smschat.config.keymap.BINDINGS) let the help show keys remapped in the config's
#: [keys]; an entry without ids (or whose ids keep their default keys) shows its text as written.
KEYS: list[tuple[str, list[tuple[str, ...]]]] = [
    (
        "Everywhere",
        [
            ("tab / shift+tab", "move between contacts, thread and composer", "focus_next_pane focus_previous_pane"),
            ("? / f1", "this help", "help"),
            ("ctrl+p", "command palette"),
            ("ctrl+o", "switch the number you send from", "switch_sender"),
            ("ctrl+r", "refresh now (also retries after a rejected login)", "refresh"),
            ("ctrl+b", "show or hide the contact list", "toggle_sidebar"),
            ("ctrl+q", "quit", "quit"),
        ],
    ),
    (
        "Contact list",
        [
            ("↑ ↓ / j k", "move; the thread opens as you go", "cursor_up cursor_down"),
            ("g / G, home / end", "first / last conversation", "first last"),
            ("pgup / pgdn", "a page up / down", "page_up page_down"),
            ("enter", "open the conversation and start a reply", "open_conversation"),
            ("/", "search every message, number and name; enter opens the thread there", "search"),
            ("f", "filter the list by number, name or message text", "filter"),
            ("i / c", "reply in the open conversation", "compose"),
            ("t", "canned reply: pick a template, edit it in the composer, send", "insert_template"),
            ("m", "new conversation: a number that never wrote (checked first)", "new_conversation"),
            ("x", "export the open conversation: text, JSON or CSV", "export"),
        ],
    ),
    (
        "Triage (contact list and thread)",
        [
            ("n", "next customer waiting for a reply (oldest waiting first)", "next_waiting"),
            ("N", "the customer who has waited longest", "oldest_waiting"),
            ("e / d", "done without replying (their next text reopens it; d again reopens)", "done"),
            ("z", "snooze: h hour, l later, t tomorrow, n next week; or type 30m, 2h, 14:30", "snooze"),
            ("u", "undo the last done or snooze", "undo"),
            ("v", "view: all, waiting, unread, failed, snoozed, done; per number", "views"),
            ("a", "name the contact, keep notes (address book)", "edit_contact"),
        ],
    ),
    (
        "Thread",
        [
            ("↑ ↓ / j k", "select a message", "cursor_up cursor_down"),
            ("pgup / pgdn, g / G", "page; go to the oldest / newest", "page_up page_down first last"),
            ("r", "retry the selected failed message (asks first)", "retry"),
            ("y", "copy the message's text (an MMS: its file URLs)", "copy"),
            ("enter", "reply (the composer opens)", "thread_reply"),
            ("esc", "back to the contact list", "back"),
        ],
    ),
    (
        "Composer",
        [
            ("enter", "send", "send"),
            ("ctrl+j / alt+enter", "new line", "newline"),
            ("ctrl+a", "attach files by URL: an MMS, up to 10 (Plivo)", "attach"),
            ("ctrl+t", "canned reply, inserted at the cursor", "composer_template"),
            ("esc", "leave the composer (the draft is kept)", "leave_composer"),
        ],
    ),
]


def shown_keys(default: str, ids: Sequence[str], keymap: Mapping[str, str] | None) -> str:
    """`default` as written, unless `keymap` remaps one of `ids`: then every id's keys in effect."""
    if not keymap or not any(bid in keymap for bid in ids):
        return default
    keys = effective_keys(keymap)
    return " / ".join(", ".join(display_key(k) for k in keys[bid]) for bid in ids if bid in keys)


def help_text(keymap: Mapping[str, str] | None = None) -> Content:
    """Every key by section; the keys in effect when `keymap` (binding id -> keys) remaps some."""
    lines: list[Content] = []
    for section, keys in KEYS:
        lines.append(Content.assemble((section, "bold $accent")))
        for key, what, *ids in keys:
            shown = shown_keys(key, ids[0].split() if ids else (), keymap)
            lines.append(Content.assemble((f"  {shown:<19}", "bold"), what))
        lines.append(Content(""))
    lines.append(Content.assemble(("Delivery marks  ", "bold"), "◷ queued  ✓ sent  ✓✓ delivered  ✗ undelivered/failed  ? unconfirmed"))
    lines.append(Content.assemble(("Contact marks   ", "bold"), "● waiting (for how long)  z snoozed  ✓ done  ✗ last message failed  ⊘ texted STOP"))
    return Content("\n").join(lines)


class HelpScreen(Dialog[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog"):
            yield Static(Content.assemble(("smschat keys", "bold")), id="help-title")
            yield Static(help_text(getattr(self.app, "keymap", None)), id="help-body")
            yield Static(Content("esc closes"), id="help-hint")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
