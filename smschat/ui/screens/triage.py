"""Triage dialogs: the view picker (v), the snooze picker (z) and the contact editor (a).

Each is a small modal that answers with a value (`dismiss`); the chat screen does the writing.
Every choice has a single-key shortcut shown beside it, so the flow stays on the keyboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.events import Key
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from smschat.ui.screens.dialog import Dialog
from smschat.domain.numbers import pretty
from smschat.domain.sanitize import sanitize_line
from smschat.domain.triage import VIEW_LABELS, BadSnooze, Counts, View, ViewKind, parse_snooze, snooze_presets
from smschat.store.triage import NAME_LIMIT, NOTES_LIMIT

VIEW_KEYS = {
    ViewKind.ALL: "a",
    ViewKind.WAITING: "w",
    ViewKind.UNREAD: "u",
    ViewKind.FAILED: "f",
    ViewKind.SNOOZED: "s",
    ViewKind.DONE: "d",
}


def _row(key: str, label: str, right: str = "", width: int = 34) -> Content:
    gap = max(1, width - len(key) - 2 - len(label) - len(right))
    return Content.assemble((key, "bold $text-accent"), "  ", label, " " * gap, (right, "$text-muted"))


class ViewPicker(Dialog[View | None]):
    """Pick what the contact list shows: a kind (with its count) and, with several numbers, which."""

    CSS_PATH = "triage.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: View, counts: Counts, accounts: tuple[str, ...]) -> None:
        super().__init__()
        self.current = current
        self.counts = counts
        self.accounts = accounts
        self._choices: dict[str, View] = {}

    def compose(self) -> ComposeResult:
        options: list[Option | None] = []
        for kind, label in VIEW_LABELS.items():
            key = VIEW_KEYS[kind]
            view = View(kind, self.current.account)
            self._choices[key] = view
            mark = "▸ " if kind is self.current.kind else "  "
            options.append(Option(_row(key, f"{mark}{label}", str(self.counts.of(kind))), id=f"view-{kind.value}"))
        if len(self.accounts) > 1:
            options.append(None)
            for i, account in enumerate(("", *self.accounts)):
                key = str(i)
                self._choices[key] = View(self.current.kind, account)
                mark = "▸ " if account == self.current.account else "  "
                label = "Every number" if not account else f"On {pretty(account)}"
                options.append(Option(_row(key, f"{mark}{label}"), id=f"account-{i}"))
        with Vertical(id="view-dialog", classes="triage-dialog"):
            yield Static(Content.assemble(("Show", "bold"), ("  a letter picks · Esc closes", "$text-muted")))
            yield OptionList(*options, id="view-options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = list(VIEW_LABELS).index(self.current.kind)
        options.focus()

    def on_key(self, event: Key) -> None:
        if event.character and event.character in self._choices:
            event.stop()
            self.dismiss(self._choices[event.character])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith("view-"):
            self.dismiss(View(ViewKind(option_id[5:]), self.current.account))
        elif option_id.startswith("account-"):
            account = ("", *self.accounts)[int(option_id[8:])]
            self.dismiss(View(self.current.kind, account))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class SnoozeChoice:
    until: datetime | None  # None: wake now (unsnooze)


class SnoozeScreen(Dialog[SnoozeChoice | None]):
    """Snooze a conversation: a preset by its letter (h, l, t, n; w wakes a snoozed one), or a
    typed duration or time of day. Typed times start with a digit and presets are letters, so a
    burst of keys ("14:30", "2h") is never read as a preset."""

    CSS_PATH = "triage.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
    ]

    def __init__(self, title: str, now_local: datetime, *, snoozed: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.now_local = now_local
        self.snoozed = snoozed
        self.presets = snooze_presets(now_local)
        self.letters: dict[str, SnoozeChoice] = {key: SnoozeChoice(when) for key, _label, when in self.presets}
        if snoozed:
            self.letters["w"] = SnoozeChoice(None)

    def compose(self) -> ComposeResult:
        options = [
            Option(_row(key, label, f"{when:%a} {when.day} {when:%b %H:%M}", width=38), id=f"preset-{key}")
            for key, label, when in self.presets
        ]
        if self.snoozed:
            options.append(Option(_row("w", "Wake it now"), id="preset-w"))
        with Vertical(id="snooze-dialog", classes="triage-dialog"):
            yield Static(Content.assemble(("Snooze ", "bold"), sanitize_line(self.title_text, limit=40)))
            yield Static(Content.styled("Back in the waiting queue then, or at their next text.", "$text-muted"))
            yield OptionList(*options, id="snooze-options")
            yield Input(placeholder="or type 30m, 2h, 3d, 1w, 14:30, 2pm", id="snooze-custom")
            yield Static("", id="snooze-error", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).can_focus = False  # the typing line keeps the focus; ↑/↓ move here
        self.query_one(OptionList).highlighted = 0
        self.query_one("#snooze-custom", Input).focus()

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        count = options.option_count
        if count:
            options.highlighted = ((options.highlighted or 0) + step) % count

    @on(Input.Changed, "#snooze-custom")
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#snooze-error", Static).update("")
        choice = self.letters.get(event.value.lower())
        if choice is not None:  # a preset's letter, typed alone
            self.dismiss(choice)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        choice = self.letters.get((event.option.id or "").removeprefix("preset-"))
        if choice is not None:
            self.dismiss(choice)

    @on(Input.Submitted, "#snooze-custom")
    def _typed(self, event: Input.Submitted) -> None:
        if not event.value.strip():  # Enter on an empty line: the highlighted preset
            options = self.query_one(OptionList)
            if options.highlighted is not None:
                option_id = options.get_option_at_index(options.highlighted).id or ""
                choice = self.letters.get(option_id.removeprefix("preset-"))
                if choice is not None:
                    self.dismiss(choice)
            return
        try:
            when = parse_snooze(event.value, self.now_local)
        except BadSnooze as error:
            self.query_one("#snooze-error", Static).update(Content.styled(str(error), "$text-error"))
            return
        self.dismiss(SnoozeChoice(when))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class ContactEdit:
    name: str
    notes: str


class ContactEditor(Dialog[ContactEdit | None]):
    """The address book entry of one customer number: a name and free notes (kept locally)."""

    CSS_PATH = "triage.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, number: str, name: str, notes: str) -> None:
        super().__init__()
        self.number = number
        self.name_value = name
        self.notes_value = notes

    def compose(self) -> ComposeResult:
        with Vertical(id="contact-dialog", classes="triage-dialog"):
            yield Static(Content.assemble(("Contact ", "bold"), pretty(self.number)))
            yield Input(self.name_value, placeholder="Name", max_length=NAME_LIMIT, id="contact-name")
            notes = TextArea(self.notes_value, id="contact-notes", soft_wrap=True, show_line_numbers=False)
            notes.border_title = "Notes"
            yield notes
            yield Static(
                Content.styled("Enter on the name or ctrl+s saves · Esc cancels · empty name and notes forget it", "$text-muted"),
                id="contact-help",
            )
            yield Static("", id="contact-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#contact-name", Input).focus()

    @on(Input.Submitted, "#contact-name")
    def _name_submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        name = self.query_one("#contact-name", Input).value
        notes = self.query_one("#contact-notes", TextArea).text
        if len(notes) > NOTES_LIMIT:
            self.query_one("#contact-error", Static).update(
                Content.styled(f"Notes hold at most {NOTES_LIMIT} characters ({len(notes)} now).", "$text-error")
            )
            return
        self.dismiss(ContactEdit(name, notes))

    def action_cancel(self) -> None:
        self.dismiss(None)
