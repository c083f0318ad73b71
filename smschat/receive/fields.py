"""What the providers post, turned into domain objects. Pure functions; every value stays data.

A field the receiver cannot use (no id, an id that is not an id, a number without digits, a status
it does not know) raises `BadRequest` (HTTP 400). Texts, names and URLs are stored exactly as they
came: the UI sanitises on display.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from smschat.domain import plivo_rules
from smschat.domain.model import DeliveryStatus, Direction, Message, Status
from smschat.domain.numbers import normalize

#: Provider ids: Plum's 32 hex digits, Plivo's UUIDs. Never the outbox's `local:` ids.
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_MEDIA_KEY = re.compile(r"^Media(\d{1,3})$")
#: Most attachments kept from one inbound MMS (Plivo allows 10).
MAX_MEDIA = 20


class BadRequest(ValueError):
    """The post lacks something the receiver needs, or holds a value it cannot use (HTTP 400)."""


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A provider's news about one outbound message."""

    message_id: str
    status: Status
    delivery: DeliveryStatus = DeliveryStatus.UNKNOWN
    error: str = ""


def message_id(fields: Mapping[str, str], key: str) -> str:
    value = fields.get(key, "").strip()
    if not value:
        raise BadRequest(f"{key} is missing")
    if not _ID.match(value):
        raise BadRequest(f"{key} is not a message id")
    return value


def _number(fields: Mapping[str, str], key: str) -> str:
    value = fields.get(key, "")
    digits = normalize(value)
    if not digits or len(digits) > 15:
        raise BadRequest(f"{key} is not a phone number")
    return value.strip()


# -- Plum ------------------------------------------------------------------------------------------


def plum_inbound(fields: Mapping[str, str], now: datetime) -> Message:
    """Plum's application-URL post: `sms_message_id`, `to`, `from`, `body` (no time: `now`)."""
    return Message(
        id=message_id(fields, "sms_message_id"),
        to_number=_number(fields, "to"),
        from_number=_number(fields, "from"),
        body=fields.get("body", ""),
        direction=Direction.INBOUND,
        status=Status.RECEIVED,
        requested_at=now,
    )


def plum_status(fields: Mapping[str, str]) -> StatusUpdate:
    """Plum's result-URL post: `sms_message_id`, `status`, and `delivery_status` once known."""
    mid = message_id(fields, "sms_message_id")
    raw_status = fields.get("status", "").strip().lower()
    raw_delivery = fields.get("delivery_status", "")
    if raw_status in ("delivered", "undelivered", "unconfirmed") and not raw_delivery.strip():
        raw_status, raw_delivery = "sent", raw_status  # tolerate the delivery given as the status
    try:
        status = Status.parse(raw_status)
        delivery = DeliveryStatus.parse(raw_delivery)
    except ValueError:
        raise BadRequest("unknown status") from None
    if status is Status.RECEIVED:
        raise BadRequest("a status post is about an outbound message")
    return StatusUpdate(mid, status, delivery)


# -- Plivo -----------------------------------------------------------------------------------------


def media_urls(pairs: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """`Media0`/`Media1` ... `MediaN` in index order (Plivo numbers them from 1; 0 is tolerated)."""
    found: dict[int, str] = {}
    for key, value in pairs:
        match = _MEDIA_KEY.match(key)
        if match and value.strip():
            found.setdefault(int(match.group(1)), value.strip())
    return tuple(found[i] for i in sorted(found))[:MAX_MEDIA]


def plivo_inbound(pairs: Sequence[tuple[str, str]], now: datetime) -> Message:
    """Plivo's message-URL post: `MessageUUID`, `From`, `To`, `Type` (sms|mms), the text in `Text`
    (SMS) or `Body` (MMS), and for MMS `MediaCount` with `Media1`..`MediaN`."""
    fields = dict(pairs)
    kind = fields.get("Type", "sms").strip().lower() or "sms"
    if kind not in ("sms", "mms"):
        raise BadRequest("Type is neither sms nor mms")
    if kind == "mms" and "Body" in fields:
        text = fields["Body"]
    else:
        text = fields.get("Text", fields.get("Body", ""))
    return Message(
        id=message_id(fields, "MessageUUID"),
        to_number=_number(fields, "To"),
        from_number=_number(fields, "From"),
        body=text,
        direction=Direction.INBOUND,
        status=Status.RECEIVED,
        requested_at=now,
        media=media_urls(pairs) if kind == "mms" else (),
    )


def plivo_status(fields: Mapping[str, str]) -> StatusUpdate:
    """Plivo's delivery callback: `MessageUUID`, `Status`, `ErrorCode` (for failed/undelivered);
    states and error codes mean what `smschat.domain.plivo_rules` says."""
    mid = message_id(fields, "MessageUUID")
    state = fields.get("Status", "")
    try:
        status, delivery = plivo_rules.map_state(state, Direction.OUTBOUND)
    except ValueError:
        raise BadRequest("unknown Status") from None
    if status is Status.RECEIVED:
        raise BadRequest("a delivery report is about an outbound message")
    error = ""
    if status is Status.FAILURE or delivery is DeliveryStatus.UNDELIVERED:
        error = plivo_rules.state_error(state, fields.get("ErrorCode", ""))
    return StatusUpdate(mid, status, delivery, error)
