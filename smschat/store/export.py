"""Export one conversation from the store as a text transcript, JSON or CSV.

The renderers (`render_text`, `render_json`, `render_csv`, `render`) are pure: messages and an
`ExportHeader` in, a string out. `conversation_messages` reads a whole thread from a `Store`;
`write_export` writes a file the way exports must be written (customers' texts: mode 0600, never over
an existing file unless asked). Used by `smschat export` and by the chat screen's `x` dialog.

What each format keeps:

- **text**: a transcript to read (and to `cat`): one entry per send (the SMS parts of a long text
  joined), time with its UTC offset, direction, from → to, state, body. Every received string is
  sanitised: escape sequences, C0/C1 controls and bidi overrides are shown as visible symbols
  (ESC as ␛), so a transcript printed on a terminal cannot drive it.
- **json**: the exact data. `{"header": {...}, "messages": [...]}`, one object per provider record
  with every field of `Message` (ISO-8601 times); bodies unchanged (the JSON escapes controls as
  `\\u001b`, and the file is ASCII). A record whose text the client never saw has `"body": null`
  and `"body_known": false`.
- **csv**: RFC 4180 (comma, CRLF, fields quoted when needed, a header row), one row per record with
  the same fields. Cells are sanitised as in the transcript, and a cell that a spreadsheet would
  read as a formula (it starts with `=`, `+`, `-`, `@`, tab or CR, after any spaces) gets a
  leading `'`.

`result_url` (the status callback URL sent with a message) is left out of every format: with a Plum
receiver it holds the receiver's path secret.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smschat.domain.model import Direction, Message
from smschat.domain.numbers import normalize, pretty
from smschat.domain.sanitize import sanitize, sanitize_line
from smschat.domain.thread import TEXT_UNKNOWN, ThreadItem, is_local, is_uncertain, thread_items

if TYPE_CHECKING:
    from smschat.store import Store

FORMATS = ("text", "json", "csv")
EXTENSIONS = {"text": "txt", "json": "json", "csv": "csv"}
#: bodies are never cut in an export (the app cuts what it shows at `sanitize.MAX_BODY`)
NO_LIMIT = 1 << 62
#: a CSV cell starting with one of these (after spaces) is a formula to a spreadsheet
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "id", "customer", "account", "direction", "from", "to", "requested_at", "responded_at",
    "status", "delivery", "body_known", "body", "error", "parts", "media", "local", "outcome_unknown",
)
JSON_FORMAT = "smschat-conversation-export"
JSON_VERSION = 1


class ExportError(Exception):
    """An export could not be written; the message says why, for a person."""


@dataclass(frozen=True, slots=True)
class ExportHeader:
    """What the export is of: the conversation's two numbers, when, and (optional) the profile."""

    customer: str
    account: str
    exported_at: datetime
    profile: str = ""
    provider: str = ""


# -- reading ------------------------------------------------------------------------------------


def conversation_messages(store: Store, customer: str, account: str) -> list[Message]:
    """Every record of the conversation in the store, oldest to newest (outbox rows included)."""
    count = store.thread_count(customer, account)
    return store.thread(customer, account, limit=count) if count else []


# -- shared -------------------------------------------------------------------------------------


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _record(msg: Message) -> dict[str, Any]:
    """Every field of a record (but `result_url`), as plain data; the body unchanged."""
    return {
        "id": msg.id,
        "customer": msg.customer_number(),
        "account": msg.account_number(),
        "direction": msg.direction.value,
        "from": msg.from_number,
        "to": msg.to_number,
        "requested_at": _iso(msg.requested_at),
        "responded_at": _iso(msg.responded_at),
        "status": msg.status.value,
        "delivery": msg.delivery.value,
        "body_known": msg.body_known,
        "body": msg.body if msg.body_known else None,
        "error": msg.error or None,
        "parts": list(msg.parts),
        "media": list(msg.media),
        "local": is_local(msg),
        "outcome_unknown": is_uncertain(msg),
    }


# -- JSON ---------------------------------------------------------------------------------------


def render_json(messages: Sequence[Message], header: ExportHeader) -> str:
    head: dict[str, Any] = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "customer": normalize(header.customer),
        "account": normalize(header.account),
        "exported_at": header.exported_at.isoformat(),
        "records": len(messages),
    }
    if header.profile:
        head["profile"] = header.profile
    if header.provider:
        head["provider"] = header.provider
    data = {"header": head, "messages": [_record(m) for m in messages]}
    return json.dumps(data, ensure_ascii=True, indent=2) + "\n"


# -- CSV ----------------------------------------------------------------------------------------


def csv_cell(value: object) -> str:
    """One CSV cell: sanitised like the transcript, and never a spreadsheet formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        text = " ".join(sanitize_line(v, limit=NO_LIMIT) for v in value)
    else:
        text = sanitize(value, limit=NO_LIMIT)
    raw = value if isinstance(value, str) else text
    if text.lstrip(" ").startswith(FORMULA_START) or raw.lstrip(" ").startswith(FORMULA_START):
        text = "'" + text
    return text


def render_csv(messages: Sequence[Message]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for msg in messages:
        record = _record(msg)
        writer.writerow([csv_cell(record[column]) for column in CSV_COLUMNS])
    return out.getvalue()


# -- text ---------------------------------------------------------------------------------------


def _when(when: datetime | None, tz: tzinfo | None) -> str:
    if when is None:
        return "(time unknown)"
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %z")


def _state(item: ThreadItem) -> str:
    state = item.state
    if state == "uncertain":
        return "outcome unknown (the request went out, no answer came back)"
    if state in ("delivered", "undelivered", "unconfirmed"):
        return f"sent, {state}"
    if item.local and state in ("queued", "sent"):
        return "queued (not acknowledged by the provider yet)"
    return state


def _item_text(item: ThreadItem, tz: tzinfo | None) -> list[str]:
    first = item.records[0]
    arrow = "← in " if item.direction is Direction.INBOUND else "→ out"
    route = f"{sanitize_line(first.from_number, limit=40)} → {sanitize_line(first.to_number, limit=40)}"
    head = f"{_when(item.timestamp, tz)}  {arrow}  {route}  {_state(item)}"
    parts = len(item.records) + item.missing_parts
    if parts > 1:
        head += f"  ({parts} parts" + (f", {item.missing_parts} not in the store)" if item.missing_parts else ")")
    lines = [head]
    body = sanitize(item.body, limit=NO_LIMIT) if item.body_known else TEXT_UNKNOWN
    lines += ["    " + line if line.strip() else "" for line in body.split("\n")]
    lines += [f"    media: {sanitize_line(url, limit=2000)}" for url in item.media]
    if item.error:
        lines.append(f"    ! {sanitize_line(item.error, limit=2000)}")
    return lines


def render_text(messages: Sequence[Message], header: ExportHeader, tz: tzinfo | None = None) -> str:
    """A transcript; times in `tz` (None: this machine's local time zone)."""
    items = thread_items(messages)
    customer, account = normalize(header.customer), normalize(header.account)
    stamp = header.exported_at.astimezone(tz)
    zone = stamp.tzname() or stamp.strftime("%z")
    sends = f"{len(items)} message{'s' if len(items) != 1 else ''}"
    if len(items) != len(messages):
        sends += f" ({len(messages)} SMS records)"
    lines = [
        f"Conversation with {pretty(customer)} on {pretty(account)}",
        f"customer: {customer}",
        f"account:  {account}",
    ]
    if header.profile:
        lines.append(f"profile:  {sanitize_line(header.profile, limit=80)}")
    lines += [
        f"exported: {_when(header.exported_at, tz)} by smschat",
        f"{sends}, oldest first; times in {zone}",
        "Control characters in texts are shown as symbols (␛ is ESC); nothing here is a terminal command.",
        "",
    ]
    for item in items:
        lines += _item_text(item, tz)
        lines.append("")
    if not items:
        lines += ["(no messages)", ""]
    return "\n".join(lines)


def render(fmt: str, messages: Sequence[Message], header: ExportHeader, tz: tzinfo | None = None) -> str:
    if fmt == "text":
        return render_text(messages, header, tz)
    if fmt == "json":
        return render_json(messages, header)
    if fmt == "csv":
        return render_csv(messages)
    raise ValueError(f"unknown export format {fmt!r}: expected one of {', '.join(FORMATS)}")


# -- files --------------------------------------------------------------------------------------


def default_filename(customer: str, fmt: str, when: datetime) -> str:
    """`smschat-16175550123-2026-11-23.txt`"""
    return f"smschat-{normalize(customer) or 'conversation'}-{when.strftime('%Y-%m-%d')}.{EXTENSIONS[fmt]}"


def default_directory(home: Path | None = None) -> Path:
    """Where the app suggests saving: ~/Downloads when it exists, else the home directory."""
    base = home if home is not None else Path.home()
    downloads = base / "Downloads"
    return downloads if downloads.is_dir() else base


def check_target(path: Path | str, *, force: bool = False) -> Path:
    """`path` (`~` expanded) if an export may be written there; `ExportError` saying why not."""
    if not str(path).strip():
        raise ExportError("give a file name to write to")
    target = Path(path).expanduser()
    parent = target.parent
    if target.is_dir():
        raise ExportError(f"{target} is a directory: give a file name")
    if not parent.is_dir():
        raise ExportError(f"the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write in {parent}: permission denied")
    if (target.exists() or target.is_symlink()) and not force:
        raise ExportError(f"{target} already exists (choose another name, or replace it on purpose)")
    return target


def write_export(path: Path | str, data: str, *, force: bool = False) -> Path:
    """Write `data` (UTF-8) to `path`, readable by its owner only (0600).

    Never replaces an existing file (or symlink) unless `force`; with `force` the new file is
    written beside it and renamed over it, so a symlink is replaced, not followed, and a reader
    never sees half a file. Returns the path written; `ExportError` when it cannot be.
    """
    target = check_target(path, force=force)
    raw = data.encode("utf-8", errors="replace")
    try:
        if not force:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            try:
                _write_all(fd, raw)
            except BaseException:
                os.close(fd)
                target.unlink(missing_ok=True)  # ours (O_EXCL): no half-written export is left
                raise
            os.close(fd)
            return target
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            os.fchmod(fd, 0o600)
            _write_all(fd, raw)
            os.close(fd)
            fd = -1
            os.replace(temp, target)
        except BaseException:
            if fd >= 0:
                os.close(fd)
            Path(temp).unlink(missing_ok=True)
            raise
        return target
    except FileExistsError:
        raise ExportError(f"{target} already exists (choose another name, or replace it on purpose)") from None
    except PermissionError:
        raise ExportError(f"cannot write {target}: permission denied") from None
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None


def export_to_file(store_path: Path | str, fmt: str, path: Path | str, header: ExportHeader, *,
                   tz: tzinfo | None = None, force: bool = False) -> tuple[Path, int]:
    """Read the conversation through a Store of its own (a worker thread calls this), render it and
    write it; (path written, records). `ExportError` when there is nothing to export or no way to
    write it."""
    from smschat.store import Store

    store = Store.open(store_path)
    try:
        messages = conversation_messages(store, header.customer, header.account)
    finally:
        store.close()
    if not messages:
        raise ExportError("nothing to export: the conversation has no messages")
    return write_export(path, render(fmt, messages, header, tz), force=force), len(messages)


def _write_all(fd: int, raw: bytes) -> None:
    view = memoryview(raw)
    while view:
        written = os.write(fd, view)
        view = view[written:]
