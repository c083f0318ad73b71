"""The conversation: chat bubbles drawn with the Line API, so a 10,000-message thread stays fast.

Data goes in through methods (`set_messages`, `prepend_older`, `upsert`, `remove`, `set_loading`),
as `ThreadItem`s or raw `Message` records (the records of one multi-part send are kept together, so
a status change of one part re-aggregates its bubble);
the view posts `Selected`, `NeedOlder` and `NewBelow` up. Heights of all bubbles are measured at the
current width (cheap, cached per bubble), a prefix-sum of heights maps a screen row to a bubble with
`bisect`, and only bubbles on screen are drawn (cached per bubble, width, day label and selection).
Styles live in `widgets.tcss` (component classes, read in code).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, tzinfo
from itertools import accumulate
from pathlib import Path

from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.color import Color
from textual.geometry import Size
from textual.message import Message as TextualMessage
from textual.scroll_view import ScrollView
from textual.strip import Strip

from smschat.domain.model import Message
from smschat.domain.thread import ThreadItem
from smschat.ui.widgets.bubbles import (
    FILLS,
    KINDS,
    Bubble,
    GroupKey,
    Palette,
    make_bubble,
    centered,
    clock_label,
    day_label,
    group_key,
    local_day,
    measure,
    render,
    wrap_text,
)

#: The stylesheet with this widget's rules; the app lists it in `CSS_PATH`.
WIDGETS_TCSS = Path(__file__).with_name("widgets.tcss")

HEADER_ROWS = 1
CACHE_SIZE = 400  # drawn bubbles kept; a screen shows a dozen
EMPTY_TEXT = "No messages yet — type below to start the conversation"
LOADING_TEXT = "Loading…"


class ThreadView(ScrollView, can_focus=True):
    """A conversation as chat bubbles: inbound on the left, outbound on the right."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Previous message", show=False),
        Binding("down,j", "cursor_down", "Next message", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "first", "Oldest", show=False),
        Binding("end,G", "last", "Newest", show=False),
    ]

    COMPONENT_CLASSES = {
        "thread-view--inbound",
        "thread-view--outbound",
        "thread-view--inbound-cursor",
        "thread-view--outbound-cursor",
        "thread-view--inbound-edge",
        "thread-view--outbound-edge",
        "thread-view--cursor-mark",
        "thread-view--day",
        "thread-view--meta",
        "thread-view--ok",
        "thread-view--sent",
        "thread-view--pending",
        "thread-view--bad",
        "thread-view--warn",
        "thread-view--header",
        "thread-view--empty",
        "thread-view--new-below",
    }

    class Selected(TextualMessage):
        """The cursor moved to another message (or the selected one changed); `item` may be None."""

        def __init__(self, thread_view: ThreadView, item: ThreadItem | None) -> None:
            super().__init__()
            self.thread_view = thread_view
            self.item = item

        @property
        def control(self) -> ThreadView:
            return self.thread_view

    class NeedOlder(TextualMessage):
        """The user reached the top and older messages exist: call `prepend_older` with them.

        Posted once until the next `prepend_older` or `set_messages`.
        """

        def __init__(self, thread_view: ThreadView) -> None:
            super().__init__()
            self.thread_view = thread_view

        @property
        def control(self) -> ThreadView:
            return self.thread_view

    class NewBelow(TextualMessage):
        """`count` new messages arrived below while the user was scrolled up (0: all seen again)."""

        def __init__(self, thread_view: ThreadView, count: int) -> None:
            super().__init__()
            self.thread_view = thread_view
            self.count = count

        @property
        def control(self) -> ThreadView:
            return self.thread_view

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        tz: tzinfo | None = None,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._clock = clock
        self._tz = tz  # None: the system's local time zone
        self.account_numbers: tuple[str, ...] = ()
        self.has_older = False
        self._loading = False
        self._older_requested = False
        self._pending_new = 0
        self._tail = True  # at the end: new messages and resizes keep the view at the end
        # content
        self._bubbles: list[Bubble] = []
        self._pos: dict[GroupKey, int] = {}
        self._groups: dict[GroupKey, dict[str, Message]] = {}
        self._record_key: dict[str, GroupKey] = {}
        self._cursor: GroupKey | None = None
        # layout
        self._width = 0
        self._days: list[date | None] = []
        self._with_day: list[bool] = []
        self._offsets: list[int] = [HEADER_ROWS]
        self._heights: dict[GroupKey, tuple[Bubble, int, bool, date | None, int]] = {}
        self._cache: OrderedDict[tuple, tuple[Bubble, list[Strip]]] = OrderedDict()
        self._palette: Palette | None = None

    # ------------------------------------------------------------------------------------------
    # Data in

    @property
    def items(self) -> list[ThreadItem]:
        """The items shown, oldest first."""
        return [bubble.item for bubble in self._bubbles]

    @property
    def item_count(self) -> int:
        return len(self._bubbles)

    @property
    def selected_item(self) -> ThreadItem | None:
        """The item under the cursor (what `r` retries and `y` copies)."""
        bubble = self._selected_bubble()
        return None if bubble is None else bubble.item

    def _selected_bubble(self) -> Bubble | None:
        index = self._pos.get(self._cursor) if self._cursor is not None else None
        return None if index is None else self._bubbles[index]

    @property
    def pending_new(self) -> int:
        """Messages that arrived below while scrolled up and not yet seen."""
        return self._pending_new

    def set_loading(self) -> None:
        """Show "Loading…" until the next `set_messages`."""
        self._reset()
        self._loading = True
        self._relayout()
        self.refresh()

    def set_messages(
        self, items: Iterable[ThreadItem | Message], *, account_numbers: Iterable[str] = (), has_older: bool = False
    ) -> None:
        """Replace the content (opening a thread): the cursor goes to the newest message, at the bottom."""
        self._reset()
        self.account_numbers = tuple(account_numbers)
        self.has_older = has_older
        self._merge(items)
        self._relayout()
        self._cursor = self._bubbles[-1].key if self._bubbles else None
        self._scroll_end()
        self.refresh()
        self.post_message(self.Selected(self, self.selected_item))
        self._check_top()

    def prepend_older(self, items: Iterable[ThreadItem | Message], has_older: bool) -> None:
        """Add older messages at the top; what the user was reading stays where it was."""
        anchor = self._anchor()
        self.has_older = has_older
        self._older_requested = False
        self._merge(items)
        self._relayout()
        self._restore(anchor)
        self._tail = self._at_end()
        self.refresh()
        self._check_top()

    def upsert(self, items: Iterable[ThreadItem | Message]) -> None:
        """Update messages shown (a status change) or add new ones (normally at the bottom).

        At the bottom, the view follows new messages; scrolled up, it stays still and posts `NewBelow`.
        """
        before = self._bubbles[-1].sort_key if self._bubbles else None
        at_end = self._at_end()
        cursor_was_last = bool(self._bubbles) and self._cursor == self._bubbles[-1].key
        anchor = self._anchor()
        selected = self._selected_bubble()
        added = self._merge(items)
        self._relayout()
        below = sum(1 for b in added if before is None or b.sort_key > before)
        if at_end:
            if cursor_was_last and self._bubbles:
                self._cursor = self._bubbles[-1].key
            self._scroll_end()
        else:
            self._restore(anchor)
            if below:
                self._pending_new += below
                self.post_message(self.NewBelow(self, self._pending_new))
        if self._cursor is None and self._bubbles:
            self._cursor = self._bubbles[-1].key
        self._tail = self._at_end()
        self.refresh()
        if self._selected_bubble() is not selected:
            self.post_message(self.Selected(self, self.selected_item))

    def remove(self, ids: Iterable[str]) -> None:
        """Drop records (for example a local outbox row replaced by the provider's records)."""
        anchor = self._anchor()
        at_end = self._at_end()
        selected = self._selected_bubble()
        changed: set[GroupKey] = set()
        for message_id in ids:
            key = self._record_key.pop(message_id, None)
            if key is not None:
                self._groups.get(key, {}).pop(message_id, None)
                changed.add(key)
        self._rebuild(changed, [])
        self._relayout()
        if self._cursor not in self._pos:
            self._cursor = self._bubbles[-1].key if self._bubbles else None
        if at_end:
            self._scroll_end()
        else:
            self._restore(anchor)
        self._tail = self._at_end()
        self.refresh()
        if self._selected_bubble() is not selected:
            self.post_message(self.Selected(self, self.selected_item))

    def select(self, message_id: str) -> bool:
        """Move the cursor to the bubble holding this record id and show it; False if absent."""
        key = self._record_key.get(message_id)
        if key is None or key not in self._pos:
            return False
        self._move_cursor(self._pos[key])
        self._reveal(self._pos[key], upward=False)
        return True

    def _reset(self) -> None:
        self._bubbles, self._pos, self._groups, self._record_key = [], {}, {}, {}
        self._cursor = None
        self._loading = False
        self._older_requested = False
        self._pending_new = 0
        self._heights.clear()
        self._cache.clear()

    def _merge(self, items: Iterable[ThreadItem | Message]) -> list[Bubble]:
        """Fold records into their groups; returns the bubbles that are new."""
        changed: set[GroupKey] = set()
        for message in _records(items):
            key = group_key(message)
            old = self._record_key.get(message.id)
            if old is not None and old != key:
                self._groups.get(old, {}).pop(message.id, None)
                changed.add(old)
            self._groups.setdefault(key, {})[message.id] = message
            self._record_key[message.id] = key
            changed.add(key)
        added = [k for k in changed if k not in self._pos and self._groups.get(k)]
        return self._rebuild(changed, added)

    def _rebuild(self, changed: set[GroupKey], added: list[GroupKey]) -> list[Bubble]:
        gone = False
        for key in changed:
            members = self._groups.get(key)
            index = self._pos.get(key)
            if not members:
                self._groups.pop(key, None)
                if index is not None:
                    self._bubbles[index] = None  # type: ignore[call-overload]
                    gone = True
            elif index is not None:
                self._bubbles[index] = make_bubble(key, members.values())
        if gone:
            self._bubbles = [b for b in self._bubbles if b is not None]
        new = sorted((make_bubble(k, self._groups[k].values()) for k in added), key=lambda b: b.sort_key)
        if new and self._bubbles and new[0].sort_key < self._bubbles[-1].sort_key:
            self._bubbles.extend(new)
            self._bubbles.sort(key=lambda b: b.sort_key)
        else:
            self._bubbles.extend(new)
        if gone or new:
            self._pos = {b.key: i for i, b in enumerate(self._bubbles)}
        return new

    # ------------------------------------------------------------------------------------------
    # Layout

    @property
    def content_width(self) -> int:
        """Cells per line drawn (the view minus its scrollbar gutter)."""
        return self.scrollable_content_region.width

    def _viewport_height(self) -> int:
        return self.scrollable_content_region.height

    def _relayout(self) -> None:
        """Heights of every bubble at the current width (cached per bubble) and their offsets."""
        width = self._width
        if width <= 0:
            self._offsets = [HEADER_ROWS] * (len(self._bubbles) + 1)
            return
        tz = self._tz
        cache = self._heights
        heights: list[int] = []
        days: list[date | None] = []
        flags: list[bool] = []
        previous: object = object()
        for bubble in self._bubbles:
            entry = cache.get(bubble.key)
            day = entry[3] if entry is not None and entry[0] is bubble else local_day(bubble.timestamp, tz)
            with_day = day != previous
            previous = day
            if entry is None or entry[0] is not bubble or entry[1] != width or entry[2] != with_day:
                entry = (bubble, width, with_day, day, measure(bubble, width, with_day=with_day))
                cache[bubble.key] = entry
            heights.append(entry[4])
            days.append(day)
            flags.append(with_day)
        if len(cache) > 2 * len(self._bubbles) + 64:
            live = set(self._pos)
            for key in [k for k in cache if k not in live]:
                del cache[key]
        self._days, self._with_day = days, flags
        self._offsets = list(accumulate(heights, initial=HEADER_ROWS))
        self.virtual_size = Size(width, self._offsets[-1])

    def on_resize(self, event: events.Resize) -> None:
        width = self.content_width
        tail = self._tail
        if width != self._width:
            self._width = width
            self._cache.clear()
            self._relayout()
        if tail:
            self._scroll_end()
        self._check_top()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._palette = None
        self._cache.clear()

    def _palette_now(self) -> Palette:
        if self._palette is None:
            style = self.get_component_rich_style
            fills = {name: style(f"thread-view--{name}") for name in FILLS}
            texts = {
                (fill, kind): self._text_on(
                    fills[fill], f"thread-view--{fill.split('-')[0]}-edge" if kind == "edge" else f"thread-view--{kind}"
                )
                for fill in FILLS
                for kind in KINDS
            }
            self._palette = Palette(
                base=self.rich_style,
                fills=fills,
                texts=texts,
                cursor_mark=style("thread-view--cursor-mark"),
                day=style("thread-view--day"),
                header=style("thread-view--header"),
                empty=style("thread-view--empty"),
                new_below=style("thread-view--new-below"),
            )
        return self._palette

    def _text_on(self, fill: Style, component: str) -> Style:
        """The component's text style drawn on a bubble fill (translucent colours blended onto it)."""
        color = self.get_component_styles(component).color
        if color.a < 1 and fill.bgcolor is not None:
            color = Color.from_rich_color(fill.bgcolor) + color
        return fill + self.get_component_rich_style(component, partial=True) + Style(color=color.rich_color)

    # ------------------------------------------------------------------------------------------
    # Drawing

    def _top_pad(self) -> int:
        """Blank rows above short content, so a short thread sits at the bottom like a chat."""
        return max(0, self._viewport_height() - self._offsets[-1])

    def _index_at(self, virtual_y: int) -> int | None:
        if not self._bubbles or virtual_y < self._offsets[0] or virtual_y >= self._offsets[-1]:
            return None
        return bisect_right(self._offsets, virtual_y) - 1

    def render_line(self, y: int) -> Strip:
        width = self.content_width
        palette = self._palette_now()
        if width <= 0:
            return Strip.blank(0)
        if not self._bubbles:
            return self._render_empty(y, width, palette)
        if self._pending_new and y == self._viewport_height() - 1:
            text = f" ↓ {self._pending_new} new — End to jump "
            return centered(text, width, palette.new_below, palette.base)
        virtual_y = y + round(self.scroll_y) - self._top_pad()
        if virtual_y < 0 or virtual_y >= self._offsets[-1]:
            return Strip.blank(width, palette.base)
        if virtual_y < HEADER_ROWS:
            return centered(self._header_text(), width, palette.header, palette.base)
        index = bisect_right(self._offsets, virtual_y) - 1
        lines = self._lines(index, palette)
        row = virtual_y - self._offsets[index]
        strip = lines[row] if row < len(lines) else Strip.blank(width, palette.base)
        return strip if strip.cell_length == width else strip.adjust_cell_length(width, palette.base)

    def _header_text(self) -> str:
        if not self.has_older:
            return "Start of the conversation"
        if self._older_requested:
            return "↑ Loading earlier messages…"
        return "↑ Earlier messages"

    def _render_empty(self, y: int, width: int, palette: Palette) -> Strip:
        text = LOADING_TEXT if self._loading else EMPTY_TEXT
        lines = wrap_text(text, max(2, width - 2))
        first = max(0, (self._viewport_height() - len(lines)) // 2)
        if first <= y < first + len(lines):
            return centered(lines[y - first].strip(), width, palette.empty, palette.base)
        return Strip.blank(width, palette.base)

    def _lines(self, index: int, palette: Palette) -> list[Strip]:
        bubble = self._bubbles[index]
        width = self._width
        day = day_label(self._days[index], self._today()) if self._with_day[index] else None
        selected = bubble.key == self._cursor
        cache_key = (bubble.key, width, day, selected)
        cached = self._cache.get(cache_key)
        if cached is not None and cached[0] is bubble:
            self._cache.move_to_end(cache_key)
            return cached[1]
        lines = render(
            bubble,
            width,
            palette,
            time_text=clock_label(bubble.timestamp, self._tz),
            day=day,
            selected=selected,
        )
        self._cache[cache_key] = (bubble, lines)
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return lines

    def _today(self) -> date:
        return self._clock().astimezone(self._tz).date()

    # ------------------------------------------------------------------------------------------
    # Scrolling, tail and edges

    def _max_scroll(self) -> int:
        return max(0, self._offsets[-1] - self._viewport_height())

    def _at_end(self) -> bool:
        return round(self.scroll_y) >= self._max_scroll()

    def _scroll_end(self) -> None:
        self._tail = True
        self.scroll_to(y=self._max_scroll(), animate=False, force=True)

    def _anchor(self) -> tuple[GroupKey, int] | None:
        """The bubble at the top of the screen and the screen row of its first line."""
        if self._width <= 0:
            return None
        top = round(self.scroll_y) - self._top_pad()
        index = self._index_at(max(top, HEADER_ROWS))
        if index is None:
            return None
        return self._bubbles[index].key, self._offsets[index] - top

    def _restore(self, anchor: tuple[GroupKey, int] | None) -> None:
        """Scroll so the anchor bubble is back on the screen row it was on."""
        if anchor is None or anchor[0] not in self._pos:
            return
        key, row = anchor
        target = self._offsets[self._pos[key]] - self._top_pad() - row
        self.scroll_to(y=max(0, target), animate=False, force=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._width <= 0:
            return
        self._tail = self._at_end()
        if self._pending_new and self._tail:
            self._pending_new = 0
            self.post_message(self.NewBelow(self, 0))
            self.refresh()
        self._check_top()

    def _check_top(self) -> None:
        if self.has_older and not self._older_requested and self._width > 0 and round(self.scroll_y) <= 0:
            self._older_requested = True
            self.post_message(self.NeedOlder(self))
            self.refresh()

    # ------------------------------------------------------------------------------------------
    # Cursor and keys

    def _cursor_index(self) -> int | None:
        return self._pos.get(self._cursor) if self._cursor is not None else None

    def _move_cursor(self, index: int) -> None:
        bubble = self._bubbles[index]
        if bubble.key != self._cursor:
            self._cursor = bubble.key
            self.refresh()
            self.post_message(self.Selected(self, bubble.item))

    def _visible_range(self) -> tuple[int, int]:
        """Virtual rows on screen: [top, bottom)."""
        top = round(self.scroll_y) - self._top_pad()
        return top, top + self._viewport_height()

    def _is_visible(self, index: int) -> bool:
        top, bottom = self._visible_range()
        return self._offsets[index] < bottom and self._offsets[index + 1] - 1 > top

    def _reveal(self, index: int, *, upward: bool) -> None:
        """Scroll so the bubble at `index` is on screen (its end when moving up through a tall one)."""
        if index == len(self._bubbles) - 1 and not upward:
            self._scroll_end()
            return
        start, end = self._offsets[index], self._offsets[index + 1] - 1  # without the gap row
        top, bottom = self._visible_range()
        height = self._viewport_height()
        if start >= top and end <= bottom:
            return
        tall = end - start > height
        if start < top:
            target = end - height if (tall and upward) else start
        else:
            target = start if tall else end - height
        self.scroll_to(y=max(0, target), animate=False, force=True)

    def action_cursor_up(self) -> None:
        index = self._cursor_index()
        if index is None or not self._is_visible(index):
            self._select_visible(last=True)
            return
        top, _ = self._visible_range()
        if self._offsets[index] < top:  # the top of a tall message is hidden: scroll through it
            self.scroll_to(y=max(self._offsets[index], top - max(1, self._viewport_height() // 2)), animate=False)
        elif index == 0:
            self.scroll_to(y=0, animate=False)
        else:
            self._move_cursor(index - 1)
            self._reveal(index - 1, upward=True)

    def action_cursor_down(self) -> None:
        index = self._cursor_index()
        if index is None or not self._is_visible(index):
            self._select_visible(last=False)
            return
        _, bottom = self._visible_range()
        if self._offsets[index + 1] - 1 > bottom:  # the end of a tall message is hidden
            step = max(1, self._viewport_height() // 2)
            self.scroll_to(y=min(self._offsets[index + 1] - 1 - self._viewport_height(), bottom - self._viewport_height() + step), animate=False)
        elif index == len(self._bubbles) - 1:
            self._scroll_end()
        else:
            self._move_cursor(index + 1)
            self._reveal(index + 1, upward=False)

    def _select_visible(self, *, last: bool) -> None:
        """Put the cursor on the lowest (or highest) bubble on screen."""
        if not self._bubbles:
            return
        top, bottom = self._visible_range()
        first = self._index_at(max(top, self._offsets[0])) or 0
        final = self._index_at(min(bottom, self._offsets[-1]) - 1)
        final = len(self._bubbles) - 1 if final is None else final
        # prefer bubbles whose first (or last) line is on screen over ones cut by the edge
        if self._offsets[first] < top and first < final:
            first += 1
        if self._offsets[final + 1] - 1 > bottom and final > first:
            final -= 1
        self._move_cursor(final if last else first)

    def action_page_up(self) -> None:
        self.scroll_to(y=max(0, round(self.scroll_y) - max(1, self._viewport_height() - 1)), animate=False)
        index = self._cursor_index()
        if index is None or not self._is_visible(index):
            self._select_visible(last=False)

    def action_page_down(self) -> None:
        target = round(self.scroll_y) + max(1, self._viewport_height() - 1)
        self.scroll_to(y=min(self._max_scroll(), target), animate=False)
        index = self._cursor_index()
        if index is None or not self._is_visible(index):
            self._select_visible(last=True)

    def action_first(self) -> None:
        if self._bubbles:
            self._move_cursor(0)
        self.scroll_to(y=0, animate=False)

    def action_last(self) -> None:
        """Go to the newest message and follow new ones again."""
        if self._bubbles:
            self._move_cursor(len(self._bubbles) - 1)
        self._scroll_end()

    def on_click(self, event: events.Click) -> None:
        virtual_y = event.y + round(self.scroll_y) - self._top_pad()
        index = self._index_at(virtual_y)
        if index is not None:
            self._move_cursor(index)


def _records(items: Iterable[ThreadItem | Message]) -> Iterable[Message]:
    for item in items:
        if isinstance(item, ThreadItem):
            yield from item.records
        else:
            yield item


__all__ = ["WIDGETS_TCSS", "ThreadView"]
