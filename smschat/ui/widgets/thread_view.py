"""The conversation: chat bubbles drawn with the Line API, so a 10,000-message thread stays fast.

Data goes in through methods (`set_messages`, `prepend_older`, `append_newer`, `upsert`, `remove`,
`set_loading`) as `ThreadItem`s or raw `Message` records; the view posts `Selected`, `NeedOlder`,
`NeedNewer` and `NewBelow` up. A thread opened at one message far back (a search result) is a window:
`has_newer` is set until the pages below it are in.
`ThreadModel` keeps the bubbles and a prefix sum of their heights, so `render_line` finds its bubble
by bisection; only bubbles on screen are drawn, cached per bubble, width, day label and selection.
Styles: component classes in `widgets.tcss` (`WIDGETS_TCSS`), read in code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message as TextualMessage
from textual.scroll_view import ScrollView
from textual.strip import Strip

from smschat.domain.model import Message
from smschat.domain.thread import ThreadItem
from smschat.ui.widgets.bubbles import FILLS, KINDS, Palette, palette_from
from smschat.ui.widgets.grouping import Bubble, GroupKey
from smschat.ui.widgets.thread_model import HEADER_ROWS, ThreadModel
from smschat.ui.widgets.thread_paint import ThreadPainter

#: The stylesheet with this widget's rules; the app lists it in `CSS_PATH`.
WIDGETS_TCSS = Path(__file__).with_name("widgets.tcss")

Anchor = tuple[GroupKey, int]
FIRST_LAYOUT = 300  # bubbles laid out when a thread opens; older ones follow as the user scrolls up
ABOVE_SELECTED = 100  # bubbles laid out above a message the thread opens at (`set_messages(select=)`)
MORE_LAYOUT = 500  # bubbles laid out each time the user reaches the top of what is laid out


class _ViewMessage(TextualMessage):
    def __init__(self, thread_view: ThreadView) -> None:
        super().__init__()
        self.thread_view = thread_view

    @property
    def control(self) -> ThreadView:
        return self.thread_view


class ThreadView(ScrollView, can_focus=True):
    """A conversation as chat bubbles: inbound on the left, outbound on the right."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Previous message", show=False, id="cursor_up"),
        Binding("down,j", "cursor_down", "Next message", show=False, id="cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page_down"),
        Binding("home,g", "first", "Oldest", show=False, id="first"),
        Binding("end,G", "last", "Newest", show=False, id="last"),
        Binding("enter", "reply", "Reply", show=False, id="thread_reply"),
    ]

    COMPONENT_CLASSES = {
        *(f"thread-view--{fill}" for fill in FILLS),
        "thread-view--inbound-edge",
        "thread-view--outbound-edge",
        *(f"thread-view--{kind}" for kind in KINDS if kind != "edge"),
        "thread-view--cursor-mark",
        "thread-view--day",
        "thread-view--header",
        "thread-view--empty",
        "thread-view--new-below",
    }

    class Selected(_ViewMessage):
        """The cursor moved to another item, or the selected item changed; `item` may be None."""

        def __init__(self, thread_view: ThreadView, item: ThreadItem | None) -> None:
            super().__init__(thread_view)
            self.item = item

    class ReplyRequested(_ViewMessage):
        """Enter in the thread: the agent wants to answer (the screen focuses the composer)."""

    class NeedOlder(_ViewMessage):
        """The user reached the top and `has_older` is set: answer with `prepend_older`.

        Posted once until the next `prepend_older` or `set_messages`.
        """

    class NeedNewer(_ViewMessage):
        """`has_newer` is set and the user reached the bottom (answer with `append_newer`), or asked
        for the newest message (`newest`: answer with `set_messages` of the newest page).

        Posted once until the next `append_newer` or `set_messages`.
        """

        def __init__(self, thread_view: ThreadView, *, newest: bool = False) -> None:
            super().__init__(thread_view)
            self.newest = newest

    class NewBelow(_ViewMessage):
        """`count` unseen messages arrived below while scrolled up (0: the user reached the end)."""

        def __init__(self, thread_view: ThreadView, count: int) -> None:
            super().__init__(thread_view)
            self.count = count

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
        self.account_numbers: tuple[str, ...] = ()
        self.has_older = False
        self.has_newer = False  # a window: the store has newer messages than the last one shown
        self._model = ThreadModel(tz)
        self._cursor: GroupKey | None = None
        self._loading = False
        self._older_requested = False
        self._newer_requested = False
        self._reveal_key: GroupKey | None = None  # the bubble to bring on screen once laid out
        self._pending_new = 0
        self._tail = True  # at the end: new messages and resizes keep the view at the end
        self._painter = ThreadPainter(self._model, clock=clock, tz=tz)
        self._palette: Palette | None = None

    # --- state out --------------------------------------------------------------------------------

    @property
    def items(self) -> list[ThreadItem]:
        """The items shown, oldest first."""
        return [bubble.item for bubble in self._model.bubbles]

    @property
    def record_ids(self) -> list[str]:
        """The ids of every record shown, oldest first (cheaper than `items` on long threads)."""
        return [record.id for bubble in self._model.bubbles for record in bubble.records]

    @property
    def item_count(self) -> int:
        return len(self._model)

    @property
    def selected_item(self) -> ThreadItem | None:
        """The item under the cursor (what the app's retry and copy keys act on)."""
        bubble = self._selected_bubble()
        return None if bubble is None else bubble.item

    @property
    def pending_new(self) -> int:
        """Messages that arrived below while scrolled up, not seen yet."""
        return self._pending_new

    @property
    def content_width(self) -> int:
        """Cells per drawn line (the view minus its scrollbar gutter)."""
        return self.scrollable_content_region.width

    def _selected_bubble(self) -> Bubble | None:
        index = self._model.pos.get(self._cursor) if self._cursor is not None else None
        return None if index is None else self._model.bubbles[index]

    # --- data in ----------------------------------------------------------------------------------

    def set_loading(self) -> None:
        """Show "Loading…" until the next `set_messages`."""
        self._reset()
        self._loading = True
        self._relayout()

    def set_messages(
        self,
        items: Iterable[ThreadItem | Message],
        *,
        account_numbers: Iterable[str] = (),
        has_older: bool = False,
        has_newer: bool = False,
        select: str | None = None,
    ) -> None:
        """Replace the content (opening a thread): the newest message is selected, at the bottom;
        or, with `select`, the item holding that record id, on screen (a window of the thread:
        `has_newer` says the store has more below the items given)."""
        self._reset()
        self.account_numbers = tuple(account_numbers)
        self.has_older = has_older
        self.has_newer = has_newer
        self._model.merge(items)
        bubbles = self._model.bubbles
        key = self._model.key_of(select) if select is not None else None
        target = self._model.pos.get(key) if key is not None else None
        shown = FIRST_LAYOUT if target is None else max(FIRST_LAYOUT, len(bubbles) - target + ABOVE_SELECTED)
        self._model.show_newest(shown)
        self._relayout()
        if target is None:
            self._cursor = bubbles[-1].key if bubbles else None
            self._scroll_end()
        else:
            self._cursor = bubbles[target].key
            self._reveal_key = self._cursor
            self._reveal_pending()
        self.post_message(self.Selected(self, self.selected_item))
        self._check_top()
        self._check_bottom()

    def append_newer(self, items: Iterable[ThreadItem | Message], has_newer: bool) -> None:
        """Add the page below a window; what the user was reading stays on the same rows."""
        self.has_newer = has_newer
        self._newer_requested = False
        self._change(lambda: self._model.merge(items), follow=False)
        self._check_bottom()

    def prepend_older(self, items: Iterable[ThreadItem | Message], has_older: bool) -> None:
        """Add older messages at the top; what the user was reading stays on the same rows."""
        self.has_older = has_older
        self._older_requested = False
        self._change(lambda: self._model.merge(items), follow=False)
        self._check_top()

    def upsert(self, items: Iterable[ThreadItem | Message]) -> None:
        """Update shown messages (a status change) or add new ones (normally at the bottom).

        At the end of the thread the view follows new messages; scrolled up, it keeps still and
        posts `NewBelow` with the number of unseen messages, shown as "↓ N new" on the last row.
        """
        model = self._model
        last = model.bubbles[-1].sort_key if model.bubbles else None
        added = self._change(lambda: model.merge(items), follow=True)
        below = sum(1 for bubble in added if last is None or bubble.sort_key > last)
        if below and not self._tail:
            self._pending_new += below
            self.post_message(self.NewBelow(self, self._pending_new))
            self.refresh()

    def remove(self, ids: Iterable[str]) -> None:
        """Drop records by id (for example a local outbox row once the provider's records arrive)."""
        self._change(lambda: self._model.remove(ids), follow=True)

    def select(self, message_id: str) -> bool:
        """Put the cursor on the item holding this record id and show it; False if absent."""
        key = self._model.key_of(message_id)
        if key is None or key not in self._model.pos:
            return False
        if self._model.pos[key] < self._model.hidden:
            self._change(self._model.show_all, follow=False)
        self._move_cursor(self._model.pos[key])
        self._reveal(self._model.pos[key], upward=False)
        return True

    def _change(self, apply: Callable[[], list[Bubble] | None], *, follow: bool) -> list[Bubble]:
        """Apply a content change keeping the view still, or at the end when it was there (`follow`)."""
        model = self._model
        at_end = follow and self._at_end()
        cursor_was_last = bool(model.bubbles) and self._cursor == model.bubbles[-1].key
        anchor = self._anchor()
        selected = self._selected_bubble()
        added = apply() or []
        self._relayout()
        if self._cursor not in model.pos or (at_end and cursor_was_last):
            self._cursor = model.bubbles[-1].key if model.bubbles else None
        if at_end:
            self._scroll_end()
        else:
            self._restore(anchor)
            self._tail = self._at_end()
        if self._selected_bubble() is not selected:
            self.post_message(self.Selected(self, self.selected_item))
        return added

    def _reset(self) -> None:
        self._model.clear()
        self._cursor = None
        self._loading = False
        self._older_requested = False
        self._newer_requested = False
        self._reveal_key = None
        self._pending_new = 0
        self._painter.clear()

    # --- layout and drawing -----------------------------------------------------------------------

    def _relayout(self) -> None:
        self._model.layout(self._model.width)
        self._set_virtual_size(Size(max(0, self._model.width), self._model.total))
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """Resize the content without relayouting the screen (which repaints every widget) unless
        the scrollbar appears or goes: Textual's own no-layout path (`Widget._size_updated`)."""
        if size == self.virtual_size:
            return
        height = self.container_size.height
        if not self.is_mounted or height <= 0 or (size.height > height) != (self.virtual_size.height > height):
            self.virtual_size = size  # the scrollbar appears or goes (or no layout yet): relayout
            return
        self.set_reactive(ThreadView.virtual_size, size)
        self._scroll_update(size)  # the scrollbar's window follows

    def on_resize(self, event: events.Resize) -> None:
        tail = self._tail
        if self.content_width != self._model.width:
            self._model.width = self.content_width
            self._painter.clear()
            self._relayout()
        if self._reveal_key is not None:
            self._reveal_pending()
        elif tail:
            self._scroll_end()
        self._check_top()
        self._check_bottom()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._palette = None
        self._painter.clear()

    def _palette_now(self) -> Palette:
        if self._palette is None:
            self._palette = palette_from(self)
        return self._palette

    def render_line(self, y: int) -> Strip:
        width = self.content_width
        if width <= 0:
            return Strip.blank(0)
        palette = self._palette_now()
        height = self._viewport_height()
        if not self._model.bubbles:
            return self._painter.empty(y, width, height, palette, loading=self._loading)
        if self._pending_new and y == height - 1:
            return self._painter.new_below(self._pending_new, width, palette)
        row = y + self._visible_range()[0]
        return self._painter.row(row, width, palette, cursor=self._cursor, header=self._header_text())

    def _header_text(self) -> str:
        if self._model.hidden:
            return "↑ Earlier messages"
        if not self.has_older:
            return "Start of the conversation"
        return "↑ Loading earlier messages…" if self._older_requested else "↑ Earlier messages"

    # --- scrolling, tail and edges ----------------------------------------------------------------

    def _viewport_height(self) -> int:
        return self.scrollable_content_region.height

    def _top_pad(self) -> int:
        """Blank rows above a short thread, so it sits at the bottom like a chat."""
        return max(0, self._viewport_height() - self._model.total)

    def _visible_range(self) -> tuple[int, int]:
        """Model rows on screen: [top, bottom)."""
        top = round(self.scroll_y) - self._top_pad()
        return top, top + self._viewport_height()

    def _max_scroll(self) -> int:
        return max(0, self._model.total - self._viewport_height())

    def _at_end(self) -> bool:
        if self._model.width <= 0 or not self.is_mounted:  # not laid out yet: keep the intent
            return self._tail
        return round(self.scroll_y) >= self._max_scroll()

    def _scroll_end(self) -> None:
        self._tail = True
        self._scroll(self._max_scroll())

    def _reveal_pending(self) -> None:
        """Bring the bubble the thread opened at on screen, a third of the way down (once the view
        is laid out: until then `on_resize` calls again)."""
        index = self._model.pos.get(self._reveal_key) if self._reveal_key is not None else None
        if index is None:
            self._reveal_key = None
            return
        self._tail = False
        if self._model.width <= 0 or not self.is_mounted or self._viewport_height() <= 0:
            return
        wanted = max(0, min(self._model.start(index) - self._viewport_height() // 3, self._max_scroll()))
        self._scroll(wanted)
        if round(self.scroll_y) == wanted:  # else the view's size is not final yet: again on resize
            self._reveal_key = None
            self._tail = self._at_end()

    def _scroll(self, row: int) -> None:
        if self.is_mounted:  # before that, the first resize lays out and scrolls (tail)
            self.scroll_to(y=max(0, min(row, self._max_scroll())), animate=False, force=True)

    def _anchor(self) -> Anchor | None:
        """The bubble at the top of the screen and the screen row of its first line."""
        if self._model.width <= 0:
            return None
        top = self._visible_range()[0]
        index = self._model.index_at(max(top, HEADER_ROWS))
        return None if index is None else (self._model.bubbles[index].key, self._model.body_start(index) - top)

    def _restore(self, anchor: Anchor | None) -> None:
        """Scroll so the anchor bubble is back on the screen row it was on."""
        if anchor is not None and anchor[0] in self._model.pos:
            key, row = anchor
            self._scroll(self._model.body_start(self._model.pos[key]) - row)  # (no top pad once it can scroll)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._model.width <= 0:
            return
        self._tail = self._at_end()
        if self._pending_new and self._tail:
            self._pending_new = 0
            self.post_message(self.NewBelow(self, 0))
            self.refresh()
        self._check_top()
        self._check_bottom()

    def _check_top(self) -> None:
        """At the top: lay out more of what is loaded, else ask for older messages (once)."""
        if self._model.width <= 0 or round(self.scroll_y) > 0:
            return
        if self._model.hidden:
            self._change(lambda: self._model.show_more(MORE_LAYOUT), follow=False)
        elif self.has_older and not self._older_requested:
            self._older_requested = True
            self.post_message(self.NeedOlder(self))
            self.refresh()

    def _check_bottom(self) -> None:
        """At the bottom of a window: ask for the page below (once)."""
        if self._model.width <= 0 or not self.has_newer or self._newer_requested or self._reveal_key is not None:
            return
        if self._at_end():
            self._newer_requested = True
            self.post_message(self.NeedNewer(self))

    # --- cursor and keys --------------------------------------------------------------------------

    def _move_cursor(self, index: int) -> None:
        bubble = self._model.bubbles[index]
        if bubble.key != self._cursor:
            self._cursor = bubble.key
            self.refresh()
            self.post_message(self.Selected(self, bubble.item))

    def _cursor_index(self) -> int | None:
        """The selected bubble's index when at least one of its lines is on screen."""
        index = self._model.pos.get(self._cursor) if self._cursor is not None else None
        if index is None:
            return None
        top, bottom = self._visible_range()
        return index if self._model.start(index) < bottom and self._model.end(index) > top else None

    def _reveal(self, index: int, *, upward: bool) -> None:
        """Scroll the bubble into view (its end when moving up onto a bubble taller than the screen)."""
        if index == len(self._model) - 1 and not upward:
            self._scroll_end()
            return
        target = self._model.reveal(index, *self._visible_range(), upward=upward)
        if target is not None:
            self._scroll(target)

    def _select_visible(self, *, last: bool) -> None:
        if self._model.bubbles:
            self._move_cursor(self._model.on_screen(*self._visible_range(), last=last))

    def action_cursor_up(self) -> None:
        index = self._cursor_index()
        top, _ = self._visible_range()
        step = max(1, self._viewport_height() // 2)
        if index is None:
            self._select_visible(last=True)
        elif self._model.start(index) < top:  # the start of a tall message is hidden: scroll through it
            self._scroll(max(self._model.start(index), top - step))
        elif index == 0:  # the oldest loaded: show the header (and ask for older messages)
            self._scroll(0)
            self._check_top()
        else:
            if index == self._model.hidden:  # the oldest laid out: lay out more first
                self._change(lambda: self._model.show_more(MORE_LAYOUT), follow=False)
            self._move_cursor(index - 1)
            self._reveal(index - 1, upward=True)

    def action_cursor_down(self) -> None:
        index = self._cursor_index()
        top, bottom = self._visible_range()
        step = max(1, self._viewport_height() // 2)
        if index is None:
            self._select_visible(last=False)
        elif self._model.end(index) > bottom:  # the end of a tall message is hidden
            self._scroll(min(self._model.end(index) - self._viewport_height(), top + step))
        elif index == len(self._model) - 1:
            self._scroll_end()
            self._check_bottom()
        else:
            self._move_cursor(index + 1)
            self._reveal(index + 1, upward=False)

    def action_page_up(self) -> None:
        self._scroll(round(self.scroll_y) - max(1, self._viewport_height() - 1))
        if self._cursor_index() is None:
            self._select_visible(last=False)

    def action_page_down(self) -> None:
        self._scroll(round(self.scroll_y) + max(1, self._viewport_height() - 1))
        if self._cursor_index() is None:
            self._select_visible(last=True)

    def action_reply(self) -> None:
        self.post_message(self.ReplyRequested(self))

    def action_first(self) -> None:
        if self._model.hidden:
            self._change(self._model.show_all, follow=False)
        if self._model.bubbles:
            self._move_cursor(0)
        self._scroll(0)
        self._check_top()

    def action_last(self) -> None:
        """The newest message; new ones are followed again (a window asks for the newest page)."""
        if self.has_newer:
            self.post_message(self.NeedNewer(self, newest=True))
            return
        if self._model.bubbles:
            self._move_cursor(len(self._model) - 1)
        self._scroll_end()

    def on_click(self, event: events.Click) -> None:
        index = self._model.index_at(event.y + self._visible_range()[0])
        if index is not None:
            self._move_cursor(index)


__all__ = ["WIDGETS_TCSS", "ThreadView"]
