"""Paging through every result with offset and `total`, and surviving servers that lie about either."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from plum_samples import page, record, to_json

from smschat.domain.model import Direction, Message, MessagePage, Status
from smschat.providers.base import ListQuery, Provider
from smschat.providers.paging import clamp_limit, iter_conversation, iter_message_pages, iter_messages


def _msg(n: int) -> Message:
    return Message(
        id=f"id{n:05d}",
        to_number="19998881234",
        from_number="2435678910",
        body=str(n),
        direction=Direction.OUTBOUND,
        status=Status.SENT,
        requested_at=datetime.fromtimestamp(1_700_000_000 + n, tz=UTC),
    )


class FakeProvider(Provider):
    """In-memory listing; `lie` changes what `total` says, `serve` caps the page size actually served."""

    def __init__(self, count: int, *, total: int | None = None, serve: int | None = None, repeat_from: int | None = None):
        self.messages = [_msg(n) for n in range(count)]
        self.total = count if total is None else total
        self.serve = serve
        self.repeat_from = repeat_from
        self.calls: list[tuple[int, int]] = []

    def _page(self, offset: int, limit: int) -> MessagePage:
        self.calls.append((offset, limit))
        if len(self.calls) > 50:
            raise AssertionError("pager does not stop")
        if self.repeat_from is not None and offset >= self.repeat_from:
            offset = 0  # a broken server that serves the first page again
        size = min(limit, self.serve or limit)
        return MessagePage(tuple(self.messages[offset : offset + size]), offset, limit, self.total)

    async def list_messages(self, query: ListQuery) -> MessagePage:
        assert self.min_limit <= query.limit <= self.max_limit
        return self._page(query.offset, query.limit)

    async def conversation(self, number1, number2, *, offset=0, limit=50, order="desc", start=None, end=None):
        return self._page(offset, limit)

    async def queue(self, request):  # pragma: no cover - not used
        raise NotImplementedError

    async def status(self, message_id):  # pragma: no cover - not used
        raise NotImplementedError

    async def aclose(self) -> None:
        pass


async def _ids(provider, **kwargs) -> list[str]:
    return [m.id async for m in iter_messages(provider, ListQuery(), **kwargs)]


async def test_pages_through_everything():
    fake = FakeProvider(2345)
    assert await _ids(fake) == [m.id for m in fake.messages]
    assert fake.calls == [(0, 1000), (1000, 1000), (2000, 1000)]


async def test_short_last_page_at_total_stops_without_another_request():
    fake = FakeProvider(120)
    assert len(await _ids(fake, page_size=50)) == 120
    assert fake.calls == [(0, 50), (50, 50), (100, 50)]


async def test_full_page_at_total_checks_once_more():
    fake = FakeProvider(100)
    assert len(await _ids(fake, page_size=50)) == 100
    assert fake.calls == [(0, 50), (50, 50), (100, 50)]


async def test_page_size_is_clamped_to_the_provider_bounds():
    fake = FakeProvider(120)
    assert len(await _ids(fake, page_size=10)) == 120
    assert fake.calls[0] == (0, 50)
    assert clamp_limit(fake, 5000) == 1000 and clamp_limit(fake, 1) == 50


async def test_total_too_high_stops_at_empty_page():
    fake = FakeProvider(120, total=10_000)
    assert len(await _ids(fake, page_size=50)) == 120
    assert fake.calls[-1] == (120, 50)


async def test_total_too_low_loses_nothing():
    fake = FakeProvider(300, total=100)
    assert await _ids(fake, page_size=50) == [m.id for m in fake.messages]
    assert fake.calls[-1] == (300, 50)


async def test_repeating_pages_stop():
    fake = FakeProvider(500, total=500, repeat_from=100)
    assert len(await _ids(fake, page_size=50)) == 100
    assert len(fake.calls) == 3


async def test_short_pages_advance_by_what_was_served():
    fake = FakeProvider(230, serve=40)
    assert await _ids(fake, page_size=100) == [m.id for m in fake.messages]
    assert [offset for offset, _ in fake.calls] == [0, 40, 80, 120, 160, 200]


async def test_starts_at_the_query_offset_and_reports_pages():
    fake = FakeProvider(300)
    pages = [p async for p in iter_message_pages(fake, ListQuery(offset=100), page_size=50)]
    assert [p.offset for p in pages] == [100, 150, 200, 250]
    assert pages[0].messages[0].id == "id00100"


async def test_iter_conversation():
    fake = FakeProvider(130)
    got = [m.id async for m in iter_conversation(fake, "2435678910", "9998881234", page_size=50)]
    assert len(got) == 130 and len(set(got)) == 130


async def test_overlapping_pages_yield_each_id_once():
    fake = FakeProvider(200, serve=50)
    original = fake._page

    def overlapping(offset: int, limit: int) -> MessagePage:  # new arrivals push old ones down by 10
        return original(max(0, offset - 10), limit)

    fake._page = overlapping  # type: ignore[method-assign]
    got = await _ids(fake, page_size=50)
    assert len(got) == len(set(got)) and got[0] == "id00000"


@pytest.mark.parametrize("fmt", ["json"])
async def test_over_real_http_with_a_lying_total(canned, make_plum, fmt):
    from plum_canned import Reply

    first = [record(f"h{n:03d}") for n in range(50)]
    second = [record(f"h{n:03d}") for n in range(50, 70)]
    canned.set(
        "messages.json",
        [Reply(to_json(page(first, total=999))), Reply(to_json(page(second, offset=50, total=999))), Reply(to_json(page([], offset=70, total=999)))],
    )
    got = [m.id async for m in iter_messages(make_plum(fmt), ListQuery(msg_type="all"), page_size=50)]
    assert got == [f"h{n:03d}" for n in range(70)]
    assert [r.query["offset"] for r in canned.requests] == ["0", "50", "70"]
    assert all(r.query["msg_type"] == "all" for r in canned.requests)
