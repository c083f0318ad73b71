"""Helpers for the simulator tests: constants, a fake clock, and an envelope parser for JSON and XML."""

from __future__ import annotations

import json

import httpx
from defusedxml.ElementTree import fromstring

ACCOUNT_A = "2435678910"
ACCOUNT_B = "2435670000"
CUSTOMER = "9998881234"
OTHER = "9998885555"
T0 = 1_800_000_000


class FakeClock:
    def __init__(self, start: float = T0) -> None:
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _xml_value(element):
    children = list(element)
    if not children:
        return element.text or ""
    if element.tag == "sms_messages":
        return [_xml_value(child) for child in children]
    return {child.tag: _xml_value(child) for child in children}


def parse(response: httpx.Response, fmt: str) -> dict:
    """The envelope as a dict, from JSON or XML (XML values are all strings; <result/> is None)."""
    if fmt == "json":
        return json.loads(response.content)
    root = fromstring(response.content)
    assert root.tag == "response"
    envelope = {child.tag: _xml_value(child) for child in root}
    if envelope.get("result") == "":
        envelope["result"] = None
    if isinstance(envelope.get("result"), dict) and envelope["result"].get("sms_messages") == "":
        envelope["result"]["sms_messages"] = []
    return envelope


def queue(client, fmt, to=CUSTOMER, frm=ACCOUNT_A, body="hello", **extra) -> dict:
    response = client.post(f"/queue.{fmt}", data={"to": to, "from": frm, "body": body, **extra})
    assert response.status_code == 200
    return parse(response, fmt)


def items(envelope: dict) -> list[dict]:
    assert envelope["status"] == "success", envelope
    return envelope["result"]["sms_messages"]
