"""Helpers for the Plivo simulator tests: a loopback webhook catcher and a polling wait."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

AUTH_ID = "MATESTAUTHID00000001"
TOKEN = "t0ken-for-tests"
MAIN = "14155550100"
SIDE = "14155550101"
CUSTOMER = "14155550123"
OTHER = "14155550199"
T0 = 1_800_000_000.0


@dataclass
class Caught:
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    form: dict[str, str]

    @property
    def fields(self) -> dict[str, str]:
        """The webhook's fields: the form for POST, the query for GET."""
        if self.method == "GET":
            return dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        return self.form


class Catcher:
    """Answers every request with `status` and records it."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.caught: list[Caught] = []
        catcher = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # noqa: ANN002
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                catcher.caught.append(Caught(self.command, self.path, dict(self.headers.items()),
                                             dict(parse_qsl(raw, keep_blank_values=True))))
                body = b"<Response/>"
                self.send_response(catcher.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _any  # noqa: N815

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> Catcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class FakeClock:
    def __init__(self, start: float = T0) -> None:
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def wait_for(predicate, timeout: float = 5.0) -> bool:  # noqa: ANN001
    """Poll `predicate` until true (a guard against hanging, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())
