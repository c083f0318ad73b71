"""Conversation export (`smschat.store.export`): the three formats, hostile texts, files."""

from __future__ import annotations

import csv
import io
import json
import os
import runpy
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from store_helpers import ACCOUNT, CUSTOMER, T0, inbound, minutes, outbound

from smschat.domain.model import DeliveryStatus, Direction, Message, Status
from smschat.domain.thread import TEXT_UNKNOWN, UNCERTAIN_PREFIX
from smschat.store import Store
from smschat.store.export import (
    CSV_COLUMNS,
    ExportError,
    ExportHeader,
    check_target,
    conversation_messages,
    csv_cell,
    default_directory,
    default_filename,
    render,
    render_csv,
    render_json,
    render_text,
    write_export,
)

_corpus = runpy.run_path(str(Path(__file__).parents[1] / "fixtures" / "hostile_bodies.py"))
HOSTILE = _corpus["HOSTILE_BODIES"]
FORBIDDEN = _corpus["FORBIDDEN"]

HEADER = ExportHeader(CUSTOMER, ACCOUNT, T0 + timedelta(days=1), profile="work", provider="plum")


def unknown_text(at: datetime = T0) -> Message:
    """A Plivo record whose text the client never saw."""
    return Message(id="plivo-unknown-1", to_number=ACCOUNT, from_number=CUSTOMER, body="",
                   direction=Direction.INBOUND, status=Status.RECEIVED, requested_at=at, body_known=False)


def sample() -> list[Message]:
    return [
        inbound("Is my bike ready?", at=T0),
        outbound("Yes, after 3pm.", at=T0 + minutes(2), delivery=DeliveryStatus.DELIVERED),
        outbound("part one, ", at=T0 + minutes(3), id="p1", parts=("p1", "p2")),
        outbound("part two", at=T0 + minutes(3), id="p2", parts=("p1", "p2"), delivery=DeliveryStatus.UNDELIVERED,
                 error="carrier said no"),
        unknown_text(T0 + minutes(5)),
    ]


# -- text ---------------------------------------------------------------------------------------


def test_text_is_a_readable_transcript():
    text = render_text(sample(), HEADER, UTC)
    lines = text.splitlines()
    assert lines[0] == "Conversation with (999) 888-1234 on (243) 567-8910"
    assert "customer: 19998881234" in lines and "account:  12435678910" in lines
    assert "exported: 2025-03-02 12:00:00 +0000 by smschat" in lines
    assert "4 messages (5 SMS records), oldest first; times in UTC" in lines
    assert "2025-03-01 12:00:00 +0000  ← in   19998881234 → 2435678910  received" in lines
    assert "    Is my bike ready?" in lines
    assert "2025-03-01 12:02:00 +0000  → out  2435678910 → 19998881234  sent, delivered" in lines
    # the two parts of one send are one entry, with the worst state and the reason
    assert "2025-03-01 12:03:00 +0000  → out  2435678910 → 19998881234  sent, undelivered  (2 parts)" in lines
    assert "    part one, part two" in lines and "    ! carrier said no" in lines
    # a text never seen is said to be unknown, with its time and direction
    assert "2025-03-01 12:05:00 +0000  ← in   19998881234 → 2435678910  received" in lines
    assert f"    {TEXT_UNKNOWN}" in lines


def test_text_times_carry_the_time_zone():
    plus_two = timezone(timedelta(hours=2), "EET")
    text = render_text(sample()[:1], HEADER, plus_two)
    assert "2025-03-01 14:00:00 +0200  ← in" in text
    assert "times in EET" in text


def test_text_states_of_outbox_rows():
    failed = outbound("won't go", id="local:1", status=Status.FAILURE, error="unsubscribed")
    unsure = outbound("maybe", id="local:2", status=Status.FAILURE, error=UNCERTAIN_PREFIX + "timed out")
    queued = outbound("waiting", id="local:3", status=Status.QUEUED)
    text = render_text([failed, unsure, queued], HEADER, UTC)
    assert "failed\n    won't go\n    ! unsubscribed" in text
    assert "outcome unknown (the request went out, no answer came back)" in text
    assert "queued (not acknowledged by the provider yet)" in text


def test_text_empty_conversation():
    assert "(no messages)" in render_text([], HEADER, UTC)


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_text_never_carries_a_control_to_the_terminal(hostile):
    msg = inbound(hostile.body)
    evil_numbers = Message(id="x", to_number=f"{ACCOUNT}\x1b[2J", from_number="\u202e1999", body="ok",
                           direction=Direction.INBOUND, status=Status.RECEIVED, error=hostile.body[:200])
    text = render_text([msg, evil_numbers], HEADER, UTC)
    allowed = {"\n"}  # line breaks of the transcript itself (tabs of a body are kept too)
    bad = {ch for ch in text if ch in FORBIDDEN and ch not in allowed | {"\t"}}
    assert not bad, f"{hostile.name}: {sorted(map(hex, map(ord, bad)))}"
    if hostile.shown and hostile.category not in ("huge", "c0"):
        assert hostile.shown in text
    # bodies are not cut in an export (the app cuts what it shows)
    if hostile.category == "huge" and "\n" not in hostile.body:
        assert max(len(line) for line in text.splitlines()) >= len(hostile.body)


# -- JSON ---------------------------------------------------------------------------------------


def test_json_has_a_header_and_every_field():
    data = json.loads(render_json(sample(), HEADER))
    assert data["header"] == {
        "format": "smschat-conversation-export",
        "version": 1,
        "customer": "19998881234",
        "account": "12435678910",
        "exported_at": "2025-03-02T12:00:00+00:00",
        "records": 5,
        "profile": "work",
        "provider": "plum",
    }
    first = data["messages"][0]
    assert set(first) == set(CSV_COLUMNS)
    assert first["body"] == "Is my bike ready?" and first["body_known"] is True
    assert first["direction"] == "inbound" and first["status"] == "received"
    assert datetime.fromisoformat(first["requested_at"]) == T0
    part = data["messages"][3]
    assert part["parts"] == ["p1", "p2"] and part["delivery"] == "undelivered" and part["error"] == "carrier said no"
    gap = data["messages"][4]
    assert gap["body"] is None and gap["body_known"] is False  # honest: the text was never seen
    assert "result_url" not in first  # it can hold the receiver's secret


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_json_keeps_the_exact_text_and_is_ascii(hostile):
    raw = render_json([inbound(hostile.body)], HEADER)
    assert raw.isascii()  # no control or direction character as such: all escaped
    assert json.loads(raw)["messages"][0]["body"] == hostile.body


def test_json_media():
    mms = Message(id="m", to_number=ACCOUNT, from_number=CUSTOMER, body="photo", direction=Direction.INBOUND,
                  status=Status.RECEIVED, media=("https://media.example/a.jpg", "https://media.example/b.png"))
    assert json.loads(render_json([mms], HEADER))["messages"][0]["media"] == [
        "https://media.example/a.jpg", "https://media.example/b.png"]
    assert "    media: https://media.example/b.png" in render_text([mms], HEADER, UTC)


# -- CSV ----------------------------------------------------------------------------------------


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_is_rfc4180_with_a_header_row():
    body = 'He said "hi", then\nleft'
    text = render_csv([inbound(body), unknown_text()])
    assert text.startswith(",".join(CSV_COLUMNS) + "\r\n")
    assert text.endswith("\r\n")
    assert '"He said ""hi"", then\nleft"' in text  # quoted, quotes doubled, line break inside
    parsed = rows(text)
    assert parsed[0]["body"] == body and parsed[0]["direction"] == "inbound"
    assert parsed[0]["requested_at"] == T0.isoformat()
    assert parsed[1]["body"] == "" and parsed[1]["body_known"] == "false"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "  ="])
def test_csv_cells_never_start_a_formula(start):
    body = f"{start}HYPERLINK(\"https://evil.example\",\"click\")"
    cell = rows(render_csv([inbound(body)]))[0]["body"]
    assert cell.startswith("'")
    assert "HYPERLINK" in cell


def test_csv_leaves_ordinary_text_alone():
    assert csv_cell("Thanks! =)") == "Thanks! =)"
    assert csv_cell("1+1") == "1+1"
    assert csv_cell(None) == "" and csv_cell(True) == "true"
    assert csv_cell("-5 degrees") == "'-5 degrees"
    assert csv_cell("@home") == "'@home"


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_csv_cells_carry_no_terminal_control(hostile):
    text = render_csv([inbound(hostile.body)])
    bad = {ch for ch in text if ch in FORBIDDEN and ch not in "\r\n\t"}
    assert not bad, hostile.name
    cell = rows(text)[0]["body"]
    assert "\r" not in cell
    if hostile.category in ("markup", "wide"):
        assert cell.lstrip("'") == hostile.body  # printable text is kept exactly


def test_render_dispatches_and_refuses_unknown_formats():
    msgs = sample()
    assert render("text", msgs, HEADER, UTC) == render_text(msgs, HEADER, UTC)
    assert render("json", msgs, HEADER) == render_json(msgs, HEADER)
    assert render("csv", msgs, HEADER) == render_csv(msgs)
    with pytest.raises(ValueError, match="unknown export format"):
        render("xml", msgs, HEADER)


# -- reading the store --------------------------------------------------------------------------


def test_conversation_messages_reads_the_whole_thread_in_order():
    store = Store.open(":memory:")
    msgs = [inbound(f"msg {i}", at=T0 + minutes(i)) for i in range(450)]
    other = inbound("someone else", customer="15550001111")
    store.upsert_messages([*reversed(msgs), other])
    got = conversation_messages(store, CUSTOMER, ACCOUNT)
    assert [m.body for m in got] == [f"msg {i}" for i in range(450)]
    assert conversation_messages(store, "15550009999", ACCOUNT) == []
    store.close()


# -- files --------------------------------------------------------------------------------------


def test_default_names():
    when = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert default_filename("(617) 555-0123", "text", when) == "smschat-16175550123-2026-11-23.txt"
    assert default_filename("6175550123", "csv", when).endswith(".csv")
    assert default_filename("6175550123", "json", when).endswith(".json")


def test_default_directory_prefers_downloads(tmp_path):
    assert default_directory(tmp_path) == tmp_path
    (tmp_path / "Downloads").mkdir()
    assert default_directory(tmp_path) == tmp_path / "Downloads"


def test_write_is_private_and_never_overwrites(tmp_path):
    target = tmp_path / "out.txt"
    assert write_export(target, "first ✓") == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8") == "first ✓"
    with pytest.raises(ExportError, match="already exists"):
        write_export(target, "second")
    assert target.read_text(encoding="utf-8") == "first ✓"
    target.chmod(0o644)
    write_export(target, "second", force=True)
    assert target.read_text(encoding="utf-8") == "second"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary file left


def test_force_replaces_a_symlink_instead_of_following_it(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    link = tmp_path / "link.txt"
    link.symlink_to(victim)
    with pytest.raises(ExportError, match="already exists"):
        write_export(link, "data")
    write_export(link, "data", force=True)
    assert victim.read_text() == "keep me"
    assert not link.is_symlink() and link.read_text() == "data"


def test_bad_targets_say_why(tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        check_target(tmp_path / "nope" / "out.txt")
    with pytest.raises(ExportError, match="is a directory"):
        check_target(tmp_path)
    with pytest.raises(ExportError, match="file name"):
        check_target("   ")
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(ExportError, match="permission denied"):
            write_export(locked / "out.txt", "x")
