"""`smschat export NUMBER`: one conversation as a text transcript, JSON or CSV, from the local store."""

from __future__ import annotations

import argparse
from pathlib import Path

from smschat.cli.context import Context, UsageError
from smschat.domain.numbers import normalize, pretty
from smschat.domain.sanitize import sanitize_line
from smschat.store.export import FORMATS, ExportError, ExportHeader, check_target, render, write_export

DESCRIPTION = "export one conversation as a text transcript, JSON or CSV"

EPILOG = """\
export reads the profile's local store: what the chat screen (or `smschat receive`, or an earlier
--sync) has brought to this machine. It needs no network and works offline. With --sync it first
fetches what is new from the provider (and, for Plum, the conversation's older pages), then exports.

formats:
  text  a transcript to read: time with its UTC offset, direction, from -> to, state, the text
        (control characters shown as symbols such as ␛, so printing it on a terminal is safe)
  json  {"header": {customer, account, exported_at, ...}, "messages": [every field of each SMS record]};
        "body": null with "body_known": false for a text smschat never saw (Plivo)
  csv   RFC 4180 with a header row, one row per SMS record; a cell that starts with = + - @ tab or CR
        gets a leading ' so a spreadsheet shows it as text instead of running it as a formula

A file is written readable by you only (mode 0600: it holds customers' texts) and never replaces an
existing file unless --force is given. Without --output (or with --output -) it goes to stdout.

examples:
  smschat export 6175550123                          transcript on stdout
  smschat export 6175550123 --format csv --output thread.csv
  smschat export 6175550123 --account 2435670001 --format json --output - | jq .header
  smschat export 6175550123 --sync --output ~/thread.txt
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("number", metavar="NUMBER", help="the customer's phone number")
    parser.add_argument("--account", metavar="N",
                        help="the account number of the conversation (default: the one the customer last talked to)")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="text (default; json with --json), json or csv")
    parser.add_argument("--output", "-o", metavar="PATH", default="-", help="file to write, or - for stdout (default)")
    parser.add_argument("--force", action="store_true", help="replace PATH if it exists")
    parser.add_argument("--sync", action="store_true",
                        help="fetch what is new from the provider before exporting (default: the local store only)")


def _choose_account(store, customer: str, numbers: tuple[str, ...]) -> tuple[str, list[str]]:  # noqa: ANN001
    """The account the customer last talked to, and every account they have a conversation on."""
    found = [c for c in (store.contact(customer, n) for n in numbers) if c is not None]
    found.sort(key=lambda c: (c.last_activity is not None, c.last_activity), reverse=True)
    return (found[0].account if found else ""), [c.account for c in found]


async def _sync(ctx: Context, store, profile, customer: str, account: str) -> None:  # noqa: ANN001
    from smschat.sync import SyncEngine

    progress = ctx.err.isatty() and not ctx.json

    def report(done: int, total: int) -> None:
        if progress and total > done:
            ctx.err.write(f"\rfetched {done} of {total} messages…")
            ctx.err.flush()

    async with ctx.provider() as provider:
        engine = SyncEngine(provider, store, profile.numbers)
        await engine.refresh(progress=report)
        if progress:
            ctx.err.write("\r\033[K")
        if not account:
            account, _ = _choose_account(store, customer, tuple(normalize(n) for n in profile.numbers))
        if account:
            await engine.load_conversation(customer, account)
            for _ in range(10_000):  # older pages until the provider has nothing the store lacks
                if not await engine.load_conversation(customer, account, older=True):
                    break


async def run_export(ctx: Context) -> int:
    from smschat.cli.commands.history import user_number
    from smschat.paths import store_file
    from smschat.store import Store

    args = ctx.args
    customer = user_number(args.number, "NUMBER")
    fmt = args.format or ("json" if ctx.json else "text")
    to_stdout = args.output == "-"
    target: Path | None = None
    if not to_stdout:
        try:
            target = check_target(Path(args.output), force=args.force)
        except ExportError as exc:
            hint = " (--force replaces it)" if "already exists" in str(exc) else ""
            raise UsageError(f"--output: {exc}{hint}") from None
    profile = ctx.profile()
    numbers = tuple(normalize(n) for n in profile.numbers)
    account = user_number(args.account, "--account") if args.account else ""
    if account and account not in numbers:
        shown = ", ".join(pretty(n) for n in numbers)
        raise UsageError(f"--account: {pretty(account)} is not one of profile {profile.name!r}'s numbers ({shown})")
    path = store_file(profile.name)
    if not path.exists() and not args.sync:
        ctx.note(f"smschat: no local store for profile {sanitize_line(profile.name)!r} yet: open the chat screen "
                 "once, or add --sync to fetch the conversation from the provider")
        return 1
    store = Store.open(path)
    try:
        if args.sync:
            await _sync(ctx, store, profile, customer, account)
        others: list[str] = []
        if not account:
            account, others = _choose_account(store, customer, numbers)
        from smschat.store.export import conversation_messages

        messages = conversation_messages(store, customer, account) if account else []
    finally:
        store.close()
    if not messages:
        where = f" on {pretty(account)}" if account else ""
        hint = "" if args.sync else " (export reads the local store; --sync fetches from the provider first)"
        ctx.note(f"smschat: no messages with {pretty(customer)}{where} in profile {sanitize_line(profile.name)!r}{hint}")
        return 1
    if len(others) > 1:
        rest = ", ".join(pretty(a) for a in others if a != account)
        ctx.note(f"exporting the conversation on {pretty(account)} (the customer also wrote to {rest}: see --account)")
    header = ExportHeader(customer, account, ctx.clock(), profile=profile.name, provider=profile.provider)
    data = render(fmt, messages, header, ctx.tz)
    if to_stdout:
        ctx.out.write(data)
        ctx.out.flush()
        return 0
    assert target is not None
    try:
        written = write_export(target, data, force=args.force)
    except ExportError as exc:
        ctx.note(f"smschat: {exc}")
        return 1
    count = len(messages)
    if ctx.json:
        ctx.emit_json({"path": str(written), "format": fmt, "customer": customer, "account": account, "records": count})
    else:
        ctx.print(f"Exported {count} record{'s' if count != 1 else ''} with {pretty(customer)} on {pretty(account)} "
                  f"({fmt}) to {sanitize_line(str(written), limit=1000)}")
    return 0
