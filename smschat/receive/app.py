"""The receiver as a small pure ASGI application (no framework), served by uvicorn.

Routes (relative to the path of `public_url`, which a reverse proxy may keep or strip):

| route                        | from                  | guard                      | answer                      |
|------------------------------|-----------------------|----------------------------|-----------------------------|
| `POST /plum/inbound/{secret}`| Plum application URL  | path secret                | `<?xml version="1.0"?><reply/>` |
| `POST /plum/status/{secret}` | Plum `result_url`     | path secret                | `OK`                        |
| `POST /plivo/message`        | Plivo message URL     | `X-Plivo-Signature-V3`     | empty Plivo `<Response>`    |
| `POST /plivo/status`         | Plivo callback `url`  | `X-Plivo-Signature-V3`     | `OK`                        |
| `GET /healthz`               | monitoring            | none (says nothing)        | `ok`                        |

A wrong secret is a plain 404, exactly like an unknown path. A Plivo post without a valid V3
signature over `public_url + path` (+ query), its nonce and its form fields is refused with 403
before anything is written. Bodies are `application/x-www-form-urlencoded` only (415), at most
`Limits.max_body` bytes (413), and must arrive within `Limits.body_timeout` seconds (408).

One log line per request on the `smschat.receive` logger: time, method, path (Plum secret masked),
status, message id. Never a body, a header or a secret.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from smschat.domain.plivo_signature import NONCE_HEADER, SIGNATURE_HEADER, verify_v3
from smschat.domain.sanitize import sanitize_line
from smschat.receive import fields as wire
from smschat.receive.http import HttpError, Receive, Scope, Send, check_form, header, parse_form, read_body, respond
from smschat.receive.writer import StoreWriter
from smschat.store import Store

log = logging.getLogger("smschat.receive")

PLUM_REPLY = b'<?xml version="1.0"?><reply/>'
PLIVO_REPLY = b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
OK = b"OK\n"
MASK = "***"


@dataclass(frozen=True)
class Limits:
    max_body: int = 64 * 1024  # bytes
    body_timeout: float = 10.0  # seconds for the whole body, once the headers are in


@dataclass(frozen=True)
class Outcome:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    message_id: str = ""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _multimap(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


class ReceiverApp:
    """ASGI app writing provider posts into `store`. Plum routes exist only with a `plum_secret`,
    Plivo routes only with a `plivo_token` (the account's auth token, which signs the posts)."""

    def __init__(
        self,
        store: Store,
        *,
        public_url: str,
        plum_secret: str = "",
        plivo_token: str = "",
        limits: Limits = Limits(),
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        #: what the providers call (Plivo signs it); may be set once the server has bound (a loopback demo)
        self.public_url = public_url.rstrip("/")
        self.plum_secret = plum_secret
        self.plivo_token = plivo_token
        self.limits = limits
        self.clock = clock
        self.writer = StoreWriter(store)

    # -- ASGI -------------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.writer.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = str(scope.get("method", ""))
        path = self._route_path(str(scope.get("path", "")))
        extra: tuple[tuple[bytes, bytes], ...] = ()
        try:
            outcome = await self._dispatch(method, path, scope, receive)
        except HttpError as exc:
            outcome, extra = Outcome(exc.status), exc.extra_headers
        except wire.BadRequest:
            outcome = Outcome(400)
        except Exception as exc:  # noqa: BLE001 - one line, no traceback with data; the provider retries
            log.error("internal error handling %s: %s", self._shown_path(path), type(exc).__name__)
            log.debug("traceback", exc_info=True)
            outcome = Outcome(500)
        self._log(method, path, outcome)  # before answering: the line is there once the caller has its answer
        await respond(send, outcome.status, outcome.body, outcome.content_type, extra)

    # -- routing ----------------------------------------------------------------------------------

    @property
    def prefix(self) -> str:
        """The path part of `public_url` ("" for a bare host)."""
        return urlsplit(self.public_url).path.rstrip("/")

    def _route_path(self, path: str) -> str:
        """The path relative to `public_url`'s own path (a proxy may or may not strip it)."""
        prefix = self.prefix
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            return path[len(prefix):] or "/"
        return path

    def _secret_ok(self, given: str) -> bool:
        return bool(self.plum_secret) and hmac.compare_digest(given.encode("utf-8", "replace"),
                                                              self.plum_secret.encode("utf-8"))

    async def _dispatch(self, method: str, path: str, scope: Scope, receive: Receive) -> Outcome:
        if path == "/healthz":
            if method not in ("GET", "HEAD"):
                raise HttpError(405, ((b"allow", b"GET, HEAD"),))
            return Outcome(200, b"ok\n")
        handler: Any = None
        segments = path.split("/")
        if len(segments) == 4 and segments[1] == "plum" and self._secret_ok(segments[3]):
            handler = {"inbound": self._plum_inbound, "status": self._plum_status}.get(segments[2])
        elif self.plivo_token and path in ("/plivo/message", "/plivo/status"):
            handler = self._plivo_message if path == "/plivo/message" else self._plivo_status
        if handler is None:
            raise HttpError(404)
        if method != "POST":
            raise HttpError(405, ((b"allow", b"POST"),))
        if path.startswith("/plivo/") and not (header(scope, NONCE_HEADER) and header(scope, SIGNATURE_HEADER)):
            raise HttpError(403)  # unsigned: not worth reading
        check_form(scope, self.limits.max_body)
        raw = await read_body(receive, limit=self.limits.max_body, timeout=self.limits.body_timeout)
        pairs = parse_form(raw)
        return await handler(pairs, scope, path)

    # -- Plum ---------------------------------------------------------------------------------------

    async def _plum_inbound(self, pairs: list[tuple[str, str]], scope: Scope, path: str) -> Outcome:
        msg = wire.plum_inbound(dict(pairs), self.clock())
        await self.writer.inbound(msg)
        return Outcome(200, PLUM_REPLY, "text/xml; charset=utf-8", msg.id)

    async def _plum_status(self, pairs: list[tuple[str, str]], scope: Scope, path: str) -> Outcome:
        update = wire.plum_status(dict(pairs))
        await self.writer.status(update)
        return Outcome(200, OK, message_id=update.message_id)

    # -- Plivo --------------------------------------------------------------------------------------

    def _check_signature(self, pairs: list[tuple[str, str]], scope: Scope, path: str) -> None:
        query = bytes(scope.get("query_string") or b"").decode("latin-1")
        url = self.public_url + path + (f"?{query}" if query else "")
        nonce = header(scope, NONCE_HEADER)
        signature = header(scope, SIGNATURE_HEADER)
        if not verify_v3(self.plivo_token, url, nonce, signature, _multimap(pairs), "POST"):
            raise HttpError(403)

    async def _plivo_message(self, pairs: list[tuple[str, str]], scope: Scope, path: str) -> Outcome:
        self._check_signature(pairs, scope, path)
        msg = wire.plivo_inbound(pairs, self.clock())
        await self.writer.inbound(msg)
        return Outcome(200, PLIVO_REPLY, "application/xml; charset=utf-8", msg.id)

    async def _plivo_status(self, pairs: list[tuple[str, str]], scope: Scope, path: str) -> Outcome:
        self._check_signature(pairs, scope, path)
        update = wire.plivo_status(dict(pairs))
        await self.writer.status(update)
        return Outcome(200, OK, message_id=update.message_id)

    # -- the log line -------------------------------------------------------------------------------

    def _shown_path(self, path: str) -> str:
        if path.startswith("/plum/"):
            head = "/".join(path.split("/")[:3])
            path = head + ("/" + MASK if len(path) > len(head) else "")
        if self.plum_secret:
            path = path.replace(self.plum_secret, MASK)
        return sanitize_line(path, limit=100)

    def _log(self, method: str, path: str, outcome: Outcome) -> None:
        stamp = self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        log.info("%s %s %s %d %s", stamp, sanitize_line(method, limit=10), self._shown_path(path),
                 outcome.status, outcome.message_id or "-")
