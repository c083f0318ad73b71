"""Walk every page of a listing with offset paging, for any `Provider`.

Plum pages hold 50..1000 messages; `total` says how many match. A server whose `total` lies or
whose pages repeat must neither loop forever nor lose messages: paging stops at the first empty
page, at the first page that adds no id not seen before, or once `offset` reaches `total` with a
page shorter than asked. A full page that reaches `total` costs one more request (which is
empty when `total` was right), so a `total` that is too low loses nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from smschat.domain.model import Message, MessagePage
from smschat.providers.base import ListQuery, Provider

Fetch = Callable[[int, int], Awaitable[MessagePage]]


def clamp_limit(provider: Provider, limit: int) -> int:
    """`limit` pulled into the provider's page-size bounds."""
    return max(provider.min_limit, min(provider.max_limit, int(limit)))


async def iter_pages(fetch: Fetch, *, offset: int = 0, page_size: int) -> AsyncIterator[MessagePage]:
    """Yield pages from `fetch(offset, limit)` until the listing is exhausted (see module doc)."""
    seen: set[str] = set()
    while True:
        page = await fetch(offset, page_size)
        new = {message.id for message in page.messages} - seen
        if not page.messages or not new:
            return
        seen |= new
        yield page
        offset += len(page.messages)  # not + limit: a server may serve fewer than asked
        if offset >= page.total and len(page.messages) < page_size:
            return  # `total` and a short page agree: that was the end
        # else go on: a full page past `total` means `total` may be stale; an empty page ends it


async def iter_message_pages(provider: Provider, query: ListQuery, *, page_size: int = 1000) -> AsyncIterator[MessagePage]:
    """Every page of `list_messages(query)` from `query.offset` on, `page_size` at a time (clamped)."""
    size = clamp_limit(provider, page_size)

    async def fetch(offset: int, limit: int) -> MessagePage:
        return await provider.list_messages(replace(query, offset=offset, limit=limit))

    async for page in iter_pages(fetch, offset=query.offset, page_size=size):
        yield page


async def iter_messages(provider: Provider, query: ListQuery, *, page_size: int = 1000) -> AsyncIterator[Message]:
    """Every message matching `query` (from `query.offset` on), each id once."""
    seen: set[str] = set()
    async for page in iter_message_pages(provider, query, page_size=page_size):
        for message in page.messages:
            if message.id not in seen:
                seen.add(message.id)
                yield message


async def iter_conversation(
    provider: Provider,
    number1: str,
    number2: str,
    *,
    order: str = "desc",
    start: datetime | None = None,
    end: datetime | None = None,
    page_size: int = 1000,
) -> AsyncIterator[Message]:
    """Every message between two numbers, each id once."""
    size = clamp_limit(provider, page_size)

    async def fetch(offset: int, limit: int) -> MessagePage:
        return await provider.conversation(number1, number2, offset=offset, limit=limit, order=order, start=start, end=end)

    seen: set[str] = set()
    async for page in iter_pages(fetch, page_size=size):
        for message in page.messages:
            if message.id not in seen:
                seen.add(message.id)
                yield message
