"""Plum's wire format: the JSON/XML envelope in, domain objects out. Pure functions, no I/O.

Both formats are first turned into the same plain structure (dicts, lists, strings, numbers), so
the field rules below are written once and JSON and XML give identical `Message` objects.

Tolerated variants (the API's own pages disagree with themselves): counters and timestamps as
strings or integers, empty elements, any XML root name, `<sms_messages>` lists or a single
`<sms_message>`, numbers with or without the leading 1. Anything that cannot be understood raises
`MalformedResponse`, never a bare `KeyError`/`ValueError`.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as _stdlib_etree  # for the ParseError type only; parsing is defusedxml's
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import defusedxml
import defusedxml.ElementTree as SafeET

from smschat.domain.errors import MalformedResponse
from smschat.domain.model import DeliveryStatus, Direction, Message, MessagePage, Status
from smschat.domain.numbers import normalize

#: Deepest nesting accepted in a response (the real ones are 4 levels deep).
MAX_DEPTH = 32

_TYPE_DIRECTIONS = {"inbound": Direction.INBOUND, "outbound": Direction.OUTBOUND, "reply": Direction.OUTBOUND}
_LIST_KEYS = ("sms_messages", "sms_message", "messages")


@dataclass(frozen=True, slots=True)
class Envelope:
    """`{"status": ..., "error": ..., "result": ...}` with the status reduced to ok / not ok."""

    ok: bool
    error: str
    result: object


# ---------------------------------------------------------------------------------------------
# envelope decoding


def decode(content: bytes, fmt: str) -> Envelope:
    """Parse a response body in `fmt` ("json" or "xml") into its envelope."""
    if fmt == "json":
        return envelope_from(_load_json(content))
    if fmt == "xml":
        return envelope_from(_load_xml(content))
    raise ValueError(f"unknown format {fmt!r}")


def _load_json(content: bytes) -> object:
    if not content.strip():
        raise MalformedResponse("the server sent an empty answer where JSON was expected")
    try:
        try:
            return json.loads(content)
        except UnicodeDecodeError:  # bytes that are not UTF-8 (one bad body): keep the rest readable
            return json.loads(content.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise MalformedResponse(f"the server's answer is not valid JSON: {_short(exc)}") from None


_XML_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _utf8_or_replaced(content: bytes) -> bytes:
    """XML said (or implied) UTF-8 but holds invalid bytes: U+FFFD for them instead of failing the
    whole answer (a single mis-encoded body would otherwise block every sync that includes it)."""
    declared = _XML_DECLARED.match(content[:200])
    if declared is not None and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return content
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("utf-8", errors="replace").encode("utf-8")
    return content


def _load_xml(content: bytes) -> object:
    if not content.strip():
        raise MalformedResponse("the server sent an empty answer where XML was expected")
    try:
        root = SafeET.fromstring(_utf8_or_replaced(content), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise MalformedResponse(f"the server's XML uses a forbidden construct ({type(exc).__name__})") from None
    except (_stdlib_etree.ParseError, ValueError, RecursionError) as exc:
        raise MalformedResponse(f"the server's answer is not valid XML: {_short(exc)}") from None
    return _xml_value(root, 0)


def _tag(element: object) -> str:
    tag = getattr(element, "tag", "")
    if not isinstance(tag, str):  # comments and processing instructions
        return ""
    return tag.rsplit("}", 1)[-1]  # drop any namespace


def _xml_value(element: object, depth: int) -> object:
    """An element as plain data: text for a leaf, a list for `<sms_messages>`, else a dict."""
    if depth > MAX_DEPTH:
        raise MalformedResponse("the server's XML is nested too deeply")
    children = [child for child in element if _tag(child)]  # type: ignore[attr-defined]
    if not children:
        return element.text or ""  # type: ignore[attr-defined]
    if _tag(element) in ("sms_messages", "messages"):
        return [_xml_value(child, depth + 1) for child in children]
    out: dict[str, object] = {}
    for child in children:
        key, value = _tag(child), _xml_value(child, depth + 1)
        if key in out:  # a repeated tag is a list
            previous = out[key]
            if isinstance(previous, _Repeated):
                previous.append(value)
            else:
                out[key] = _Repeated([previous, value])
        else:
            out[key] = value
    return {key: list(value) if isinstance(value, _Repeated) else value for key, value in out.items()}


class _Repeated(list):
    """Marks a list built from repeated XML elements while a dict is assembled."""


def envelope_from(data: object) -> Envelope:
    if not isinstance(data, Mapping):
        raise MalformedResponse(f"the server's answer is a {_kind(data)}, not an envelope with a status")
    if "status" not in data:
        raise MalformedResponse("the server's answer has no status")
    raw_status = data["status"]
    if not isinstance(raw_status, str):
        raise MalformedResponse(f"the server's status is a {_kind(raw_status)}, not text")
    status = raw_status.strip().lower()
    if status not in ("success", "failure", "failed", "error", "fail"):
        raise MalformedResponse(f"the server's status {_short(raw_status)!r} is neither success nor failure")
    return Envelope(status == "success", _error_text(data.get("error")), data.get("result"))


def _error_text(value: object) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    if not isinstance(value, str):
        return ""
    text = value.strip()
    # the API's own samples show doubled quotes: "error":""Attempt to send ...""
    while len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return text


def error_of(content: bytes, fmt: str) -> tuple[bool, str] | None:
    """The (ok, error) of an envelope, or None when the body is not one (for non-2xx answers)."""
    try:
        envelope = decode(content, fmt)
    except MalformedResponse:
        return None
    return envelope.ok, envelope.error


# ---------------------------------------------------------------------------------------------
# field rules


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list):
        return "list"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def _short(value: object, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _text(item: Mapping[str, object], key: str, *, required: bool = False) -> str:
    """A text field: strings as they are, integers as digits; missing/null/empty -> "" unless required."""
    value = item.get(key)
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        raise MalformedResponse(f"field {key!r} is a {_kind(value)}, not text")
    if required and not text.strip():
        raise MalformedResponse(f"a message has no {key!r}")
    return text


def _number(value: object, key: str) -> float | None:
    """A number that may arrive as a string or an integer; None for missing/empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise MalformedResponse(f"field {key!r} is a boolean, not a number")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise MalformedResponse(f"field {key!r} is {_short(text)!r}, not a number") from None
    else:
        raise MalformedResponse(f"field {key!r} is a {_kind(value)}, not a number")
    if not math.isfinite(number):
        raise MalformedResponse(f"field {key!r} is not a finite number")
    return number


def _counter(data: Mapping[str, object], key: str, default: int | None) -> int | None:
    number = _number(data.get(key), key)
    if number is None:
        return default
    if number < 0 or number != int(number):
        raise MalformedResponse(f"field {key!r} is {_short(number)}, not a whole number of messages")
    return int(number)


def _timestamp(item: Mapping[str, object], key: str) -> datetime | None:
    """Epoch seconds (string or integer) as an aware UTC datetime; missing, empty or 0 -> None."""
    value = item.get(key)
    if isinstance(value, str) and value.strip() and not _looks_numeric(value):
        try:  # tolerate an ISO 8601 time (assumed UTC when it has no offset)
            stamp = datetime.fromisoformat(value.strip())
        except ValueError:
            raise MalformedResponse(f"field {key!r} is {_short(value)!r}, not a timestamp") from None
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    seconds = _number(value, key)
    if seconds is None or seconds == 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedResponse(f"field {key!r} ({_short(seconds)}) is out of range for a timestamp") from None


def _looks_numeric(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return False
    return True


def _direction(item: Mapping[str, object], status: Status, to: str, frm: str, accounts: frozenset[str]) -> Direction:
    """`type` when present; else `received` = inbound; else the side that is one of our numbers."""
    kind = _text(item, "type").strip().lower()
    if kind in _TYPE_DIRECTIONS:
        return _TYPE_DIRECTIONS[kind]
    if status is Status.RECEIVED:
        return Direction.INBOUND
    if normalize(frm) in accounts:
        return Direction.OUTBOUND
    if normalize(to) in accounts:
        return Direction.INBOUND
    return Direction.OUTBOUND


def message_from(
    item: object,
    accounts: frozenset[str] = frozenset(),
    *,
    direction: Direction | None = None,
    parts: tuple[str, ...] = (),
) -> Message:
    """One `sms_message` record as a domain `Message`."""
    if not isinstance(item, Mapping):
        raise MalformedResponse(f"a message record is a {_kind(item)}, not an object")
    message_id = _text(item, "sms_message_id", required=True).strip()
    to = _text(item, "to", required=True).strip()
    frm = _text(item, "from", required=True).strip()
    raw_status = _text(item, "status", required=True)
    try:
        status = Status.parse(raw_status)
    except ValueError:
        raise MalformedResponse(f"message {_short(message_id, 40)} has an unknown status {_short(raw_status, 40)!r}") from None
    raw_delivery = _text(item, "delivery_status")
    try:
        delivery = DeliveryStatus.parse(raw_delivery)
    except ValueError:
        raise MalformedResponse(
            f"message {_short(message_id, 40)} has an unknown delivery status {_short(raw_delivery, 40)!r}"
        ) from None
    return Message(
        id=message_id,
        to_number=to,
        from_number=frm,
        body=_text(item, "body"),
        direction=direction if direction is not None else _direction(item, status, to, frm, accounts),
        status=status,
        delivery=delivery,
        requested_at=_timestamp(item, "request_timestamp"),
        responded_at=_timestamp(item, "response_timestamp"),
        result_url=_text(item, "result_url").strip(),
        parts=parts,
        error=_error_text(item.get("error")) or _error_text(item.get("error_message")),
    )


def _items(result: object) -> list[object]:
    """The message records of a result: a list, `{"sms_messages": [...]}`, or one record."""
    if result is None or result == "":
        return []
    if isinstance(result, list):
        return list(result)
    if not isinstance(result, Mapping):
        raise MalformedResponse(f"the server's result is a {_kind(result)}, not a list of messages")
    if "sms_message_id" in result:
        return [result]
    for key in _LIST_KEYS:
        if key in result:
            return _items(_unwrap(result[key]))
    raise MalformedResponse("the server's result has no sms_messages")


def _unwrap(value: object) -> object:
    """`{"sms_message": ...}` (XML with a single item) or `{"0": {...}, "1": {...}}` as a list."""
    if isinstance(value, Mapping) and "sms_message_id" not in value:
        if len(value) == 1 and next(iter(value)) in _LIST_KEYS:
            inner = next(iter(value.values()))
            return inner if isinstance(inner, list) else [inner]
        if value and all(isinstance(v, Mapping) for v in value.values()):
            return list(value.values())
    return value


def messages_from(
    items: Iterable[object], accounts: frozenset[str], *, direction: Direction | None = None, parts: tuple[str, ...] = ()
) -> tuple[Message, ...]:
    return tuple(message_from(item, accounts, direction=direction, parts=parts) for item in items)


def page_from(result: object, accounts: frozenset[str], *, offset: int, limit: int) -> MessagePage:
    """A `messages`/`conversation` result as a `MessagePage`.

    Missing counters fall back to the request's; a missing `total` is inferred so that a full page
    suggests there may be more (the pager stops at the first empty page anyway).
    """
    counters: Mapping[str, object] = result if isinstance(result, Mapping) else {}
    messages = messages_from(_items(result), accounts)
    got_offset = _counter(counters, "offset", offset)
    got_limit = _counter(counters, "limit", limit)
    total = _counter(counters, "total", None)
    assert got_offset is not None and got_limit is not None
    if total is None:
        total = got_offset + len(messages) + (1 if messages and len(messages) >= got_limit else 0)
    return MessagePage(messages=messages, offset=got_offset, limit=got_limit, total=total)


def queued_from(result: object) -> tuple[Message, ...]:
    """The records of one queue request; every record's `parts` lists the ids of all of them."""
    items = _items(result)
    if not items:
        raise MalformedResponse("the server said the message was queued but returned no message ids")
    first = messages_from(items, frozenset(), direction=Direction.OUTBOUND)
    ids = tuple(message.id for message in first)
    if len(set(ids)) != len(ids):
        raise MalformedResponse("the server returned the same message id twice for one send")
    return tuple(message.with_status(parts=ids) for message in first)


def status_from(result: object, accounts: frozenset[str], message_id: str) -> Message:
    """The `status` result (the message's fields, directly or wrapped) for `message_id`."""
    messages = messages_from(_items(result), accounts)
    if not messages:
        raise MalformedResponse(f"the server returned no status for message {_short(message_id, 40)}")
    wanted = message_id.strip().lower()
    for message in messages:
        if message.id.lower() == wanted:
            return message
    raise MalformedResponse(
        f"asked for message {_short(message_id, 40)} but the server answered about {_short(messages[0].id, 40)}"
    )
