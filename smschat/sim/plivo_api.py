"""Plivo's Message API endpoints, independent of HTTP: (method, path, query, body) in, (status, JSON) out.

- `POST /v1/Account/{auth_id}/Message/` (JSON body, as the SDKs send; a form is accepted too) ->
  202 `{"api_id", "message": "message(s) queued", "message_uuid": [...]}`; 400 `{"api_id", "error"}`
  when a documented rule is broken.
- `GET /v1/Account/{auth_id}/Message/` -> 200 `{"api_id", "meta": {"limit", "next", "offset",
  "previous", "total_count"}, "objects": [MDR, ...]}`, newest first, `limit` 1..20 (default 20),
  filters `message_direction`, `message_state`, `message_type`, `error_code`, `message_time` and
  `message_time__gt/__gte/__lt/__lte` (UTC, `YYYY-MM-DD HH:MM[:ss[.uuuuuu]]`); no time filter: the
  last 24 hours; never older than 90 days.
- `GET /v1/Account/{auth_id}/Message/{uuid}/` -> the MDR (with `api_id`), 404 when unknown.
- `GET /v1/Account/{auth_id}/Message/{uuid}/Media/` -> the media of an MMS.

Trailing slashes are optional. Records never carry the text.
"""

from __future__ import annotations

import json
import mimetypes
import re
import uuid as uuidlib
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

from smschat.sim.plivo_account import BadRequest, PlivoAccount
from smschat.sim.plivo_records import PlivoRecord

_ROUTE = re.compile(r"^/v1/Account/([^/]+)/Message(?:/([^/]+))?(?:/(Media))?/?$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$")
MAX_LIMIT = 20
STATES = ("queued", "sent", "failed", "delivered", "undelivered", "received", "rejected", "read")


def api_id() -> str:
    return str(uuidlib.uuid4())


def answer(status: int, data: dict[str, object]) -> tuple[int, bytes]:
    return status, json.dumps({"api_id": api_id(), **data}, ensure_ascii=False).encode("utf-8", "replace")


def error(status: int, text: str) -> tuple[int, bytes]:
    return answer(status, {"error": text})


def route(path: str) -> tuple[str, str, bool] | None:
    """(auth_id, uuid or "", media?) for a message path, else None."""
    match = _ROUTE.match(path)
    if match is None:
        return None
    return match.group(1), match.group(2) or "", bool(match.group(3))


def parse_filter_time(text: str, name: str) -> float:
    value = text.strip()
    if not _TIME.match(value):
        raise BadRequest(f"{name} must look like YYYY-MM-DD HH:MM[:ss[.uuuuuu]] (UTC)")
    fmt = "%Y-%m-%d %H:%M" + (":%S" if value.count(":") == 2 else "") + (".%f" if "." in value else "")
    try:
        stamp = datetime.strptime(value, fmt).replace(tzinfo=UTC)
    except ValueError:
        raise BadRequest(f"{name} is not a valid time") from None
    return stamp.timestamp()


def _int(params: dict[str, str], name: str, default: int) -> int:
    text = params.get(name, "").strip()
    if not text:
        return default
    if not (text.isdigit() or (text.startswith("-") and text[1:].isdigit())):
        raise BadRequest(f"{name} must be an integer")
    return int(text)


def handle(account: PlivoAccount, method: str, path: str, query: dict[str, str], body: bytes,
           content_type: str = "") -> tuple[int, bytes, list[PlivoRecord]]:
    """Answer one authenticated request: (HTTP status, JSON body, records queued by it)."""
    found = route(path)
    if found is None:
        return (*error(404, "not found"), [])
    auth_id, uuid, media = found
    if auth_id != account.auth_id:
        return (*error(401, "authentication failed"), [])
    try:
        if not uuid:
            if method == "POST":
                return _send(account, body, content_type)
            if method == "GET":
                return (*_list(account, auth_id, query), [])
            return (*error(405, "method not allowed"), [])
        if method != "GET":
            return (*error(405, "method not allowed"), [])
        record = account.get(uuid)
        if record is None:
            return (*error(404, "not found"), [])
        if media:
            return (*_media(record, auth_id), [])
        data = record.mdr(account.now(), auth_id, account.forwarded(uuid))
        return (*answer(200, data), [])
    except BadRequest as refused:
        return (*error(400, str(refused)), [])


def _send(account: PlivoAccount, body: bytes, content_type: str) -> tuple[int, bytes, list[PlivoRecord]]:
    text = body.decode("utf-8", "replace")
    params: dict[str, object]
    if "json" in content_type.lower() or text.lstrip().startswith("{"):
        try:
            loaded = json.loads(text) if text.strip() else {}
        except ValueError:
            raise BadRequest("the request body is not valid JSON") from None
        if not isinstance(loaded, dict):
            raise BadRequest("the request body must be a JSON object")
        params = loaded
    else:
        params = dict(parse_qsl(text, keep_blank_values=True))
    records = account.send(params)
    status, data = answer(202, {"message": "message(s) queued", "message_uuid": [r.uuid for r in records]})
    return status, data, records


def _list(account: PlivoAccount, auth_id: str, query: dict[str, str]) -> tuple[int, bytes]:
    limit = _int(query, "limit", MAX_LIMIT)
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}")
    offset = _int(query, "offset", 0)
    if offset < 0:
        raise BadRequest("offset must be 0 or more")
    direction = query.get("message_direction", "").strip().lower()
    if direction not in ("", "inbound", "outbound"):
        raise BadRequest("message_direction must be inbound or outbound")
    state = query.get("message_state", "").strip().lower()
    if state and state not in STATES:
        raise BadRequest(f"message_state must be one of {', '.join(STATES)}")
    kind = query.get("message_type", "").strip().lower()
    if kind not in ("", "sms", "mms"):
        raise BadRequest("message_type must be sms or mms")
    code = query.get("error_code", "").strip()
    if code and not code.isdigit():
        raise BadRequest("error_code must be a number")
    low = high = None
    low_open = high_open = False
    if query.get("message_time", "").strip():
        low = high = parse_filter_time(query["message_time"], "message_time")
    for name, is_low, is_open in (("message_time__gte", True, False), ("message_time__gt", True, True),
                                  ("message_time__lte", False, False), ("message_time__lt", False, True)):
        if not query.get(name, "").strip():
            continue
        value = parse_filter_time(query[name], name)
        if is_low and (low is None or value > low or (value == low and is_open)):
            low, low_open = value, is_open
        if not is_low and (high is None or value < high or (value == high and is_open)):
            high, high_open = value, is_open
    total, page = account.list_records(low=low, low_open=low_open, high=high, high_open=high_open,
                                       direction=direction, state=state, kind=kind, error_code=code,
                                       offset=offset, limit=limit)
    now = account.now()
    base = f"/v1/Account/{auth_id}/Message/"
    kept = {k: v for k, v in query.items() if k not in ("limit", "offset")}

    def link(at: int) -> str:
        return base + "?" + urlencode({"limit": limit, "offset": at, **kept})

    meta = {
        "limit": limit,
        "next": link(offset + limit) if offset + limit < total else None,
        "offset": offset,
        "previous": link(max(0, offset - limit)) if offset > 0 else None,
        "total_count": total,
    }
    objects = [r.mdr(now, auth_id, account.forwarded(r.uuid)) for r in page]
    return answer(200, {"meta": meta, "objects": objects})


def _media(record: PlivoRecord, auth_id: str) -> tuple[int, bytes]:
    objects = []
    for index, url in enumerate(record.media):
        content_type = mimetypes.guess_type(url.split("?", 1)[0])[0] or "application/octet-stream"
        objects.append({
            "content_type": content_type,
            "media_id": f"{record.uuid[:8]}-{index}",
            "media_url": url,
            "message_uuid": record.uuid,
            "resource_uri": f"/v1/Account/{auth_id}/Message/{record.uuid}/Media/{record.uuid[:8]}-{index}/",
            "size": 0,
        })  # fmt: skip
    meta = {"count": len(objects), "limit": MAX_LIMIT, "next": None, "offset": 0, "previous": None,
            "total_count": len(objects)}
    return answer(200, {"meta": meta, "objects": objects})
