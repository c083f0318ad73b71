"""Schema versions: a v1 database migrates to the current schema with its data intact."""

from __future__ import annotations

import sqlite3

import pytest
from store_helpers import ACCOUNT, CUSTOMER

from smschat.domain.model import Status
from smschat.store import CURRENT_VERSION, Store
from smschat.store.schema import MIGRATIONS, migrate, user_version


def _v1_database(path):
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=1)
    assert user_version(conn) == 1
    rows = [
        ("a" * 32, "19998881234", "12435678910", "inbound", "received", "unknown", 100, 100, 100,
         "2435678910", "19998881234", "first", "", "[]", "", 0, 100),
        ("b" * 32, "19998881234", "12435678910", "outbound", "failure", "unknown", 200, 200, None,
         "19998881234", "2435678910", "second", "", "[]", "Invalid to number", 0, 200),
        ("c" * 32, "15551234567", "12435678910", "inbound", "received", "unknown", 150, 150, None,
         "2435678910", "15551234567", "other", "", "[]", "", 0, 150),
    ]  # fmt: skip
    conn.executemany("INSERT INTO messages VALUES (" + ", ".join("?" * 17) + ")", rows)
    conn.execute("INSERT INTO conversation_state (customer, account, read_upto) VALUES ('19998881234', '12435678910', 100)")
    conn.execute("INSERT INTO drafts VALUES ('19998881234', '12435678910', 'draft text', 1)")
    conn.execute("INSERT INTO cursors VALUES ('messages', '200')")
    conn.close()


def test_migrations_are_ordered_and_current_is_len():
    assert CURRENT_VERSION == len(MIGRATIONS) >= 2


def test_v1_to_current_preserves_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    _v1_database(path)
    with Store.open(path) as s:
        assert s.schema_version == CURRENT_VERSION
        assert [m.body for m in s.thread(CUSTOMER, ACCOUNT)] == ["first", "second"]
        assert s.get_message("b" * 32).status is Status.FAILURE
        assert s.get_draft(CUSTOMER, ACCOUNT) == "draft text"
        assert s.get_cursor("messages") == "200"
        contacts = s.contacts([ACCOUNT])  # the v2 summary table was back-filled
        assert [c.customer for c in contacts] == ["19998881234", "15551234567"]
        first = contacts[0]
        assert (first.total, first.inbound, first.outbound, first.failed, first.unread) == (2, 1, 1, 1, 0)
        assert contacts[1].unread == 1
        assert first.last_message.body == "second"


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {CURRENT_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        Store.open(path)


def test_reopening_current_is_a_no_op(tmp_path):
    path = tmp_path / "x.sqlite3"
    Store.open(path).close()
    with Store.open(path) as s:
        assert s.schema_version == CURRENT_VERSION
