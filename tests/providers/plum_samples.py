"""Plum answers for the wire tests: the API reference's own samples (as valid JSON), and renderers
that write one Python structure as JSON or as XML the way the contract describes."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

ID1 = "e7f41fdc813d481081ec2840d68838b5"
ID2 = "bf811cfb5e864a2793d9b6b81ec2185f"
ID3 = "0c5b1b1f2bd44f7f9b3e7de0e3a1a9c1"


def envelope(result: Any, *, status: str = "success", error: str = "") -> dict[str, Any]:
    return {"status": status, "error": error, "result": result}


def failure(error: str) -> dict[str, Any]:
    return {"status": "failure", "error": error, "result": None}


def to_json(env: dict[str, Any]) -> str:
    return json.dumps(env)


def _xml(key: str, value: Any) -> str:
    if value is None:
        return f"<{key}/>"
    if isinstance(value, list):
        inner = "".join(_xml("sms_message", item) for item in value)
        return f"<{key}>{inner}</{key}>" if inner else f"<{key}/>"
    if isinstance(value, dict):
        inner = "".join(_xml(k, v) for k, v in value.items())
        return f"<{key}>{inner}</{key}>" if inner else f"<{key}/>"
    text = escape(str(value))
    return f"<{key}>{text}</{key}>" if text else f"<{key}/>"


def to_xml(env: dict[str, Any], *, root: str = "response") -> str:
    inner = "".join(_xml(k, v) for k, v in env.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>{inner}</{root}>'


def render(env: dict[str, Any], fmt: str) -> str:
    return to_json(env) if fmt == "json" else to_xml(env)


# -- the reference's samples (JSON made valid) --------------------------------------------------

QUEUE_DOC = envelope(
    {
        "sms_messages": [
            {
                "sms_message_id": ID1,
                "to": "19998881234",
                "from": "2435678910",
                "body": "This is a notification",
                "request_timestamp": 1330464356,
                "result_url": "http://myserver.com/storesmsresults.php",
                "status": "queued",
            }
        ]
    }
)

STATUS_DOC = envelope(
    {
        "sms_message_id": ID1,
        "to": "19998881234",
        "from": "2435678910",
        "body": "This is a notification",
        "request_timestamp": "1330464356",
        "response_timestamp": "1330464357",
        "status": "sent",
        "delivery_status": "delivered",
    }
)

MESSAGES_DOC = envelope(
    {
        "offset": 0,
        "limit": 50,
        "total": "2",
        "sms_messages": [
            {
                "sms_message_id": ID1,
                "to": "19998881234",
                "from": "2435678910",
                "body": "This is a notification",
                "request_timestamp": "1330464356",
                "response_timestamp": "1330464357",
                "result_url": "",
                "status": "sent",
            },
            {
                "sms_message_id": ID2,
                "to": "19998881234",
                "from": "2435678910",
                "body": "Resending notification",
                "request_timestamp": "1330464386",
                "response_timestamp": "1330464387",
                "result_url": "",
                "status": "sent",
            },
        ],
    }
)

CONVERSATION_DOC = envelope(
    {
        "offset": "0",
        "limit": "50",
        "total": "4",
        "sms_messages": [
            {
                "sms_message_id": "b84b2dbfadcc49e1a697aabfdb1f2730",
                "to": "19998881234",
                "from": "2435678910",
                "body": "GREAT",
                "request_timestamp": "1594662275",
                "response_timestamp": "1594662276",
                "result_url": "",
                "type": "inbound",
                "status": "received",
            },
            {
                "sms_message_id": "4beb4b8ace954ff694bdadb8cca99ac9",
                "to": "2435678910",
                "from": "19998881234",
                "body": 'Thanks for visiting us today! Reply back with "OK", "GOOD", "GREAT" or "EXCELLENT".',
                "request_timestamp": "1594662276",
                "response_timestamp": "1594662279",
                "result_url": "",
                "type": "outbound",
                "status": "sent",
            },
            {
                "sms_message_id": "dd2ee079413f48b49e45879241af09d4",
                "to": "19998881234",
                "from": "2435678910",
                "body": "CONFIRM",
                "request_timestamp": "1594662276",
                "response_timestamp": "1594662276",
                "result_url": "",
                "type": "inbound",
                "status": "received",
            },
            {
                "sms_message_id": "6b8e2bd2e9e5485d9123ec929f462efd",
                "to": "2435678910",
                "from": "19998881234",
                "body": "This is a notification of your appointment tomorrow. <Reply> & \"CONFIRM\".",
                "request_timestamp": "1594662313",
                "response_timestamp": "1594662314",
                "result_url": "",
                "type": "outbound",
                "status": "sent",
            },
        ],
    }
)


def multipart_queue(ids: tuple[str, ...] = (ID1, ID2, ID3)) -> dict[str, Any]:
    return envelope(
        {
            "sms_messages": [
                {
                    "sms_message_id": message_id,
                    "to": "19998881234",
                    "from": "2435678910",
                    "body": f"part {n}",
                    "request_timestamp": 1330464356,
                    "result_url": "",
                    "status": "queued",
                }
                for n, message_id in enumerate(ids, 1)
            ]
        }
    )


def record(message_id: str, *, to: str = "19998881234", frm: str = "2435678910", status: str = "sent", **extra: Any) -> dict[str, Any]:
    item = {
        "sms_message_id": message_id,
        "to": to,
        "from": frm,
        "body": f"body of {message_id}",
        "request_timestamp": "1700000000",
        "response_timestamp": "1700000001",
        "result_url": "",
        "status": status,
    }
    item.update(extra)
    return item


def page(items: list[dict[str, Any]], *, offset: int = 0, limit: int = 50, total: int | str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"offset": offset, "limit": limit, "total": str(len(items) if total is None else total)}
    result["sms_messages"] = items
    return envelope(result)
