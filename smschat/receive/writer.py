"""Writing what the providers post into the store: idempotent, never downgrading, off the event loop.

- An inbound text is stored once by its id. A delivery the store already has (a provider retry, or
  the same message pulled by the sync engine meanwhile) keeps its stored times; only what the
  post adds (the text of a Plivo record listed without one, media) is merged in.
- A status post updates the stored message through the store's merge, so a late `sent` never undoes
  `delivered`. A status for an id the store does not have yet (the callback can beat the send's own
  answer) is parked and applied once the record shows up, for `PARK_SECONDS`; after that the
  status polling safety net catches it.

Store calls are blocking SQLite calls: they run in a worker thread, one at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from smschat.domain.model import Message
from smschat.receive.fields import StatusUpdate
from smschat.store import Store

log = logging.getLogger(__name__)

#: How long a status for a not-yet-stored message is kept waiting, and how often it is retried.
PARK_SECONDS = 120.0
PARK_RETRY = 0.5
PARK_MAX = 1000


class StoreWriter:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = asyncio.Lock()
        self._parked: OrderedDict[str, tuple[list[StatusUpdate], float]] = OrderedDict()
        self._retry_task: asyncio.Task[None] | None = None

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    async def _run(self, fn: Callable[[], object]) -> object:
        async with self._lock:
            return await asyncio.to_thread(fn)

    # -- inbound --------------------------------------------------------------------------------

    async def inbound(self, msg: Message) -> bool:
        """Store an inbound text; True when the store changed (False: a duplicate delivery)."""
        return bool(await self._run(lambda: self._inbound(msg)))

    def _inbound(self, msg: Message) -> bool:
        old = self.store.get_message(msg.id)
        if old is not None:
            # keep the stored times (the provider's own, or the first delivery's)
            msg = replace(msg, requested_at=old.requested_at or msg.requested_at,
                          responded_at=old.responded_at or msg.responded_at)
        return bool(self.store.upsert_messages([msg]))

    # -- statuses -------------------------------------------------------------------------------

    async def status(self, update: StatusUpdate) -> bool:
        """Apply a status; True when applied (changed or not), False when parked for later."""
        applied = bool(await self._run(lambda: self._apply([update])))
        if not applied:
            self._park(update)
        return applied

    def _apply(self, updates: list[StatusUpdate]) -> bool:
        """Apply updates about one message, in order; False when the store does not have it."""
        old = self.store.get_message(updates[0].message_id)
        if old is None:
            return False
        for update in updates:
            new = replace(old, status=update.status, delivery=update.delivery, error=update.error or old.error)
            self.store.upsert_messages([new])  # merge keeps the more advanced status and delivery
            old = self.store.get_message(update.message_id) or new
        return True

    def _park(self, update: StatusUpdate) -> None:
        earlier, _until = self._parked.pop(update.message_id, ([], 0.0))
        self._parked[update.message_id] = ([*earlier, update], self._now() + PARK_SECONDS)
        while len(self._parked) > PARK_MAX:
            self._parked.popitem(last=False)
        if self._retry_task is None or self._retry_task.done():
            self._retry_task = asyncio.get_running_loop().create_task(self._retry_parked())

    @property
    def parked(self) -> int:
        """How many messages have statuses waiting for their record."""
        return len(self._parked)

    async def _retry_parked(self) -> None:
        while self._parked:
            await asyncio.sleep(PARK_RETRY)
            now = self._now()
            for key, (updates, until) in list(self._parked.items()):
                try:
                    applied = await self._run(lambda u=updates: self._apply(u))
                except Exception:  # noqa: BLE001 - a locked or closed store: try again, then give up
                    log.warning("could not apply a parked status for %s", key, exc_info=True)
                    applied = False
                if (applied or now >= until) and self._parked.get(key, ([],))[0] is updates:
                    del self._parked[key]  # (unless more statuses arrived meanwhile)

    async def aclose(self) -> None:
        if self._retry_task is not None:
            self._retry_task.cancel()
            try:
                await self._retry_task
            except asyncio.CancelledError:
                pass
