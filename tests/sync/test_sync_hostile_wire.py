"""Hostile and broken answers from the server, end to end through the sync engine: the simulator over
real HTTP, its answers rewritten on the way out (`Faults.rewrite`). The client reports what it
cannot use and keeps running; one bad record never blocks the rest."""

from __future__ import annotations

import re

import pytest
from sync_support import MAIN, requests, reset_log

from smschat.domain.errors import MalformedResponse
from smschat.domain.model import Direction

CUSTOMER = "6175551234"
MARK = "XXBADBYTESXX"


def _listing(path: str) -> bool:
    return "/messages." in path


def test_faults_rewrite_and_injected_counter(sim):
    """The simulator hooks these tests rely on."""
    import httpx

    sim.faults.rewrite = lambda method, path, status, body: (418, b"teapot") if _listing(path) else None
    sim.faults.once("5xx")
    with httpx.Client(base_url=sim.url + "/", auth=("agent", "correct horse battery")) as client:
        assert client.get("messages.json").status_code >= 500
        answer = client.get("messages.json")
        assert (answer.status_code, answer.content) == (418, b"teapot")
        assert client.get("status.json/nope").status_code == 200
    assert sim.faults.injected["5xx"] == 1
    sim.faults.clear()
    assert sim.faults.rewrite is None


async def test_invalid_utf8_in_a_body_is_replaced_not_fatal(sim, engine, store, fmt):
    now = sim.account.now()
    sim.account.inject_inbound(CUSTOMER, MAIN, f"caf{MARK} au lait", at=now - 10)
    sim.account.inject_inbound(CUSTOMER, MAIN, "a normal text", at=now - 5)
    sim.faults.rewrite = lambda method, path, status, body: (status, body.replace(MARK.encode(), b"\xe9\xff\xfe"))
    await engine.refresh()
    bodies = [m.body for m in store.thread(CUSTOMER, MAIN)]
    assert bodies[1] == "a normal text"
    assert bodies[0].startswith("caf\ufffd") and bodies[0].endswith(" au lait") and "\xe9" not in bodies[0]


async def test_an_entity_bomb_is_refused_and_sync_recovers(sim, engine, store, fmt):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><response><status>success</status><error>&c;</error>'
        b"<result/></response>"
    )
    sim.account.inject_inbound(CUSTOMER, MAIN, "after the bomb")
    sim.faults.rewrite = lambda method, path, status, body: (200, bomb) if _listing(path) else None
    with pytest.raises(MalformedResponse):
        await engine.refresh()
    assert store.contacts([]) == [] and engine.cursor() is None
    sim.faults.rewrite = None
    await engine.refresh()
    assert [m.body for m in store.thread(CUSTOMER, MAIN)] == ["after the bomb"]


WRONG_TYPES = {  # field: (JSON value, XML element)
    "body": ("[1, 2]", "<body><x>1</x></body>"),
    "sms_message_id": ("null", "<sms_message_id/>"),
    "status": ('"exploded"', "<status>exploded</status>"),
    "request_timestamp": ('"soon"', "<request_timestamp>soon</request_timestamp>"),
}


@pytest.mark.parametrize("field", sorted(WRONG_TYPES))
async def test_wrong_types_are_reported_then_sync_recovers(sim, engine, store, field, fmt):
    sim.account.inject_inbound(CUSTOMER, MAIN, "typed")
    as_json, as_xml = WRONG_TYPES[field]
    if fmt == "json":
        pattern, value = re.compile(rf'"{field}": ("[^"]*"|\d+)'.encode()), f'"{field}": {as_json}'.encode()
    else:  # inside the record (the envelope has a <status> of its own)
        pattern, value = re.compile(rf"(?<=<sms_message>)(.*?)<{field}>[^<]*</{field}>".encode()), b"\\1" + as_xml.encode()

    def break_field(method, path, status, body):
        return (status, pattern.sub(value, body, count=1)) if _listing(path) else None

    sim.faults.rewrite = break_field
    with pytest.raises(MalformedResponse):
        await engine.refresh()
    sim.faults.rewrite = None
    await engine.refresh()
    assert [m.body for m in store.thread(CUSTOMER, MAIN)] == ["typed"]


@pytest.mark.parametrize("total", ["200000", "-5", "many"])
async def test_a_total_that_does_not_match(sim, engine, store, total, fmt):
    for i in range(120):
        sim.account.inject_inbound(f"61755{i:05d}", MAIN, f"hello {i}", at=sim.account.now() - 1000 + i)
    json_total = re.compile(rb'"total": "\d+"')
    xml_total = re.compile(rb"<total>\d+</total>")

    def lie(method, path, status, body):
        if not _listing(path):
            return None
        body = json_total.sub(f'"total": "{total}"'.encode(), body)
        return status, xml_total.sub(f"<total>{total}</total>".encode(), body)

    sim.faults.rewrite = lie
    reset_log(sim)
    try:
        await engine.refresh()
    except MalformedResponse:
        assert total in ("-5", "many")  # an impossible total is reported ...
        sim.faults.rewrite = None
        await engine.refresh()  # ... and the next run works
    stored = sum(c.total for c in store.contacts([]))
    assert stored == 120
    # a total far above what exists costs at most a few extra requests, not 200 pages
    assert len(requests(sim, "messages")) <= 8


async def test_a_body_with_every_kind_of_control_is_stored_as_sent(sim, engine, store, fmt):
    """The store keeps the server's text; sanitising is the display's job (tested in the UI)."""
    hostile = "\x1b]52;c;aGk=\x07 [bold]x[/] \u202eevil"
    sim.account.inject_inbound(CUSTOMER, MAIN, hostile)
    await engine.refresh()
    (msg,) = store.thread(CUSTOMER, MAIN)
    assert msg.direction is Direction.INBOUND
    if fmt == "json":
        assert msg.body == hostile
    else:  # XML 1.0 cannot carry ESC or BEL: the simulator sends U+FFFD for them
        assert msg.body == hostile.replace("\x1b", "\ufffd").replace("\x07", "\ufffd")


async def test_a_lone_surrogate_escape_in_json_is_stored_not_fatal(sim, engine, store, fmt):
    """JSON may carry "\\ud83d" alone (half an emoji): Python decodes it to a lone surrogate, which
    SQLite cannot store; the page's write must not fail (it would fail on every sync, forever)."""
    if fmt != "json":
        pytest.skip("XML cannot carry a lone surrogate")
    now = sim.account.now()
    sim.account.inject_inbound(CUSTOMER, MAIN, f"broken {MARK} pair", at=now - 10)
    sim.account.inject_inbound(CUSTOMER, MAIN, "the next text", at=now - 5)
    sim.faults.rewrite = lambda method, path, status, body: (status, body.replace(MARK.encode(), b"\\ud83d"))
    await engine.refresh()
    bodies = [m.body for m in store.thread(CUSTOMER, MAIN)]
    assert bodies == ["broken \ufffd pair", "the next text"]
    assert [hit.message.body for hit in store.search("broken").hits] == ["broken \ufffd pair"]
