"""Plivo's Message API (https://api.plivo.com/v1/Account/{auth_id}/Message/): send, list, get.

One `PlivoProvider` per profile; HTTP basic auth with the auth id (the profile's `username` or
`auth_id`) and the auth token (its password). JSON request bodies, as the official SDKs send.

What Plivo's API shapes here:

- **No text in records.** A list or get record (MDR) carries numbers, direction, state, type, time,
  units, amounts and error code, never the text: every record returned by `list_messages` and
  `status` has `body=""` and `body_known=False`. The text of what this client sends is in the
  records `queue` returns (the store keeps it by uuid); inbound text arrives only through the
  receiver's webhook.
- **Paging.** `limit` 1..20 (`max_limit = 20`, larger asks are clamped), `offset`, newest first
  (`ListQuery.order` cannot change that). Without a `message_time` filter Plivo lists only the last
  24 hours, and never more than 90 days back, so every list request carries
  `message_time__gte` (the query's start, or 90 days ago) and `message_time__lte` (the query's
  end, else pinned: the request at offset 0 fixes "now" and later pages of the same query reuse
  it, so messages arriving during a long walk neither shift pages nor get lost — the next
  incremental refresh picks them up).
- **Rate limit.** About 20 list requests a minute. All list requests pass one `RateGate`
  (`list_rate`, default 20 per 60 s), so a long first sync paces itself; a 429 anyway holds the
  gate for Retry-After (or one period) and asks for the same page again, up to
  `max_rate_waits` times, then raises `RateLimited`. No page is skipped.
- **No conversation endpoint and no filter on the customer's number.** `conversation()` raises
  `Unsupported`, and so does a `ListQuery` with `phone_number`: assembling one conversation would
  mean listing every message of the account for the window (20 per request, 20 requests a
  minute: a 5,000-message month is over 12 minutes), for every conversation opened. The sync
  engine lists the whole account once (first sync) and then incrementally, and conversations are
  read from the local store, which also holds the texts.
- **Sends** are checked before any request (`smschat.domain.plivo_rules`): `dst` and `src`
  sanitised as Plivo documents (country code, at most 14 digits, sender ids up to 11
  characters), the text within 1,600 GSM-7 / 737 UCS-2 characters, 1..10 media URLs for `mms`.
  With a `powerpack_uuid` the request carries it instead of `src`. `SendRequest.result_url`
  becomes the status callback `url` (method POST).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from smschat.domain.errors import (
    ApiError,
    MalformedResponse,
    NotFound,
    RateLimited,
    SendOutcomeUnknown,
    Unsupported,
    classify_failure,
)
from smschat.domain.model import Direction, Message, MessagePage, Status
from smschat.domain.numbers import normalize
from smschat.domain.plivo_rules import (
    INBOUND_STATES,
    OUTBOUND_STATES,
    check_media,
    check_text,
    destination,
    source,
)
from smschat.providers import plivo_wire
from smschat.providers.base import ListQuery, Provider, SendRequest
from smschat.providers.http import check_http_status, host_of, make_client, parse_retry_after, send
from smschat.providers.plivo_rate import RateGate

log = logging.getLogger(__name__)

MAX_LIMIT = 20
MIN_LIMIT = 1
#: How far back Plivo keeps message records.
HISTORY = timedelta(days=90)
#: A pinned list end is reused by later pages of the same query for this long.
PIN_TTL = timedelta(minutes=30)
_GATEWAY_CODES = (502, 504)
_STATES = tuple(dict.fromkeys(OUTBOUND_STATES + INBOUND_STATES))


def _utcnow() -> datetime:
    return datetime.now(UTC)


def api_root(base_url: str) -> str:
    """`https://api.plivo.com` from the profile's base URL (a trailing `/v1` is tolerated)."""
    root = base_url.strip().rstrip("/")
    if root.endswith("/v1"):
        root = root[: -len("/v1")]
    return root


class PlivoProvider(Provider):
    """A Plivo account. Use as `async with PlivoProvider(...) as plivo:` or call `aclose()`."""

    name = "plivo"
    max_limit = MAX_LIMIT
    min_limit = MIN_LIMIT
    records_carry_text = False

    def __init__(
        self,
        base_url: str,
        auth_id: str,
        auth_token: str,
        *,
        numbers: Iterable[str] = (),
        powerpack_uuid: str = "",
        timeout: float = 15.0,
        ca_bundle: str = "",
        list_rate: tuple[int, float] = (20, 60.0),
        max_rate_waits: int = 8,
        log_content: bool = True,
        clock: Callable[[], datetime] = _utcnow,
        gate: RateGate | None = None,
    ) -> None:
        if not auth_id or not auth_id.strip():
            raise ValueError("a Plivo auth id is required")
        self.base_url = api_root(base_url)
        self.auth_id = auth_id.strip()
        self.powerpack_uuid = powerpack_uuid.strip()
        self.accounts: frozenset[str] = frozenset(n for n in (normalize(x) for x in numbers) if n)
        self.log_content = log_content
        self.max_rate_waits = max(0, int(max_rate_waits))
        self.clock = clock
        self.gate = gate or RateGate(*list_rate)
        extra = {"ca_bundle": ca_bundle} if ca_bundle else {}
        self._client = make_client(self.base_url, self.auth_id, auth_token, timeout=timeout, **extra)
        self._token = auth_token
        self._pins: dict[tuple, tuple[datetime, datetime]] = {}
        self._closed = False
        #: list requests answered 429 so far (each was waited out and asked again)
        self.rate_limited = 0

    def __repr__(self) -> str:  # never the token
        return f"PlivoProvider(base_url={self.base_url!r}, auth_id={self.auth_id!r})"

    @property
    def _messages_path(self) -> str:
        return f"v1/Account/{quote(self.auth_id, safe='')}/Message/"

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token and self._token in text else text

    # -- listing --------------------------------------------------------------------------------

    async def list_messages(self, query: ListQuery) -> MessagePage:
        """One page of the account's records (newest first, no text); see the module doc."""
        if query.phone_number or query.number_type:
            raise Unsupported("Plivo's message list cannot filter by phone number")
        if query.msg_type not in ("", "all", "inbound", "outbound"):
            raise ValueError(f"msg_type must be 'inbound', 'outbound', 'all' or '', not {query.msg_type!r}")
        if query.order not in ("", "asc", "desc"):
            raise ValueError(f"order must be 'asc', 'desc' or '', not {query.order!r}")
        direction = query.msg_type if query.msg_type in ("inbound", "outbound") else ""
        return await self.list_records(
            offset=query.offset, limit=query.limit, start=query.start, end=query.end, direction=direction
        )

    async def list_records(
        self,
        *,
        offset: int = 0,
        limit: int = MAX_LIMIT,
        start: datetime | None = None,
        end: datetime | None = None,
        after: datetime | None = None,
        before: datetime | None = None,
        direction: str = "",
        state: str = "",
        kind: str = "",
        error_code: str | int = "",
    ) -> MessagePage:
        """Every filter of Plivo's list: `start`/`end` -> `message_time__gte/__lte` (inclusive),
        `after`/`before` -> `__gt/__lt` (exclusive), `direction` -> `message_direction`, `state`
        -> `message_state`, `kind` -> `message_type`, `error_code`. `limit` is clamped to 1..20."""
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValueError(f"offset must be a whole number >= 0, not {offset!r}")
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise ValueError(f"limit must be a whole number, not {limit!r}")
        limit = max(MIN_LIMIT, min(MAX_LIMIT, limit))
        if direction not in ("", "inbound", "outbound"):
            raise ValueError(f"direction must be 'inbound', 'outbound' or '', not {direction!r}")
        if state and state not in _STATES:
            raise ValueError(f"state must be one of {', '.join(_STATES)}, not {state!r}")
        if kind and kind not in ("sms", "mms"):
            raise ValueError(f"kind must be 'sms' or 'mms', not {kind!r}")
        code = str(error_code).strip()
        if code and not code.isdigit():
            raise ValueError(f"error_code must be a number, not {error_code!r}")
        for name, stamp in (("start", start), ("end", end), ("after", after), ("before", before)):
            if stamp is not None and stamp.tzinfo is None:
                raise ValueError(f"{name} must be a timezone-aware datetime")
        key = (start, after, end, before, direction, state, kind, code)
        now, pinned_now = self.clock(), self._pin(key, offset)
        horizon = pinned_now - HISTORY + timedelta(minutes=1)  # a minute inside Plivo's 90 days
        low = start if start is not None else (None if after is not None else horizon)
        if low is not None and low < horizon:
            low = horizon
        if after is not None and after < horizon:
            after, low = None, horizon
        high = end
        if end is None and before is None:
            high = pinned_now if pinned_now <= now else now
        if low is not None and high is not None and low > high:
            raise ValueError("start must not be after end")
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if low is not None:
            params["message_time__gte"] = plivo_wire.format_filter_time(low)
        if after is not None:
            params["message_time__gt"] = plivo_wire.format_filter_time(after)
        if high is not None:
            params["message_time__lte"] = plivo_wire.format_filter_time(high)
        if before is not None:
            params["message_time__lt"] = plivo_wire.format_filter_time(before)
        if direction:
            params["message_direction"] = direction
        if state:
            params["message_state"] = state
        if kind:
            params["message_type"] = kind
        if code:
            params["error_code"] = code
        data = await self._list_call(params)
        return plivo_wire.page_from(data, offset=offset, limit=limit)

    def _pin(self, key: tuple, offset: int) -> datetime:
        """The "now" of a listing: fixed by its first page (offset 0), reused by its other pages
        (same filters, within `PIN_TTL`), so their time window does not move under them."""
        now = self.clock()
        for stale in [k for k, at in self._pins.items() if now - at > PIN_TTL or at > now]:
            del self._pins[stale]
        if offset == 0 or key not in self._pins:
            self._pins[key] = now
        return self._pins[key]

    async def _list_call(self, params: dict[str, Any]) -> object:
        """One list request through the rate gate; a 429 waits and asks for the same page again."""
        waits = 0
        while True:
            slot = await self.gate.acquire()
            request = self._client.build_request("GET", self._messages_path, params=params,
                                                 headers={"Accept": "application/json"})
            try:
                response = await send(self._client, request)
            finally:
                self.gate.release(slot)
            if response.status_code != 429:
                return self._answer(response, request)
            self.rate_limited += 1
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            wait = retry_after if retry_after is not None else self.gate.period / 2
            if waits >= self.max_rate_waits:
                said = plivo_wire.error_text(response.content)
                check_http_status(response, server_message=self._scrub(said))
                raise RateLimited("Plivo is rate limiting the message list", retry_after=retry_after)
            waits += 1
            log.info("plivo list: rate limited (429); waiting %.1f s, then asking for the same page again", wait)
            self.gate.hold(wait)

    # -- single messages ------------------------------------------------------------------------

    async def status(self, message_id: str) -> Message:
        """The current record of one message (no text: `body_known=False`)."""
        if not isinstance(message_id, str) or not message_id.strip():
            raise ValueError("a message id is required")
        uuid = message_id.strip()
        path = f"{self._messages_path}{quote(uuid, safe='')}/"
        request = self._client.build_request("GET", path, headers={"Accept": "application/json"})
        response = await send(self._client, request)
        if response.status_code == 404:
            said = plivo_wire.error_text(response.content)
            raise NotFound(self._scrub(said) or f"Plivo has no message {uuid[:40]}", status_code=404)
        return plivo_wire.status_from(self._answer(response, request), uuid)

    async def media(self, message_id: str) -> tuple[str, ...]:
        """The media URLs of an MMS (`GET .../Message/{uuid}/Media/`), in order; () for an SMS."""
        if not isinstance(message_id, str) or not message_id.strip():
            raise ValueError("a message id is required")
        uuid = message_id.strip()
        path = f"{self._messages_path}{quote(uuid, safe='')}/Media/"
        request = self._client.build_request("GET", path, headers={"Accept": "application/json"})
        response = await send(self._client, request)
        if response.status_code == 404:
            said = plivo_wire.error_text(response.content)
            raise NotFound(self._scrub(said) or f"Plivo has no message {uuid[:40]}", status_code=404)
        return plivo_wire.media_urls(self._answer(response, request))

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
        raise Unsupported(
            "Plivo has no conversation endpoint and cannot filter its message list by number; "
            "conversations come from the local store"
        )

    # -- sending --------------------------------------------------------------------------------

    def build_send(self, request: SendRequest) -> dict[str, Any]:
        """The JSON body of a send, or a `ValueError` (`PlivoRefused`, `InvalidNumber`) saying
        which of Plivo's documented rules it breaks. Nothing is sent."""
        body: dict[str, Any] = {}
        if self.powerpack_uuid:
            body["powerpack_uuid"] = self.powerpack_uuid
        else:
            body["src"] = source(request.from_number)
        body["dst"] = destination(request.to)
        body["text"] = check_text(request.body)
        kind = (request.kind or "sms").strip().lower()
        media = check_media(kind, tuple(request.media_urls))
        body["type"] = kind
        if media:
            body["media_urls"] = list(media)
        if request.result_url:
            body["url"] = request.result_url
            body["method"] = "POST"
        body["log"] = bool(self.log_content)
        return body

    async def queue(self, request: SendRequest) -> tuple[Message, ...]:
        payload = self.build_send(request)
        started = self.clock()
        http_request = self._client.build_request(
            "POST", self._messages_path, json=payload, headers={"Accept": "application/json"}
        )
        response = await send(self._client, http_request, sending=True)
        data = self._answer(response, http_request, sending=True)
        try:
            uuids = plivo_wire.queued_uuids(data)
        except MalformedResponse as exc:
            raise SendOutcomeUnknown(
                f"Plivo accepted the message but its answer could not be read ({exc.message}): "
                "it may or may not have been queued"
            ) from exc
        parts = uuids if len(uuids) > 1 else ()
        sender = payload.get("src") or normalize(request.from_number)
        media = tuple(payload.get("media_urls", ()))
        return tuple(
            Message(
                id=uuid,
                to_number=payload["dst"],
                from_number=sender,
                body=payload["text"] if i == 0 else "",  # the thread joins the parts' bodies
                direction=Direction.OUTBOUND,
                status=Status.QUEUED,
                requested_at=started,
                result_url=request.result_url,
                parts=parts,
                media=media if i == 0 else (),
            )
            for i, uuid in enumerate(uuids)
        )

    # -- answers --------------------------------------------------------------------------------

    def _answer(self, response: httpx.Response, request: httpx.Request, *, sending: bool = False) -> object:
        """The JSON of a 2xx answer, or the typed error of any other."""
        code = response.status_code
        log.debug("plivo %s %s -> HTTP %s", request.method, "Message", code)
        if not 200 <= code < 300:
            said = self._scrub(plivo_wire.error_text(response.content))
            if sending and code in _GATEWAY_CODES:
                raise SendOutcomeUnknown(
                    f"{host_of(request.url)} answered HTTP {code} (a gateway error): "
                    "the message may or may not have been queued"
                )
            if 400 <= code < 500 and code not in (401, 403, 404, 429) and said:
                raise ApiError(said, kind=classify_failure(said), status_code=code)
            check_http_status(response, server_message=said)
        try:
            return plivo_wire.load(response.content)
        except MalformedResponse as exc:
            if sending:
                raise SendOutcomeUnknown(
                    f"Plivo's answer could not be read ({exc.message}): the message may or may not have been queued"
                ) from exc
            raise

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self._client.aclose()

    @classmethod
    def from_profile(cls, profile: Any) -> PlivoProvider:
        auth_id = getattr(profile, "auth_id", "") or profile.username
        return cls(
            profile.base_url,
            auth_id,
            profile.password,
            numbers=profile.numbers,
            powerpack_uuid=getattr(profile, "powerpack_uuid", "") or "",
            timeout=profile.timeout,
            ca_bundle=getattr(profile, "ca_bundle", "") or "",
        )


__all__ = ["HISTORY", "MAX_LIMIT", "MIN_LIMIT", "PlivoProvider", "api_root"]
