"""Records grouped into bubbles: the records of one multi-part send are one bubble.

`Bubble` holds a group's records in part order; the `ThreadItem` (the domain's aggregation: body,
worst status) and the sanitised text are built on first use, so laying out the newest part of a long
thread costs nothing for the rest. Pure: no Textual.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from smschat.domain.model import Direction, Message
from smschat.domain.sanitize import sanitize
from smschat.domain.thread import ThreadItem, thread_items

TAB = "    "  # a tab in a body is drawn as spaces (a real tab would break the cell layout)
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)  # sorts messages without a timestamp last

GroupKey = tuple[str, ...]


class Bubble:
    """One displayed item: the records of one group, in part order.

    Cheap to create: the `ThreadItem` (the domain's aggregation) and the sanitised text are built on
    first use, so a long thread only pays for what is laid out or drawn.
    """

    __slots__ = ("key", "records", "timestamp", "sort_key", "_item", "_text")

    def __init__(self, key: GroupKey, records: tuple[Message, ...]) -> None:
        if not records:
            raise ValueError("a bubble needs at least one record")
        self.key = key
        self.records = records
        stamps = [r.timestamp for r in records if r.timestamp is not None]
        self.timestamp: datetime | None = min(stamps) if stamps else None
        self.sort_key = (self.timestamp or _FAR_FUTURE, key)
        self._item: ThreadItem | None = None
        self._text: str | None = None

    @property
    def item(self) -> ThreadItem:
        if self._item is None:
            self._item = thread_items(self.records)[0]
        return self._item

    @property
    def text(self) -> str:
        """The body as shown: parts joined, sanitised, tabs expanded."""
        if self._text is None:
            text = sanitize(self.item.body)
            self._text = text.replace("\t", TAB) if "\t" in text else text
        return self._text

    @property
    def outbound(self) -> bool:
        return self.records[0].direction is Direction.OUTBOUND


def group_key(message: Message) -> GroupKey:
    """The records of one multi-part send share a key (their `parts`); others stand alone.

    The same rule as `smschat.domain.thread.thread_items`.
    """
    return message.parts if len(message.parts) > 1 and message.id in message.parts else (message.id,)


def make_bubble(key: GroupKey, records: Iterable[Message]) -> Bubble:
    """The bubble of one group (at least one record); `thread_items` aggregates it when drawn."""
    members = tuple(records)
    if len(members) > 1:
        order = {part: index for index, part in enumerate(key)}
        members = tuple(sorted(members, key=lambda m: order.get(m.id, len(order))))
    return Bubble(key, members)


def group_messages(messages: Iterable[Message]) -> list[Bubble]:
    """Bubbles for these records, oldest first (a later record with the same id wins)."""
    groups: dict[GroupKey, dict[str, Message]] = {}
    for message in messages:
        groups.setdefault(group_key(message), {})[message.id] = message
    bubbles = [make_bubble(key, members.values()) for key, members in groups.items()]
    bubbles.sort(key=lambda b: b.sort_key)
    return bubbles
