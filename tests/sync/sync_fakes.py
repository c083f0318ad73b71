"""An in-memory `Provider` for logic tests that need exact control (errors on cue, requests held
in flight, cancellation). Behaviour that crosses the wire is tested against the simulator."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from smschat.domain.model import DeliveryStatus, Direction, Message, MessagePage, Status
from smschat.domain.numbers import normalize
from smschat.providers.base import ListQuery, Provider, SendRequest

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ACCOUNT = "16175550100"
_ids = itertools.count(1)


def record(customer: str, *, inbound: bool = True, at: datetime = T0, body: str = "x") -> Message:
    i = next(_ids)
    c, a = normalize(customer), ACCOUNT
    return Message(
        id=f"{i:032x}",
        to_number=a if inbound else c,
        from_number=c if inbound else a,
        body=body,
        direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
        status=Status.RECEIVED if inbound else Status.SENT,
        requested_at=at,
    )


@dataclass
class FakeProvider(Provider):
    messages: list[Message] = field(default_factory=list)
    #: called before answering; may raise or await. (method name, argument) -> None
    hook: Callable[[str, object], object] | None = None
    calls: list[tuple[str, object]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    delivery: DeliveryStatus = DeliveryStatus.DELIVERED
    name: str = "fake"

    async def _enter(self, method: str, arg: object) -> None:
        self.calls.append((method, arg))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)  # let other tasks start: concurrency shows up
            if self.hook is not None:
                result = self.hook(method, arg)
                if asyncio.iscoroutine(result):
                    await result
        finally:
            self.in_flight -= 1

    def count(self, method: str) -> int:
        return sum(1 for m, _ in self.calls if m == method)

    async def list_messages(self, query: ListQuery) -> MessagePage:
        await self._enter("list_messages", query)
        items = sorted(self.messages, key=lambda m: (m.requested_at, m.id), reverse=query.order != "asc")
        if query.start is not None:
            items = [m for m in items if m.requested_at >= query.start]
        if query.end is not None:
            items = [m for m in items if m.requested_at <= query.end]
        if query.msg_type in ("inbound", "outbound"):
            items = [m for m in items if m.direction.value == query.msg_type]
        if query.phone_number:
            items = [m for m in items if m.customer_number() == normalize(query.phone_number)]
        page = items[query.offset : query.offset + query.limit]
        return MessagePage(tuple(page), query.offset, query.limit, len(items))

    async def conversation(self, number1, number2, *, offset=0, limit=50, order="desc", start=None, end=None):  # type: ignore[no-untyped-def]
        await self._enter("conversation", (number1, number2))
        pair = {normalize(number1), normalize(number2)}
        items = [m for m in self.messages if {m.customer_number(), m.account_number()} == pair]
        items.sort(key=lambda m: (m.requested_at, m.id), reverse=order != "asc")
        if end is not None:
            items = [m for m in items if m.requested_at <= end]
        return MessagePage(tuple(items[offset : offset + limit]), offset, limit, len(items))

    async def queue(self, request: SendRequest) -> tuple[Message, ...]:
        await self._enter("queue", request)
        msg = Message(
            id=f"{next(_ids):032x}", to_number=request.to, from_number=request.from_number, body=request.body,
            direction=Direction.OUTBOUND, status=Status.QUEUED, requested_at=T0,
        )  # fmt: skip
        self.messages.append(msg)
        return (replace(msg, parts=(msg.id,)),)

    async def status(self, message_id: str) -> Message:
        await self._enter("status", message_id)
        found = next(m for m in self.messages if m.id == message_id)
        return replace(found, status=Status.SENT, delivery=self.delivery)

    async def aclose(self) -> None:
        pass


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
