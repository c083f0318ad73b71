"""The retry policy for reads: which errors are worth another try, and how long to wait.

Only idempotent requests (list, conversation, status) go through `RetryPolicy.run`. A send is
never retried here: `SendOutcomeUnknown` is not retryable, and the sender does not use this.

Retried: `NetworkError` and `RequestTimeout` (nothing answered), `ServerError` (5xx),
`RateLimited` (429; waits `retry_after` when the server said, capped), and `MalformedResponse`
(a garbled answer to a read; asking again is harmless). Everything else, `AuthError` first of all,
is raised at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from smschat.domain.errors import MalformedResponse, RateLimited, SendOutcomeUnknown, SmsError

T = TypeVar("T")


def is_retryable(error: BaseException) -> bool:
    if isinstance(error, SendOutcomeUnknown):
        return False
    if isinstance(error, MalformedResponse):
        return True
    return isinstance(error, SmsError) and error.retryable


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # tries in all, the first included
    base_delay: float = 0.5  # seconds before the second try; doubles each time
    max_delay: float = 20.0
    max_retry_after: float = 120.0  # longest wait a 429 may impose on us
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    #: told `(attempt, error, delay)` before each wait, so a UI can show "retrying"
    on_retry: Callable[[int, BaseException, float], None] | None = None

    def delay(self, attempt: int, error: BaseException) -> float:
        """Seconds to wait after failed try number `attempt` (1-based)."""
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return max(0.0, min(float(error.retry_after), self.max_retry_after))
        return min(self.base_delay * (2 ** (attempt - 1)), self.max_delay)

    async def run(self, call: Callable[[], Awaitable[T]]) -> T:
        """`await call()`, trying again on retryable errors; the last error is raised as is."""
        attempt = 1
        while True:
            try:
                return await call()
            except Exception as error:
                if attempt >= self.attempts or not is_retryable(error):
                    raise
                delay = self.delay(attempt, error)
                if self.on_retry is not None:
                    self.on_retry(attempt, error, delay)
                await self.sleep(delay)
                attempt += 1


#: Status polling: 2 s, 4 s, 8 s ... capped at 5 minutes between polls of one message.
POLL_BASE = 2.0
POLL_CAP = 300.0


def poll_delay(attempts: int, *, base: float = POLL_BASE, cap: float = POLL_CAP) -> float:
    """Seconds until the next status poll of a message polled `attempts` times (>= 1) so far."""
    return min(base * (2 ** max(0, attempts - 1)), cap)


async def no_sleep(_seconds: float) -> None:
    """A `sleep` for tests: yield to the loop, wait for nothing."""
    await asyncio.sleep(0)
