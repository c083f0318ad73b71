"""Output for the CLI: aligned plain-text tables (never markup), JSON with stable keys, times.

Every received string is sanitised before it reaches a table. JSON is written with `ensure_ascii`,
so no control or direction character can reach a terminal raw, and nothing is lost for machines.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from smschat.domain.model import ContactSummary, DeliveryStatus, Direction, Message, Status
from smschat.domain.numbers import normalize, pretty
from smschat.domain.sanitize import sanitize, sanitize_line
from smschat.domain.thread import TEXT_UNKNOWN
from smschat.domain.timefmt import relative

ELLIPSIS = "…"
GAP = "  "
MIN_FLEX = 12


# -- widths ----------------------------------------------------------------------------------------


def char_width(ch: str) -> int:
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufe0f":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def truncate(text: str, width: int) -> str:
    """`text` cut to `width` terminal cells, with an ellipsis when cut."""
    if display_width(text) <= width:
        return text
    if width <= 0:
        return ""
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def _take(text: str, width: int) -> str:
    """The longest prefix of `text` that fits `width` cells (at least one character)."""
    used = 0
    for i, ch in enumerate(text):
        used += char_width(ch)
        if used > width:
            return text[: max(1, i)]
    return text


def wrap(text: str, width: int) -> list[str]:
    """Word-wrap to `width` cells; keeps explicit newlines; splits words longer than a line."""
    width = max(1, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used, started = "", 0, False
        for word in paragraph.split(" "):
            w = display_width(word)
            if started and used + 1 + w <= width:
                line, used = f"{line} {word}", used + 1 + w
                continue
            if started:
                lines.append(line)
            while display_width(word) > width:
                head = _take(word, width)
                lines.append(head)
                word = word[len(head):]
            line, used, started = word, display_width(word), True
        lines.append(line)
    return lines


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    width: int,
    flex: int | None = None,
    wrap_flex: bool = False,
    right: Sequence[int] = (),
) -> str:
    """Columns aligned by display width. Column `flex` takes what is left of `width` (cut with an
    ellipsis, or wrapped onto continuation lines with `wrap_flex`)."""
    ncols = len(headers)
    widths = [display_width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], max((display_width(x) for x in cell.split("\n")), default=0))
    if flex is not None:
        flex %= ncols
        fixed = sum(w for i, w in enumerate(widths) if i != flex) + len(GAP) * (ncols - 1)
        widths[flex] = min(widths[flex], max(MIN_FLEX, width - fixed))
    out = [_line(headers, widths, right)]
    for row in rows:
        cells = list(row)
        if flex is None:
            out.append(_line(cells, widths, right))
            continue
        if wrap_flex:
            chunks = wrap(cells[flex], widths[flex])
        else:
            chunks = [truncate(cells[flex].replace("\n", " "), widths[flex])]
        cells[flex] = chunks[0]
        out.append(_line(cells, widths, right))
        for extra in chunks[1:]:
            blank = ["" for _ in cells]
            blank[flex] = extra
            out.append(_line(blank, widths, right))
    return "\n".join(out)


def _line(cells: Sequence[str], widths: Sequence[int], right: Sequence[int]) -> str:
    parts = [pad(cell, widths[i], i in right) for i, cell in enumerate(cells)]
    return GAP.join(parts).rstrip()


# -- times -----------------------------------------------------------------------------------------


def when_absolute(when: datetime | None, tz: tzinfo | None = None) -> str:
    """`2026-11-23 14:05` in `tz` (local time when None)."""
    if when is None:
        return "—"
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def when_relative(when: datetime | None, now: datetime) -> str:
    return relative(when, now)


def iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


# -- messages --------------------------------------------------------------------------------------


def status_label(msg: Message) -> str:
    """`received`, `queued`, `sent`, `sent/delivered`, `failed` ..."""
    if msg.direction is Direction.INBOUND:
        return "received"
    if msg.status is Status.FAILURE:
        return "failed"
    if msg.delivery is not DeliveryStatus.UNKNOWN:
        return f"{msg.status.value}/{msg.delivery.value}"
    return msg.status.value


def direction_label(msg: Message) -> str:
    return "in" if msg.direction is Direction.INBOUND else "out"


def show_number(number: str) -> str:
    return sanitize_line(pretty(number)) if number else "—"


def message_json(msg: Message) -> dict[str, Any]:
    """The stable machine shape of one message."""
    return {
        "id": msg.id,
        "to": normalize(msg.to_number),
        "from": normalize(msg.from_number),
        "body": msg.body if msg.body_known else None,  # null: the client never saw the text
        "direction": msg.direction.value,
        "status": msg.status.value,
        "delivery": msg.delivery.value,
        "requested_at": iso(msg.requested_at),
        "responded_at": iso(msg.responded_at),
        "parts": list(msg.parts) if msg.parts else [msg.id],
        "error": msg.error or None,
    }


def error_json(message_id: str, error: str) -> dict[str, Any]:
    """The message shape for an id that could not be looked up."""
    return {
        "id": message_id, "to": None, "from": None, "body": None, "direction": None, "status": None,
        "delivery": None, "requested_at": None, "responded_at": None, "parts": [message_id], "error": error,
    }


def contact_json(contact: ContactSummary) -> dict[str, Any]:
    return {
        "customer": contact.customer,
        "account": contact.account,
        "last_activity": iso(contact.last_activity),
        "total": contact.total,
        "inbound": contact.inbound,
        "outbound": contact.outbound,
        "failed": contact.failed,
        "waiting": contact.waiting,
        "last_message": message_json(contact.last_message),
    }


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=True, indent=2)


def shown_body(msg: Message) -> str:
    """The body as the agent reads it: sanitised, `TEXT_UNKNOWN` when the client never saw it, and
    the MMS media URLs on lines of their own."""
    text = sanitize(msg.body) if msg.body_known else TEXT_UNKNOWN
    for url in msg.media:
        text += f"\nmedia: {sanitize_line(url, limit=500)}"
    return text


def line_body(msg: Message) -> str:
    """The body on one line (sanitised), or `TEXT_UNKNOWN` when the client never saw it."""
    return sanitize_line(msg.body, limit=300) if msg.body_known else TEXT_UNKNOWN


def preview(msg: Message) -> str:
    text = line_body(msg)
    return f"you: {text}" if msg.direction is Direction.OUTBOUND else text


def contacts_table(contacts: Sequence[ContactSummary], *, now: datetime, width: int) -> str:
    """Columns ACCOUNT (only when several account numbers appear) and FAIL (only when something
    failed) come and go; the preview takes the rest of the line."""
    show_account = len({c.account for c in contacts}) > 1
    show_failed = any(c.failed for c in contacts)
    headers = ["WHEN", "CUSTOMER"] + (["ACCOUNT"] if show_account else []) + ["IN", "OUT"]
    headers += ["FAIL"] if show_failed else []
    numeric = tuple(range(len(headers) - (3 if show_failed else 2), len(headers)))
    headers.append("LAST MESSAGE")
    rows = []
    for c in contacts:
        row = [when_relative(c.last_activity, now), show_number(c.customer)]
        if show_account:
            row.append(show_number(c.account))
        row += [str(c.inbound), str(c.outbound)]
        if show_failed:
            row.append(str(c.failed) if c.failed else "")
        rows.append([*row, preview(c.last_message)])
    return render_table(headers, rows, width=width, flex=-1, right=numeric)


def thread_table(messages: Sequence[Message], *, tz: tzinfo | None, width: int) -> str:
    rows = []
    for m in messages:
        body = shown_body(m)
        if m.error:
            body += f"\n! {sanitize_line(m.error)}"
        rows.append([when_absolute(m.timestamp, tz), direction_label(m), status_label(m), body])
    return render_table(["TIME", "DIR", "STATUS", "MESSAGE"], rows, width=width, flex=-1, wrap_flex=True)


def status_table(messages: Sequence[Message], *, now: datetime, width: int) -> str:
    rows = []
    for m in messages:
        text = sanitize_line(m.error) if m.error else line_body(m)
        rows.append([sanitize_line(m.id), status_label(m), when_relative(m.timestamp, now), show_number(m.to_number), text])
    return render_table(["ID", "STATUS", "WHEN", "TO", "MESSAGE"], rows, width=width, flex=-1)
