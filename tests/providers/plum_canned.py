"""A loopback HTTP server with canned answers per path, for the provider's wire tests.

(A module of its own, not `conftest`, so tests can import it by a name no other test folder uses.)

Real HTTP on 127.0.0.1 with an ephemeral port (no mocked httpx). Each route answers with a status,
headers and body, or misbehaves on purpose: `drop` closes the connection without answering,
`hang` never answers (until the test ends), `short` promises more body than it sends.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

USER, PASSWORD = "agent", "s3cret-Pa55word"


@dataclass
class Reply:
    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    action: str = ""  # "", "drop", "hang", "short"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


class CannedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Reply | list[Reply]] = {}
        self.requests: list[Seen] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                form = {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()} if raw else {}
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                server.requests.append(Seen(self.command, parts.path, query, form, dict(self.headers)))
                reply = server.next_reply(parts.path)
                if reply.action == "drop":
                    self.close_connection = True
                    return
                if reply.action == "hang":
                    server.release.wait(30)
                    self.close_connection = True
                    return
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                declared = len(body) + (100 if reply.action == "short" else 0)
                self.send_header("Content-Length", str(declared))
                if reply.action == "short":
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                if reply.action == "short":
                    self.close_connection = True

            do_GET = do_POST = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def next_reply(self, path: str) -> Reply:
        route = self.routes.get(path)
        if route is None:
            return Reply(b"no route", status=404)
        if isinstance(route, list):
            return route.pop(0) if len(route) > 1 else route[0]
        return route

    def set(self, endpoint: str, reply: Reply | list[Reply] | str | bytes, *, status: int = 200) -> None:
        """`endpoint` like "messages.json" or "status.xml/abc"; a str/bytes is a 200 body."""
        if isinstance(reply, (str, bytes)):
            reply = Reply(reply, status=status)
        self.routes[f"/ws/sms/{endpoint}"] = reply

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/ws/sms"

    def start(self) -> CannedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


ACCOUNT = "2435678910"  # the account's SMS number in these tests


def refused_port_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/ws/sms"
