"""Tables, widths, times and JSON shapes of the CLI output (pure functions, clock injected)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from cli_helpers import FIXED_NOW

from smschat.cli import format as fmt
from smschat.cli.commands.history import summarise
from smschat.domain.model import DeliveryStatus, Direction, Message, Status


def msg(mid="a" * 32, *, direction=Direction.OUTBOUND, status=Status.SENT, ago=timedelta(minutes=5), body="hi",
        customer="12435678910", account="2435670000", **kw) -> Message:
    inbound = direction is Direction.INBOUND
    return Message(
        id=mid, to_number=account if inbound else customer, from_number=customer if inbound else account,
        body=body, direction=direction, status=status, requested_at=FIXED_NOW - ago, **kw,
    )


def test_display_width_counts_wide_and_combining():
    assert fmt.display_width("abc") == 3
    assert fmt.display_width("中文") == 4
    assert fmt.display_width("e\u0301") == 1


def test_truncate_respects_cells():
    assert fmt.truncate("hello world", 8) == "hello w…"
    assert fmt.truncate("中文字符", 5) == "中文…"
    assert fmt.truncate("short", 10) == "short"
    assert fmt.display_width(fmt.truncate("中" * 20, 9)) <= 9


def test_wrap_keeps_newlines_and_splits_long_words():
    assert fmt.wrap("one two three", 7) == ["one two", "three"]
    assert fmt.wrap("a\nb", 10) == ["a", "b"]
    assert fmt.wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert all(fmt.display_width(x) <= 5 for x in fmt.wrap("中文字符中文字符", 5))


def test_table_aligns_and_fits_width():
    table = fmt.render_table(["A", "NUM", "TEXT"], [["x", "7", "a" * 100], ["long cell", "12", "b"]],
                             width=40, flex=-1, right=(1,))
    lines = table.splitlines()
    assert all(fmt.display_width(line) <= 40 for line in lines)
    assert lines[1].index("7") == lines[2].index("12") + 1  # right-aligned numbers
    assert lines[1].endswith("…")


def test_table_wraps_flex_column_under_itself():
    table = fmt.render_table(["T", "BODY"], [["t", "one two three four"]], width=12, flex=-1, wrap_flex=True)
    lines = table.splitlines()
    assert len(lines) > 2 and all(line.startswith("   ") for line in lines[2:])


def test_status_labels():
    assert fmt.status_label(msg(direction=Direction.INBOUND, status=Status.RECEIVED)) == "received"
    assert fmt.status_label(msg(status=Status.QUEUED)) == "queued"
    assert fmt.status_label(msg(delivery=DeliveryStatus.DELIVERED)) == "sent/delivered"
    assert fmt.status_label(msg(status=Status.FAILURE, error="nope")) == "failed"


def test_message_json_stable_shape():
    m = msg(parts=("a" * 32, "b" * 32), delivery=DeliveryStatus.UNDELIVERED, error="carrier said no")
    data = fmt.message_json(m)
    assert list(data) == ["id", "to", "from", "body", "direction", "status", "delivery", "requested_at",
                          "responded_at", "parts", "error"]
    assert data["to"] == "12435678910" and data["from"] == "12435670000"
    assert data["requested_at"] == "2026-11-23T11:55:00+00:00" and data["responded_at"] is None
    assert data["parts"] == ["a" * 32, "b" * 32] and data["error"] == "carrier said no"
    assert fmt.message_json(msg())["parts"] == ["a" * 32] and fmt.message_json(msg())["error"] is None


def test_json_output_is_terminal_safe():
    text = fmt.dump_json([fmt.message_json(msg(body="\x1b[31mred\u202e\x9b"))])
    assert "\x1b" not in text and "\u202e" not in text and "\x9b" not in text
    assert json.loads(text)[0]["body"] == "\x1b[31mred\u202e\x9b"


def test_summarise_groups_counts_and_orders():
    messages = [
        msg("1", direction=Direction.INBOUND, status=Status.RECEIVED, ago=timedelta(hours=2)),
        msg("2", ago=timedelta(hours=1)),
        msg("3", status=Status.FAILURE, ago=timedelta(minutes=30)),
        msg("4", customer="12435671234", direction=Direction.INBOUND, status=Status.RECEIVED,
            ago=timedelta(minutes=1)),
        msg("5", customer="2435678910", account="2435670001", ago=timedelta(days=3)),
    ]
    contacts = summarise(messages)
    assert [(c.customer, c.account) for c in contacts] == [
        ("12435671234", "12435670000"), ("12435678910", "12435670000"), ("12435678910", "12435670001")]
    main = contacts[1]
    assert (main.total, main.inbound, main.outbound, main.failed) == (3, 1, 2, 1)
    assert main.last_message.id == "3"
    assert [c.account for c in summarise(messages, ["243-567-0001"])] == ["12435670001"]


def test_contacts_table_with_fixed_clock():
    contacts = summarise([
        msg("1", direction=Direction.INBOUND, status=Status.RECEIVED, ago=timedelta(minutes=3), body="help\x1b[2J"),
        msg("2", customer="12435671234", status=Status.FAILURE, ago=timedelta(days=10), body="sorry"),
    ])
    lines = fmt.contacts_table(contacts, now=FIXED_NOW, width=80).splitlines()
    assert lines[0].split() == ["WHEN", "CUSTOMER", "IN", "OUT", "FAIL", "LAST", "MESSAGE"]  # one account: no column
    assert lines[1].startswith("3m ") and lines[1].endswith("help␛[2J")
    assert lines[2].startswith("13 Nov") and "you: sorry" in lines[2] and " 1  " in lines[2]


def test_thread_table_absolute_times_in_given_zone():
    rows = [msg("1", direction=Direction.INBOUND, status=Status.RECEIVED, ago=timedelta(days=1), body="a\nb"),
            msg("2", status=Status.FAILURE, error="Attempt to send to unsubscribed recipient")]
    lines = fmt.thread_table(rows, tz=UTC, width=80).splitlines()
    assert lines[1].startswith("2026-11-22 12:00  in   received  a")
    assert lines[2].strip() == "b"
    assert lines[3].startswith("2026-11-23 11:55  out  failed") and "! Attempt to send" in lines[4]


def test_relative_times():
    assert fmt.when_relative(FIXED_NOW - timedelta(seconds=10), FIXED_NOW) == "now"
    assert fmt.when_relative(FIXED_NOW - timedelta(hours=5), FIXED_NOW) == "5h"
    assert fmt.when_relative(None, FIXED_NOW) == "—"
    assert fmt.when_absolute(datetime(2026, 1, 2, 3, 4, tzinfo=UTC), UTC) == "2026-01-02 03:04"
