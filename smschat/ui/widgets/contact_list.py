"""The contact list: one two-line row per conversation, drawn with the Line API.

Only the visible rows are rendered, so thousands of contacts cost nothing to show or filter. Data
goes in through `set_contacts`; the widget posts `Highlighted` when the cursor moves and `Chosen`
when Enter is pressed. Everything shown that came from the network is sanitised and drawn as plain
text (never markup).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from smschat.domain.model import ContactSummary, Direction
from smschat.domain.numbers import pretty
from smschat.domain.sanitize import sanitize_line
from smschat.domain.timefmt import relative, waited
from smschat.domain.triage import Triage, last_failed, triage, waiting_for

ROW_HEIGHT = 2
Key = tuple[str, str]


def contact_title(contact: ContactSummary) -> str:
    """Name when known, else the pretty number; both sanitised."""
    number = pretty(contact.customer)
    name = sanitize_line(contact.name, limit=60)
    return f"{name} {number}" if name else number


def fit_title(name: str, number: str, room: int) -> str:
    """Name and number in `room` cells: shorten the name before the number, and drop the number
    only when a name is left too little room to be read."""
    if not name:
        return number
    full = f"{name} {number}"
    if cell_len(full) <= room:
        return full
    name_room = room - cell_len(number) - 1
    if name_room >= 6:
        return f"{set_cell_size(name, name_room - 1)}… {number}"
    return name if cell_len(name) <= room else set_cell_size(name, room - 1) + "…"


def wake_label(when: datetime, now: datetime) -> str:
    """When a snooze ends, short: "16:00" today, else "Tue"."""
    local, today = when.astimezone(), now.astimezone()
    return f"{local:%H:%M}" if local.date() == today.date() else f"{local:%a}"


def contact_marker(contact: ContactSummary, now: datetime | None = None) -> tuple[str, str]:
    """The marker glyph and its component-class suffix: waiting (●), snoozed (z), done (✓),
    failed (✗), opted out (⊘), or none. Every state has a glyph, not only a colour."""
    if last_failed(contact):
        return "✗", "failed"  # our last word did not arrive: the most urgent thing to see (still waiting)
    if contact.opted_out:
        return "⊘", "optout"  # texted STOP: replies are blocked until they text START
    state = triage(contact, now or datetime.now(UTC))
    if state is Triage.WAITING:
        return "●", "waiting"
    if state is Triage.SNOOZED:
        return "z", "snoozed"
    if state is Triage.DONE:
        return "✓", "done"
    return " ", "none"


class ContactList(ScrollView, can_focus=True):
    """A virtualised, keyboard-driven list of conversations."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="cursor_down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="cursor_up"),
        Binding("home,g", "first", "First", show=False, id="first"),
        Binding("end,G", "last", "Last", show=False, id="last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="page_up"),
        Binding("enter", "choose", "Open", show=False, id="open_conversation"),
    ]

    COMPONENT_CLASSES = {
        "contact-list--cursor",
        "contact-list--cursor-blurred",
        "contact-list--title",
        "contact-list--unread",
        "contact-list--time",
        "contact-list--preview",
        "contact-list--marker-waiting",
        "contact-list--marker-failed",
        "contact-list--marker-snoozed",
        "contact-list--marker-done",
        "contact-list--marker-optout",
        "contact-list--waited",
        "contact-list--account",
        "contact-list--empty",
    }

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        def __init__(self, contact: ContactSummary, *, automatic: bool = False) -> None:
            super().__init__()
            self.contact = contact
            #: True when the list moved by itself (`set_contacts` lost the highlighted row), not the user
            self.automatic = automatic

    class Chosen(Message):
        def __init__(self, contact: ContactSummary) -> None:
            super().__init__()
            self.contact = contact

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._contacts: list[ContactSummary] = []
        self._clock = clock
        self._show_account = False
        self.empty_text = "No conversations yet"

    # -- data in -------------------------------------------------------------------------------
    @property
    def contacts(self) -> Sequence[ContactSummary]:
        return self._contacts

    @property
    def highlighted(self) -> ContactSummary | None:
        if 0 <= self.cursor < len(self._contacts):
            return self._contacts[self.cursor]
        return None

    def set_contacts(self, contacts: Sequence[ContactSummary], *, keep: Key | None = None) -> None:
        """Replace the rows; the cursor stays on `keep` (or the highlighted contact) if present."""
        keep = keep or (self.highlighted.key if self.highlighted else None)
        self._contacts = list(contacts)
        self._show_account = len({c.account for c in self._contacts}) > 1
        self.virtual_size = Size(self.size.width, len(self._contacts) * ROW_HEIGHT)
        index = self.index_of(keep) if keep else None
        new_cursor = index if index is not None else min(self.cursor, max(0, len(self._contacts) - 1))
        moved = new_cursor != self.cursor or keep is None or index is None
        self.set_reactive(ContactList.cursor, new_cursor)
        self._scroll_cursor_into_view()
        self.refresh()
        if moved and self.highlighted is not None and (keep is None or index is None):
            self.post_message(self.Highlighted(self.highlighted, automatic=True))

    def index_of(self, key: Key) -> int | None:
        for i, contact in enumerate(self._contacts):
            if contact.key == key:
                return i
        return None

    def select_key(self, key: Key) -> bool:
        index = self.index_of(key)
        if index is None:
            return False
        self.cursor = index
        return True

    # -- cursor ---------------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        if self.highlighted is not None:
            self.post_message(self.Highlighted(self.highlighted))

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._contacts) - 1)) if self._contacts else 0

    def _scroll_cursor_into_view(self) -> None:
        if not self._contacts:
            return
        top = self.cursor * ROW_HEIGHT
        height = self.scrollable_content_region.height or self.size.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + ROW_HEIGHT > self.scroll_y + height:
            self.scroll_to(y=top + ROW_HEIGHT - height, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._contacts) - 1

    def _page_rows(self) -> int:
        return max(1, (self.scrollable_content_region.height or self.size.height) // ROW_HEIGHT)

    def action_page_down(self) -> None:
        self.cursor += self._page_rows()

    def action_page_up(self) -> None:
        self.cursor -= self._page_rows()

    def action_choose(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Chosen(self.highlighted))

    def on_click(self, event) -> None:  # noqa: ANN001 - textual event
        row = (event.y + int(self.scroll_y)) // ROW_HEIGHT
        if 0 <= row < len(self._contacts):
            self.cursor = row
            if event.chain >= 2:
                self.action_choose()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._contacts) * ROW_HEIGHT)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- rendering ------------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"contact-list--{name}", partial=True)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        base = self.rich_style
        if not self._contacts:
            if y == 1:
                text = self.empty_text[:width].center(width)
                return Strip([Segment(text, base + self._style("empty"))], width)
            return Strip.blank(width, base)
        row_y = int(self.scroll_y) + y
        index, line = divmod(row_y, ROW_HEIGHT)
        if index >= len(self._contacts):
            return Strip.blank(width, base)
        contact = self._contacts[index]
        selected = index == self.cursor
        row_style = base
        if selected:
            row_style = base + self._style("cursor" if self.has_focus else "cursor-blurred")
        segments = self._title_line(contact, width, row_style) if line == 0 else self._preview_line(contact, width, row_style)
        return Strip(segments, width).adjust_cell_length(width, row_style)

    def _title_line(self, contact: ContactSummary, width: int, row: Style) -> list[Segment]:
        now = self._clock()
        glyph, kind = contact_marker(contact, now)
        marker_style = row + self._style(f"marker-{kind}") if kind != "none" else row
        # a waiting row shows how long the customer has waited ("2h 5m"), the others their last
        # activity; a snoozed one when it wakes ("→16:00")
        waiting = waiting_for(contact, now)
        if waiting is not None:
            when = waited(contact.waiting_since, now)
        elif kind == "snoozed" and contact.snoozed_until is not None:
            when = "→" + wake_label(contact.snoozed_until, now)
        else:
            when = relative(contact.last_activity, now)
        time_style = row + self._style("waited" if waiting is not None else "time")
        unread = f" {contact.unread}" if contact.unread else ""
        account = f" ·{contact.account[-4:]}" if self._show_account else ""
        number = pretty(contact.customer)
        room = width - 2 - cell_len(f"{unread}{account} {when} ")
        if room < cell_len(number) and account:  # the customer's number matters more than the tag
            account = ""
            room = width - 2 - cell_len(f"{unread} {when} ")
        if room < cell_len(number) and " " in when:  # "2h 5m" -> "2h"
            when = when.split(" ")[0]
            room = width - 2 - cell_len(f"{unread}{account} {when} ")
        title = set_cell_size(fit_title(sanitize_line(contact.name, limit=60), number, max(1, room)), max(1, room))
        title_style = row + self._style("unread" if contact.unread else "title")
        segments = [Segment(f"{glyph} ", marker_style), Segment(title, title_style)]
        if unread:
            segments.append(Segment(unread, row + self._style("unread")))
        if account:
            segments.append(Segment(account, row + self._style("account")))
        segments.append(Segment(f" {when} ", time_style))
        return segments

    def _preview_line(self, contact: ContactSummary, width: int, row: Style) -> list[Segment]:
        last = contact.last_message
        prefix = "You: " if last.direction is Direction.OUTBOUND else ""
        text = prefix + sanitize_line(last.body, limit=max(width * 2, 20))
        preview = set_cell_size(text, max(1, width - 3))
        return [Segment("  ", row), Segment(preview, row + self._style("preview")), Segment(" ", row)]
