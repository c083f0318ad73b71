"""The one-line bar at the top: profile, numbers, what is waiting, and connection health."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from smschat.domain.sanitize import sanitize_line
from smschat.domain.timefmt import clock_time

# connection states
OK, SYNCING, RETRYING, OFFLINE, AUTH = "ok", "syncing", "retrying", "offline", "auth"


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
        """Change the connection state; `since` is kept while the state stays the same."""
        if state != self.state:
            self.since = self._clock()
        self.state = state
        self.detail = sanitize_line(detail, limit=120)

    def render(self) -> Content:
        title = Content.assemble((f" {self.title} ", "bold"))
        waiting = (
            Content.assemble(("  ● ", "$text-warning"), (f"{self.waiting} waiting", "bold"))
            if self.waiting
            else Content.assemble(("  no one waiting", "$text-muted"))
        )
        right = self._state_content()
        used = title.cell_length + waiting.cell_length + right.cell_length
        gap = max(1, self.size.width - used)
        return Content.assemble(title, waiting, " " * gap, right)

    def _state_content(self) -> Content:
        since = f" since {clock_time(self.since, None)}" if self.since else ""
        detail = f": {self.detail}" if self.detail else ""
        if self.state == OK:
            return Content.assemble(("✓ connected ", "$text-success"))
        if self.state == SYNCING:
            return Content.assemble((f"⟳ syncing{detail} ", "$text-accent"))
        if self.state == RETRYING:
            return Content.assemble((f"⟳ retrying{detail} ", "$text-warning"))
        if self.state == AUTH:
            return Content.assemble((f"✗ login rejected{detail} ", "$text-error"))
        return Content.assemble((f"✗ offline{since}{detail} ", "$text-error"))
