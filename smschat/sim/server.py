"""A real HTTP server on loopback that speaks Plum's SMS REST API (see `smschat.sim.api`).

`SimServer(account).start()` serves in a daemon thread; `url` is the base URL to give the client
(`http://127.0.0.1:PORT/ws/sms`). HTTP/1.1 with keep-alive, basic auth on every request, faults from
`server.faults`, one `account.request_log` entry per request (status 0 when the connection was
dropped without an answer).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from smschat.sim import api, wire
from smschat.sim.account import SimAccount
from smschat.sim.callbacks import ResultNotifier
from smschat.sim.faults import Faults

MAX_BODY = 1_000_000


class Companion(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sim: SimServer) -> None:
        self.sim = sim
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.sockets_lock:
                self.open_sockets.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out or hang up are part of the game; never print tracebacks

    def close_open_sockets(self) -> None:
        with self.sockets_lock:
            sockets = list(self.open_sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "PlumSim/1.0"
    disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms delayed-ACK stalls
    wbufsize = -1  # buffered: a small answer goes out in one segment
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self._handle("POST")

    def _read_params(self, method: str) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request body too large")
        raw = self.rfile.read(length) if length > 0 else b""
        if method == "POST" and raw:
            params.update(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
        return parts.path, params

    def _authorised(self, account: SimAccount) -> bool:
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user.encode(), account.username.encode()) and hmac.compare_digest(
            password.encode(), account.password.encode()
        )

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
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
        account = sim.account
        try:
            path, params = self._read_params(method)
        except (ValueError, OSError):
            self.close_connection = True
            self._send(400, b"bad request\n", "text/plain")
            return
        fault, delay = sim.faults.draw()
        if delay:
            time.sleep(delay)
        if sim.stopping:
            self._drop()
            return
        fmt = api.guess_format(path)
        if fault == "drop":
            account.log_request(method, path, params, 0)
            self._drop()
            return
        if fault == "5xx":
            code = sim.faults.error_code()
            account.log_request(method, path, params, code)
            self._send(code, wire.error_page(code), "text/html; charset=utf-8")
            return
        if fault == "401" or not self._authorised(account):
            account.log_request(method, path, params, 401)
            body = wire.failure(fmt, "Authentication failed")
            self._send(401, body, wire.content_type(fmt), {"WWW-Authenticate": 'Basic realm="Plum SMS"'})
            return
        answer = api.handle(account, method, path, params)
        if answer.queued:
            sim.notifier.schedule(answer.queued)
        if fault == "timeout_after_queue":
            account.log_request(method, path, params, 0)
            self._drop()
            return
        status, body, headers = answer.status, answer.body, None
        rewrite = sim.faults.rewrite
        if rewrite is not None:
            status, body, *more = rewrite(method, path, status, body) or (status, body)
            headers = more[0] if more else None
        if fault == "malformed":
            body = wire.garble(body, sim.faults.rng)
        account.log_request(method, path, params, status)
        self._send(status, body, wire.content_type(answer.fmt), headers)


class SimServer:
    """The simulator over HTTP. Use as a context manager, or `start()` ... `stop()`."""

    def __init__(
        self,
        account: SimAccount,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        speed: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.account = account
        self.host = host
        self.speed = speed
        self.clock = clock
        account.clock = clock
        account.speed = speed
        self.faults = Faults()
        self.notifier = ResultNotifier(clock)
        self.companions: list[Companion] = []
        self.stopping = False
        self._httpd = _HTTPServer((host, port), self)
        self.port: int = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/ws/sms"

    def start(self) -> SimServer:
        if self._thread is None:
            self.stopping = False
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="sim-http", daemon=True
            )
            self._thread.start()
            self.notifier.start()
            for companion in self.companions:
                companion.start()
        return self

    def stop(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        for companion in self.companions:
            companion.stop()
        self.notifier.stop()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.close_open_sockets()
        self._httpd.server_close()

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
