"""Connection health for the chat screen: what the status bar says, and when to poll again.

- A read about to be tried again (the engine's retry policy reports it) shows "retrying".
- A polling round that failed after its retries shows "offline since ..." (nothing answered),
  "retrying" (5xx, 429, an unreadable answer) or "login rejected" (401/403: polling stops until
  the agent asks again with ctrl+r). Other errors are the caller's to show (a toast).
- After failed rounds the next one waits longer: one poll interval, doubling, at most ten, so a
  dead server is not hammered; the first round that works puts everything back.

Server text reaches the status bar only through `StatusBar.set_state`, which sanitises it and
draws it as plain text.
"""

from __future__ import annotations

from collections.abc import Callable

from smschat.domain.errors import AuthError, MalformedResponse, NetworkError, SmsError
from smschat.ui.widgets.status_bar import AUTH, OFFLINE, OK, RETRYING, StatusBar

AUTH_HINT = "check the username and password · ctrl+r retries"
MAX_BACKOFF = 10  # poll intervals


class ConnectionHealth:
    def __init__(self, status: StatusBar, interval: float, now: Callable[[], float]) -> None:
        self.status = status
        self.interval = interval
        self.now = now
        self.failures = 0  # rounds failed in a row
        self.auth_failed = False
        self._next_round = 0.0

    def due(self) -> bool:
        """May a polling round run now? (No while the login is rejected or while backing off.)"""
        return not self.auth_failed and self.now() >= self._next_round

    def reset(self) -> None:
        """The agent asked to try again (ctrl+r)."""
        self.auth_failed = False
        self._next_round = 0.0

    def ok(self) -> None:
        self.failures = 0
        self._next_round = 0.0
        self.status.set_state(OK)

    def retrying(self, attempt: int, error: str) -> None:
        if self.status.state not in (OFFLINE, AUTH):  # offline stays offline until a round works
            self.status.set_state(RETRYING, f"{error} (try {attempt + 1})")

    def failed(self, error: SmsError) -> bool:
        """Record a failed round; True when the error is not about the connection (show it)."""
        self.failures += 1
        self._next_round = self.now() + min(self.interval * 2 ** (self.failures - 1), self.interval * MAX_BACKOFF)
        if isinstance(error, AuthError):
            self.auth_failed = True
            self.status.set_state(AUTH, AUTH_HINT)
        elif isinstance(error, NetworkError):
            self.status.set_state(OFFLINE, str(error))
        elif error.retryable or isinstance(error, MalformedResponse):
            self.status.set_state(RETRYING, str(error))
        else:
            self.failures = 0
            self._next_round = 0.0
            self.status.set_state(OK)
            return True
        return False
