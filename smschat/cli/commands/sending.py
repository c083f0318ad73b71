"""`smschat send` and `smschat status`."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import replace

from smschat.cli import format as fmt
from smschat.cli.commands.history import user_number
from smschat.cli.context import Context, UsageError
from smschat.domain.errors import SmsError
from smschat.domain.model import DeliveryStatus, Message, Status
from smschat.domain.numbers import pretty
from smschat.domain.sanitize import sanitize_line
from smschat.domain.segments import count_segments
from smschat.providers.base import Provider, SendRequest

#: Seconds between status polls with --wait: starts short, grows to the cap.
FIRST_POLL = 0.25
MAX_POLL = 3.0
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


def read_body(ctx: Context) -> str:
    body: str = ctx.args.body
    if body == "-":
        body = sys.stdin.read()
        body = body.rstrip("\r\n")
    if not body.strip():
        raise UsageError("--body: the message is empty; give the text to send (or - to read it from stdin)")
    return body


async def wait_final(provider: Provider, records: Sequence[Message], timeout: float) -> tuple[list[Message], bool]:
    """Poll `status` until every record is final or `timeout` seconds pass. Returns (latest, finished)."""
    latest = {m.id: m for m in records}
    parts = {m.id: m.parts for m in records}
    deadline = time.monotonic() + timeout
    delay = FIRST_POLL
    while True:
        for mid, msg in list(latest.items()):
            if msg.is_final:
                continue
            try:
                fresh = await provider.status(mid)
            except SmsError as exc:
                if not exc.retryable:
                    raise
                continue  # a transient failure: ask again next round, until the deadline
            known = latest[mid]  # a record without text (Plivo) keeps the text this client sent
            text = {} if fresh.body_known else {"body": known.body, "body_known": known.body_known}
            latest[mid] = replace(fresh, parts=fresh.parts or parts[mid], **text)
        if all(m.is_final for m in latest.values()):
            return list(latest.values()), True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return list(latest.values()), False
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * 1.6, MAX_POLL)


def _failed(messages: Sequence[Message]) -> list[Message]:
    return [m for m in messages if m.status is Status.FAILURE or m.delivery is DeliveryStatus.UNDELIVERED]


def _keep_text(profile, records: Sequence[Message]) -> None:  # noqa: ANN001
    """The provider's records will never show this text again (Plivo): keep it in the local store,
    where `conversation` and the TUI read it."""
    from smschat.paths import store_file
    from smschat.store import Store

    with Store.open(store_file(profile.name)) as store:
        store.upsert_messages(records)


async def run_send(ctx: Context) -> int:
    to = user_number(ctx.args.to, "--to")
    body = read_body(ctx)
    if ctx.args.timeout is not None and ctx.args.timeout <= 0:
        raise UsageError("--timeout: expected a positive number of seconds")
    profile = ctx.profile()
    sender = user_number(ctx.args.from_number, "--from") if ctx.args.from_number else profile.default_number
    if not sender:
        raise UsageError("--from: no sender number; give --from or add numbers to the profile")
    async with ctx.provider() as provider:
        records = list(await provider.queue(SendRequest(to=to, from_number=sender, body=body)))
        ids = tuple(m.id for m in records)
        records = [m if m.parts else replace(m, parts=ids) for m in records]
        if not provider.records_carry_text:
            _keep_text(profile, records)
        if not ctx.json:
            info = count_segments(body)
            ctx.print(f"Queued to {pretty(to)} from {pretty(sender)} in {len(records)} "
                      f"part{'s' if len(records) != 1 else ''} ({info.label()}):")
            ctx.print(fmt.status_table(records, now=ctx.clock(), width=ctx.width))
            ctx.out.flush()
        if not ctx.args.wait:
            if ctx.json:
                ctx.emit_json([fmt.message_json(m) for m in records])
            return 0
        timeout = ctx.args.timeout if ctx.args.timeout is not None else 120.0
        if not ctx.json:
            ctx.note(f"waiting up to {timeout:g} s for the delivery status…")
        final, finished = await wait_final(provider, records, timeout)
    if ctx.json:
        ctx.emit_json([fmt.message_json(m) for m in final])
    else:
        ctx.print("Final status:" if finished else "Status so far:")
        ctx.print(fmt.status_table(final, now=ctx.clock(), width=ctx.width))
    if not finished:
        ctx.note(f"smschat: no final delivery status after {timeout:g} s; check later with `smschat status ID`")
        return 1
    bad = _failed(final)
    if bad:
        reason = next((m.error for m in bad if m.error), "")
        detail = f": {sanitize_line(reason, limit=200)}" if reason else ""
        ctx.note(f"smschat: {len(bad)} of {len(final)} part(s) not delivered{detail}")
        return 1
    return 0


async def run_status(ctx: Context) -> int:
    ids: list[str] = ctx.args.ids
    for mid in ids:
        if not _ID.match(mid):
            raise UsageError(f"ID: {sanitize_line(mid, limit=60)!r} is not a message id (expected letters and digits)")
    results: dict[str, Message] = {}
    errors: dict[str, str] = {}
    async with ctx.provider() as provider:
        for mid in ids:
            try:
                results[mid] = await provider.status(mid)
            except SmsError as exc:
                if len(ids) == 1:
                    raise
                errors[mid] = sanitize_line(ctx.scrub(str(exc)), limit=300)
    if ctx.json:
        ctx.emit_json([fmt.message_json(results[i]) if i in results else fmt.error_json(i, errors[i]) for i in ids])
    elif results:
        ctx.print(fmt.status_table(list(results.values()), now=ctx.clock(), width=ctx.width))
    for mid, text in errors.items():
        ctx.note(f"smschat: {mid}: {text}")
    return 1 if errors else 0
