"""Helpers for the receiver tests: a receiver on an ephemeral loopback port over a store on disk,
real HTTP posts, Plivo-signed posts, and raw sockets for the slow-client tests."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx

from smschat.domain.plivo_signature import signature_headers
from smschat.receive import Limits, ReceiverApp, ReceiverServer
from smschat.store import Store

PUBLIC_URL = "https://sms.example.com"
PLUM_SECRET = "s3cret-Path-Segment_0123456789"
PLIVO_TOKEN = "plivo-auth-token-for-tests"
ACCOUNT = "2435678910"
CUSTOMER = "19998881234"
PLUM_ID = "0123456789abcdef0123456789abcdef"
PLIVO_UUID = "7a1c5e9e-3d2b-11ef-9c47-0242ac110002"

Fields = Mapping[str, str] | Sequence[tuple[str, str]]


@dataclass
class Running:
    server: ReceiverServer
    app: ReceiverApp
    store: Store  # a second connection, as the TUI would have
    path: Path

    @property
    def url(self) -> str:
        return self.server.url

    def post(self, path: str, fields: Fields, *, headers: Mapping[str, str] | None = None,
             content_type: str = "application/x-www-form-urlencoded") -> httpx.Response:
        body = urlencode(list(fields.items()) if isinstance(fields, Mapping) else list(fields))
        with httpx.Client(timeout=10) as client:
            return client.post(self.url + path, content=body.encode(),
                               headers={"Content-Type": content_type, **(headers or {})})

    def plum_inbound(self, fields: Fields, secret: str = PLUM_SECRET) -> httpx.Response:
        return self.post(f"/plum/inbound/{secret}", fields)

    def plum_status(self, fields: Fields, secret: str = PLUM_SECRET) -> httpx.Response:
        return self.post(f"/plum/status/{secret}", fields)

    def plivo(self, route: str, fields: Fields, *, token: str = PLIVO_TOKEN, signed_url: str | None = None,
              headers: Mapping[str, str] | None = None) -> httpx.Response:
        """POST to /plivo/<route>, signed like Plivo signs (over the public URL) unless `headers`."""
        pairs = list(fields.items()) if isinstance(fields, Mapping) else list(fields)
        if headers is None:
            params: dict[str, list[str]] = {}
            for key, value in pairs:
                params.setdefault(key, []).append(value)
            headers = signature_headers(token, signed_url or f"{PUBLIC_URL}/plivo/{route}", params)
        return self.post(f"/plivo/{route}", pairs, headers=headers)


@contextlib.contextmanager
def running_receiver(tmp_path: Path, *, plum_secret: str = PLUM_SECRET, plivo_token: str = PLIVO_TOKEN,
                     public_url: str | None = PUBLIC_URL, limits: Limits | None = None,
                     header_timeout: float = 10.0) -> Iterator[Running]:
    """A receiver on 127.0.0.1:<free port>; `public_url=None`: its own loopback URL is the public one
    (a simulator posting to it directly signs that URL)."""
    path = tmp_path / "store.sqlite3"
    writer_store = Store.open(path)
    reader_store = Store.open(path)
    app = ReceiverApp(writer_store, public_url=public_url or "", plum_secret=plum_secret, plivo_token=plivo_token,
                      limits=limits or Limits())
    server = ReceiverServer(app, host="127.0.0.1", port=0, header_timeout=header_timeout).start()
    if public_url is None:
        app.public_url = server.url
    try:
        yield Running(server, app, reader_store, path)
    finally:
        server.stop()
        reader_store.close()
        writer_store.close()


def plum_fields(body: str = "hello", *, msg_id: str = PLUM_ID, to: str = ACCOUNT, from_: str = CUSTOMER) -> dict[str, str]:
    return {"sms_message_id": msg_id, "to": to, "from": from_, "body": body}


def plivo_fields(text: str = "hello", *, uuid: str = PLIVO_UUID, to: str = ACCOUNT, from_: str = CUSTOMER,
                 **extra: str) -> dict[str, str]:
    fields = {"From": from_, "To": to, "Text": text, "Type": "sms", "MessageUUID": uuid, "Units": "1",
              "TotalRate": "0.00000", "TotalAmount": "0.00000", "MessageIntent": "", "PowerpackUUID": ""}
    fields.update(extra)
    return fields


def wait_until(predicate, *, timeout: float = 10.0, what: str = "condition") -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def raw_connection(url: str) -> socket.socket:
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (socket timeout 10 s)."""
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
