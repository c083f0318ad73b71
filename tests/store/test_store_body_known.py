"""Records whose text the client never saw (Plivo lists carry none): stored honestly, never
overwriting a known text, upgraded when the text arrives; MMS media kept; the v2 -> v3 migration."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from store_helpers import ACCOUNT, CUSTOMER, T0, inbound, minutes, new_id, outbound

from smschat.domain.model import DeliveryStatus, Status
from smschat.domain.thread import TEXT_UNKNOWN, thread_items
from smschat.store import CURRENT_VERSION, Store
from smschat.store.codec import merge
from smschat.store.schema import migrate, user_version


def unknown(msg):
    return replace(msg, body="", body_known=False)


def test_an_unknown_text_is_stored_as_unknown():
    with Store.open(":memory:") as s:
        record = unknown(inbound("ignored"))
        s.upsert_messages([record])
        got = s.get_message(record.id)
        assert got.body == "" and got.body_known is False
        assert [i.body_known for i in s.thread_items(CUSTOMER, ACCOUNT)] == [False]


def test_a_list_record_without_text_never_overwrites_the_text_the_client_sent():
    with Store.open(":memory:") as s:
        sent = outbound("Your bike is ready", status=Status.QUEUED)
        s.upsert_messages([sent])
        later = unknown(replace(sent, status=Status.SENT, delivery=DeliveryStatus.DELIVERED))
        assert s.upsert_messages([later])  # the status changed ...
        got = s.get_message(sent.id)
        assert got.body == "Your bike is ready" and got.body_known  # ... the text stayed
        assert got.delivery is DeliveryStatus.DELIVERED


def test_a_list_record_without_text_never_overwrites_the_text_the_receiver_stored():
    with Store.open(":memory:") as s:
        got_by_webhook = inbound("Is my bike ready?")
        s.upsert_messages([got_by_webhook])
        assert s.upsert_messages([unknown(got_by_webhook)]) == set()  # nothing changed at all
        assert s.get_message(got_by_webhook.id).body == "Is my bike ready?"


def test_the_text_arriving_after_the_record_fills_it_in():
    with Store.open(":memory:") as s:
        record = unknown(inbound("x"))
        s.upsert_messages([record])
        s.upsert_messages([replace(record, body="late text", body_known=True)])
        got = s.get_message(record.id)
        assert (got.body, got.body_known) == ("late text", True)


def test_both_in_one_batch_keep_the_known_text_whatever_the_order():
    a = inbound("known")
    for batch in ([a, unknown(a)], [unknown(a), a]):
        with Store.open(":memory:") as s:
            s.upsert_messages(batch)
            assert s.get_message(a.id).body == "known"
            assert s.get_message(a.id).body_known


def test_merge_rules():
    known, blank = inbound("text"), unknown(inbound("text"))
    assert merge(known, blank).body == "text" and merge(known, blank).body_known
    assert merge(blank, known).body == "text"
    assert merge(blank, blank).body_known is False and merge(blank, blank).body == ""
    assert merge(known, replace(known, body="")).body == "text"  # Plum: an empty body keeps the stored one


def test_media_is_kept_and_merged():
    with Store.open(":memory:") as s:
        mms = outbound("look", status=Status.QUEUED)
        mms = replace(mms, media=("https://cdn.example/a.jpg", "https://cdn.example/b.png"))
        s.upsert_messages([mms])
        s.upsert_messages([unknown(replace(mms, media=(), status=Status.SENT))])
        got = s.get_message(mms.id)
        assert got.media == ("https://cdn.example/a.jpg", "https://cdn.example/b.png") and got.body == "look"
        assert s.thread_items(CUSTOMER, ACCOUNT)[0].media == got.media


def test_outbox_keeps_mms_media_through_failure_and_retry():
    with Store.open(":memory:") as s:
        local = s.outbox_add(CUSTOMER, ACCOUNT, "pic", media=["https://cdn.example/a.jpg"])
        assert s.get_message(local).media == ("https://cdn.example/a.jpg",)
        assert s.outbox_entry(local).media == ("https://cdn.example/a.jpg",)
        s.outbox_failed(local, "network down")
        assert s.outbox_retry(local).media == ("https://cdn.example/a.jpg",)
        assert s.outbox_entry(local).media == ("https://cdn.example/a.jpg",)


def test_a_multipart_send_with_text_on_the_first_record_shows_whole():
    ids = (new_id(), new_id())
    first = outbound("the whole text", parts=ids, id=ids[0])
    second = outbound("", parts=ids, id=ids[1], at=T0 + minutes(0))
    items = thread_items([first, second])
    assert len(items) == 1 and items[0].body == "the whole text" and items[0].body_known
    blank = thread_items([unknown(first), unknown(second)])
    assert blank[0].body_known is False


def test_text_unknown_wording():
    assert TEXT_UNKNOWN == "(text not available: sent from another tool or received while no receiver ran)"


def _v2_database(path):
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=2)
    assert user_version(conn) == 2
    row = ("a" * 32, CUSTOMER, "12435678910", "inbound", "received", "unknown", 100, 100, 100,
           ACCOUNT, CUSTOMER, "kept text", "", "[]", "", 0, 100)  # fmt: skip
    conn.execute("INSERT INTO messages (id, customer, account, direction, status, delivery, ts, requested_at, "
                 "responded_at, to_number, from_number, body, result_url, parts, error, local, first_seen) "
                 "VALUES (" + ", ".join("?" * 17) + ")", row)
    conn.execute("INSERT INTO outbox (local_id, to_number, from_number, body, created_at, state, updated_at) "
                 "VALUES ('local:1', ?, ?, 'queued text', 5, 'failed', 5)", (CUSTOMER, ACCOUNT))
    conn.execute("INSERT INTO conversations (customer, account, total, inbound, last_ts, last_id) "
                 "VALUES (?, '12435678910', 1, 1, 100, ?)", (CUSTOMER, "a" * 32))
    conn.close()


def test_v2_to_v3_keeps_the_data_and_marks_every_old_text_known(tmp_path):
    path = tmp_path / "v2.sqlite3"
    _v2_database(path)
    with Store.open(path) as s:
        assert s.schema_version == CURRENT_VERSION >= 3
        old = s.get_message("a" * 32)
        assert (old.body, old.body_known, old.media) == ("kept text", True, ())
        assert s.outbox_entry("local:1").media == () and s.outbox_entry("local:1").body == "queued text"
        assert s.contacts([ACCOUNT])[0].last_message.body == "kept text"
        s.upsert_messages([unknown(old)])
        assert s.get_message("a" * 32).body == "kept text"
