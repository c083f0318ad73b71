"""Threads sharing a Store, two Stores on one file, two processes on one file, data_version."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

from store_helpers import ACCOUNT, T0, inbound, minutes, outbound, summary_rows

from smschat.store import Store


def _batch(prefix: str, start: int, count: int) -> list:
    return [
        (inbound if i % 2 else outbound)(
            f"{prefix}{i}", id=f"{prefix}-{i}", customer=f"1555{i % 37:07d}", at=T0 + minutes(i)
        )
        for i in range(start, start + count)
    ]


def test_one_store_shared_by_threads(tmp_path):
    store = Store.open(tmp_path / "shared.sqlite3")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for start in range(0, 300, 30):
                store.upsert_messages(_batch(f"t{n}", start, 30))
                store.contacts([ACCOUNT])
                store.set_draft(f"1555{n:07d}", ACCOUNT, f"draft {start}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(c.total for c in store.contacts([])) == 6 * 300
    assert len(store.drafts()) == 6
    kept, rebuilt = summary_rows(store)
    assert kept == rebuilt
    store.close()


def test_two_stores_on_one_file_write_concurrently(tmp_path):
    path = tmp_path / "two.sqlite3"
    a, b = Store.open(path), Store.open(path)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(store: Store, prefix: str) -> None:
        try:
            barrier.wait()
            for start in range(0, 1000, 25):
                store.upsert_messages(_batch(prefix, start, 25))
                store.upsert_messages(_batch("both", start, 25))  # the same records from both sides
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s, p)) for s, p in ((a, "a"), (b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(c.total for c in a.contacts([])) == 3000
    kept, rebuilt = summary_rows(a)
    assert kept == rebuilt
    a.close()
    b.close()


_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from smschat.domain.model import Direction, Message, Status
    from smschat.store import Store

    path, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    t0 = datetime(2025, 3, 1, tzinfo=UTC)
    with Store.open(path) as store:
        for i in range(count):
            store.upsert_messages([Message(
                id=f"{prefix}{i:030d}", to_number="2435678910", from_number=f"1555{i % 13:07d}",
                body=f"{prefix} {i}", direction=Direction.INBOUND, status=Status.RECEIVED,
                requested_at=t0 + timedelta(seconds=i))])
            if i % 50 == 0:
                local = store.outbox_add(f"1555{i % 13:07d}", "2435678910", f"{prefix} out {i}")
                store.outbox_failed(local, "x")
    """
)


def test_two_processes_write_one_file(tmp_path):
    path = tmp_path / "procs.sqlite3"
    Store.open(path).close()
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), prefix, "400"], stderr=subprocess.PIPE)
        for prefix in ("pa", "pb")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    with Store.open(path) as store:
        assert sum(c.inbound for c in store.contacts([])) == 800
        assert sum(c.failed for c in store.contacts([])) == 16
        kept, rebuilt = summary_rows(store)
        assert kept == rebuilt


def test_data_version_changes_on_writes_from_another_connection(tmp_path):
    path = tmp_path / "dv.sqlite3"
    ui, receiver = Store.open(path), Store.open(path)
    before = ui.data_version()
    ui.set_draft("15550001111", ACCOUNT, "own write")
    assert ui.data_version() == before  # own writes are reported by return values
    receiver.upsert_messages([inbound("from the webhook")])
    after = ui.data_version()
    assert after != before
    assert ui.data_version() == after  # stable until the next foreign write
    ui.close()
    receiver.close()
