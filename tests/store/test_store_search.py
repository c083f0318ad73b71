"""Store.search: bodies through the full-text index, numbers in any format, names, the cap; the index
kept in step with every write; thread windows around a message (opening a search result)."""

from __future__ import annotations

import runpy
import sqlite3
from pathlib import Path

import pytest
from store_helpers import ACCOUNT, CUSTOMER, T0, FakeClock, inbound, minutes, outbound

from smschat.domain.model import Message
from smschat.domain.sanitize import sanitize_line
from smschat.store import Store, search_index
from smschat.store.schema import migrate

_corpus = runpy.run_path(str(Path(__file__).parents[1] / "fixtures" / "hostile_bodies.py"))
HOSTILE = [h for h in _corpus["HOSTILE_BODIES"] if h.name != "lone-surrogate-escape"]  # not storable (UTF-8)

OTHER = "16175550123"


@pytest.fixture(params=["index", "scan"])
def store(request):
    """Every search test runs with the index and with the fallback scan (an SQLite without FTS5)."""
    s = Store.open(":memory:", clock=FakeClock(T0 + minutes(600)))
    if request.param == "scan":
        s._indexing = False
    yield s
    s.close()


def ids(results) -> list[str]:
    return [hit.message.id for hit in results.hits if not hit.contact_match]


def test_body_words_anywhere_case_and_accents_do_not_matter(store):
    store.upsert_messages([
        inbound("Is the Crème Brûlée still on the menu?", id="a", at=T0),
        inbound("REFUND for order 77 please", id="b", at=T0 + minutes(1)),
        inbound("nothing to see", id="c", at=T0 + minutes(2)),
    ])  # fmt: skip
    assert ids(store.search("creme brulee")) == ["a"]
    assert ids(store.search("CRÈME")) == ["a"]
    assert ids(store.search("brûlée menu")) == ["a"]  # every word, in any order
    assert ids(store.search("fund")) == ["b"]  # inside a word
    assert ids(store.search("refund menu")) == []
    assert ids(store.search("  ")) == [] and store.search("").hits == ()


def test_short_terms_are_found_too(store):
    store.upsert_messages([inbound("ok", id="a", at=T0), inbound("no", id="b", at=T0 + minutes(1))])
    assert ids(store.search("ok")) == ["a"]
    assert ids(store.search("o")) == ["b", "a"]  # newest first


def test_a_number_typed_any_way_finds_it_in_bodies(store):
    store.upsert_messages([
        inbound("call me at (617) 555-0199 after 5", id="a", at=T0),
        inbound("my other phone is 617.555.0199", id="b", at=T0 + minutes(1)),
        inbound("617 is the area code", id="c", at=T0 + minutes(2)),
    ])  # fmt: skip
    for typed in ("6175550199", "617-555-0199", "(617) 555 0199", "+1 617 555 0199"[3:], "555-0199"):
        assert sorted(ids(store.search(typed))) == ["a", "b"], typed
    assert ids(store.search("617")) == ["c", "b", "a"]


def test_a_number_finds_the_conversation_whatever_its_format(store):
    store.upsert_messages([
        inbound("hello", id="a", customer="(617) 555-0123", at=T0),
        inbound("hi", id="b", customer="2125550000", at=T0 + minutes(1)),
    ])  # fmt: skip
    for typed in ("617 555 0123", "+1 (617) 555-0123", "6175550123", "16175550123", "0123", "555-01"):
        found = store.search(typed)
        assert [(h.customer, h.contact_match) for h in found.hits] == [(OTHER, True)], typed
        assert found.hits[0].message.id == "a"  # shown by its newest message
    assert {h.customer for h in store.search("555").hits} == {OTHER, "12125550000"}


def test_names_and_notes_match_and_name_every_hit(store):
    store.upsert_messages([
        inbound("where is my bike", id="a", customer=OTHER, at=T0),
        inbound("is it ready", id="b", customer=OTHER, at=T0 + minutes(1)),
        inbound("ready?", id="c", at=T0 + minutes(2)),
    ])  # fmt: skip
    store.set_name(OTHER, "Zoë Ångström", "VIP, prefers mornings")
    found = store.search("zoe angstrom")
    assert [(h.customer, h.contact_match, h.name) for h in found.hits] == [(OTHER, True, "Zoë Ångström")]
    assert found.hits[0].message.id == "b"
    assert [h.customer for h in store.search("vip").hits] == [OTHER]
    ready = store.search("ready")
    assert [(h.message.id, h.name) for h in ready.hits] == [("c", ""), ("b", "Zoë Ångström")]


def test_accounts_limit_the_search(store):
    store.upsert_messages([
        inbound("parcel", id="a", account=ACCOUNT, at=T0),
        inbound("parcel", id="b", account="3105550000", at=T0 + minutes(1)),
    ])  # fmt: skip
    assert ids(store.search("parcel", accounts=[ACCOUNT])) == ["a"]
    assert ids(store.search("parcel", accounts=["(310) 555-0000"])) == ["b"]
    assert ids(store.search("parcel")) == ["b", "a"]


def test_the_newest_are_kept_and_the_cap_is_said(store):
    store.upsert_messages([inbound(f"tyre {i}", id=f"m{i:03d}", at=T0 + minutes(i)) for i in range(30)])
    found = store.search("tyre", limit=10)
    assert ids(found) == [f"m{i:03d}" for i in range(29, 19, -1)]
    assert found.capped
    exact = store.search("tyre", limit=30)
    assert len(ids(exact)) == 30 and not exact.capped


def test_contacts_cap(store):
    store.upsert_messages([inbound("x", customer=f"1617555{i:04d}", at=T0 + minutes(i)) for i in range(5)])
    found = store.search("1617555", contact_limit=3)
    assert [h.customer for h in found.hits if h.contact_match] == [f"1617555{i:04d}" for i in (4, 3, 2)]
    assert found.contacts_capped


@pytest.mark.parametrize("query", ['"', '""', "*", "NEAR(", "AND", "OR x", "-x", "a:b", "^", "'", "\\", "%", "_",
                                   "(", ")", "{x}", "x\x00y", "\x1b[31m", "[bold]"])  # fmt: skip
def test_query_syntax_is_never_interpreted(store, query):
    store.upsert_messages([inbound("plain text", id="a"), inbound(f"literal {query} here", id="b", at=T0 + minutes(1))])
    found = store.search(query)
    assert "b" in ids(found) and "a" not in ids(found)


def test_hostile_bodies_are_stored_indexed_and_found(store):
    store.upsert_messages([inbound(h.body, id=h.name, at=T0 + minutes(i)) for i, h in enumerate(HOSTILE)])
    for h in HOSTILE:
        words = [w for w in sanitize_line(h.body, limit=200).split() if w.isalpha() and len(w) >= 3]
        if words:
            assert h.name in ids(store.search(words[0], limit=500)), h.name
    assert "csi-sgr-red" in ids(store.search("\x1b[31mred"))
    assert "markup-click-quit" in ids(store.search("[@click=app.quit]"))
    assert "wide-fullwidth-latin" in ids(store.search("fullwidth"))  # compatibility forms fold


def test_the_index_follows_updates_and_outbox_rows():
    store = Store.open(":memory:", clock=FakeClock(T0))
    unknown = Message("p1", ACCOUNT, CUSTOMER, "", inbound().direction, inbound().status, requested_at=T0,
                      body_known=False)  # fmt: skip
    store.upsert_messages([unknown])
    assert ids(store.search("gears")) == []
    store.upsert_messages([Message("p1", ACCOUNT, CUSTOMER, "new gears", unknown.direction, unknown.status,
                                   requested_at=T0 + minutes(5))])  # text and time learnt later  # fmt: skip
    assert ids(store.search("gears")) == ["p1"]
    assert _index_rows(store) == 1
    local = store.outbox_add(CUSTOMER, ACCOUNT, "your chain is ready")
    assert ids(store.search("chain")) == [local]
    store.outbox_sent(local, [outbound("your chain is ready", id="s1", at=T0 + minutes(9))])
    assert ids(store.search("chain")) == ["s1"]
    assert _index_rows(store) == 2  # the local row left the index with the messages table
    store.outbox_failed(store.outbox_add(CUSTOMER, ACCOUNT, "brakes done"), "no credit")
    assert len(ids(store.search("brakes"))) == 1
    store.close()


def test_same_second_messages_share_nothing(monkeypatch):
    monkeypatch.setattr(search_index, "_home", lambda message_id: 7)  # every id wants the same slot
    store = Store.open(":memory:")
    store.upsert_messages([inbound(f"wheel {i}", id=f"w{i}", at=T0) for i in range(5)])
    assert sorted(ids(store.search("wheel"))) == [f"w{i}" for i in range(5)]
    local = store.outbox_add(CUSTOMER, ACCOUNT, "wheel local")
    store.outbox_sent(local, [outbound("wheel sent", id="w9", at=T0)])
    assert sorted(ids(store.search("wheel"))) == [f"w{i}" for i in range(5)] + ["w9"]
    assert _index_rows(store) == 6
    store.close()


def _index_rows(store: Store) -> int:
    with store._read() as conn:
        return conn.execute("SELECT count(*) FROM message_search").fetchone()[0]


def test_migration_indexes_an_existing_database(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=5)
    conn.close()
    store = Store.open(path)
    store._indexing = False  # written as by a build before v6 would (no index)
    store.upsert_messages([inbound("saddle bag", id="a")])
    with store._read() as c:
        c.execute("DROP TABLE message_search")
        c.execute("PRAGMA user_version = 5")
    store.close()
    again = Store.open(path)  # migrates to v6: the index is built from the stored messages
    assert again.schema_version == 6 and again._indexing
    assert ids(again.search("saddle")) == ["a"]
    again.close()


def test_writes_without_fts5_mark_the_index_stale_and_a_later_open_rebuilds_it(tmp_path, monkeypatch):
    path = tmp_path / "s.sqlite3"
    Store.open(path).close()
    monkeypatch.setattr(search_index, "usable", lambda conn: False)
    blind = Store.open(path)
    assert not blind._indexing
    blind.upsert_messages([inbound("pannier rack", id="a")])
    assert ids(blind.search("pannier")) == ["a"]  # scanned
    blind.close()
    monkeypatch.undo()
    store = Store.open(path)
    assert store._indexing and store.get_cursor(search_index.STALE_CURSOR) is None
    assert ids(store.search("pannier")) == ["a"] and _index_rows(store) == 1
    store.close()


# --------------------------------------------------------------------------- thread windows


@pytest.fixture
def long_thread():
    s = Store.open(":memory:")
    s.upsert_messages([inbound(f"m{i}", id=f"{i:05d}", at=T0 + minutes(i)) for i in range(1000)])
    yield s
    s.close()


def test_thread_around_a_message(long_thread):
    records, more = long_thread.thread_around(CUSTOMER, ACCOUNT, "00300", before=5, after=4)
    assert [r.id for r in records] == [f"{i:05d}" for i in range(295, 305)] and more
    records, more = long_thread.thread_around(CUSTOMER, ACCOUNT, "00997", before=2, after=5)
    assert [r.id for r in records] == [f"{i:05d}" for i in range(995, 1000)] and not more
    assert long_thread.thread_around(CUSTOMER, ACCOUNT, "nope") == ([], False)
    assert long_thread.thread_around("5551234567", ACCOUNT, "00300") == ([], False)  # not its conversation


def test_thread_after_and_between(long_thread):
    records, more = long_thread.thread_after(CUSTOMER, ACCOUNT, "00990", limit=5)
    assert [r.id for r in records] == [f"{i:05d}" for i in range(991, 996)] and more
    records, more = long_thread.thread_after(CUSTOMER, ACCOUNT, "00990", limit=9)
    assert len(records) == 9 and not more
    between = long_thread.thread_between(CUSTOMER, ACCOUNT, "00010", "00013")
    assert [r.id for r in between] == ["00010", "00011", "00012", "00013"]
    assert long_thread.thread_between(CUSTOMER, ACCOUNT, "00010", "gone") is None
