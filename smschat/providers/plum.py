"""Plum Voice SMS REST API (https://hosting.plumvoice.com/ws/sms): queue, status, messages, conversation.

One `PlumProvider` per profile, one `httpx.AsyncClient` inside it. Requests are validated before
they leave (page limits 50..1000, known filter values), answers are parsed by `plum_wire` into
domain objects, and every failure becomes a typed error from `smschat.domain.errors`. Nothing here
retries: the sync layer decides what may be tried again (never a queue whose outcome is unknown).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from smschat.domain.errors import (
    ApiError,
    AuthError,
    MalformedResponse,
    NotFound,
    SendOutcomeUnknown,
    classify_failure,
)
from smschat.domain.model import Message, MessagePage
from smschat.domain.numbers import national, normalize
from smschat.domain.sanitize import sanitize_line
from smschat.providers import plum_wire
from smschat.providers.base import MAX_LIMIT, MIN_LIMIT, ListQuery, Provider, SendRequest
from smschat.providers.http import check_http_status, host_of, make_client, send

log = logging.getLogger(__name__)

FORMATS = ("json", "xml")
ORDERS = ("", "asc", "desc")
MSG_TYPES = ("", "inbound", "outbound", "all")
NUMBER_TYPES = ("", "account", "customer")
#: Gateway answers to a queue request: the upstream may have acted on it before failing.
_GATEWAY_CODES = (502, 504)


def check_page(offset: int, limit: int, order: str) -> None:
    """Raise `ValueError` for paging Plum would refuse (limit outside 50..1000, negative offset)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not MIN_LIMIT <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between {MIN_LIMIT} and {MAX_LIMIT}, not {limit!r}")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValueError(f"offset must be a whole number >= 0, not {offset!r}")
    if order not in ORDERS:
        raise ValueError(f"order must be 'asc', 'desc' or '', not {order!r}")


def _epoch(stamp: datetime, name: str, *, round_up: bool = False) -> int:
    if stamp.tzinfo is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    seconds = stamp.timestamp()
    return math.ceil(seconds) if round_up else math.floor(seconds)


def _time_params(start: datetime | None, end: datetime | None) -> dict[str, int]:
    params: dict[str, int] = {}
    if start is not None:
        params["start_timestamp"] = _epoch(start, "start")
    if end is not None:  # round up: a message inside the end's last second is still included
        params["end_timestamp"] = _epoch(end, "end", round_up=True)
    if start is not None and end is not None and start > end:
        raise ValueError("start must not be after end")
    return params


def _wire_number(number: str) -> str:
    """Numbers go out as Plum's docs show them: 10 digits for North America, digits otherwise."""
    return national(number)


def failure_error(server_message: str, status_code: int) -> ApiError | AuthError:
    """The typed error for a `status: failure` envelope (any HTTP status but 401/403/429/5xx)."""
    kind = classify_failure(server_message)
    if kind == "not_found":
        return NotFound(server_message, status_code=status_code)
    lowered = server_message.lower()
    if "authentication" in lowered or "unauthori" in lowered:
        return AuthError(f"the server rejected the credentials: {sanitize_line(server_message, limit=200)}")
    return ApiError(server_message, kind=kind, status_code=status_code)


def _scrubber(secret: str):
    """A function that masks `secret` in text (a server might echo the password back)."""

    def scrub(text: str) -> str:
        return text.replace(secret, "***") if secret and secret in text else text

    return scrub


class PlumProvider(Provider):
    """A Plum Voice SMS account. Use as `async with PlumProvider(...) as plum:` or call `aclose()`."""

    name = "plum"

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        format: str = "json",  # noqa: A002 - the profile's own word
        numbers: Iterable[str] = (),
        timeout: float = 15.0,
        ca_bundle: str = "",
    ) -> None:
        if format not in FORMATS:
            raise ValueError(f"format must be 'json' or 'xml', not {format!r}")
        self.base_url = base_url.rstrip("/")
        self.format = format
        self.username = username
        self.accounts: frozenset[str] = frozenset(n for n in (normalize(x) for x in numbers) if n)
        self._client = make_client(self.base_url, username, password, timeout=timeout, ca_bundle=ca_bundle)
        self._scrub = _scrubber(password)
        self._closed = False

    def __repr__(self) -> str:  # never the password
        return f"PlumProvider(base_url={self.base_url!r}, format={self.format!r}, username={self.username!r})"

    # -- the interface --------------------------------------------------------------------------

    async def list_messages(self, query: ListQuery) -> MessagePage:
        check_page(query.offset, query.limit, query.order)
        if query.msg_type not in MSG_TYPES:
            raise ValueError(f"msg_type must be 'inbound', 'outbound', 'all' or '', not {query.msg_type!r}")
        if query.number_type not in NUMBER_TYPES:
            raise ValueError(f"number_type must be 'account', 'customer' or '', not {query.number_type!r}")
        directed = query.msg_type in ("inbound", "outbound") and bool(query.phone_number)
        if query.number_type and not directed:
            raise ValueError("number_type needs msg_type 'inbound' or 'outbound' and a phone_number")
        if directed and not query.number_type:
            raise ValueError("msg_type 'inbound'/'outbound' with a phone_number needs number_type 'account' or 'customer'")
        params: dict[str, Any] = {"offset": query.offset, "limit": query.limit}
        if query.order:
            params["order"] = query.order
        params.update(_time_params(query.start, query.end))
        if query.msg_type:
            params["msg_type"] = query.msg_type
        if query.phone_number:
            if not normalize(query.phone_number):  # blank on the wire would widen to every message
                raise ValueError(f"phone_number {query.phone_number!r} is not a phone number")
            params["phone_number"] = _wire_number(query.phone_number)
        if query.number_type:
            params["number_type"] = query.number_type
        result = await self._call("GET", "messages", params=params)
        return plum_wire.page_from(result, self.accounts, offset=query.offset, limit=query.limit)

    async def conversation(
        self,
        number1: str,
        number2: str,
        *,
        offset: int = 0,
        limit: int = MIN_LIMIT,
        order: str = "desc",
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> MessagePage:
        check_page(offset, limit, order)
        if not normalize(number1) or not normalize(number2):
            raise ValueError("a conversation needs two phone numbers")
        params: dict[str, Any] = {"offset": offset, "limit": limit}
        if order:
            params["order"] = order
        params.update(_time_params(start, end))
        params["phone_number1"] = _wire_number(number1)
        params["phone_number2"] = _wire_number(number2)
        result = await self._call("GET", "conversation", params=params)
        return plum_wire.page_from(result, self.accounts, offset=offset, limit=limit)

    async def queue(self, request: SendRequest) -> tuple[Message, ...]:
        if request.media_urls or (request.kind or "sms") != "sms":
            raise ValueError("Plum sends SMS only: MMS media cannot be sent through Plum")
        data = {"to": _wire_number(request.to), "from": _wire_number(request.from_number), "body": request.body}
        if request.result_url:
            data["result_url"] = request.result_url
        result = await self._call("POST", "queue", data=data, sending=True)
        try:
            return plum_wire.queued_from(result)
        except MalformedResponse as exc:  # it said success: the message is probably queued
            raise SendOutcomeUnknown(
                f"the server accepted the message but its answer could not be read ({exc.message}): "
                "it may or may not have been queued"
            ) from exc

    async def status(self, message_id: str) -> Message:
        if not isinstance(message_id, str) or not message_id.strip():
            raise ValueError("a message id is required")
        result = await self._call("GET", f"status/{quote(message_id.strip(), safe='')}")
        return plum_wire.status_from(result, self.accounts, message_id)

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self._client.aclose()

    # -- one request -----------------------------------------------------------------------------

    def _url(self, endpoint: str) -> str:
        name, _, rest = endpoint.partition("/")
        return f"{name}.{self.format}" + (f"/{rest}" if rest else "")

    async def _call(
        self,
        method: str,
        endpoint: str,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        sending: bool = False,
    ) -> object:
        """Send one request; return the envelope's `result` or raise the typed error."""
        accept = "application/json" if self.format == "json" else "application/xml"
        request = self._client.build_request(method, self._url(endpoint), params=params, data=data, headers={"Accept": accept})
        response = await send(self._client, request, sending=sending)
        code = response.status_code
        log.debug("plum %s %s -> HTTP %s", method, endpoint.partition("/")[0], code)
        content = response.content
        if not 200 <= code < 300:
            said = plum_wire.error_of(content, self.format)
            message = self._scrub(said[1]) if said else ""
            if said and not said[0] and 400 <= code < 500 and code not in (401, 403, 429):
                raise failure_error(message, code)
            if sending and code in _GATEWAY_CODES:
                raise SendOutcomeUnknown(
                    f"{host_of(request.url)} answered HTTP {code} (a gateway error): "
                    "the message may or may not have been queued"
                )
            check_http_status(response, server_message=message)
        try:
            envelope = plum_wire.decode(content, self.format)
        except MalformedResponse as exc:
            if sending:
                raise SendOutcomeUnknown(
                    f"the server's answer could not be read ({exc.message}): the message may or may not have been queued"
                ) from exc
            raise
        if not envelope.ok:
            raise failure_error(self._scrub(envelope.error), code)
        return envelope.result

    @classmethod
    def from_profile(cls, profile: Any) -> PlumProvider:
        return cls(
            profile.base_url,
            profile.username,
            profile.password,
            format=profile.format,
            numbers=profile.numbers,
            timeout=profile.timeout,
        )


__all__ = ["PlumProvider", "check_page", "failure_error"]
