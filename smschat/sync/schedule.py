"""When the next incremental refresh (one `messages` list request) is due: an idle backoff.

A client left open polls the listing every `base` seconds while things happen; each round that
brings nothing new doubles the wait, up to `cap` (3 s, 6 s, 12 s, 24 s, then 30 s with the
defaults the chat screen uses: about 2 list requests a minute once idle, instead of 20). A round
that brings something, a send, or the agent asking (ctrl+r) puts it back to `base`.

With a receiver (`smschat receive`, or the Plivo demo's in-process one) the provider posts new texts
as they arrive, so the listing is only a safety net for posts the receiver missed: `refresh_schedule(
..., receiving=True)` asks at most once a minute while there is news, backing off to every 10
minutes (Plivo allows about 20 list requests a minute in all).

Status polls are not governed here: each pending message has its own backoff in the store
(`SyncEngine.poll_statuses`; with a receiver, minutes apart), and a round that finds none due costs
no request.
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


#: Without a receiver, an idle client asks at most every IDLE_BACKOFF poll intervals (30 s by default).
IDLE_BACKOFF = 10
#: With a receiver: the listing is a safety net, at most once a minute, backing off to 10 minutes.
RECEIVER_BASE = 60.0
RECEIVER_CAP = 600.0


def refresh_schedule(interval: float, now: Callable[[], float], *, receiving: bool = False) -> RefreshSchedule:
    """The listing schedule of a client polling every `interval` seconds; `receiving`: a receiver
    gets the provider's posts, so polling is only a slow safety net (never faster than `interval`)."""
    if receiving:
        return RefreshSchedule(max(interval, RECEIVER_BASE), max(interval * IDLE_BACKOFF, RECEIVER_CAP), now)
    return RefreshSchedule(interval, interval * IDLE_BACKOFF, now)


__all__ = ["IDLE_BACKOFF", "RECEIVER_BASE", "RECEIVER_CAP", "RefreshSchedule", "refresh_schedule"]
