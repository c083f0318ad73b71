"""The attachments of the reply being written (MMS): add and remove media URLs, at most 10.

Opened with ctrl+a in the composer when the provider sends MMS (Plivo). Type or paste a URL and
press Enter to add it (checked at once: http(s), a host, no spaces, not twice, at most 10); in the
list, Delete (or Backspace, or d) removes the selected one; Esc (or Enter on an empty line) closes.
Changes apply as they are made: the screen is dismissed with the list as it stands.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from smschat.ui.screens.dialog import Dialog
from smschat.domain.media import MAX_MEDIA, BadMediaUrl, check_media_url, describe

HINT = "Enter adds · Del removes the selected file · Esc done"


class MediaList(OptionList):
    """The attached files; Delete, Backspace or d removes the highlighted one."""

    BINDINGS = [Binding("delete,backspace,d", "remove", "Remove", show=False)]

    def action_remove(self) -> None:
        screen = self.screen
        if isinstance(screen, AttachmentsScreen) and self.highlighted is not None:
            screen.remove_media(self.highlighted)


class AttachmentsScreen(Dialog[tuple[str, ...]]):
    """Edit a list of media URLs; dismissed with the list (a tuple, possibly empty)."""

    CSS_PATH = "attachments.tcss"
    BINDINGS = [Binding("escape", "done", "Done")]

    def __init__(self, media: Iterable[str] = ()) -> None:
        super().__init__()
        self.media: list[str] = list(media)

    def compose(self) -> ComposeResult:
        with Vertical(id="media-dialog"):
            yield Static(id="media-title")
            yield MediaList(id="media-list")
            yield Input(placeholder="https://… the file's URL, then Enter", id="media-url")
            yield Static(id="media-error")
            yield Static(Content(HINT), id="media-hint")

    def on_mount(self) -> None:
        self._show()
        self.query_one("#media-url", Input).focus()

    # -- changes -----------------------------------------------------------------------------------
    def add_media(self, text: str) -> bool:
        """Add a URL; False (and the reason shown) when it cannot be sent."""
        try:
            url = check_media_url(text, self.media)
        except BadMediaUrl as problem:
            self._error(str(problem))
            return False
        self.media.append(url)
        self._error("")
        self._show()
        return True

    def remove_media(self, index: int) -> None:
        if 0 <= index < len(self.media):
            del self.media[index]
            self._error("")
            self._show(highlight=min(index, len(self.media) - 1))
            if not self.media:
                self.query_one("#media-url", Input).focus()

    # -- drawing -----------------------------------------------------------------------------------
    def _show(self, highlight: int | None = None) -> None:
        count = len(self.media)
        title = f"Attachments (MMS) · {count} of {MAX_MEDIA}"
        self.query_one("#media-title", Static).update(Content.assemble((title, "bold")))
        options = self.query_one(MediaList)
        options.clear_options()
        for url in self.media:
            attachment = describe(url)  # sanitised: a URL is shown as the characters it is
            options.add_option(Option(Content.assemble(
                ("▪ ", "$text-muted"), (attachment.label, "bold"), "\n", ("  " + attachment.url, "$text-muted"))))
        options.display = bool(self.media)
        if highlight is not None and self.media:
            options.highlighted = max(0, highlight)

    def _error(self, text: str) -> None:
        self.query_one("#media-error", Static).update(Content(text))

    # -- keys --------------------------------------------------------------------------------------
    @on(Input.Submitted, "#media-url")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.action_done()
            return
        if self.add_media(event.value):
            event.input.value = ""

    def action_done(self) -> None:
        self.dismiss(tuple(self.media))


__all__ = ["AttachmentsScreen", "HINT", "MediaList"]
