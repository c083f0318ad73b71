"""Store paths the UI uses at scale: who wrote (foreign_writes), no-op reads that must not write,
a first screenful of contacts, and the fast row decoder."""

from __future__ import annotations

from store_helpers import ACCOUNT, CUSTOMER, T0, inbound, minutes, outbound

from smschat.domain.model import DeliveryStatus, Status
from smschat.store import Store
from smschat.store.codec import decode, encode


def pair(tmp_path):
    path = tmp_path / "w.sqlite3"
    return Store.open(path), Store.open(path)


def test_foreign_writes_sees_other_stores_but_not_itself_or_known_writers(tmp_path):
    ui, engine = pair(tmp_path)
    receiver = Store.open(tmp_path / "w.sqlite3")  # as another process would
    token = ui.foreign_writes(engine.writer_id)
    ui.set_draft(CUSTOMER, ACCOUNT, "own write")
    engine.upsert_messages([inbound("from the sync engine")])
    assert ui.foreign_writes(engine.writer_id) == token
    receiver.upsert_messages([inbound("from the webhook", at=T0 + minutes(1))])
    changed = ui.foreign_writes(engine.writer_id)
    assert changed != token
    assert ui.foreign_writes(engine.writer_id) == changed  # stable until the next foreign write
    assert ui.foreign_writes() != token  # the engine counts as foreign when not named
    for store in (ui, engine, receiver):
        store.close()


def test_a_write_transaction_that_changes_nothing_is_not_a_write(tmp_path):
    ui, other = pair(tmp_path)
    record = inbound("x")
    other.upsert_messages([record])
    token, version = ui.foreign_writes(), ui.data_version()
    other.upsert_messages([record])  # the same record again: no row changes
    other.expire_polls(T0)
    assert ui.foreign_writes() == token and ui.data_version() == version
    ui.close()
    other.close()


def test_unchanged_draft_and_read_conversation_write_nothing(tmp_path):
    ui, engine = pair(tmp_path)
    engine.upsert_messages([inbound("1"), inbound("2", at=T0 + minutes(1)), outbound(at=T0 + minutes(2))])
    ui.set_draft(CUSTOMER, ACCOUNT, "draft")
    ui.mark_read(CUSTOMER, ACCOUNT)
    assert ui.contacts([ACCOUNT])[0].unread == 0
    version = engine.data_version()
    ui.set_draft(CUSTOMER, ACCOUNT, "draft")  # what it is already
    ui.mark_read(CUSTOMER, ACCOUNT)  # read up to the newest already
    ui.set_draft("15550009999", ACCOUNT, "   ")  # blank where there is no draft
    assert engine.data_version() == version
    engine.upsert_messages([inbound("3", at=T0 + minutes(3))])
    assert ui.contacts([ACCOUNT])[0].unread == 1
    ui.mark_read(CUSTOMER, ACCOUNT)  # something to mark: written
    assert ui.contacts([ACCOUNT])[0].unread == 0 and engine.data_version() != version
    ui.set_draft(CUSTOMER, ACCOUNT, "")
    assert ui.get_draft(CUSTOMER, ACCOUNT) == ""
    ui.close()
    engine.close()


def test_mark_read_still_marks_a_conversation_with_an_outbound_tail(tmp_path):
    # read_upto behind the newest message (an outbound one) while nothing is unread: marking
    # moves it, so an older inbound record loaded later does not count as unread
    store = Store.open(tmp_path / "r.sqlite3")
    store.upsert_messages([inbound("1", at=T0)])
    store.mark_read(CUSTOMER, ACCOUNT)
    store.upsert_messages([outbound(at=T0 + minutes(5))])
    store.mark_read(CUSTOMER, ACCOUNT)
    store.upsert_messages([inbound("late", at=T0 + minutes(2))])
    assert store.contacts([ACCOUNT])[0].unread == 0
    store.close()


def test_contacts_limit_is_the_head_of_the_full_list(tmp_path):
    store = Store.open(tmp_path / "c.sqlite3")
    store.upsert_messages([inbound(customer=f"1555000{i:04d}", at=T0 + minutes(i)) for i in range(30)])
    full = store.contacts([ACCOUNT])
    assert [c.key for c in store.contacts([ACCOUNT], limit=7)] == [c.key for c in full[:7]]
    assert store.contacts([ACCOUNT], limit=0) == []
    store.close()


def test_decode_round_trips_every_status_and_delivery():
    for status in Status:
        for delivery in DeliveryStatus:
            msg = outbound(status=status, delivery=delivery)
            row = encode(msg, first_seen=1)
            assert decode(row) == msg
    msg = inbound("hi")
    assert decode(encode(msg, first_seen=1)) == msg


def test_contacts_for_and_contact_keys_match_contacts(tmp_path):
    store = Store.open(tmp_path / "k.sqlite3")
    other = "3105550000"
    store.upsert_messages([inbound(customer=f"1555000{i:04d}", at=T0 + minutes(i)) for i in range(12)])
    store.upsert_messages([inbound(customer="15559990000", account=other, at=T0 + minutes(30))])
    full = store.contacts([ACCOUNT])
    assert store.contact_keys([ACCOUNT]) == [c.key for c in full]
    assert len(store.contact_keys([])) == len(full) + 1
    some = [full[7].key, full[2].key, ("15551234567", "12435678910")]  # the last has no message
    assert store.contacts_for(some) == [full[2], full[7]]
    assert store.contacts_for([]) == []
    many = [c.key for c in store.contacts([])]
    assert [c.key for c in store.contacts_for(many * 20)] == many  # chunked, deduplicated, in order
    store.close()
