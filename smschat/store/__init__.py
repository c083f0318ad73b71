"""The local store: one SQLite database per profile (WAL), the single source of truth for the UI/CLI.

Usage::

    store = Store.open(smschat.paths.store_file(profile.name))
    changed = store.upsert_messages(records)      # {(customer, account), ...}
    store.contacts(profile.numbers)               # newest activity first
"""

from smschat.store.messages import IngestResult
from smschat.store.outbox import OutboxEntry
from smschat.store.polling import PollItem
from smschat.store.schema import CURRENT_VERSION
from smschat.store.store import Store

__all__ = ["CURRENT_VERSION", "IngestResult", "OutboxEntry", "PollItem", "Store"]
