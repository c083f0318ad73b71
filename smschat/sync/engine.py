"""`SyncEngine`: the only writer from the network into the store.

- `refresh()` pulls the account's message listing. The first run pages the whole history at the
  provider's largest page (1000 for Plum), ascending by time: page 0 gives `total`, the other pages
  are fetched concurrently (`concurrency` in flight), so N messages cost ceil(N/1000) requests.
  Ascending order keeps offsets stable while new messages arrive (they append at the end). Later
  runs ask once for everything since `cursor - overlap` and page on only when that page is full.
  The cursor (newest request timestamp seen) lives in the store; it is written only after a run
  has stored every page, so an interrupted first sync starts again (dedup makes that harmless).
- `load_conversation()` fetches the newest page of one conversation, or the page just older than
  the oldest record the store holds (`end_timestamp` = that record's second, `offset` = how many
  records of that second the store has). A provider without a conversation endpoint (Plivo:
  `Unsupported`) adds nothing: its threads are what `refresh()` put in the store.
- `poll_statuses()` asks `status` for each pending outbound message whose poll is due (per message
  backoff 2 s, 4 s, 8 s ... 5 min, kept in the store), and gives up on messages past the 7-day
  window (they stay unknown, never polled again). With `callback_url` (a receiver gets the
  provider's status posts) every send carries it and polling is a slow safety net: a send's first
  poll after 2 minutes, then 4, 8 ... 30 minutes.
- `send()` / `retry()` / `recover_outbox()`: see `smschat.sync.sender`.

Reads go through `RetryPolicy` (one small module); `AuthError` stops at once. Every method that
writes returns the set of (customer, account) keys it changed; `subscribe()` adds a listener
called with each non-empty set as well.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from smschat.domain.errors import AuthError, NotFound, SmsError, Unsupported
from smschat.domain.model import Message, MessagePage
from smschat.domain.numbers import normalize
from smschat.domain.thread import LOCAL_PREFIX
from smschat.providers.base import ListQuery, Provider
from smschat.store import Store
from smschat.store.codec import from_epoch, to_epoch
from smschat.sync.retry import POLL_BASE, POLL_CAP, RetryPolicy, poll_delay
from smschat.sync.sender import InvalidSend, Sender, validate

log = logging.getLogger(__name__)

Key = tuple[str, str]
Progress = Callable[[int, int], None]

#: Status polling when a receiver gets the provider's callbacks (`callback_url`): first poll of a
#: send after 2 minutes, then 4, 8 ... at most every 30 minutes.
CALLBACK_POLL_BASE = 120.0
CALLBACK_POLL_CAP = 1800.0

#: Store cursor: the newest request timestamp (epoch seconds) seen by `refresh`.
CURSOR = "refresh.messages"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _first_error(group: BaseExceptionGroup) -> BaseException:
    """The error that broke a task group (not the cancellations it caused)."""
    leaves: list[BaseException] = []
    pending: list[BaseException] = [group]
    while pending:
        exc = pending.pop(0)
        if isinstance(exc, BaseExceptionGroup):
            pending.extend(exc.exceptions)
        else:
            leaves.append(exc)
    return next((e for e in leaves if not isinstance(e, asyncio.CancelledError)), leaves[0])


async def bounded(jobs: Iterable[Callable[[], Awaitable[None]]], limit: int) -> None:
    """Run `jobs` with at most `limit` in flight; the first failure cancels the rest and is raised
    as itself (not wrapped in an ExceptionGroup)."""
    semaphore = asyncio.Semaphore(limit)

    async def one(job: Callable[[], Awaitable[None]]) -> None:
        async with semaphore:
            await job()

    try:
        async with asyncio.TaskGroup() as group:
            for job in jobs:
                group.create_task(one(job))
    except BaseExceptionGroup as group_error:
        raise _first_error(group_error) from None


class SyncEngine:
    def __init__(
        self,
        provider: Provider,
        store: Store,
        accounts: Sequence[str],
        *,
        clock: Callable[[], datetime] = _utcnow,
        retry: RetryPolicy | None = None,
        concurrency: int = 4,
        overlap: timedelta = timedelta(seconds=120),
        conversation_limit: int = 100,
        poll_batch: int = 200,
        mark_history_read: bool = True,
        callback_url: str = "",
    ) -> None:
        self.provider = provider
        self.store = store
        self.accounts = tuple(normalize(a) for a in accounts)
        self.clock = clock
        policy = retry or RetryPolicy()
        self._retry_listeners: list[Callable[[int, BaseException, float], None]] = []
        if policy.on_retry is not None:
            self._retry_listeners.append(policy.on_retry)
        self.retry_policy = replace(policy, on_retry=self._retrying)
        self.concurrency = max(1, concurrency)
        self.overlap = overlap
        self.conversation_limit = conversation_limit
        self.poll_batch = poll_batch
        self.mark_history_read = mark_history_read
        self.sender = Sender(provider, store, self.retry_policy, clock, callback_url=callback_url)
        # With a receiver, the provider posts status changes: polling is only a slow safety net.
        self.callback_url = callback_url
        self.poll_base, self.poll_cap = (CALLBACK_POLL_BASE, CALLBACK_POLL_CAP) if callback_url else (POLL_BASE, POLL_CAP)
        self._listeners: list[Callable[[set[Key]], None]] = []
        self._refresh_lock = asyncio.Lock()
        self._poll_lock = asyncio.Lock()

    # ----------------------------------------------------------------- events

    def subscribe(self, listener: Callable[[set[Key]], None]) -> Callable[[], None]:
        """Call `listener(keys)` after each write that changed something; returns an unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def watch_retries(self, listener: Callable[[int, BaseException, float], None]) -> Callable[[], None]:
        """Call `listener(attempt, error, delay)` whenever a read is about to be tried again (a UI
        shows "retrying"); returns an unsubscribe."""
        self._retry_listeners.append(listener)
        return lambda: self._retry_listeners.remove(listener) if listener in self._retry_listeners else None

    def _retrying(self, attempt: int, error: BaseException, delay: float) -> None:
        log.info("read failed (%s); try %d in %.1f s", error, attempt + 1, delay)
        for listener in list(self._retry_listeners):
            try:
                listener(attempt, error, delay)
            except Exception:  # a listener never breaks sync
                log.exception("retry listener failed")

    def _emit(self, keys: set[Key]) -> set[Key]:
        if keys:
            for listener in list(self._listeners):
                try:
                    listener(set(keys))
                except Exception:  # a listener never breaks sync
                    log.exception("store-changed listener failed")
        return keys

    # ---------------------------------------------------------------- refresh

    def cursor(self) -> int | None:
        value = self.store.get_cursor(CURSOR)
        try:
            return None if value is None else int(value)
        except ValueError:
            return None

    async def refresh(self, progress: Progress | None = None) -> set[Key]:
        """Pull new messages: the whole history the first time, then what is new since the cursor."""
        async with self._refresh_lock:
            cursor = self.cursor()
            first_run = cursor is None
            start = None
            if cursor is not None and cursor > 0:
                start = from_epoch(max(1, cursor - int(self.overlap.total_seconds())))
            changed, newest = await self._pull(start, progress)
            if first_run and self.mark_history_read:
                self.store.mark_all_read()
            self.store.set_cursor(CURSOR, str(max(newest, cursor or 0)))
            return self._emit(changed)

    async def _list(self, query: ListQuery) -> MessagePage:
        return await self.retry_policy.run(lambda: self.provider.list_messages(query))

    async def _pull(self, start: datetime | None, progress: Progress | None) -> tuple[set[Key], int]:
        limit = self.provider.max_limit
        base = ListQuery(offset=0, limit=limit, order="asc", start=start)
        changed: set[Key] = set()
        newest = 0
        done = 0

        def take(page: MessagePage, total: int) -> None:
            nonlocal newest, done
            changed.update(self.store.upsert_messages(page.messages))
            stamps = [to_epoch(m.timestamp) for m in page.messages if m.timestamp is not None]
            newest = max([newest, *stamps])
            done += len(page.messages)
            if progress is not None:
                progress(min(done, total), total)

        first = await self._list(base)
        total = max(first.total, len(first.messages))
        take(first, total)
        step = len(first.messages) if 0 < len(first.messages) < min(limit, total) else limit
        if len(first.messages) >= step and total > step:
            end = total  # lowered by a short page: a `total` above what exists costs no more pages

            def job(offset: int) -> Callable[[], Awaitable[None]]:
                async def run() -> None:
                    nonlocal end
                    if offset >= end:
                        return
                    page = await self._list(replace(base, offset=offset, limit=limit))
                    if len(page.messages) < step:
                        end = min(end, offset + len(page.messages))
                    take(page, total)

                return run

            await bounded((job(offset) for offset in range(step, total, step)), self.concurrency)
            if end < total:
                log.warning("the server said %d messages but the listing ended at %d", total, end)
        return changed, newest

    # ----------------------------------------------------------- conversation

    async def load_conversation(self, customer: str, account: str, *, older: bool = False) -> int:
        """Fetch the newest page of a conversation (or, `older=True`, the page before the oldest
        record stored) into the store; returns how many records were new."""
        customer_n, account_n = normalize(customer), normalize(account)
        if not customer_n or not account_n:
            raise InvalidSend("a conversation needs a customer number and an account number")
        end, offset = None, 0
        if older:
            oldest = self.store.oldest_in_thread(customer_n, account_n)
            if oldest is not None and oldest.timestamp is not None:
                # up to and including the oldest second held, skipping the records of that second
                # the store already has (they come first in descending (time, id) order)
                end = oldest.timestamp
                offset = self.store.count_at(customer_n, account_n, end)
        limit = max(self.provider.min_limit, min(self.conversation_limit, self.provider.max_limit))

        async def fetch() -> MessagePage:
            return await self.provider.conversation(
                account_n, customer_n, offset=offset, limit=limit, order="desc", end=end
            )

        try:
            page = await self.retry_policy.run(fetch)
        except Unsupported:  # Plivo: no conversation endpoint; the store (fed by refresh) is the thread
            return 0
        result = self.store.ingest(page.messages)
        self._emit(result.changed)
        return len(result.added)

    # ---------------------------------------------------------------- polling

    async def poll_statuses(self) -> set[Key]:
        """One `status` call per pending message that is due; returns the keys that changed."""
        async with self._poll_lock:
            now = self.clock()
            expired = self.store.expire_polls(now)
            if expired:
                log.info("stopped polling %d message(s) past the 7-day status window", len(expired))
            due = self.store.status_due(now, limit=self.poll_batch)
            changed: set[Key] = set()

            def job(msg: Message, attempts: int) -> Callable[[], Awaitable[None]]:
                async def run() -> None:
                    changed.update(await self._poll_one(msg, attempts, now))

                return run

            await bounded((job(i.message, i.attempts) for i in due), self.concurrency)
            return self._emit(changed)

    async def _poll_one(self, msg: Message, attempts: int, now: datetime) -> set[Key]:
        attempts += 1
        try:
            fresh = await self.provider.status(msg.id)
        except AuthError:
            raise
        except NotFound:
            log.warning("status of %s: not found; not polling it again", msg.id)
            self.store.stop_polling([msg.id])
            return set()
        except (SmsError, ValueError) as exc:
            wait = self._poll_delay(attempts)
            retry_after = getattr(exc, "retry_after", None)
            if retry_after:
                wait = max(wait, float(retry_after))
            self.store.schedule_poll(msg.id, attempts=attempts, next_at=now + timedelta(seconds=wait))
            return set()
        keys = self.store.upsert_messages([fresh]) if fresh.id == msg.id else set()
        stored = self.store.get_message(msg.id)
        if stored is not None and not stored.is_final:
            self.store.schedule_poll(msg.id, attempts=attempts, next_at=now + timedelta(seconds=self._poll_delay(attempts)))
        return keys

    def _poll_delay(self, attempts: int) -> float:
        return poll_delay(attempts, base=self.poll_base, cap=self.poll_cap)

    def _defer_first_poll(self, row: Message) -> None:
        """A send that carried `callback_url` is reported by the provider: poll it only later."""
        if not self.callback_url or row.id.startswith(LOCAL_PREFIX):
            return
        at = self.clock() + timedelta(seconds=self.poll_base)
        for message_id in row.parts or (row.id,):
            self.store.schedule_poll(message_id, attempts=0, next_at=at)

    def next_poll_at(self) -> datetime | None:
        """When `poll_statuses` next has something to do (None: nothing pending)."""
        return self.store.next_poll_due(self.clock())

    # ---------------------------------------------------------------- sending

    async def send(
        self, customer: str, account: str, body: str, *, media_urls: Sequence[str] = (), draft: Key | None = None
    ) -> Message:
        """Validate, write the outbox row, queue once, reconcile. Returns the first stored record
        of the send, or the failed local row (`is_uncertain` tells an unknown outcome).
        `media_urls` makes it an MMS (Plivo: 1..10 URLs). `draft`: the conversation whose draft
        this text is; it is cleared with the outbox write (`Store.outbox_add(clear_draft=)`)."""
        to, sender = validate(customer, account, body, self.accounts)
        local_id = self.store.outbox_add(to, sender, body, media=tuple(media_urls), clear_draft=draft)
        self._emit({(to, sender)})
        row = await self.sender.deliver(local_id)
        self._defer_first_poll(row)
        self._emit({(to, sender)})
        return row

    async def retry(self, local_id: str) -> Message:
        """Deliberately send a failed row again, under the same local id."""
        entry = self.store.outbox_entry(local_id)
        if entry is None:
            raise InvalidSend(f"there is no unsent message {local_id}")
        if entry.state != "failed":
            raise InvalidSend(f"that message is {entry.state}, not failed: nothing to retry")
        key = (normalize(entry.to_number), normalize(entry.from_number))
        if entry.uncertain:  # the earlier attempt may have gone out after all: look before sending
            try:
                found = await self.sender.find_sent(entry, entry.created_at)
            except (SmsError, ValueError) as exc:
                raise SmsError(
                    f"could not check whether the earlier attempt went out, so it was not sent again ({exc})"
                ) from exc
            if found:
                row = self.sender.settle(entry, found, "a retry found the earlier attempt on the server")
                self._emit({key})
                return row
        self.store.outbox_retry(local_id)
        self._emit({key})
        row = await self.sender.deliver(local_id)
        self._defer_first_poll(row)
        self._emit({key})
        return row

    async def recover_outbox(self) -> set[Key]:
        """Settle sends a crash interrupted (found on the server -> sent; else failed, uncertain).
        Never sends anything. Call once at start-up."""
        return self._emit(await self.sender.recover())


__all__ = ["CURSOR", "InvalidSend", "SyncEngine"]
