"""The simulator's message records and the sorted indexes that make listing fast at scale.

A record is immutable. Its status is not stored: it is computed from the time it was queued and the
time asked about (`state(now)`), so no timers are needed for the lifecycle
queued -> sent -> delivered/undelivered/unconfirmed.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice

#: Plum keeps delivery status for 7 days; after that `delivery_status` is blank.
DELIVERY_WINDOW = 7 * 86400


@dataclass(frozen=True, slots=True)
class SimMessage:
    id: str  # 32 lowercase hex digits
    to_number: str  # as shown on the wire
    from_number: str  # as shown on the wire
    body: str
    inbound: bool
    ts: int  # request_timestamp, epoch seconds
    customer: str  # normalised (11 digits for NANP)
    account: str  # normalised
    sent_at: float = 0.0  # when an outbound record turns "sent"
    final_at: float = 0.0  # when its delivery status becomes known
    outcome: str = ""  # delivered | undelivered | unconfirmed ("" for inbound)
    failed: bool = False  # the send failed: status "failure"
    result_url: str = ""

    @property
    def key(self) -> tuple[int, str]:
        return (self.ts, self.id)

    @property
    def direction(self) -> str:
        return "inbound" if self.inbound else "outbound"

    def state(self, now: float) -> tuple[str, str, str]:
        """(status, response_timestamp, delivery_status) as the API reports them at `now`."""
        if self.inbound:
            return "received", str(self.ts), ""
        fresh = now - self.ts <= DELIVERY_WINDOW
        if self.failed:
            return "failure", str(self.ts), "undelivered" if fresh else ""
        if now < self.sent_at:
            return "queued", "", ""
        delivery = self.outcome if (now >= self.final_at and fresh) else ""
        return "sent", str(int(self.sent_at)), delivery


class SortedIndex:
    """Records kept sorted by (request_timestamp, id), with a parallel key list for bisecting."""

    __slots__ = ("keys", "items")

    def __init__(self) -> None:
        self.keys: list[tuple[int, str]] = []
        self.items: list[SimMessage] = []

    def __len__(self) -> int:
        return len(self.items)

    def add(self, message: SimMessage) -> None:
        key = message.key
        if not self.keys or key >= self.keys[-1]:
            self.keys.append(key)
            self.items.append(message)
            return
        at = bisect_right(self.keys, key)
        self.keys.insert(at, key)
        self.items.insert(at, message)

    def append_sorted(self, message: SimMessage) -> None:
        """Append a record known to sort after every record already here (bulk rebuilds)."""
        self.keys.append(message.key)
        self.items.append(message)

    def span(self, start: float | None, end: float | None) -> tuple[int, int]:
        """Index range of the records with start <= request_timestamp <= end (both inclusive)."""
        lo = 0 if start is None else bisect_left(self.keys, (math.ceil(start),))
        hi = len(self.keys) if end is None else bisect_left(self.keys, (math.floor(end) + 1,))
        return lo, max(lo, hi)


def page(
    index: SortedIndex | None,
    *,
    start: float | None,
    end: float | None,
    keep: Callable[[SimMessage], bool] | None,
    descending: bool,
    offset: int,
    limit: int,
) -> tuple[int, list[SimMessage]]:
    """(total matching, the page asked for) from one index, filtered by time and `keep`."""
    if index is None:
        return 0, []
    lo, hi = index.span(start, end)
    seq: Sequence[SimMessage] = index.items
    if keep is not None:
        seq = [m for m in islice(index.items, lo, hi) if keep(m)]
        lo, hi = 0, len(seq)
    total = hi - lo
    if offset >= total:
        return total, []
    if descending:
        top = hi - offset
        return total, list(reversed(seq[max(lo, top - limit) : top]))
    first = lo + offset
    return total, list(seq[first : min(hi, first + limit)])
