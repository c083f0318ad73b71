"""Drawing the thread view's rows: bubbles (cached), the header, the empty state, the "new" bar.

`ThreadPainter` turns a row of a `ThreadModel` into a `Strip` exactly `width` cells wide. Bubbles
are drawn by `bubbles.render` only when first shown and kept in an LRU cache keyed by bubble, width,
day label and selection (the cached bubble object is checked, so a changed item is redrawn).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, tzinfo

from textual.strip import Strip

from smschat.ui.widgets.bubbles import Palette, centered, clock_label, day_label, render, wrap_text
from smschat.ui.widgets.grouping import Bubble, GroupKey
from smschat.ui.widgets.thread_model import HEADER_ROWS, ThreadModel

CACHE_SIZE = 400  # drawn bubbles kept; a screen shows a dozen
EMPTY_TEXT = "No messages yet — type below to start the conversation"
LOADING_TEXT = "Loading…"


class ThreadPainter:
    def __init__(self, model: ThreadModel, *, clock: Callable[[], datetime], tz: tzinfo | None) -> None:
        self.model = model
        self.clock = clock
        self.tz = tz
        self._cache: OrderedDict[tuple, tuple[Bubble, list[Strip]]] = OrderedDict()

    def clear(self) -> None:
        """Forget drawn bubbles (new width, new styles, new content)."""
        self._cache.clear()

    def row(self, row: int, width: int, palette: Palette, *, cursor: GroupKey | None, header: str) -> Strip:
        """Model row `row` (0 is the header; outside the thread: blank)."""
        model = self.model
        if row < 0 or row >= model.total:
            return Strip.blank(width, palette.base)
        if row < HEADER_ROWS:
            return centered(header, width, palette.header, palette.base)
        index = model.index_at(row)
        assert index is not None
        lines = self._lines(index, palette, cursor)
        line = row - model.start(index)
        strip = lines[line] if line < len(lines) else Strip.blank(width, palette.base)
        return strip if strip.cell_length == width else strip.adjust_cell_length(width, palette.base)

    def empty(self, y: int, width: int, height: int, palette: Palette, *, loading: bool) -> Strip:
        """The empty (or loading) state, centred in a screen `height` rows high."""
        lines = wrap_text(LOADING_TEXT if loading else EMPTY_TEXT, max(2, width - 2))
        first = max(0, (height - len(lines)) // 2)
        if first <= y < first + len(lines):
            return centered(lines[y - first].strip(), width, palette.empty, palette.base)
        return Strip.blank(width, palette.base)

    def new_below(self, count: int, width: int, palette: Palette) -> Strip:
        return centered(f" ↓ {count} new — End to jump ", width, palette.new_below, palette.base)

    def _lines(self, index: int, palette: Palette, cursor: GroupKey | None) -> list[Strip]:
        model = self.model
        bubble = model.bubbles[index]
        day = day_label(model.day(index), self._today()) if model.has_day(index) else None
        selected = bubble.key == cursor
        key = (bubble.key, model.width, day, selected)
        cached = self._cache.get(key)
        if cached is not None and cached[0] is bubble:
            self._cache.move_to_end(key)
            return cached[1]
        time_text = clock_label(bubble.timestamp, self.tz)
        lines = render(bubble, model.width, palette, time_text=time_text, day=day, selected=selected)
        self._cache[key] = (bubble, lines)
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return lines

    def _today(self) -> date:
        return self.clock().astimezone(self.tz).date()
