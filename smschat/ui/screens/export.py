"""`x`: export the open conversation to a file (text transcript, JSON or CSV).

The dialog suggests `~/Downloads/smschat-<number>-<date>.txt` (the home directory when there is no
Downloads folder); changing the format changes the suggested extension. The file is written by a
worker (its own store connection, off the UI thread) with `smschat.store.export`: mode 0600, never
over an existing file unless "Replace" is ticked. A problem is shown in the dialog, which stays
open; on success it dismisses with an `ExportDone` (the chat screen says where the file is).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static

from smschat.ui.screens.dialog import Dialog
from smschat.domain.numbers import pretty
from smschat.domain.sanitize import sanitize_line
from smschat.store.export import (
    EXTENSIONS,
    FORMATS,
    ExportError,
    ExportHeader,
    check_target,
    default_filename,
    export_to_file,
)

LABELS = {"text": "Text transcript (.txt)", "json": "JSON, every field (.json)", "csv": "CSV for spreadsheets (.csv)"}


@dataclass(frozen=True, slots=True)
class ExportDone:
    path: Path
    fmt: str
    records: int


class ExportScreen(Dialog[ExportDone | None]):
    CSS_PATH = "conversation_dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, customer: str, account: str, *, store_path: Path | str, directory: Path,
                 clock: Callable[[], datetime], profile: str = "", provider: str = "") -> None:
        super().__init__()
        self.customer = customer
        self.account = account
        self.store_path = store_path
        self.directory = directory
        self.clock = clock
        self.profile = profile
        self.provider = provider
        self.fmt = "text"

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="conversation-dialog"):
            title = f"Export the conversation with {pretty(self.customer)}"
            yield Static(Content.assemble((title, "bold")), classes="dialog-title")
            with RadioSet(id="export-format"):
                for fmt in FORMATS:
                    yield RadioButton(Content(LABELS[fmt]), value=fmt == self.fmt, id=f"export-{fmt}")
            yield Label("Save to")
            suggested = self.directory / default_filename(self.customer, self.fmt, self.clock().astimezone())
            yield Input(str(suggested), id="export-path")
            yield Checkbox(Content("Replace the file if it exists"), id="export-force")
            yield Static(Content("The file is readable by you only: it holds customers' texts."),
                         id="export-status", classes="dialog-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Export (enter)"), id="export-ok", variant="primary")
                yield Button(Content("Cancel (esc)"), id="export-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def _status(self, text: str, *, error: bool = False) -> None:
        kind = "error" if error else ""
        status = self.query_one("#export-status", Static)
        mark = "✗ " if kind == "error" else "✓ " if kind == "ok" else ""
        status.update(Content(mark + sanitize_line(text, limit=300)))
        status.set_class(error, "-error")
        self.query_one("#export-path", Input).set_class(error, "-invalid")

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        button_id = event.pressed.id or ""
        fmt = button_id.removeprefix("export-")
        if fmt not in FORMATS:
            return
        self.fmt = fmt
        box = self.query_one("#export-path", Input)
        path = Path(box.value)
        if path.suffix.lstrip(".") in EXTENSIONS.values():  # the suggested kind of name: follow the format
            box.value = str(path.with_suffix("." + EXTENSIONS[fmt]))

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-ok")
    def _submit(self) -> None:
        if self.query_one("#export-ok", Button).disabled:
            return  # already writing
        force = self.query_one("#export-force", Checkbox).value
        try:
            target = check_target(self.query_one("#export-path", Input).value, force=force)
        except ExportError as exc:
            hint = ' (tick "Replace" to write over it)' if "already exists" in str(exc) else ""
            self._status(f"{exc}{hint}", error=True)
            self.query_one("#export-path", Input).focus()
            return
        self._status("Writing…")
        self.query_one("#export-ok", Button).disabled = True
        self.write(target, self.fmt, force)

    @work(group="export", exclusive=True, exit_on_error=False)
    async def write(self, target: Path, fmt: str, force: bool) -> None:
        header = ExportHeader(self.customer, self.account, self.clock(), profile=self.profile, provider=self.provider)
        try:
            path, records = await asyncio.to_thread(export_to_file, self.store_path, fmt, target, header, force=force)
        except ExportError as exc:
            self._status(str(exc), error=True)
            self.query_one("#export-ok", Button).disabled = False
            return
        except Exception as exc:  # noqa: BLE001 - said in the dialog, never a crash
            self._status(f"Export failed: {type(exc).__name__}: {exc}", error=True)
            self.query_one("#export-ok", Button).disabled = False
            return
        self.dismiss(ExportDone(path, fmt, records))

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
