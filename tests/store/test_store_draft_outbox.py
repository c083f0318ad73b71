"""The text of a send lives in one place: the draft until the outbox row is written, then the outbox."""

from __future__ import annotations

from store_helpers import ACCOUNT, CUSTOMER

from smschat.store import Store


def test_the_outbox_write_clears_the_draft_it_came_from():
    with Store.open(":memory:") as store:
        store.set_draft(CUSTOMER, ACCOUNT, "on my way")
        local_id = store.outbox_add(CUSTOMER, ACCOUNT, "on my way", clear_draft=(CUSTOMER, ACCOUNT))
        assert store.get_draft(CUSTOMER, ACCOUNT) == ""
        assert [m.body for m in store.outbox_unsent()] == ["on my way"] and local_id.startswith("local:")


def test_a_draft_typed_since_is_kept():
    with Store.open(":memory:") as store:
        store.set_draft(CUSTOMER, ACCOUNT, "and another thing")  # typed after Enter, before the write
        store.outbox_add(CUSTOMER, ACCOUNT, "on my way", clear_draft=(CUSTOMER, ACCOUNT))
        assert store.get_draft(CUSTOMER, ACCOUNT) == "and another thing"


def test_without_clear_draft_drafts_are_untouched():
    with Store.open(":memory:") as store:
        store.set_draft(CUSTOMER, ACCOUNT, "on my way")
        store.outbox_add(CUSTOMER, ACCOUNT, "on my way")
        assert store.get_draft(CUSTOMER, ACCOUNT) == "on my way"
