"""First run: a form for the account, tested against the API before anything is saved.

The test runs on a worker thread through `smschat.config.check` (the UI never speaks HTTP itself);
what went wrong is shown under the form, as plain text, next to the field to fix. On success the
profile is written with `save_config` (mode 0600) and the app goes straight to the chat screen on a
new session.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Select, Static

from smschat.config.build import (
    DEFAULT_PROFILE_NAME,
    FORMAT_PROVIDERS,
    ProfileInput,
    available_providers,
    credential_labels,
)
from smschat.config.load import DEFAULT_BASE_URLS, FORMATS
from smschat.domain.errors import ConfigError, SmsError
from smschat.domain.sanitize import sanitize_line

#: form fields in order: (id, label)
FIELDS = [
    ("name", "Profile name"),
    ("provider", "Provider"),
    ("base_url", "Base URL"),
    ("format", "Wire format"),
    ("username", "Username"),
    ("password", "Password"),
    ("numbers", "SMS numbers"),
]
LABELS = dict(FIELDS)


def field_of(error: SmsError) -> str:
    """The form field an error is about ("" when none): a check's field, or a config key's last part."""
    named = getattr(error, "field", "")
    if named:
        return str(named)
    key = getattr(error, "key", "") or ""
    last = key.rsplit(".", 1)[-1].split("[", 1)[0]
    if last in ("password_env", "password_command"):
        return "password"
    if last in ("allow_insecure",):
        return "base_url"
    return last if last in LABELS else ""


def plain_message(error: SmsError) -> str:
    """The error without the "file:key: " prefix a `ConfigError` carries, sanitised, one line."""
    text = str(error)
    if isinstance(error, ConfigError):
        where = ":".join(p for p in (error.path, error.key) if p)
        if where and text.startswith(where + ": "):
            text = text[len(where) + 2:]
    return sanitize_line(text, limit=400)


class SetupScreen(Screen[None]):
    """The account form. `config_path` is where the new file goes."""

    CSS_PATH = "setup.tcss"
    BINDINGS = [Binding("ctrl+s", "save", "Test and save", priority=True)]

    def __init__(self, config_path: Path, *, name: str | None = None, note: str = "") -> None:
        super().__init__()
        self.config_path = Path(config_path)
        self.profile_name = name or DEFAULT_PROFILE_NAME
        self.note = note
        self.busy = False

    def compose(self) -> ComposeResult:
        providers = available_providers() or ["plum"]
        with Vertical(id="setup-form"):
            yield Static(Content.assemble(("Set up your SMS account", "bold")), id="setup-title")
            yield Static(Content(self.note or "Nothing is saved until the account answers. "
                                 "Tab moves between fields; ctrl+q quits."), id="setup-help")
            yield self._row("name", Input(self.profile_name, id="name", compact=True))
            yield self._row("provider", Select([(p, p) for p in providers], value=providers[0], allow_blank=False,
                                               id="provider", compact=True))
            yield self._row("base_url", Input(DEFAULT_BASE_URLS[providers[0]], id="base_url", compact=True))
            yield self._row("format", Select([(f, f) for f in FORMATS], value="json", allow_blank=False,
                                             id="format", compact=True))
            yield self._row("username", Input(id="username", compact=True))
            yield self._row("password", Input(id="password", password=True, compact=True))
            yield self._row("numbers", Input(id="numbers", compact=True, placeholder="2435678910, 2435670000"))
            yield Static(Content("comma-separated; the first is the number you send from"), id="numbers-hint")
            with Horizontal(id="setup-actions"):
                yield Button("Test and save", id="save", variant="primary", compact=True)
            yield Static(id="setup-message", markup=False)
        yield Footer()

    def _row(self, name: str, widget: Any) -> Horizontal:
        return Horizontal(Label(LABELS[name], classes="setup-label"), widget, classes="setup-row", id=f"row-{name}")

    def on_mount(self) -> None:
        self.query_one("#username", Input).focus()

    # -- the form ---------------------------------------------------------------------------------
    def value(self, name: str) -> str:
        widget = self.query_one(f"#{name}")
        raw = widget.value
        return "" if raw is Select.BLANK or raw is None else str(raw)

    def gather(self) -> ProfileInput:
        return ProfileInput(
            name=self.value("name").strip() or DEFAULT_PROFILE_NAME,
            provider=self.value("provider") or "plum",
            base_url=self.value("base_url").strip(),
            format=self.value("format") or "json",
            username=self.value("username").strip(),
            password=self.value("password"),
            numbers=[n for n in self.value("numbers").replace(";", ",").split(",") if n.strip()],
        )

    @on(Select.Changed, "#provider")
    def _provider_changed(self, event: Select.Changed) -> None:
        provider = str(event.value)
        box = self.query_one("#base_url", Input)
        if box.value.strip() in ("", *DEFAULT_BASE_URLS.values()) and provider in DEFAULT_BASE_URLS:
            box.value = DEFAULT_BASE_URLS[provider]
        user_label, password_label = credential_labels(provider)
        self.query_one("#row-username Label", Label).update(user_label)
        self.query_one("#row-password Label", Label).update(password_label)
        self.query_one("#row-format").display = provider in FORMAT_PROVIDERS

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "numbers":
            self.action_save()
        else:
            self.focus_next()

    @on(Button.Pressed, "#save")
    def _pressed(self) -> None:
        self.action_save()

    def show(self, text: str, *, error: bool = False, field: str = "") -> None:
        message = self.query_one("#setup-message", Static)
        message.update(Content(sanitize_line(text, limit=600)))
        message.set_class(error, "-error")
        for name in LABELS:
            self.query_one(f"#row-{name}").set_class(name == field, "-invalid")
        if field:
            self.query_one(f"#{field}").focus()

    def action_save(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.query_one("#save", Button).disabled = True
        self.show("Testing the account… (one request to the server)")
        self.test_and_save(self.gather())

    # -- the work (a thread: the check, the file and the new session never block the screen) -------
    @work(thread=True, exclusive=True, group="setup", exit_on_error=False)
    def test_and_save(self, given: ProfileInput) -> None:
        try:
            session, notes = self._do(given)
        except SmsError as error:
            self.app.call_from_thread(self._failed, plain_message(error), field_of(error))
            return
        except Exception as error:  # noqa: BLE001 - a disk or other local failure: say so, stay here
            self.app.call_from_thread(self._failed, f"could not save: {type(error).__name__}: "
                                      f"{sanitize_line(str(error), limit=200)}", "")
            return
        self.app.call_from_thread(self._done, session, notes)

    def _do(self, given: ProfileInput) -> tuple[Any, list[str]]:
        from smschat.config import load_profile, save_config
        from smschat.config.build import check_name, existing_document, merge_profile, parse_numbers, profile_table
        from smschat.config.build import validate_input
        from smschat.config.check import check_credentials
        from smschat.paths import store_file
        from smschat.session import open_session

        given.name = check_name(given.name, key="name")
        given.numbers = parse_numbers(given.numbers, key="numbers")
        if not given.password:
            raise ConfigError("the password is required", key="password")
        doc = existing_document(self.config_path)
        merged, _ = merge_profile(doc, given.name, profile_table(given), make_default=True)
        profile = validate_input(merged, given.name, self.config_path)
        result = asyncio.run(check_credentials(profile))
        save_config(self.config_path, merged)
        saved = load_profile(self.config_path, given.name, warn=lambda text: None)
        return open_session(saved, store_file(saved.name)), result.notes()

    def _failed(self, text: str, field: str) -> None:
        self.busy = False
        self.query_one("#save", Button).disabled = False
        where = ""
        if field in LABELS:
            where = str(self.query_one(f"#row-{field} Label", Label).content) + ": "
        self.show(f"✗ {where}{text}. Nothing was saved.", error=True, field=field)

    async def _done(self, session: Any, notes: list[str]) -> None:
        self.app.notify(Content(f"Saved to {self.config_path} (readable by you only)."), title="Account set up")
        for note in notes:
            self.app.notify(Content(sanitize_line(note, limit=300)), severity="warning", timeout=10)
        await self.app.switch_session(session)  # type: ignore[attr-defined]
