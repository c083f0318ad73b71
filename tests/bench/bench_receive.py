"""The receiver under load over loopback HTTP. Run: python tests/bench/bench_receive.py [N]

Prints timings (not asserted): N Plum inbound posts one after another on one keep-alive connection
(each a store write), the same N again (duplicates: a read, no write), N signed Plivo posts, and N
posts from 8 clients at once.
"""

from __future__ import annotations

import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import httpx

from smschat.domain.plivo_signature import signature_headers
from smschat.receive import ReceiverApp, ReceiverServer
from smschat.store import Store

SECRET = "Bench-Path-Secret_0123456789"
TOKEN = "bench-token"
PUBLIC = "https://sms.example.com"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def plum(i: int) -> bytes:
    return urlencode({"sms_message_id": f"{i:032x}", "to": "2435678910", "from": f"1555{i % 2000:07d}",
                      "body": f"inbound text {i}"}).encode()


def plivo(i: int) -> tuple[bytes, dict[str, str]]:
    fields = {"MessageUUID": f"00000000-0000-4000-8000-{i:012d}", "To": "2435678910", "From": f"1555{i % 2000:07d}",
              "Text": f"plivo text {i}", "Type": "sms"}
    headers = signature_headers(TOKEN, f"{PUBLIC}/plivo/message", {k: [v] for k, v in fields.items()})
    return urlencode(fields).encode(), {**FORM, **headers}


def timed(label: str, n: int, fn) -> None:  # noqa: ANN001
    start = time.perf_counter()
    fn()
    took = time.perf_counter() - start
    print(f"{label:<44} {took:7.2f} s  {1000 * took / n:6.2f} ms/request  {n / took:7.0f} requests/s")


def main(n: int = 1000) -> None:
    directory = Path(tempfile.mkdtemp(prefix="smschat-bench-receive-"))
    with Store.open(directory / "store.sqlite3") as store:
        app = ReceiverApp(store, public_url=PUBLIC, plum_secret=SECRET, plivo_token=TOKEN)
        with ReceiverServer(app, host="127.0.0.1", port=0) as server, httpx.Client() as client:
            url = f"{server.url}/plum/inbound/{SECRET}"

            def sequential(offset: int) -> None:
                for i in range(n):
                    assert client.post(url, content=plum(offset + i), headers=FORM).status_code == 200

            def signed() -> None:
                for i in range(n):
                    body, headers = plivo(i)
                    assert client.post(f"{server.url}/plivo/message", content=body, headers=headers).status_code == 200

            def concurrent() -> None:
                def share(k: int) -> set[int]:  # each client its own connection, n/8 posts
                    with httpx.Client() as own:
                        return {own.post(url, content=plum(10 * n + i), headers=FORM).status_code
                                for i in range(k, n, 8)}

                with ThreadPoolExecutor(8) as pool:
                    assert set().union(*pool.map(share, range(8))) == {200}

            timed(f"{n} Plum inbound posts, one connection", n, lambda: sequential(0))
            timed(f"{n} duplicate posts (stored once)", n, lambda: sequential(0))
            timed(f"{n} signed Plivo inbound posts", n, signed)
            timed(f"{n} posts from 8 clients at once", n, concurrent)
        print(f"stored: {len(store.contacts([]))} conversations")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
