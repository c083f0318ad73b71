"""Store: upsert (dedup, never downgrade), threads, contact summaries, read state, drafts, cursors."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from store_helpers import ACCOUNT, CUSTOMER, T0, FakeClock, inbound, minutes, new_id, outbound, summary_rows

from smschat.domain.model import DeliveryStatus, Direction, Status
from smschat.store import Store

KEY = ("19998881234", "12435678910")


@pytest.fixture
def store():
    s = Store.open(":memory:", clock=FakeClock(T0 + minutes(60)))
    yield s
    s.close()


def test_upsert_returns_changed_keys_normalised(store):
    changed = store.upsert_messages([inbound(customer="(999) 888-1234", account="2435678910")])
    assert changed == {KEY}


def test_upsert_dedups_by_id_within_and_across_calls(store):
    m = inbound("one")
    assert store.upsert_messages([m, m, m]) == {KEY}
    assert store.upsert_messages([m]) == set()  # nothing new: nothing reported
    assert store.thread_count(CUSTOMER, ACCOUNT) == 1
    assert store.contacts([ACCOUNT])[0].total == 1


def test_stale_list_result_never_downgrades_delivery(store):
    sent = outbound(status=Status.SENT)
    store.upsert_messages([sent])
    store.upsert_messages([replace(sent, delivery=DeliveryStatus.DELIVERED)])
    # a later `messages` listing knows no delivery and may still say queued
    assert store.upsert_messages([replace(sent, status=Status.QUEUED)]) == set()
    got = store.get_message(sent.id)
    assert got.status is Status.SENT and got.delivery is DeliveryStatus.DELIVERED


def test_failure_with_error_is_final(store):
    m = outbound(status=Status.QUEUED)
    store.upsert_messages([replace(m, status=Status.FAILURE, error="Invalid to number")])
    store.upsert_messages([replace(m, status=Status.SENT)])
    got = store.get_message(m.id)
    assert got.status is Status.FAILURE and got.error == "Invalid to number"


def test_empty_fields_do_not_erase_known_ones(store):
    m = outbound(parts=("a" * 32, "b" * 32), id="a" * 32)
    store.upsert_messages([replace(m, result_url="http://cb")])
    store.upsert_messages([replace(m, parts=(), result_url="", status=Status.SENT)])
    got = store.get_message(m.id)
    assert got.parts == ("a" * 32, "b" * 32) and got.result_url == "http://cb"


def test_unconfirmed_can_become_delivered_but_not_unknown(store):
    m = outbound(delivery=DeliveryStatus.UNCONFIRMED)
    store.upsert_messages([m])
    assert store.upsert_messages([replace(m, delivery=DeliveryStatus.UNKNOWN)]) == set()
    assert store.upsert_messages([replace(m, delivery=DeliveryStatus.DELIVERED)]) == {KEY}
    assert store.get_message(m.id).delivery is DeliveryStatus.DELIVERED


def test_roundtrip_keeps_every_field(store):
    m = replace(outbound(parts=("x" * 32, "y" * 32), error="e"), responded_at=T0 + minutes(1), result_url="u")
    store.upsert_messages([m])
    assert store.get_message(m.id) == m
    assert store.get_message("nope") is None


def test_thread_oldest_to_newest_with_keyset_paging(store):
    msgs = [inbound(f"m{i}", at=T0 + minutes(i)) for i in range(10)]
    random.Random(1).shuffle(msgs)
    store.upsert_messages(msgs)
    page = store.thread(CUSTOMER, ACCOUNT, limit=4)
    assert [m.body for m in page] == ["m6", "m7", "m8", "m9"]
    older = store.thread(CUSTOMER, ACCOUNT, before=(page[0].timestamp, page[0].id), limit=4)
    assert [m.body for m in older] == ["m2", "m3", "m4", "m5"]
    rest = store.thread(CUSTOMER, ACCOUNT, before=(older[0].timestamp, older[0].id), limit=4)
    assert [m.body for m in rest] == ["m0", "m1"]


def test_thread_paging_splits_same_second_by_id(store):
    same = [inbound(f"s{i}", id=f"{i:032x}") for i in range(5)]
    store.upsert_messages(same)
    first = store.thread(CUSTOMER, ACCOUNT, limit=2)
    second = store.thread(CUSTOMER, ACCOUNT, before=(first[0].timestamp, first[0].id), limit=10)
    assert [m.body for m in second + first] == ["s0", "s1", "s2", "s3", "s4"]


def test_thread_accepts_any_number_format(store):
    store.upsert_messages([inbound()])
    assert len(store.thread("+1 999 888 1234", "(243) 567-8910")) == 1
    assert store.thread_count("9998881234", "12435678910") == 1


def test_contacts_newest_first_with_counts(store):
    a, b = "15550000001", "15550000002"
    store.upsert_messages([inbound("a1", customer=a, at=T0), outbound("a2", customer=a, at=T0 + minutes(5))])
    store.upsert_messages([inbound("b1", customer=b, at=T0 + minutes(3))])
    store.upsert_messages([outbound("fail", customer=b, at=T0 + minutes(1), status=Status.FAILURE)])
    got = store.contacts([ACCOUNT])
    assert [c.customer for c in got] == [a, b]
    assert got[0].last_message.body == "a2" and not got[0].waiting
    assert (got[1].total, got[1].inbound, got[1].outbound, got[1].failed) == (2, 1, 1, 1)
    assert got[1].last_message.body == "b1" and got[1].waiting


def test_contacts_filters_by_account(store):
    store.upsert_messages([inbound(account="2435678910"), inbound(account="3105550000", customer="15551112222")])
    assert [c.account for c in store.contacts(["2435678910"])] == ["12435678910"]
    assert len(store.contacts(["2435678910", "13105550000"])) == 2
    assert len(store.contacts([])) == 2  # no filter


def test_contacts_search_number_and_body(store):
    store.upsert_messages([inbound("Where is my order?", customer="15551112222")])
    store.upsert_messages([inbound("thanks 100%", customer="15553334444")])
    assert [c.customer for c in store.contacts([ACCOUNT], search="111-2222")] == ["15551112222"]
    assert [c.customer for c in store.contacts([ACCOUNT], search="ORDER")] == ["15551112222"]
    assert [c.customer for c in store.contacts([ACCOUNT], search="100%")] == ["15553334444"]
    assert store.contacts([ACCOUNT], search="_") == []  # LIKE wildcards are literal
    assert store.contacts([ACCOUNT], search="zzz") == []


def test_unread_counts_and_mark_read(store):
    store.upsert_messages([inbound("1", at=T0), inbound("2", at=T0 + minutes(1)), outbound(at=T0 + minutes(2))])
    assert store.contacts([ACCOUNT])[0].unread == 2
    store.mark_read(CUSTOMER, ACCOUNT)
    assert store.contacts([ACCOUNT])[0].unread == 0
    store.upsert_messages([inbound("old, loaded later", at=T0 - minutes(30))])
    assert store.contacts([ACCOUNT])[0].unread == 0  # older than what was read
    store.upsert_messages([inbound("new", at=T0 + minutes(10))])
    assert store.contacts([ACCOUNT])[0].unread == 1


def test_mark_all_read(store):
    store.upsert_messages([inbound(customer=f"1555000000{i}") for i in range(3)])
    store.mark_all_read()
    assert [c.unread for c in store.contacts([])] == [0, 0, 0]


def test_summary_maintained_incrementally_matches_full_rebuild(store):
    rng = random.Random(7)
    customers = [f"1555000{i:04d}" for i in range(15)]
    known = []
    for round_ in range(20):
        batch = []
        for _ in range(rng.randint(1, 30)):
            customer = rng.choice(customers)
            at = T0 + minutes(rng.randint(-500, 500))
            kind = rng.random()
            if kind < 0.4:
                batch.append(inbound(customer=customer, at=at))
            elif kind < 0.8:
                batch.append(outbound(customer=customer, at=at, status=rng.choice(list(Status)[:2])))
            elif known:
                old = rng.choice(known)
                if old.direction is Direction.OUTBOUND:
                    batch.append(replace(old, status=Status.FAILURE, error="x"))
                    batch.append(replace(old, delivery=DeliveryStatus.UNDELIVERED))
        known += batch
        store.upsert_messages(batch)
        if round_ % 5 == 2:
            store.mark_read(rng.choice(customers), ACCOUNT)
    kept, rebuilt = summary_rows(store)
    assert kept == rebuilt
    assert sum(c.total for c in store.contacts([])) == len({m.id for m in known})


def test_drafts(store):
    assert store.get_draft(CUSTOMER, ACCOUNT) == ""
    store.set_draft(CUSTOMER, ACCOUNT, "half a thought")
    assert store.get_draft("9998881234", "12435678910") == "half a thought"
    store.set_draft(CUSTOMER, ACCOUNT, "changed")
    assert store.drafts() == {KEY: "changed"}
    store.set_draft(CUSTOMER, ACCOUNT, "  ")
    assert store.get_draft(CUSTOMER, ACCOUNT) == ""


def test_cursors(store):
    assert store.get_cursor("messages") is None
    store.set_cursor("messages", "1700000000")
    store.set_cursor("messages", "1700000100")
    assert store.get_cursor("messages") == "1700000100"
    store.delete_cursor("messages")
    assert store.get_cursor("messages") is None


def test_file_store_reopens_with_data(tmp_path):
    path = tmp_path / "sub" / "work.sqlite3"
    with Store.open(path) as s:
        s.upsert_messages([inbound("persisted")])
        s.set_draft(CUSTOMER, ACCOUNT, "d")
    with Store.open(path) as s:
        assert [m.body for m in s.thread(CUSTOMER, ACCOUNT)] == ["persisted"]
        assert s.get_draft(CUSTOMER, ACCOUNT) == "d"
        mode = s._conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        assert s._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert s._conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_closed_store_refuses(tmp_path):
    s = Store.open(tmp_path / "x.sqlite3")
    s.close()
    with pytest.raises(RuntimeError):
        s.contacts([])


def test_new_ids_distinct():
    assert new_id() != new_id()
