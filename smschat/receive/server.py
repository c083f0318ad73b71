"""Serving the receiver with uvicorn: bounded in size, time and concurrency; stops cleanly.

`ReceiverServer(app, host=..., port=...)` binds at once (so a busy port is a clear error before
anything starts, and port 0 gives a free port), then either `run()`s in the foreground (the CLI:
Ctrl-C and SIGTERM stop it gracefully) or `start()`s on a background thread (tests, demo).

Bounds, beyond the app's own body size and body deadline:
- the request line and headers must arrive within `header_timeout` seconds (also for the next
  request on a kept-alive connection): a client dribbling bytes is cut off;
- an idle kept-alive connection is closed after `keep_alive` seconds (uvicorn `timeout_keep_alive`);
- a header block is at most 16 KiB; at most `limit_concurrency` connections at once (then 503).
"""

from __future__ import annotations

import asyncio
import signal
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0
KEEP_ALIVE = 5
LIMIT_CONCURRENCY = 64
MAX_HEADER_BYTES = 16 * 1024


class CertificateError(ValueError):
    """The TLS certificate or key could not be loaded."""


class _Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on the request line and headers (no slowloris)."""

    header_timeout: float = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_timer()

    def _arm_header_timer(self) -> None:
        self.loop.call_later(self.header_timeout, self._header_deadline, self.cycle)

    def _header_deadline(self, cycle_then: Any) -> None:
        """No new request has started since the timer was armed: close the connection."""
        if self.transport.is_closing():
            return
        if self.cycle is cycle_then and (cycle_then is None or cycle_then.response_complete):
            self.transport.close()


def _protocol(header_timeout: float) -> type[_Protocol]:
    return type("ReceiverProtocol", (_Protocol,), {"header_timeout": header_timeout})


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (OSError when it cannot be had).

    Made from getaddrinfo's answer so its protocol is IPPROTO_TCP: asyncio only turns Nagle off
    (TCP_NODELAY) on connections of such sockets, and with Nagle on, an answer written as headers
    then body waits for the client's delayed ACK (about 40 ms per request).
    """
    family, kind, proto, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


@contextmanager
def _quiet_signals() -> Iterator[None]:
    """uvicorn handles SIGINT/SIGTERM, then re-raises them with the previous handlers: make those
    no-ops so a signalled stop ends the process normally (exit 0), not by the signal."""
    handled = [signal.SIGINT, signal.SIGTERM]
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, lambda *_: None) for sig in handled}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class ReceiverServer:
    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        certfile: str = "",
        keyfile: str = "",
        header_timeout: float = HEADER_TIMEOUT,
        keep_alive: int = KEEP_ALIVE,
        limit_concurrency: int = LIMIT_CONCURRENCY,
    ) -> None:
        self.host = host
        self.tls = bool(certfile)
        self.config = uvicorn.Config(
            app,
            host=host,
            port=port,
            http=_protocol(header_timeout),
            ws="none",
            lifespan="on",
            access_log=False,  # the app logs one line per request itself, without secrets
            log_config=None,  # logging is the caller's (the CLI's) business
            server_header=False,
            proxy_headers=False,
            timeout_keep_alive=keep_alive,
            timeout_graceful_shutdown=5,
            limit_concurrency=limit_concurrency,
            h11_max_incomplete_event_size=MAX_HEADER_BYTES,
            ssl_certfile=certfile or None,
            ssl_keyfile=keyfile or None,
        )
        try:
            self.config.load()  # TLS files are read here: a bad certificate fails before binding
        except (ssl.SSLError, OSError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise CertificateError(f"cannot load the TLS certificate/key: {reason}") from None
        self.socket = bind(host, port)
        self.port: int = self.socket.getsockname()[1]
        self.server = uvicorn.Server(self.config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The local base URL (what a reverse proxy forwards to)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def run(self) -> None:
        """Serve in the foreground until Ctrl-C or SIGTERM (then finish requests in flight)."""
        try:
            with _quiet_signals():
                self.server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def start(self, timeout: float = 10.0) -> ReceiverServer:
        """Serve on a daemon thread; returns once it accepts connections."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.run, name="smschat-receiver", daemon=True)
            self._thread.start()
            deadline = time.monotonic() + timeout
            while not self.server.started:
                if not self._thread.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError("the receiver did not start")
                time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.socket.close()

    def __enter__(self) -> ReceiverServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
