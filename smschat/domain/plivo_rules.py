"""Plivo's documented rules as pure functions: addresses, limits, MMS, message states, error codes.

Shared by the Plivo provider (checks before a request), the simulator (the same refusals on the
server side) and the receiver (states and error codes of status callbacks).

Addresses (Send Message API): `dst` loses `/ - . + ( )` and white space; `src` loses everything but
A-Z, a-z, 0-9. A sanitised phone number must start with its country code and have at most 14
digits; an alphanumeric sender id has at most 11 characters. smschat reads a 10-digit number as
North American (as everywhere in the client), so it gains the country code 1.

Text: GSM-7 up to 1,600 characters (units of 153), UCS-2 up to 737 (units of 67). MMS: `type` mms
needs 1..10 `media_urls`; SMS takes none.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from smschat.domain.model import DeliveryStatus, Direction, Status
from smschat.domain.numbers import InvalidNumber, normalize
from smschat.domain.segments import plivo_limit_error

MAX_DIGITS = 14
MIN_DIGITS = 8  # shorter than this cannot be a country code plus a subscriber number
MAX_SENDER_ID = 11
MAX_MEDIA = 10
KINDS = ("sms", "mms")

_DST_STRIP = re.compile(r"[/\-.+()\s]")
_SRC_KEEP = re.compile(r"[^A-Za-z0-9]")

#: Plivo's message states (MDR `message_state`, callback `Status`).
OUTBOUND_STATES = ("queued", "sent", "delivered", "undelivered", "failed", "rejected", "read")
INBOUND_STATES = ("received", "delivered", "undelivered")

#: Plivo's SMS/MMS error codes (its public error-code list), as "code: meaning".
ERROR_CODES = {
    "10": "invalid message",
    "20": "network error",
    "30": "spam detected",
    "40": "invalid source number",
    "50": "invalid destination number",
    "60": "loop detected",
    "70": "destination permanently unavailable",
    "80": "destination temporarily unavailable",
    "90": "no route available",
    "100": "prohibited by carrier",
    "110": "message too long",
    "120": "MMS too large (over 5 MB)",
    "130": "unsupported media type",
    "140": "media could not be processed",
    "200": "recipient replied STOP",
    "420": "message expired",
    "900": "insufficient credit",
    "910": "account disabled",
    "1000": "unknown",
}
#: Codes that mean "no error" (delivered).
SUCCESS_CODES = frozenset({"", "0", "00", "000"})


class PlivoRefused(ValueError):
    """A send that Plivo's documented rules refuse; raised before any request is made."""


def _digits_or_none(text: str) -> str | None:
    return text if text.isascii() and text.isdigit() else None


def destination(raw: str) -> str:
    """`dst` as Plivo sanitises it (country code first, digits only), or `InvalidNumber`."""
    text = str(raw or "")
    stripped = _DST_STRIP.sub("", text)
    if not stripped:
        raise InvalidNumber("a destination number is required")
    if "<" in stripped:
        raise InvalidNumber("one destination at a time ('<' would send to several numbers)")
    if _digits_or_none(stripped) is None:
        raise InvalidNumber(f"{text.strip()[:40]!r} is not a phone number")
    number = normalize(stripped)
    if len(number) > MAX_DIGITS:
        raise InvalidNumber(f"{text.strip()[:40]!r} is too long: Plivo takes at most {MAX_DIGITS} digits")
    if len(number) < MIN_DIGITS:
        raise InvalidNumber(f"{text.strip()[:40]!r} is too short: give the country code and the number")
    return number


def source(raw: str) -> str:
    """`src` as Plivo sanitises it: a phone number (country code first, at most 14 digits) or an
    alphanumeric sender id (at most 11 characters). `InvalidNumber` when it is neither."""
    text = str(raw or "")
    kept = _SRC_KEEP.sub("", text)
    if not kept:
        raise InvalidNumber("a sender (src) is required")
    if kept.isdigit():
        number = normalize(kept)
        if len(number) > MAX_DIGITS:
            raise InvalidNumber(f"sender {text.strip()[:40]!r} is too long: at most {MAX_DIGITS} digits")
        if len(number) < MIN_DIGITS:
            raise InvalidNumber(f"sender {text.strip()[:40]!r} is too short: give the country code and the number")
        return number
    if len(kept) > MAX_SENDER_ID:
        raise InvalidNumber(f"sender id {kept!r} is too long: alphanumeric sender ids have at most {MAX_SENDER_ID} characters")
    return kept


def check_media(kind: str, media_urls: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The media URLs for a send of `kind` ("sms"/"mms"), or `PlivoRefused`."""
    if kind not in KINDS:
        raise PlivoRefused(f"type must be 'sms' or 'mms', not {kind!r}")
    urls = tuple(str(u).strip() for u in media_urls)
    if kind == "sms":
        if urls:
            raise PlivoRefused("media URLs need type 'mms'")
        return ()
    if not urls:
        raise PlivoRefused("an MMS needs at least one media URL")
    if len(urls) > MAX_MEDIA:
        raise PlivoRefused(f"an MMS carries at most {MAX_MEDIA} media files, not {len(urls)}")
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
            raise PlivoRefused(f"media URL {url[:80]!r} is not an http(s) URL")
    return urls


def check_text(text: str) -> str:
    """The text if Plivo accepts it (required; GSM-7 <= 1,600 chars, UCS-2 <= 737), else `PlivoRefused`."""
    if not isinstance(text, str) or not text.strip():
        raise PlivoRefused("the message text is required")
    why = plivo_limit_error(text)
    if why:
        raise PlivoRefused(why)
    return text


def map_state(state: str, direction: Direction) -> tuple[Status, DeliveryStatus]:
    """(status, delivery) for a Plivo message state. Unknown states raise `ValueError`.

    Outbound: queued -> queued; sent -> sent (delivery not known yet); delivered and read ->
    delivered; undelivered -> sent/undelivered; failed and rejected -> failure. Inbound messages are
    always received: their delivered/undelivered says whether Plivo could post them to the
    message URL, not anything about the customer.
    """
    text = (state or "").strip().lower()
    if direction is Direction.INBOUND:
        if text in INBOUND_STATES or text in ("", "queued", "sent"):
            return Status.RECEIVED, DeliveryStatus.UNKNOWN
        raise ValueError(f"unknown inbound message state {state!r}")
    if text == "queued":
        return Status.QUEUED, DeliveryStatus.UNKNOWN
    if text == "sent":
        return Status.SENT, DeliveryStatus.UNKNOWN
    if text in ("delivered", "read"):
        return Status.SENT, DeliveryStatus.DELIVERED
    if text == "undelivered":
        return Status.SENT, DeliveryStatus.UNDELIVERED
    if text in ("failed", "rejected"):
        return Status.FAILURE, DeliveryStatus.UNKNOWN
    if text == "received":  # a record that says received is inbound whatever its direction says
        return Status.RECEIVED, DeliveryStatus.UNKNOWN
    raise ValueError(f"unknown message state {state!r}")


def error_meaning(code: object) -> str:
    """`"200: recipient replied STOP"` for an error code; "" when there is none (or it is 000)."""
    if code is None or isinstance(code, bool):
        return ""
    text = str(code).strip()
    if text in SUCCESS_CODES:
        return ""
    key = text.lstrip("0") or "0"
    if key in SUCCESS_CODES:
        return ""
    meaning = ERROR_CODES.get(key)
    if meaning is None:
        return f"{text[:20]}: error code not in Plivo's list"
    return f"{key}: {meaning}"


def state_error(state: str, code: object) -> str:
    """The `Message.error` for a state and error code: the code's meaning, or the state itself when
    a failure came without a code."""
    meaning = error_meaning(code)
    if meaning:
        return meaning
    text = (state or "").strip().lower()
    if text == "rejected":
        return "rejected by Plivo"
    if text == "failed":
        return "failed (no error code)"
    return ""


__all__ = [
    "ERROR_CODES",
    "INBOUND_STATES",
    "KINDS",
    "MAX_DIGITS",
    "MAX_MEDIA",
    "MAX_SENDER_ID",
    "OUTBOUND_STATES",
    "PlivoRefused",
    "check_media",
    "check_text",
    "destination",
    "error_meaning",
    "map_state",
    "source",
    "state_error",
]
