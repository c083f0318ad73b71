"""Sending through the outbox: row first, then one request, then reconcile. Never sent twice.

Outcomes of `Sender.deliver(local_id)` (the outbox row exists already):

- the provider answers with its records -> `outbox_sent` (the local row becomes those records);
- the provider refuses (`ApiError`: unsubscribed, landline, bad from ...) -> failed with the
  server's reason;
- nothing went out (`NetworkError`/`RequestTimeout` before sending, `AuthError`, `RateLimited`,
  `ServerError`: the provider reports these only when the send was not processed) -> failed, not
  uncertain;
- the request may have gone out (`SendOutcomeUnknown`: no answer, gateway error, unreadable
  answer) -> *not retried*: the account's recent outbound messages to that customer are searched
  for the same text; found -> reconciled as sent; not found (or the search fails) -> failed and
  *uncertain* (`smschat.domain.thread.is_uncertain`), so the agent decides;
- the task is cancelled mid-request -> failed and uncertain, then the cancellation propagates.

`retry` is deliberate: it re-sends a failed row under the same local id (`Store.outbox_retry`). A
row whose first outcome was unknown is searched for once more first (`find_sent`): a message that
reached the server late is reconciled, not sent a second time.
`recover` handles rows left `pending` by a crash: each is searched for like an unknown outcome,
and never re-sent automatically.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from smschat.domain.errors import (
    ApiError,
    AuthError,
    NetworkError,
    SendOutcomeUnknown,
    ServerError,
    SmsError,
    Unsupported,
)
from smschat.domain.model import Direction, Message
from smschat.domain.numbers import InvalidNumber, normalize, parse_number
from smschat.domain.sanitize import sanitize_line
from smschat.providers.base import ListQuery, Provider, SendRequest
from smschat.store import OutboxEntry, Store
from smschat.sync.retry import RetryPolicy

log = logging.getLogger(__name__)

Key = tuple[str, str]

#: How far before the send request the reconcile search starts (clock skew, queue latency).
SEARCH_SLACK = timedelta(seconds=60)
SEARCH_LIMIT = 200


class InvalidSend(SmsError, ValueError):
    """The send was refused before anything was written or sent (empty body, bad number ...)."""


def validate(customer: str, account: str, body: str, accounts: Sequence[str]) -> tuple[str, str]:
    """Normalised (customer, account) for a send, or `InvalidSend` saying what is wrong."""
    if not isinstance(body, str) or not body.strip():
        raise InvalidSend("the message is empty")
    try:
        to = parse_number(customer)
    except InvalidNumber as exc:
        raise InvalidSend(str(exc)) from None
    try:
        sender = parse_number(account)
    except InvalidNumber as exc:
        raise InvalidSend(f"sender number: {exc}") from None
    if accounts and sender not in {normalize(a) for a in accounts}:
        raise InvalidSend(f"{sanitize_line(account)} is not one of this profile's numbers")
    return to, sender


def match_send(candidates: Sequence[Message], body: str) -> list[Message] | None:
    """The records of one send whose texts, joined in some order, give `body`; None if none do.

    Candidates are grouped by request second (the parts of one send share it); newest group first.
    Within a group, parts are matched as successive prefixes of the body (small backtracking).
    """
    groups: dict[object, list[Message]] = {}
    for msg in candidates:
        groups.setdefault(msg.requested_at, []).append(msg)
    for stamp in sorted(groups, key=lambda s: (s is not None, s), reverse=True):
        group = sorted(groups[stamp], key=lambda m: m.id)
        found = _cover(body, group, [])
        if found is None and body.strip() != body:
            found = _cover(body.strip(), group, [])
        if found:
            return found
    return None


def _cover(rest: str, pool: list[Message], taken: list[Message]) -> list[Message] | None:
    if not rest:
        return list(taken)
    if len(taken) > 50:
        return None
    for msg in pool:
        if msg.body and rest.startswith(msg.body) and msg not in taken:
            found = _cover(rest[len(msg.body) :], pool, [*taken, msg])
            if found is not None:
                return found
    return None


class Sender:
    def __init__(
        self, provider: Provider, store: Store, retry: RetryPolicy, clock: Callable[[], datetime],
        *, callback_url: str = "",
    ) -> None:
        self.provider = provider
        self.store = store
        self.retry = retry
        self.clock = clock
        #: where the provider should post this send's status changes (`smschat receive`), or ""
        self.callback_url = callback_url
        self.in_flight: set[str] = set()

    async def deliver(self, local_id: str) -> Message:
        """Send the outbox row `local_id` once and record what happened; returns the stored row."""
        entry = self.store.outbox_entry(local_id)
        if entry is None:
            raise InvalidSend(f"no outbox entry {local_id}")
        started = self.clock()
        request = SendRequest(to=entry.to_number, from_number=entry.from_number, body=entry.body,
                              result_url=self.callback_url, media_urls=entry.media,
                              kind="mms" if entry.media else "sms")
        self.in_flight.add(local_id)
        try:
            records = await self.provider.queue(request)
        except SendOutcomeUnknown as exc:
            return await self._reconcile(entry, started, f"no clear answer to the send ({exc.message})")
        except ApiError as exc:
            return self._failed(local_id, exc.message)
        except (AuthError, NetworkError, ServerError) as exc:
            return self._failed(local_id, f"not sent: {exc.message}")
        except SmsError as exc:  # any other typed error: we cannot tell whether it went out
            return await self._reconcile(entry, started, exc.message)
        except ValueError as exc:  # the provider refused the request before sending it
            return self._failed(local_id, f"not sent: {exc}")
        except asyncio.CancelledError:
            self.store.outbox_failed(local_id, "interrupted before the server answered", uncertain=True)
            raise
        except Exception as exc:
            log.exception("unexpected error while sending %s", local_id)
            return self._failed(local_id, f"unexpected error while sending ({type(exc).__name__})", uncertain=True)
        finally:
            self.in_flight.discard(local_id)
        if not records:
            return await self._reconcile(entry, started, "the server answered without any message record")
        self.store.outbox_sent(local_id, records)
        stored = self.store.get_message(records[0].id)
        assert stored is not None
        return stored

    async def recover(self) -> set[Key]:
        """Settle rows left `pending` by a crash (see module doc); returns changed keys."""
        changed: set[Key] = set()
        for row in self.store.outbox_unsent():
            if row.id in self.in_flight:
                continue
            entry = self.store.outbox_entry(row.id)
            if entry is None or entry.state != "pending":
                continue
            stamp = row.requested_at or entry.created_at
            await self._reconcile(entry, stamp, "smschat stopped before the server answered")
            changed.add((normalize(entry.to_number), normalize(entry.from_number)))
        return changed

    # ------------------------------------------------------------------------------------------

    def _failed(self, local_id: str, reason: str, *, uncertain: bool = False) -> Message:
        self.store.outbox_failed(local_id, reason, uncertain=uncertain)
        row = self.store.get_message(local_id)
        assert row is not None
        return row

    async def find_sent(self, entry: OutboxEntry, started: datetime) -> list[Message] | None:
        """The records of this send among the account's recent outbound messages, or None.

        Raises what the search raised (`SmsError`, `ValueError`) when it could not be done.
        """
        query = ListQuery(
            offset=0,
            limit=max(self.provider.min_limit, min(SEARCH_LIMIT, self.provider.max_limit)),
            order="desc",
            start=started - SEARCH_SLACK,
            msg_type="outbound",
            phone_number=entry.to_number,
            number_type="customer",
        )
        try:
            page = await self.retry.run(lambda: self.provider.list_messages(query))
        except Unsupported:  # Plivo: no filter on the customer's number; filter here instead
            query = replace(query, phone_number="", number_type="")
            page = await self.retry.run(lambda: self.provider.list_messages(query))
        mine = [
            m
            for m in page.messages
            if m.direction is Direction.OUTBOUND
            and normalize(m.to_number) == normalize(entry.to_number)
            and normalize(m.from_number) == normalize(entry.from_number)
        ]
        claimed = self.store.outbox_claimed(m.id for m in mine)
        unclaimed = [m for m in mine if m.id not in claimed]
        blind = [m for m in unclaimed if not m.body_known]
        if blind:  # Plivo's records carry no text: a match by text is impossible, a guess is not made
            raise Unsupported(
                f"{len(blind)} message(s) went to this number at about that time, but the provider's records "
                "carry no text, so smschat cannot tell whether one of them is this send"
            )
        return match_send(unclaimed, entry.body)

    def settle(self, entry: OutboxEntry, found: Sequence[Message], why: str) -> Message:
        """Record `found` (the provider's records of this send) as the outcome of the outbox row."""
        log.info("send %s reconciled with %d record(s) after: %s", entry.local_id, len(found), why)
        self.store.outbox_sent(entry.local_id, found)
        stored = self.store.get_message(found[0].id)
        assert stored is not None
        return stored

    async def _reconcile(self, entry: OutboxEntry, started: datetime, why: str) -> Message:
        """Look for the send among the account's recent outbound messages (never send again)."""
        try:
            found = await self.find_sent(entry, started)
        except (SmsError, ValueError) as exc:
            reason = str(exc)
            return self._failed(
                entry.local_id, f"{why}; checking whether it was sent failed too ({reason})", uncertain=True
            )
        if found:
            return self.settle(entry, found, why)
        return self._failed(
            entry.local_id,
            f"{why}; the message is not among the account's recent messages, so it was probably not "
            "sent — check the conversation before retrying",
            uncertain=True,
        )
