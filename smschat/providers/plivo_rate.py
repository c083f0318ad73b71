"""A client-side rate gate: at most `limit` requests in any rolling `period` seconds.

Plivo rate-limits its message list (about 20 requests a minute) and answers HTTP 429 beyond it.
The Plivo provider passes every list request through one gate, so a first sync paces itself
instead of collecting 429s; when a 429 comes anyway (another tool using the same account), the
provider calls `hold(seconds)` and asks for the same page again once the gate opens.

A slot counts from when its request was *answered* (`release`), not from when it left: the
server saw it somewhere in between, so counting from the answer never runs ahead of the server's
own window. Waiting callers are served in arrival order (one lock); time comes from `clock` and
waits go through `sleep`, both injectable for tests.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable


class RateGate:
    def __init__(
        self,
        limit: int = 20,
        period: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("a rate gate needs limit >= 1 and period > 0")
        self.limit = int(limit)
        self.period = float(period)
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[list[float]] = deque()  # one [time] per slot taken, updated on release
        self._held_until = 0.0
        self._lock: asyncio.Lock | None = None
        #: seconds spent waiting so far (for progress reports and tests)
        self.waited = 0.0

    def _wait_needed(self, now: float) -> float:
        live = sorted((slot for slot in self._sent if now - slot[0] < self.period), key=lambda slot: slot[0])
        self._sent = deque(live)
        wait = max(0.0, self._held_until - now)
        if len(live) >= self.limit:
            wait = max(wait, live[len(live) - self.limit][0] + self.period - now)
        return wait

    def next_wait(self) -> float:
        """Seconds the next `acquire` would wait now."""
        return self._wait_needed(self._clock())

    async def acquire(self) -> list[float]:
        """Wait for a slot and take it; give it to `release` when the answer came."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        waited = 0.0
        async with self._lock:
            while True:
                wait = self._wait_needed(self._clock())
                if wait <= 0:
                    break
                await self._sleep(wait)
                waited += wait
            slot = [self._clock()]
            self._sent.append(slot)
        self.waited += waited
        return slot

    def release(self, slot: list[float]) -> None:
        """The request of `slot` was answered (or failed): its slot counts from now."""
        slot[0] = max(slot[0], self._clock())

    def hold(self, seconds: float) -> None:
        """Open no slot for `seconds` from now (the server said 429, Retry-After `seconds`)."""
        self._held_until = max(self._held_until, self._clock() + max(0.0, float(seconds)))
