"""What the simulator puts on the wire: the envelope in JSON or XML, and each endpoint's item shape.

JSON: `{"status": "success"|"failure", "error": "", "result": ...}` (`result` is null on failure).
XML: `<?xml version="1.0" encoding="UTF-8"?>` then `<response>` with `<status>`, `<error>` (empty
`<error/>` on success) and `<result>`; a list is `<sms_messages>` with one `<sms_message>` per item,
scalars are child elements named like the JSON keys, empty values are empty elements.

XML 1.0 cannot carry most C0 control characters, not even as character references: the simulator
replaces them with U+FFFD in XML bodies (JSON carries them escaped, e.g. ``\\u001b``). A carriage
return is written as ``&#13;`` so it survives XML line-end normalisation.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from smschat.sim.records import SimMessage

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_XML_SPECIAL = re.compile("[&<>\r]")


# ---------------------------------------------------------------------- item shapes per endpoint
def queue_item(m: SimMessage) -> dict[str, Any]:
    return {
        "sms_message_id": m.id,
        "to": m.to_number,
        "from": m.from_number,
        "body": m.body,
        "request_timestamp": m.ts,  # an integer here, as in the doc's sample
        "result_url": m.result_url,
        "status": "queued",
    }


def status_item(m: SimMessage, now: float) -> dict[str, Any]:
    status, responded, delivery = m.state(now)
    return {
        "sms_message_id": m.id,
        "to": m.to_number,
        "from": m.from_number,
        "body": m.body,
        "request_timestamp": str(m.ts),
        "response_timestamp": responded,
        "status": status,
        "delivery_status": delivery,
    }


def list_item(m: SimMessage, now: float) -> dict[str, Any]:
    status, responded, _delivery = m.state(now)
    return {
        "sms_message_id": m.id,
        "to": m.to_number,
        "from": m.from_number,
        "body": m.body,
        "request_timestamp": str(m.ts),
        "response_timestamp": responded,
        "result_url": m.result_url,
        "status": status,
    }


def conversation_item(m: SimMessage, now: float) -> dict[str, Any]:
    item = list_item(m, now)
    status = item.pop("status")
    item["type"] = m.direction
    item["status"] = status
    return item


# ---------------------------------------------------------------------- envelopes
def render(fmt: str, status: str, error: str, result: Any) -> bytes:
    if fmt == "xml":
        return render_xml(status, error, result)
    return render_json(status, error, result)


def content_type(fmt: str) -> str:
    return "application/xml; charset=utf-8" if fmt == "xml" else "application/json; charset=utf-8"


def render_json(status: str, error: str, result: Any) -> bytes:
    text = json.dumps({"status": status, "error": error, "result": result}, ensure_ascii=False)
    return text.encode("utf-8", errors="replace")


def _xml_text(value: Any) -> str:
    text = _XML_ILLEGAL.sub("\ufffd", str(value))
    return _XML_SPECIAL.sub(lambda match: _XML_ESCAPES[match.group()], text)


def _xml_element(name: str, value: Any, out: list[str]) -> None:
    if value is None or value == "" or value == [] or value == {}:
        out.append(f"<{name}/>")
    elif isinstance(value, dict):
        out.append(f"<{name}>")
        for key, child in value.items():
            _xml_element(key, child, out)
        out.append(f"</{name}>")
    elif isinstance(value, list):
        singular = name[:-1] if name.endswith("s") else "item"
        out.append(f"<{name}>")
        for child in value:
            _xml_element(singular, child, out)
        out.append(f"</{name}>")
    else:
        out.append(f"<{name}>{_xml_text(value)}</{name}>")


def render_xml(status: str, error: str, result: Any) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<response>']
    _xml_element("status", status, out)
    _xml_element("error", error, out)
    _xml_element("result", result, out)
    out.append("</response>\n")
    return "".join(out).encode("utf-8", errors="replace")


def success(fmt: str, result: Any) -> bytes:
    return render(fmt, "success", "", result)


def failure(fmt: str, error: str) -> bytes:
    return render(fmt, "failure", error, None)


# ---------------------------------------------------------------------- faults
def garble(body: bytes, rng: random.Random) -> bytes:
    """A broken version of a response: cut short, or with garbage spliced in. Never parses."""
    choice = rng.randrange(3)
    if choice == 0 or len(body) < 8:
        return body[: max(1, len(body) // 2)]
    if choice == 1:
        cut = rng.randrange(len(body) // 4, len(body) // 2)
        return body[:cut] + b"\x00<<\xff\xfe garbage }]" + body[cut + 3 : cut + 20]
    return b"<!-- upstream error -->" + body[: len(body) // 3]


def error_page(code: int) -> bytes:
    reason = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}.get(code, "Error")
    return (
        f"<html><head><title>{code} {reason}</title></head>"
        f"<body><h1>{reason}</h1><p>The server is temporarily unable to service your request.</p></body></html>\n"
    ).encode()
