"""Faults the simulator can inject, changeable at runtime from any thread.

Standing faults (probabilities 0..1, drawn from a seedable random generator):
- `fail_5xx`: answer 500/502/503 with a short HTML body, the request not processed;
- `fail_401`: answer every request 401 as if the credentials were wrong;
- `malformed`: process the request, then answer HTTP 200 with a truncated or garbled body;
- `drop`: read the request, then close the connection without an answer (not processed);
- `delay`: seconds to wait before answering every request.

One-shot faults, `once(kind, count)`: the next `count` requests get `kind`, one of
"5xx", "401", "malformed", "drop", "slow" (wait `slow_seconds`, then answer normally) and
"timeout_after_queue" (process the request, e.g. queue the message, then drop the connection).

`rewrite`: when set, a function `(method, path, status, body) -> (status, body[, headers]) | None`
that may replace any processed answer (a canned failure whose text is hostile, invalid UTF-8 in a
body, a 429 with Retry-After ...); None keeps the answer. `injected` counts the faults drawn so far, by kind (for soak figures).
"""

from __future__ import annotations

import random
import threading
from collections import Counter, deque
from collections.abc import Callable

KINDS = frozenset({"5xx", "401", "malformed", "drop", "slow", "timeout_after_queue"})

Rewrite = Callable[[str, str, int, bytes], "tuple[int, bytes] | tuple[int, bytes, dict[str, str]] | None"]


class Faults:
    def __init__(
        self,
        fail_5xx: float = 0.0,
        fail_401: bool = False,
        malformed: float = 0.0,
        drop: float = 0.0,
        delay: float = 0.0,
        rate: int | None = None,
        *,
        slow_seconds: float = 3.0,
    ) -> None:
        self._lock = threading.Lock()
        self.fail_5xx = fail_5xx
        self.fail_401 = fail_401
        self.malformed = malformed
        self.drop = drop
        self.delay = delay
        self.slow_seconds = slow_seconds
        self._pending: deque[str] = deque()
        self.rewrite: Rewrite | None = None
        self.injected: Counter[str] = Counter()
        self._rate = rate
        self.rng = random.Random(rate)

    @property
    def rate(self) -> int | None:
        """The random seed of the fault draws (None: not deterministic). Setting it reseeds."""
        return self._rate

    @rate.setter
    def rate(self, seed: int | None) -> None:
        with self._lock:
            self._rate = seed
            self.rng = random.Random(seed)

    def once(self, kind: str, count: int = 1) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {sorted(KINDS)}")
        with self._lock:
            self._pending.extend([kind] * count)

    def clear(self) -> None:
        """Remove every fault, standing and pending."""
        with self._lock:
            self._pending.clear()
            self.fail_5xx = self.malformed = self.drop = self.delay = 0.0
            self.fail_401 = False
            self.rewrite = None

    @property
    def pending(self) -> list[str]:
        with self._lock:
            return list(self._pending)

    def draw(self) -> tuple[str, float]:
        """The fault for the next request ("" for none) and the seconds to wait before answering."""
        kind, delay = self._draw()
        if kind:
            with self._lock:
                self.injected[kind] += 1
        return kind, delay

    def _draw(self) -> tuple[str, float]:
        with self._lock:
            delay = max(0.0, float(self.delay))
            if self._pending:
                kind = self._pending.popleft()
                if kind == "slow":
                    return "", delay + self.slow_seconds
                return kind, delay
            if self.fail_401:
                return "401", delay
            for kind, chance in (("drop", self.drop), ("5xx", self.fail_5xx), ("malformed", self.malformed)):
                if chance > 0 and self.rng.random() < chance:
                    return kind, delay
            return "", delay

    def error_code(self) -> int:
        with self._lock:
            return self.rng.choice((500, 502, 503))
