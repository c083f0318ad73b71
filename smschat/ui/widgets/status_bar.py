"""The one-line bar at the top: profile, numbers, what is waiting, and connection health."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rich.cells import cell_len, set_cell_size
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from smschat.domain.sanitize import sanitize_line
from smschat.domain.timefmt import clock_time

# connection states
OK, SYNCING, RETRYING, OFFLINE, AUTH = "ok", "syncing", "retrying", "offline", "auth"
TROUBLE = frozenset({RETRYING, OFFLINE, AUTH})


def _shorten(text: str, cells: int) -> str:
    """`text` cut to `cells` terminal cells, with "…" when cut."""
    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, max(0, cells - 1)).rstrip() + "…"


class StatusBar(Widget):
    """Shows `title`, the waiting count and the connection `state` (with `detail`)."""

    DEFAULT_CSS = """
    StatusBar { height: 1; }
    """

    title: reactive[str] = reactive("smschat")
    waiting: reactive[int] = reactive(0)
    state: reactive[str] = reactive(SYNCING)
    detail: reactive[str] = reactive("")
    since: reactive[datetime | None] = reactive(None)

    def __init__(self, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC), id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock

    def set_state(self, state: str, detail: str = "") -> None:
        """Change the connection state. `since` marks when the state began; trouble that changes
        shape (retrying, then offline) keeps the time the trouble began."""
        if state != self.state and not (state in TROUBLE and self.state in TROUBLE):
            self.since = self._clock()
        self.state = state
        self.detail = sanitize_line(detail, limit=120)

    def render(self) -> Content:
        width = self.size.width
        title = Content.assemble((f" {sanitize_line(self.title, limit=60)} ", "bold"))
        waiting = (
            Content.assemble(("  ● ", "$text-warning"), (f"{self.waiting} waiting", "bold"))
            if self.waiting
            else Content.assemble(("  no one waiting", "$text-muted"))
        )
        right = self._state_content(self.detail)
        if width and title.cell_length + waiting.cell_length + right.cell_length + 1 > width:
            # too long: in trouble the connection state comes first, so the waiting count goes,
            # then the detail is shortened (or dropped)
            if self.state in TROUBLE:
                waiting = Content("")
            room = width - title.cell_length - waiting.cell_length - self._state_content("").cell_length - 4
            if cell_len(self.detail) > room:
                right = self._state_content(_shorten(self.detail, room) if room >= 8 else "")
        used = title.cell_length + waiting.cell_length + right.cell_length
        gap = max(1, width - used)
        return Content.assemble(title, waiting, " " * gap, right)

    def _state_content(self, detail: str) -> Content:
        since = f" since {clock_time(self.since, None)}" if self.since else ""
        detail = f": {detail}" if detail else ""
        if self.state == OK:
            return Content.assemble(("✓ connected ", "$text-success"))
        if self.state == SYNCING:
            return Content.assemble((f"⟳ syncing{detail} ", "$text-accent"))
        if self.state == RETRYING:
            return Content.assemble((f"⟳ retrying{detail} ", "$text-warning"))
        if self.state == AUTH:
            return Content.assemble((f"✗ login rejected{detail} ", "$text-error"))
        return Content.assemble((f"✗ offline{since}{detail} ", "$text-error"))
