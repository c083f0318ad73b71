"""First sync of 100,000 messages / 2,000 customers from the simulator over loopback HTTP.

Run: python tests/bench/bench_sync.py [json|xml]. Prints timings and request counts (not asserted).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from smschat.providers.plum import PlumProvider
from smschat.sim import SimAccount, SimServer
from smschat.store import Store
from smschat.sync import SyncEngine

N, CUSTOMERS = 100_000, 2_000


async def main(fmt: str) -> None:
    account = SimAccount("bench", "bench", ("6175550100", "6175550199"))
    account.bulk_seed(N, CUSTOMERS, big_thread=10_000)
    with SimServer(account) as server:
        store = Store.open(Path(tempfile.mkdtemp()) / "bench.sqlite3")
        async with PlumProvider(server.url, "bench", "bench", format=fmt, numbers=account.numbers) as provider:
            engine = SyncEngine(provider, store, account.numbers)
            start = time.perf_counter()
            await engine.refresh()
            first = time.perf_counter() - start
            lists = sum(1 for entry in account.request_log if "/messages." in entry[1])
            print(f"{fmt}: first sync {N} messages: {first:.2f} s, {lists} list requests")
            start = time.perf_counter()
            await engine.refresh()
            print(f"{fmt}: warm refresh, nothing new: {1000 * (time.perf_counter() - start):.1f} ms")
            start = time.perf_counter()
            contacts = store.contacts(account.numbers)
            print(f"contacts paint: {1000 * (time.perf_counter() - start):.1f} ms for {len(contacts)}")
        store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "json"))
