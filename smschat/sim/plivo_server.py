"""A real HTTP server on loopback that speaks Plivo's Message API (see `smschat.sim.plivo_api`).

`PlivoSimServer(account).start()` serves in a daemon thread; `url` is the base URL to give the
client (`http://127.0.0.1:PORT`, the provider adds `/v1/Account/{auth_id}/Message/`). HTTP/1.1 with
keep-alive, basic auth (auth id and auth token) on every request, faults from `server.faults` (the
Plum simulator's `Faults`), one `request_log` entry per request.

The list endpoint is rate limited like Plivo's: at most `list_limit` requests in any rolling
`list_period` seconds (default 20 a minute; tests make it small), beyond that HTTP 429
`{"api_id", "error": "too many requests"}` with `Retry-After` (whole seconds). Rate limiting uses
real (monotonic) time, whatever clock the account's records use.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from smschat.sim import plivo_api
from smschat.sim.faults import Faults
from smschat.sim.plivo_account import PlivoAccount
from smschat.sim.plivo_webhooks import Webhooks
from smschat.sim.wire import error_page, garble

MAX_BODY = 1_000_000
REQUEST_LOG_MAX = 200_000


class RateWindow:
    """At most `limit` events in any rolling `period` seconds."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.period, self._clock = limit, period, clock
        self._events: deque[float] = deque()
        self._lock = threading.Lock()
        self.refused = 0

    def take(self) -> float:
        """0 when allowed (and counted); else the seconds until a slot frees."""
        with self._lock:
            now = self._clock()
            while self._events and now - self._events[0] >= self.period:
                self._events.popleft()
            if len(self._events) >= self.limit:
                self.refused += 1
                return max(0.001, self._events[0] + self.period - now)
            self._events.append(now)
            return 0.0


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sim: PlivoSimServer) -> None:
        self.sim = sim
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up are part of the game


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "PlivoSim/1.0"
    disable_nagle_algorithm = True
    wbufsize = -1
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self._handle("POST")

    def do_DELETE(self) -> None:  # noqa: N802 - stdlib name
        self._handle("DELETE")

    def _authorised(self, account: PlivoAccount) -> bool:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user.encode(), account.auth_id.encode()) and hmac.compare_digest(
            password.encode(), account.auth_token.encode()
        )

    def _send(self, status: int, body: bytes, extra: dict[str, str] | None = None,
              content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _handle(self, method: str) -> None:
        sim = self.server.sim
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise ValueError("too large")
            body = self.rfile.read(length) if length > 0 else b""
        except (ValueError, OSError):
            self.close_connection = True
            self._send(400, b'{"error": "bad request"}')
            return
        fault, delay = sim.faults.draw()
        if delay:
            time.sleep(delay)
        if sim.stopping or fault == "drop":
            sim.log(method, parts.path, query, 0)
            self._drop()
            return
        if fault == "5xx":
            code = sim.faults.error_code()
            sim.log(method, parts.path, query, code)
            self._send(code, error_page(code), content_type="text/html; charset=utf-8")
            return
        if fault == "401" or not self._authorised(sim.account):
            sim.log(method, parts.path, query, 401)
            status, data = plivo_api.error(401, "authentication failed")
            self._send(status, data, {"WWW-Authenticate": 'Basic realm="Plivo"'})
            return
        found = plivo_api.route(parts.path)
        if method == "GET" and found is not None and not found[1]:
            wait = sim.list_rate.take()
            if wait:
                sim.log(method, parts.path, query, 429)
                status, data = plivo_api.error(429, "too many requests")
                self._send(status, data, {"Retry-After": str(max(1, math.ceil(wait)))})
                return
        status, data, queued = plivo_api.handle(sim.account, method, parts.path, query, body,
                                                self.headers.get("Content-Type", ""))
        if fault == "timeout_after_queue":
            sim.log(method, parts.path, query, 0)
            self._drop()
            return
        headers: dict[str, str] | None = None
        rewrite = getattr(sim.faults, "rewrite", None)
        if rewrite is not None:  # (status, body) or (status, body, headers), None keeps the answer
            status, data, *more = rewrite(method, parts.path, status, data) or (status, data)
            headers = more[0] if more else None
        if fault == "malformed":
            data = garble(data, sim.faults.rng)
        sim.log(method, parts.path, query, status)
        self._send(status, data, headers)


class PlivoSimServer:
    """The Plivo simulator over HTTP. Use as a context manager, or `start()` ... `stop()`."""

    def __init__(
        self,
        account: PlivoAccount,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        speed: float = 1.0,
        clock: Callable[[], float] | None = None,
        list_limit: int = 20,
        list_period: float = 60.0,
        webhook_retries: int = 2,
        webhook_retry_delay: float = 1.0,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.account = account
        self.host = host
        self.speed = speed
        if clock is not None:
            account.clock = clock
        account.speed = speed
        self.faults = Faults()
        self.list_rate = RateWindow(list_limit, list_period)
        self.webhooks = Webhooks(account, retries=webhook_retries, retry_delay=webhook_retry_delay)
        self.companions: list[Any] = []
        self.request_log: list[tuple[str, str, dict[str, str], int]] = []
        self._log_lock = threading.Lock()
        self.stopping = False
        self._httpd = _HTTPServer((host, port), self)
        self.port: int = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def log(self, method: str, path: str, params: dict[str, str], status: int) -> None:
        with self._log_lock:
            if len(self.request_log) >= REQUEST_LOG_MAX:
                del self.request_log[: REQUEST_LOG_MAX // 2]
            self.request_log.append((method, path, dict(params), status))

    def list_requests(self) -> list[tuple[str, str, dict[str, str], int]]:
        """The logged GETs of the message list (rate limited ones included)."""
        with self._log_lock:
            return [entry for entry in self.request_log
                    if entry[0] == "GET" and (found := plivo_api.route(entry[1])) is not None and not found[1]]

    def start(self) -> PlivoSimServer:
        if self._thread is None:
            self.stopping = False
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="plivo-sim-http", daemon=True
            )
            self._thread.start()
            self.webhooks.start()
            for companion in self.companions:
                companion.start()
        return self

    def stop(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        for companion in self.companions:
            companion.stop()
        self.webhooks.stop()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    def __enter__(self) -> PlivoSimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
