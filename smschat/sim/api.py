"""The four Plum SMS endpoints, independent of HTTP: a request in, (HTTP status, body) out.

Documented choices where the reference leaves room:
- failures are HTTP 200 with `status: failure`; an unknown path is 404 and a wrong method 405,
  both with a failure envelope;
- `start_timestamp`/`end_timestamp` blank or 0 mean "no bound" (the doc's samples send 0);
- `limit` blank means 50; `order` blank means desc; `number_type` is honoured with or without
  `msg_type`, and without it `phone_number` matches either side;
- parameters are read from the query string and, for POST, from the form body (the form wins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from smschat.domain.numbers import normalize
from smschat.sim import wire
from smschat.sim.account import Query, SendRefused, SimAccount
from smschat.sim.records import SimMessage

PREFIX = "/ws/sms/"
_ROUTE = re.compile(r"^(queue|status|messages|conversation)\.(json|xml)(?:/([^/]*))?/?$")
MIN_LIMIT, MAX_LIMIT = 50, 1000


class BadRequest(Exception):
    """A parameter is wrong: answered as a failure envelope with this message."""


@dataclass
class Answer:
    status: int
    fmt: str
    body: bytes
    queued: list[SimMessage] = field(default_factory=list)


def route(path: str) -> tuple[str, str, str] | None:
    """(endpoint, format, path argument) for a path under /ws/sms/, else None."""
    if not path.startswith(PREFIX):
        return None
    match = _ROUTE.match(path[len(PREFIX) :])
    if match is None:
        return None
    return match.group(1), match.group(2), match.group(3) or ""


def guess_format(path: str) -> str:
    return "xml" if ".xml" in path else "json"


def _int(params: dict[str, str], name: str, default: int) -> int:
    text = params.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None


def _stamp(params: dict[str, str], name: str) -> float | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadRequest(f"{name} must be a unix timestamp") from None
    return None if value == 0 else value


def _query(params: dict[str, str]) -> Query:
    offset = _int(params, "offset", 0)
    if offset < 0:
        raise BadRequest("offset must be 0 or more")
    try:
        limit = _int(params, "limit", MIN_LIMIT)
    except BadRequest:
        raise BadRequest(f"limit must be between {MIN_LIMIT} and {MAX_LIMIT}") from None
    if not MIN_LIMIT <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be between {MIN_LIMIT} and {MAX_LIMIT}")
    order = params.get("order", "").strip().lower()
    if order not in ("", "asc", "desc"):
        raise BadRequest("order must be asc, desc or blank")
    return Query(offset, limit, order != "asc", _stamp(params, "start_timestamp"), _stamp(params, "end_timestamp"))


def _choice(params: dict[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = params.get(name, "").strip().lower()
    if value and value not in allowed:
        raise BadRequest(f"{name} must be {', '.join(allowed)} or blank")
    return value


def _number(params: dict[str, str], name: str, *, required: bool) -> str:
    raw = params.get(name, "").strip()
    if not raw:
        if required:
            raise BadRequest(f"{name} is required")
        return ""
    if not normalize(raw):
        raise BadRequest(f"{name} must be a phone number")
    return raw


def handle(account: SimAccount, method: str, path: str, params: dict[str, str]) -> Answer:
    """Answer one authenticated request."""
    found = route(path)
    if found is None:
        fmt = guess_format(path)
        return Answer(404, fmt, wire.failure(fmt, f"Unknown resource {path[:80]}"))
    endpoint, fmt, argument = found
    if endpoint == "queue" and method != "POST":
        return Answer(405, fmt, wire.failure(fmt, "queue requires POST"))
    try:
        if endpoint == "queue":
            return _queue(account, fmt, params)
        if endpoint == "status":
            return _status(account, fmt, argument or params.get("sms_message_id", ""))
        if endpoint == "messages":
            return _messages(account, fmt, params)
        return _conversation(account, fmt, params)
    except BadRequest as error:
        return Answer(200, fmt, wire.failure(fmt, str(error)))


def _queue(account: SimAccount, fmt: str, params: dict[str, str]) -> Answer:
    try:
        records = account.queue(
            params.get("to", ""), params.get("from", ""), params.get("body", ""), params.get("result_url", "")
        )
    except SendRefused as refused:
        return Answer(200, fmt, wire.failure(fmt, str(refused)))
    result = {"sms_messages": [wire.queue_item(m) for m in records]}
    return Answer(200, fmt, wire.success(fmt, result), queued=records)


def _status(account: SimAccount, fmt: str, message_id: str) -> Answer:
    record = account.get(message_id.strip().lower())
    if record is None:
        return Answer(200, fmt, wire.failure(fmt, "SMS message not found"))
    return Answer(200, fmt, wire.success(fmt, wire.status_item(record, account.now())))


def _messages(account: SimAccount, fmt: str, params: dict[str, str]) -> Answer:
    query = _query(params)
    msg_type = _choice(params, "msg_type", ("inbound", "outbound", "all"))
    number_type = _choice(params, "number_type", ("account", "customer"))
    phone = _number(params, "phone_number", required=False)
    total, items = account.list_messages(query, msg_type=msg_type, phone_number=phone, number_type=number_type)
    now = account.now()
    result = {
        "offset": query.offset,
        "limit": query.limit,
        "total": str(total),
        "sms_messages": [wire.list_item(m, now) for m in items],
    }
    return Answer(200, fmt, wire.success(fmt, result))


def _conversation(account: SimAccount, fmt: str, params: dict[str, str]) -> Answer:
    query = _query(params)
    first = _number(params, "phone_number1", required=True)
    second = _number(params, "phone_number2", required=True)
    total, items = account.conversation(first, second, query)
    now = account.now()
    result = {
        "offset": str(query.offset),
        "limit": str(query.limit),
        "total": str(total),
        "sms_messages": [wire.conversation_item(m, now) for m in items],
    }
    return Answer(200, fmt, wire.success(fmt, result))
