"""Store at scale: 2,000 contacts, 100,000 messages. Run: python tests/bench/bench_store.py [path]

Prints timings (not asserted): bulk upsert as a first sync does it (pages of 1,000), the contact
list paint, one thread page, the contacts filter, the message search (`Store.search`: one match, every
message capped at 200, a number, two characters, nothing), a warm re-upsert of a page that changes
nothing, and re-indexing every message (what the schema v6 upgrade of such a store costs once).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from smschat.domain.model import DeliveryStatus, Direction, Message, Status
from smschat.store import Store, search_index

CONTACTS, MESSAGES, PAGE = 2_000, 100_000, 1_000
ACCOUNTS = ("2435678910", "3105550000")


def corpus(seed: int = 1) -> list[Message]:
    rng = random.Random(seed)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    out = []
    for i in range(MESSAGES):
        customer = f"1555{rng.randrange(CONTACTS):07d}"
        account = ACCOUNTS[hash(customer) % 2]
        at = t0 + timedelta(seconds=i * 60 + rng.randrange(60))
        if rng.random() < 0.5:
            out.append(Message(f"{i:032x}", account, customer, f"inbound text {i}", Direction.INBOUND,
                               Status.RECEIVED, requested_at=at))
        else:
            out.append(Message(f"{i:032x}", customer, account, f"outbound text {i}", Direction.OUTBOUND,
                               Status.SENT, rng.choice(list(DeliveryStatus)), requested_at=at))
    return out


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    print(f"{label:<40} {1000 * (time.perf_counter() - start):9.1f} ms")
    return result


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "bench.sqlite3"
    msgs = corpus()
    store = Store.open(path)

    def load() -> None:
        for start in range(0, len(msgs), PAGE):
            store.upsert_messages(msgs[start : start + PAGE])

    timed(f"upsert {MESSAGES} in pages of {PAGE}", load)
    contacts = timed("contacts (paint)", lambda: store.contacts(ACCOUNTS))
    print(f"  {len(contacts)} contacts")
    c = contacts[0]
    timed("thread page (200)", lambda: store.thread(c.customer, c.account))
    timed("contacts search body", lambda: store.contacts(ACCOUNTS, search="text 99999"))
    timed("contacts search number", lambda: store.contacts(ACCOUNTS, search="555000"))
    for label, query in (("one match", "text 99999"), ("every message, capped", "text"),
                         ("a number", "555-000"), ("two characters", "99"), ("no match", "zebra")):
        found = timed(f"search: {label}", lambda query=query: store.search(query, accounts=ACCOUNTS))
        print(f"  {len(found.hits)} hits{' (capped)' if found.capped else ''}")
    timed("re-upsert one unchanged page", lambda: store.upsert_messages(msgs[:PAGE]))
    timed("pending_status", lambda: store.pending_status(datetime.now(UTC)))

    def reindex() -> None:
        with store._write() as conn:
            search_index.rebuild(conn)

    timed(f"search index rebuilt ({MESSAGES})", reindex)
    store.close()


if __name__ == "__main__":
    main()
