"""The composer: a multi-line input where Enter sends, with a live SMS length counter.

Enter posts `Composer.Submitted`; Ctrl+J (or Alt+Enter, or Shift+Enter where the terminal reports
it) inserts a newline. The counter below shows characters, SMS parts and the encoding (GSM-7 or
UCS-2), and the number the message will be sent from. Ctrl+A posts `AttachRequested` (the screen
opens the attachments dialog where the provider sends MMS); `media` (set from above) is shown on a
line under the counter ("2 attachments") while there are any. Ctrl+T posts `TemplateRequested`
(the screen opens the canned-reply picker; the chosen text is inserted at the cursor).
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static, TextArea

from smschat.domain.media import summary
from smschat.domain.numbers import pretty
from smschat.domain.segments import count_segments

NEWLINE_KEYS = frozenset({"ctrl+j", "alt+enter", "shift+enter", "ctrl+enter"})


class ComposerInput(TextArea):
    """TextArea whose Enter submits instead of inserting a newline."""

    # Shown in the footer; the send and newline keys are handled in `_on_key` before TextArea sees
    # them (TextArea would insert a newline for Enter): remapped in [keys], they follow `app.keymap`.
    BINDINGS = [
        Binding("enter", "submit", "Send", id="send"),
        Binding("ctrl+j", "newline", "Newline", id="newline"),
        Binding("escape", "leave", "Leave", show=True, id="leave_composer"),
        Binding("ctrl+a", "attach", "Attach", show=False, id="attach"),
        Binding("ctrl+t", "pick_template", "Template", show=False, id="composer_template"),
    ]

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self.text))

    def action_newline(self) -> None:
        self.insert("\n")

    async def action_leave(self) -> None:
        await self.screen.run_action("back")

    def action_attach(self) -> None:
        self.post_message(Composer.AttachRequested())

    def action_pick_template(self) -> None:
        self.post_message(Composer.TemplateRequested())

    def _keys(self, binding_id: str, default: str) -> frozenset[str]:
        """The keys of `binding_id` now (the config's [keys] may have remapped it)."""
        keymap = getattr(self.app, "keymap", None) or {}
        return frozenset((keymap.get(binding_id) or default).split(","))

    class Submitted(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    async def _on_key(self, event: events.Key) -> None:
        send = self._keys("send", "enter")
        if event.key in send:
            event.prevent_default()
            event.stop()
            text = self.text
            self.post_message(self.Submitted(text))
            if text.strip():
                # emptied now, not when the screen handles the message: a second Enter in the same
                # burst (a slow link delivers keys in bursts) finds nothing to send, and words typed
                # right after Enter stay in the composer. The stored draft keeps the text until the
                # outbox write takes it, in one transaction (no Changed is posted here).
                self.query_ancestor(Composer).clear()
            return
        if event.key in (self._keys("newline", "ctrl+j") | NEWLINE_KEYS - {"ctrl+j"}) - send:
            event.prevent_default()
            event.stop()
            self.insert("\n")
            return
        await super()._on_key(event)


class Composer(Vertical):
    """Input plus counter. Set `sender` and `enabled` from above; listen for `Submitted`."""

    sender: reactive[str] = reactive("", init=False)
    senders_count: reactive[int] = reactive(1, init=False)
    #: media URLs to send with the text (an MMS); set from above
    media: reactive[tuple[str, ...]] = reactive((), init=False)

    class Submitted(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Changed(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class AttachRequested(Message):
        """Ctrl+A in the composer: the agent wants to add or remove attachments."""

    class TemplateRequested(Message):
        """Ctrl+T in the composer: the agent wants a canned reply inserted at the cursor."""

    class MediaChanged(Message):
        def __init__(self, media: tuple[str, ...]) -> None:
            super().__init__()
            self.media = media

    def compose(self) -> ComposeResult:
        area = ComposerInput(id="composer-input", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        area.placeholder = "Type a reply — Enter sends, Ctrl+J newline"
        yield area
        yield Static(id="composer-counter", markup=False)
        yield Static(id="composer-media", markup=False)

    @property
    def input(self) -> ComposerInput:
        return self.query_one(ComposerInput)

    @property
    def text(self) -> str:
        return self.input.text

    def set_text(self, text: str) -> None:
        """Replace the text (restoring a draft) without posting `Changed`."""
        area = self.input
        with area.prevent(TextArea.Changed):
            area.load_text(text)
        area.move_cursor(area.document.end)
        self._update_counter()

    def clear(self) -> None:
        self.set_text("")

    def on_mount(self) -> None:
        self._update_counter()
        self._update_title()
        self._update_media()

    def watch_media(self) -> None:
        self._update_media()
        self.post_message(self.MediaChanged(self.media))

    def _update_media(self) -> None:
        row = self.query_one("#composer-media", Static)
        row.display = bool(self.media)
        if self.media:
            row.update(Content.assemble((f" ▪ {summary(len(self.media))}", "bold"), " · sent as MMS · ctrl+a edits"))

    def watch_sender(self) -> None:
        self._update_title()

    def watch_senders_count(self) -> None:
        self._update_title()

    def _update_title(self) -> None:
        """The number replies go out from, on the composer's top border."""
        if not self.sender:
            self.border_title = None
            return
        number = pretty(self.sender)
        hint = " · ctrl+o switches" if self.senders_count > 1 else ""
        # one string (a border title drops the spaces between separately styled pieces)
        self.border_title = Content(f"from {number}{hint}").stylize("bold", 5, 5 + len(number))

    @on(ComposerInput.Submitted)
    def _submitted(self, event: ComposerInput.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(event.text))

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._update_counter()
        self.post_message(self.Changed(self.input.text))

    def _update_counter(self) -> None:
        info = count_segments(self.input.text) if self.is_mounted else count_segments("")
        parts = "part" if info.parts == 1 else "parts"
        counter = Content.assemble(
            (f" {info.chars} chars", "$text-muted"),
            " · ",
            (f"{info.parts} {parts}", "bold" if info.parts > 1 else ""),
            (f" · {info.encoding}", "$text-warning" if info.encoding == "UCS-2" else "$text-muted"),
            (f" · {info.remaining} left" if info.chars else "", "$text-muted"),
        )
        self.query_one("#composer-counter", Static).update(counter, layout=False)  # one row (app.tcss): no relayout per key
