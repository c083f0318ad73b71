"""Store arrivals: the inbound texts stored since a mark, for notifications (once each, history never)."""

from __future__ import annotations

import pytest
from store_helpers import ACCOUNT, CUSTOMER, T0, FakeClock, inbound, minutes, outbound

from smschat.domain.notify import InboundMark
from smschat.domain.numbers import normalize
from smschat.store import Store

OTHER = "19998880000"
KEY = (normalize(CUSTOMER), normalize(ACCOUNT))


@pytest.fixture
def store():
    s = Store.open(":memory:", clock=FakeClock(T0))
    yield s
    s.close()


def test_an_empty_store_has_nothing_and_an_empty_mark(store):
    mark = store.inbound_mark()
    assert mark == InboundMark(0, 0)
    assert store.inbound_since(mark) == (mark, [])


def test_texts_stored_after_the_mark_are_reported_once(store):
    store.upsert_messages([inbound("old", at=T0), outbound("answer", at=T0 + minutes(1))])
    mark = store.inbound_mark()
    assert mark.ts == int((T0 + minutes(1)).timestamp())  # the newest record, either direction
    assert store.inbound_since(mark)[1] == []  # the history is seen

    first = inbound("are you open?", at=T0 + minutes(5))
    second = inbound("hello?", at=T0 + minutes(6))
    store.upsert_messages([first, second])
    mark, groups = store.inbound_since(mark)
    assert [(g.key, g.count, g.last_id) for g in groups] == [(KEY, 2, second.id)]

    store.upsert_messages([first, second])  # seen again (a refresh, a duplicate webhook): not new
    assert store.inbound_since(mark)[1] == []


def test_older_history_stored_later_is_not_new_but_is_passed(store):
    store.upsert_messages([inbound("newest", at=T0)])
    mark = store.inbound_mark()
    store.upsert_messages([inbound("an older page", at=T0 - minutes(60)), outbound("sent later", at=T0 + minutes(1))])
    mark, groups = store.inbound_since(mark)
    assert groups == []
    fresh = inbound("new one", at=T0 + minutes(2))
    store.upsert_messages([fresh])
    assert [g.last_id for g in store.inbound_since(mark)[1]] == [fresh.id]


def test_a_burst_is_grouped_by_conversation_newest_first(store):
    mark = store.inbound_mark()
    customers = [f"1999888{n:04d}" for n in range(12)]
    texts = [inbound(f"text {i}", customer=customers[i % 12], at=T0 + minutes(i)) for i in range(30)]
    store.upsert_messages(texts)
    _mark, groups = store.inbound_since(mark)
    assert len(groups) == 12 and sum(g.count for g in groups) == 30
    assert groups[0].last_id == texts[-1].id
    rowids = [g.last_rowid for g in groups]
    assert rowids == sorted(rowids, reverse=True)


def test_outbound_texts_and_outbox_rows_are_never_reported(store):
    mark = store.inbound_mark()
    local_id = store.outbox_add(CUSTOMER, ACCOUNT, "on my way")
    store.upsert_messages([outbound("sent from another client", at=T0 + minutes(3))])
    mark, groups = store.inbound_since(mark)
    assert groups == []
    # the acknowledged send replaces the outbox row (deleted, so its rowid may come back): a text
    # stored after that is still new
    store.outbox_sent(local_id, [outbound("on my way", at=T0 + minutes(4))])
    fresh = inbound("thanks", at=T0 + minutes(5))
    store.upsert_messages([fresh])
    assert [g.last_id for g in store.inbound_since(mark)[1]] == [fresh.id]


def test_texts_written_by_another_process_are_reported(tmp_path):
    path = tmp_path / "store.sqlite3"
    ui, receiver = Store.open(path), Store.open(path)
    try:
        ui.upsert_messages([inbound("history", at=T0)])
        mark = ui.inbound_mark()
        posted = inbound("via the webhook", customer=OTHER, at=T0 + minutes(1))
        receiver.upsert_messages([posted])
        mark, groups = ui.inbound_since(mark)
        assert [(g.key, g.count, g.last_id) for g in groups] == [((OTHER, normalize(ACCOUNT)), 1, posted.id)]
        assert ui.inbound_since(mark)[1] == []
    finally:
        ui.close()
        receiver.close()


def test_an_outbox_row_on_this_machines_clock_does_not_hide_texts():
    clock = FakeClock(T0 + minutes(60))  # this machine's clock is an hour ahead of the provider's
    store = Store.open(":memory:", clock=clock)
    try:
        store.upsert_messages([inbound("history", at=T0)])
        store.outbox_add(CUSTOMER, ACCOUNT, "not acknowledged yet")  # the conversation's newest row
        mark = store.inbound_mark()
        assert mark.ts == int(T0.timestamp())
        fresh = inbound("a text a few minutes later", at=T0 + minutes(5))
        store.upsert_messages([fresh])
        assert [g.last_id for g in store.inbound_since(mark)[1]] == [fresh.id]
    finally:
        store.close()
