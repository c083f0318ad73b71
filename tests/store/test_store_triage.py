"""Triage state in the store: waiting since, done, snoozed, replies, the address book; it survives
reopening the database, and the summary query seeks partial indexes instead of scanning threads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from store_helpers import ACCOUNT, CUSTOMER, T0, FakeClock, inbound, minutes, outbound

from smschat.domain.model import Status
from smschat.domain.triage import Triage, View, ViewKind, counts, next_waiting, triage
from smschat.store import Store

OTHER = "15551230000"


def _contact(store: Store, customer: str = CUSTOMER):
    found = store.contact(customer, ACCOUNT)
    assert found is not None
    return found


@pytest.fixture
def clock():
    return FakeClock(T0 + minutes(60))


@pytest.fixture
def store(tmp_path, clock):
    s = Store.open(tmp_path / "s.sqlite3", clock=clock)
    yield s
    s.close()


def test_waiting_since_is_the_first_unanswered_text(store, clock):
    store.upsert_messages([
        inbound("first", at=T0),
        outbound("answer", at=T0 + minutes(1)),
        inbound("again", at=T0 + minutes(5)),
        inbound("hello??", at=T0 + minutes(9)),
    ])  # fmt: skip
    c = _contact(store)
    assert c.waiting_since == T0 + minutes(5)
    assert c.last_inbound_at == T0 + minutes(9)
    assert c.last_answer_at == T0 + minutes(1)
    assert triage(c, clock()) is Triage.WAITING


def test_a_reply_clears_waiting_but_a_failed_one_does_not(store, clock):
    store.upsert_messages([inbound("help", at=T0), outbound("bounced", at=T0 + minutes(1), status=Status.FAILURE)])
    c = _contact(store)
    assert triage(c, clock()) is Triage.WAITING  # the failed send is no answer
    assert c.waiting_since == T0
    store.upsert_messages([outbound("ok now", at=T0 + minutes(2))])
    c = _contact(store)
    assert triage(c, clock()) is Triage.ANSWERED and c.waiting_since is None


def test_never_wrote_is_not_waiting(store, clock):
    store.upsert_messages([outbound("promo", at=T0)])
    assert triage(_contact(store), clock()) is Triage.ANSWERED


def test_done_until_the_next_text_and_waiting_since_restarts(store, clock):
    store.upsert_messages([inbound("thanks!", at=T0)])
    store.mark_done(CUSTOMER, ACCOUNT)
    c = _contact(store)
    assert triage(c, clock()) is Triage.DONE and c.waiting_since is None
    # a text stamped *before* the local clock's "now" still wakes it: done covers messages, not time
    store.upsert_messages([inbound("one more thing", at=T0 + minutes(2))])
    c = _contact(store)
    assert triage(c, clock()) is Triage.WAITING
    assert c.waiting_since == T0 + minutes(2)


def test_reopen_undoes_done(store, clock):
    store.upsert_messages([inbound("thanks!", at=T0)])
    before = store.mark_done(CUSTOMER, ACCOUNT)
    assert triage(_contact(store), clock()) is Triage.DONE
    store.set_triage_mark(CUSTOMER, ACCOUNT, before)
    assert triage(_contact(store), clock()) is Triage.WAITING
    store.mark_done(CUSTOMER, ACCOUNT)
    store.reopen(CUSTOMER, ACCOUNT)
    assert triage(_contact(store), clock()) is Triage.WAITING


def test_snooze_until_time_or_next_text(store, clock):
    store.upsert_messages([inbound("call me tomorrow", at=T0)])
    store.snooze(CUSTOMER, ACCOUNT, clock() + timedelta(hours=2))
    c = _contact(store)
    assert triage(c, clock()) is Triage.SNOOZED
    assert triage(c, clock() + timedelta(hours=2, seconds=1)) is Triage.WAITING  # woke up
    assert c.waiting_since == T0  # and has been waiting since their text
    store.upsert_messages([inbound("actually, now please", at=T0 + minutes(3))])
    assert triage(_contact(store), clock()) is Triage.WAITING


def test_done_clears_snooze_and_snooze_clears_done(store, clock):
    store.upsert_messages([inbound("hi", at=T0)])
    store.snooze(CUSTOMER, ACCOUNT, clock() + timedelta(hours=1))
    store.mark_done(CUSTOMER, ACCOUNT)
    assert triage(_contact(store), clock()) is Triage.DONE
    store.snooze(CUSTOMER, ACCOUNT, clock() + timedelta(hours=1))
    assert triage(_contact(store), clock()) is Triage.SNOOZED


def test_state_survives_reopening_the_database(tmp_path, clock):
    path = tmp_path / "p.sqlite3"
    with Store.open(path, clock=clock) as s:
        s.upsert_messages([inbound("a", at=T0), inbound("b", at=T0, customer=OTHER)])
        s.mark_done(CUSTOMER, ACCOUNT)
        s.snooze(OTHER, ACCOUNT, clock() + timedelta(days=1))
        s.set_name(CUSTOMER, "Maya Lopez", "prefers texts after 5pm")
    with Store.open(path, clock=clock) as s:
        assert triage(_contact(s), clock()) is Triage.DONE
        assert triage(_contact(s, OTHER), clock()) is Triage.SNOOZED
        c = _contact(s)
        assert (c.name, c.note) == ("Maya Lopez", "prefers texts after 5pm")


def test_names_are_per_number_any_format_and_searchable(store):
    store.upsert_messages([inbound("my chain broke", at=T0), inbound("hello", at=T0, customer=OTHER)])
    store.set_name("(999) 888-1234", "Maya Lopez", "VIP")  # the 10-digit form of CUSTOMER
    assert _contact(store).name == "Maya Lopez"
    assert [c.customer for c in store.contacts([ACCOUNT], search="maya")] == [CUSTOMER]
    assert [c.customer for c in store.contacts([ACCOUNT], search="vip")] == [CUSTOMER]
    assert store.get_name(CUSTOMER).notes == "VIP"
    store.set_name(CUSTOMER, "", "")  # forgetting
    assert _contact(store).name == "" and store.address_book() == []


def test_names_are_sanitised(store):
    store.upsert_messages([inbound("x", at=T0)])
    entry = store.set_name(CUSTOMER, "\x1b]0;pwned\x07Eve\u202e\nSmith" + "x" * 100, "line1\nline2\x1b[31m")
    assert "\x1b" not in entry.name and "\n" not in entry.name and "\u202e" not in entry.name
    assert len(entry.name) <= 60
    assert "\x1b" not in entry.notes and entry.notes.startswith("line1\nline2")
    assert "pwned" in entry.name and entry.name.startswith("]0;pwnedEve Smith")
    with pytest.raises(ValueError):
        store.set_name("not a number", "X")


def test_views_counts_and_the_waiting_queue_order(store, clock):
    a, b, c, d = "15550000001", "15550000002", "15550000003", "15550000004"
    store.upsert_messages([
        inbound("oldest wait", at=T0, customer=a),
        inbound("newer wait", at=T0 + minutes(10), customer=b),
        inbound("answered", at=T0, customer=c), outbound("sure", at=T0 + minutes(1), customer=c),
        inbound("failed reply", at=T0 + minutes(20), customer=d),
        outbound("x", at=T0 + minutes(21), customer=d, status=Status.FAILURE),
    ])  # fmt: skip
    contacts = store.contacts([ACCOUNT])
    now = clock()
    assert [x.customer for x in contacts][:1] == [d]  # newest activity first
    waiting = View(ViewKind.WAITING).apply(contacts, now)
    assert [x.customer for x in waiting] == [a, b, d]  # oldest waiting first
    assert [x.customer for x in View(ViewKind.FAILED).apply(contacts, now)] == [d]
    tally = counts(contacts, now)
    assert (tally.all, tally.waiting, tally.failed) == (4, 3, 1)
    acct = contacts[0].account  # normalised
    assert next_waiting(contacts, now).customer == a
    assert next_waiting(contacts, now, after=(a, acct)).customer == b
    assert next_waiting(contacts, now, after=(d, acct)).customer == a  # wraps
    assert next_waiting(contacts, now, after=(c, acct)).customer == a  # not waiting: the oldest
    assert View(ViewKind.ALL, account="19999999999").apply(contacts, now) == []


def test_summary_query_seeks_the_partial_indexes(store):
    store.upsert_messages([inbound("x", at=T0)])
    from smschat.store.messages import _LAST_ANSWER, _LAST_INBOUND

    with store._read() as conn:  # noqa: SLF001 - the query plan is the point
        for sub, index in ((_LAST_INBOUND, "messages_inbound"), (_LAST_ANSWER, "messages_answers")):
            plan = " ".join(
                str(row[-1])
                for row in conn.execute(f"EXPLAIN QUERY PLAN SELECT {sub} FROM conversations AS c")
            )
            assert index in plan, plan


def test_a_customer_who_texted_stop_is_not_waiting_until_they_write_again(store, clock):
    store.upsert_messages([inbound("my order?", at=T0), inbound(" stop. ", at=T0 + minutes(1))])
    c = _contact(store)
    assert c.opted_out and not c.needs_reply and triage(c, clock()) is Triage.ANSWERED
    store.upsert_messages([inbound("START", at=T0 + minutes(2)), inbound("sorry, wrong button", at=T0 + minutes(3))])
    c = _contact(store)
    assert not c.opted_out and triage(c, clock()) is Triage.WAITING
    assert c.waiting_since == T0  # the unanswered question from before still counts


@pytest.mark.parametrize("text", ["STOP", "stop", "Stop!", "UNSUBSCRIBE", "opt out", "Quit."])
def test_opt_out_keywords(text):
    from smschat.domain.model import is_opt_out

    assert is_opt_out(text)


@pytest.mark.parametrize("text", ["please stop by tomorrow", "STOPPED", "", "end of the day?", "cancel my order"])
def test_not_opt_out_keywords(text):
    from smschat.domain.model import is_opt_out

    assert not is_opt_out(text)
