"""Plivo's wire format: JSON answers in, domain objects out. Pure functions, no I/O.

- A Message Detail Record (list `objects[]`, or the body of `GET .../Message/{uuid}/`) has
  `message_uuid`, `from_number`, `to_number`, `message_direction`, `message_state`,
  `message_type`, `message_time`, `units`, `total_rate`, `total_amount`, `error_code` ... and
  **no text**: every record parsed here has `body=""` and `body_known=False`.
- A list answer is `{"api_id", "meta": {"limit", "offset", "next", "previous", "total_count"},
  "objects": [...]}`, newest first.
- A send answer (HTTP 202) is `{"message": "message(s) queued", "message_uuid": [...], "api_id"}`.
- Errors are `{"api_id", "error": "..."}` (the error may also be an object of field -> reasons).

Tolerated: numbers as strings or integers, `units` as a string, `message_time` with or without
microseconds, with or without a UTC offset (none = UTC), ISO `T`; `total_count` missing (then
`next` says whether there is more). Anything else wrong raises `MalformedResponse`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

from smschat.domain.errors import MalformedResponse
from smschat.domain.model import Direction, Message, MessagePage
from smschat.domain.plivo_rules import map_state, state_error
from smschat.domain.sanitize import sanitize_line

#: `message_time__*` filters: UTC, `YYYY-MM-DD HH:MM:SS[.ffffff]`.
FILTER_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def _short(value: object, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def load(content: bytes) -> object:
    """The JSON document of an answer; `MalformedResponse` when it is not JSON."""
    if not content.strip():
        raise MalformedResponse("Plivo sent an empty answer where JSON was expected")
    try:
        return json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise MalformedResponse(f"Plivo's answer is not valid JSON: {_short(exc)}") from None


def error_text(content: bytes) -> str:
    """The `error` (or `message`) of an error answer, flattened to one line; "" when there is none."""
    try:
        data = json.loads(content) if content.strip() else None
    except (ValueError, RecursionError):
        text = content[:300].decode("utf-8", "replace").strip()
        return text if text and not text.lstrip().startswith("<") else ""
    if not isinstance(data, Mapping):
        return ""
    for key in ("error", "message", "detail"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, Mapping) and value:
            return "; ".join(f"{k}: {_flat(v)}" for k, v in value.items())
        if isinstance(value, list) and value:
            return "; ".join(_flat(v) for v in value)
    return ""


def _flat(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_flat(v) for v in value)
    return str(value)


def format_filter_time(stamp: datetime) -> str:
    """A `message_time__*` value: UTC, microseconds kept."""
    if stamp.tzinfo is None:
        raise ValueError("message_time filters need timezone-aware datetimes")
    return stamp.astimezone(UTC).strftime(FILTER_FORMAT)


def parse_time(value: object, key: str = "message_time") -> datetime | None:
    """`2021-07-13 13:04:06.799021+05:30` (and looser forms) as an aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise MalformedResponse(f"field {key!r} is out of range for a time") from None
    if not isinstance(value, str):
        raise MalformedResponse(f"field {key!r} is a {type(value).__name__}, not a time")
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":" and text[-4:].isdigit():  # +0530
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedResponse(f"field {key!r} is {_short(value)!r}, not a time") from None
    return stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _text(item: Mapping[str, object], key: str, *, required: bool = False) -> str:
    value = item.get(key)
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value.strip()
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        raise MalformedResponse(f"field {key!r} is a {type(value).__name__}, not text")
    if required and not text:
        raise MalformedResponse(f"a message record has no {key!r}")
    return text


def _count(value: object, key: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MalformedResponse(f"field {key!r} is a boolean, not a count")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        raise MalformedResponse(f"field {key!r} is {_short(value)!r}, not a whole number")
    if number < 0:
        raise MalformedResponse(f"field {key!r} is negative")
    return number


def _direction(item: Mapping[str, object]) -> Direction:
    raw = _text(item, "message_direction").lower()
    if raw == "inbound":
        return Direction.INBOUND
    if raw == "outbound":
        return Direction.OUTBOUND
    if _text(item, "message_state").lower() == "received":
        return Direction.INBOUND
    raise MalformedResponse(f"a message record has an unknown direction {_short(raw, 20)!r}")


def message_from(item: object) -> Message:
    """One MDR as a domain `Message` whose text is unknown (`body_known=False`)."""
    if not isinstance(item, Mapping):
        raise MalformedResponse(f"a message record is a {type(item).__name__}, not an object")
    uuid = _text(item, "message_uuid", required=True)
    direction = _direction(item)
    state = _text(item, "message_state", required=True)
    try:
        status, delivery = map_state(state, direction)
    except ValueError:
        raise MalformedResponse(f"message {_short(uuid, 40)} has an unknown state {_short(state, 20)!r}") from None
    code = item.get("error_code")
    if code is not None and not isinstance(code, (str, int)) or isinstance(code, bool):
        raise MalformedResponse(f"message {_short(uuid, 40)} has an error_code that is not text")
    return Message(
        id=uuid,
        to_number=_text(item, "to_number", required=True),
        from_number=_text(item, "from_number", required=True),
        body="",
        direction=direction,
        status=status,
        delivery=delivery,
        requested_at=parse_time(item.get("message_time")),
        error=sanitize_line(state_error(state, code), limit=200) if direction is Direction.OUTBOUND else "",
        body_known=False,
    )


def page_from(data: object, *, offset: int, limit: int) -> MessagePage:
    """A list answer as a `MessagePage` (records newest first, as Plivo sends them)."""
    if not isinstance(data, Mapping):
        raise MalformedResponse(f"Plivo's list answer is a {type(data).__name__}, not an object")
    objects = data.get("objects")
    if objects is None:
        objects = []
    if not isinstance(objects, list):
        raise MalformedResponse("Plivo's list answer has `objects` that are not a list")
    meta = data.get("meta")
    meta = meta if isinstance(meta, Mapping) else {}
    messages = tuple(message_from(item) for item in objects)
    got_offset = _count(meta.get("offset"), "offset")
    got_limit = _count(meta.get("limit"), "limit")
    got_offset = offset if got_offset is None else got_offset
    got_limit = limit if got_limit is None else got_limit
    total = _count(meta.get("total_count"), "total_count")
    if total is None:  # no count: `next` says whether more pages exist
        more = bool(meta.get("next")) or (not meta and len(messages) >= got_limit > 0)
        total = got_offset + len(messages) + (1 if more and messages else 0)
    return MessagePage(messages=messages, offset=got_offset, limit=got_limit, total=max(total, got_offset + len(messages)))


def queued_uuids(data: object) -> tuple[str, ...]:
    """The `message_uuid` list of a 202 answer (a single string is accepted too)."""
    if not isinstance(data, Mapping):
        raise MalformedResponse(f"Plivo's send answer is a {type(data).__name__}, not an object")
    raw = data.get("message_uuid")
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise MalformedResponse("Plivo said the message was queued but returned no message_uuid")
    uuids = []
    for value in raw:
        if not isinstance(value, str) or not value.strip():
            raise MalformedResponse("Plivo's message_uuid list holds something that is not an id")
        uuids.append(value.strip())
    if len(set(uuids)) != len(uuids):
        raise MalformedResponse("Plivo returned the same message_uuid twice for one send")
    return tuple(uuids)


def status_from(data: object, message_uuid: str) -> Message:
    """The answer of `GET .../Message/{uuid}/` for `message_uuid`."""
    message = message_from(data)
    if message.id.lower() != message_uuid.strip().lower():
        raise MalformedResponse(
            f"asked for message {_short(message_uuid, 40)} but Plivo answered about {_short(message.id, 40)}"
        )
    return message


def media_urls(data: object) -> tuple[str, ...]:
    """The `media_url`s of a Media list answer (`{"objects": [{"media_url", "content_type", ...}]}`)."""
    if not isinstance(data, Mapping):
        raise MalformedResponse(f"Plivo's media answer is a {type(data).__name__}, not an object")
    objects = data.get("objects") or []
    if not isinstance(objects, list):
        raise MalformedResponse("Plivo's media answer has `objects` that are not a list")
    urls = []
    for item in objects:
        url = item.get("media_url") if isinstance(item, Mapping) else None
        if not isinstance(url, str) or not url.strip():
            raise MalformedResponse("a media record has no media_url")
        urls.append(url.strip())
    return tuple(urls)
