"""When the next incremental refresh (one `messages` list request) is due: an idle backoff.

A client left open polls the listing every `base` seconds while things happen; each round that
brings nothing new doubles the wait, up to `cap` (3 s, 6 s, 12 s, 24 s, then 30 s with the
defaults the chat screen uses: about 2 list requests a minute once idle, instead of 20). A round
that brings something, a send, or the agent asking (ctrl+r) puts it back to `base`.

Status polls are not governed here: each pending message has its own backoff in the store
(`SyncEngine.poll_statuses`), and a round that finds none due costs no request.
"""

from __future__ import annotations

from collections.abc import Callable


class RefreshSchedule:
    def __init__(self, base: float, cap: float, now: Callable[[], float]) -> None:
        self.base = max(0.0, float(base))
        self.cap = max(self.base, float(cap))
        self.now = now
        self.interval = self.base
        self.idle_rounds = 0  # rounds in a row that brought nothing
        self._next = 0.0  # the first round is due at once

    def due(self) -> bool:
        """May a refresh run now?"""
        return self.now() >= self._next

    def done(self, changed: bool) -> None:
        """A refresh finished; `changed`: it stored something new."""
        self.idle_rounds = 0 if changed else self.idle_rounds + 1
        self.interval = min(self.cap, self.base * 2 ** max(0, min(self.idle_rounds - 1, 30)))
        self._next = self.now() + self.interval

    def activity(self, *, now: bool = False) -> None:
        """Something happened that makes news likely (a send): back to polling every `base`
        seconds; `now=True` makes the next round due at once (the agent asked)."""
        self.idle_rounds = 0
        self.interval = self.base
        self._next = min(self._next, self.now() if now else self.now() + self.base)


__all__ = ["RefreshSchedule"]
