"""Loopback helpers for transport tests: a self-signed TLS simulator and a tiny forwarding HTTP proxy."""

from __future__ import annotations

import contextlib
import http.client
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

USER = "agent"
PASSWORD = "Transport-S3cret"
NUMBERS = ("2435670000",)


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """(cert.pem, key.pem) for 127.0.0.1, made by the openssl tool (skips the test without it)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


@contextlib.contextmanager
def tls_simulator(cert: Path, key: Path) -> Iterator[object]:
    """The Plum simulator answering over HTTPS on 127.0.0.1 with the given certificate."""
    from smschat.sim.account import SimAccount
    from smschat.sim.server import SimServer

    server = SimServer(SimAccount(USER, PASSWORD, numbers=list(NUMBERS)))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server._httpd.socket = context.wrap_socket(server._httpd.socket, server_side=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class _Forward(BaseHTTPRequestHandler):
    """Takes absolute-form requests (`GET http://host:port/path HTTP/1.1`) and sends them to the target."""

    server: _ProxyServer

    def _forward(self) -> None:
        target = urlsplit(self.path)
        self.server.seen.append((self.command, self.path))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
        conn = http.client.HTTPConnection("127.0.0.1", self.server.target_port, timeout=10)
        try:
            conn.request(self.command, target.path + (f"?{target.query}" if target.query else ""), body=body,
                         headers=headers)
            answer = conn.getresponse()
            data = answer.read()
        finally:
            conn.close()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _forward

    def log_message(self, *args: object) -> None:
        pass


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, target_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        self.target_port = target_port
        self.seen: list[tuple[str, str]] = []


@contextlib.contextmanager
def forwarding_proxy(target_port: int) -> Iterator[_ProxyServer]:
    """A plain-HTTP proxy on loopback that sends everything to 127.0.0.1:`target_port`."""
    proxy = _ProxyServer(target_port)
    thread = threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(5)
