"""What the thread view shows, without drawing it: bubbles in order and their rows at a width.

`ThreadModel` keeps every record by id inside its group (the records of one multi-part send form one
group), so an update of one part re-aggregates its bubble. `layout(width)` measures the bubbles
shown (cached per bubble and width) and keeps a prefix sum of heights, so `index_at(row)` finds a
bubble by bisection and `start(i)` is its first row. Row 0 is the header ("Earlier messages" /
"Start of the conversation").

A long thread is laid out from the newest end: the oldest `hidden` bubbles are not measured (and not
shown) until `show_more`/`show_all`, which the view calls when the user reaches the top, exactly as
it pages in older messages. Opening 10,000 messages thus measures a few hundred. No Textual here.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from datetime import date, tzinfo
from itertools import accumulate

from smschat.domain.model import Message
from smschat.domain.thread import ThreadItem
from smschat.ui.widgets.bubbles import local_day, measure
from smschat.ui.widgets.grouping import Bubble, GroupKey, group_key, make_bubble

HEADER_ROWS = 1


def records(items: Iterable[ThreadItem | Message]) -> Iterator[Message]:
    """The records of items given either as `ThreadItem`s or as raw `Message`s."""
    for item in items:
        if isinstance(item, ThreadItem):
            yield from item.records
        else:
            yield item


class ThreadModel:
    """The bubbles of one thread, oldest first, with their heights at the current width."""

    def __init__(self, tz: tzinfo | None = None) -> None:
        self.tz = tz
        self.width = 0
        self.bubbles: list[Bubble] = []
        self.pos: dict[GroupKey, int] = {}
        self.days: list[date | None] = []
        self.with_day: list[bool] = []  # a day separator above this bubble
        self.offsets: list[int] = [HEADER_ROWS]  # of bubbles[hidden:], plus the end
        self.hidden = 0  # oldest bubbles not laid out yet
        self._first: GroupKey | None = None  # the first bubble laid out while some are hidden
        self._groups: dict[GroupKey, dict[str, Message]] = {}
        self._record_key: dict[str, GroupKey] = {}
        self._heights: dict[GroupKey, tuple[Bubble, int, bool, date | None, int]] = {}

    def __len__(self) -> int:
        return len(self.bubbles)

    @property
    def total(self) -> int:
        """Rows of the whole thread (header included)."""
        return self.offsets[-1]

    def clear(self) -> None:
        self.bubbles, self.pos, self._groups, self._record_key = [], {}, {}, {}
        self._heights.clear()
        self.show_all()
        self.layout(self.width)

    def show_newest(self, count: int) -> None:
        """Lay out only the newest `count` bubbles (the rest when asked). Call `layout` afterwards."""
        self.hidden = max(0, len(self.bubbles) - count)
        self._first = self.bubbles[self.hidden].key if self.hidden else None

    def show_more(self, count: int) -> None:
        self.show_newest(len(self.bubbles) - self.hidden + count)

    def show_all(self) -> None:
        self.hidden, self._first = 0, None

    def key_of(self, message_id: str) -> GroupKey | None:
        return self._record_key.get(message_id)

    # --- content ---------------------------------------------------------------------------------

    def merge(self, items: Iterable[ThreadItem | Message]) -> list[Bubble]:
        """Add or update records; returns the bubbles that are new. Call `layout` afterwards."""
        changed: set[GroupKey] = set()
        for message in records(items):
            key = group_key(message)
            old = self._record_key.get(message.id)
            if old == key and self._groups[key].get(message.id) == message:
                continue  # unchanged: keep the bubble (and its measured and drawn lines)
            if old is not None and old != key:
                self._groups.get(old, {}).pop(message.id, None)
                changed.add(old)
            self._groups.setdefault(key, {})[message.id] = message
            self._record_key[message.id] = key
            changed.add(key)
        added = [key for key in changed if key not in self.pos and self._groups.get(key)]
        return self._rebuild(changed, added)

    def remove(self, ids: Iterable[str]) -> None:
        """Drop records by id (a bubble goes when its last record goes). Call `layout` afterwards."""
        changed: set[GroupKey] = set()
        for message_id in ids:
            key = self._record_key.pop(message_id, None)
            if key is not None:
                self._groups.get(key, {}).pop(message_id, None)
                changed.add(key)
        self._rebuild(changed, [])

    def _rebuild(self, changed: set[GroupKey], added: list[GroupKey]) -> list[Bubble]:
        gone = False
        for key in changed:
            members = self._groups.get(key)
            index = self.pos.get(key)
            if not members:
                self._groups.pop(key, None)
                if index is not None:
                    self.bubbles[index] = None  # type: ignore[call-overload]
                    gone = True
            elif index is not None:
                self.bubbles[index] = make_bubble(key, members.values())
        if gone:
            self.bubbles = [bubble for bubble in self.bubbles if bubble is not None]
        new = sorted((make_bubble(k, self._groups[k].values()) for k in added), key=lambda b: b.sort_key)
        in_order = not new or not self.bubbles or new[0].sort_key >= self.bubbles[-1].sort_key
        self.bubbles.extend(new)
        if not in_order:  # older messages (a page before) or a late arrival: sort once
            self.bubbles.sort(key=lambda b: b.sort_key)
        if gone or new:
            self.pos = {bubble.key: index for index, bubble in enumerate(self.bubbles)}
            first = self.pos.get(self._first) if self._first is not None else None
            if first is None:
                self.show_all()
            else:
                self.hidden = first  # older arrivals join the hidden part
        return new

    # --- geometry --------------------------------------------------------------------------------

    def layout(self, width: int) -> None:
        """Measure the bubbles shown at `width` (cached per bubble) and rebuild the row offsets."""
        self.width = width
        shown = self.bubbles[self.hidden :]
        if width <= 0:
            self.offsets = [HEADER_ROWS] * (len(shown) + 1)
            self.days, self.with_day = [None] * len(shown), [False] * len(shown)
            return
        cache, tz = self._heights, self.tz
        heights: list[int] = []
        days: list[date | None] = []
        flags: list[bool] = []
        previous: object = object()
        for bubble in shown:
            entry = cache.get(bubble.key)
            fresh = entry is not None and entry[0] is bubble
            day = entry[3] if fresh else local_day(bubble.timestamp, tz)  # type: ignore[index]
            with_day = day != previous
            previous = day
            if not fresh or entry[1] != width or entry[2] != with_day:  # type: ignore[index]
                entry = (bubble, width, with_day, day, measure(bubble, width, with_day=with_day))
                cache[bubble.key] = entry
            heights.append(entry[4])  # type: ignore[index]
            days.append(day)
            flags.append(with_day)
        if len(cache) > 2 * len(self.bubbles) + 64:
            for key in [k for k in cache if k not in self.pos]:
                del cache[key]
        self.days, self.with_day = days, flags
        self.offsets = list(accumulate(heights, initial=HEADER_ROWS))

    def index_at(self, row: int) -> int | None:
        """The bubble (index into `bubbles`) drawn on this row, its day separator and trailing
        gap included; None on the header or past the end."""
        if len(self.offsets) < 2 or row < self.offsets[0] or row >= self.offsets[-1]:
            return None
        return self.hidden + bisect_right(self.offsets, row) - 1

    def start(self, index: int) -> int:
        """The bubble's first row (its day separator when it has one)."""
        return self.offsets[index - self.hidden]

    def body_start(self, index: int) -> int:
        """The row of the bubble's first line (after its day separator, which may come and go)."""
        return self.offsets[index - self.hidden] + self.with_day[index - self.hidden]

    def end(self, index: int) -> int:
        """The row after the bubble's last line (its trailing gap row is not counted)."""
        return self.offsets[index - self.hidden + 1] - 1

    def day(self, index: int) -> date | None:
        return self.days[index - self.hidden]

    def has_day(self, index: int) -> bool:
        """A day separator is drawn above this bubble."""
        return self.with_day[index - self.hidden]

    def reveal(self, index: int, top: int, bottom: int, *, upward: bool) -> int | None:
        """The new top row that shows bubble `index` (None: already on screen [top, bottom)).

        A bubble taller than the screen shows its end when reached moving up, else its start.
        """
        start, end = self.start(index), self.end(index)
        if top <= start and end <= bottom:
            return None
        height = bottom - top
        tall = end - start > height
        if start < top:
            return end - height if tall and upward else start
        return start if tall else end - height

    def on_screen(self, top: int, bottom: int, *, last: bool) -> int:
        """The lowest (`last`) or highest bubble on rows [top, bottom), preferring whole ones."""
        first = self.index_at(max(top, HEADER_ROWS))
        first = self.hidden if first is None else first
        final = self.index_at(min(bottom, self.total) - 1)
        final = len(self.bubbles) - 1 if final is None else final
        if self.start(first) < top and first < final:
            first += 1
        if self.end(final) > bottom and final > first:
            final -= 1
        return final if last else first
