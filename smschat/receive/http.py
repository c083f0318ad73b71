"""The few pieces of HTTP the receiver needs on top of raw ASGI: bounded body reads, form parsing,
plain answers. No framework: a request is a `scope`, a `receive` and a `send`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

FORM_TYPE = "application/x-www-form-urlencoded"
#: Most fields a form may have (Plivo sends about 20; an MMS adds one per attachment).
MAX_FIELDS = 200

REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class HttpError(Exception):
    """Answer with `status` and a short fixed text (never the request's own content)."""

    def __init__(self, status: int, extra_headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
        super().__init__(status)
        self.status = status
        self.extra_headers = extra_headers


def header(scope: Scope, name: str) -> str | None:
    """The first value of a request header (names compared in lower case), decoded as Latin-1."""
    wanted = name.lower().encode("ascii")
    for key, value in scope.get("headers") or ():
        if key.lower() == wanted:
            return value.decode("latin-1")
    return None


def check_form(scope: Scope, limit: int) -> None:
    """415 unless the body is a urlencoded form; 413 when Content-Length already says it is too big."""
    content_type = (header(scope, "content-type") or "").split(";", 1)[0].strip().lower()
    if content_type != FORM_TYPE:
        raise HttpError(415)
    length = header(scope, "content-length")
    if length is not None:
        text = length.strip()
        if not text.isascii() or not text.isdigit():
            raise HttpError(400)
        if int(text) > limit:
            raise HttpError(413)


async def read_body(receive: Receive, *, limit: int, timeout: float) -> bytes:
    """The request body: 413 past `limit` bytes, 408 when it has not all arrived within `timeout`."""
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise HttpError(400)
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise HttpError(413)
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(chunks)
    except TimeoutError:
        raise HttpError(408) from None


def parse_form(raw: bytes) -> list[tuple[str, str]]:
    """`application/x-www-form-urlencoded` pairs, in order; 400 for anything that is not one."""
    try:
        text = raw.decode("ascii")  # a urlencoded body is ASCII; the values are %-encoded UTF-8
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise HttpError(400) from None


async def respond(send: Send, status: int, body: bytes = b"", content_type: str = "text/plain; charset=utf-8",
                  extra_headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    if not body and status != 200:
        body = f"{REASONS.get(status, 'Error')}\n".encode()
    headers = [
        (b"content-type", content_type.encode("ascii")),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"cache-control", b"no-store"),
        *extra_headers,
    ]
    if status >= 400 and status not in (403, 404, 405):
        headers.append((b"connection", b"close"))  # the rest of a bad request is not worth reading
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
