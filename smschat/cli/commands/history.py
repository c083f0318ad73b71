"""`smschat contacts` and `smschat conversation`: read the account's history from the provider."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from smschat.cli import format as fmt
from smschat.cli.context import Context, UsageError
from smschat.domain.errors import Unsupported
from smschat.domain.model import ContactSummary, Direction, Message, Status
from smschat.domain.numbers import InvalidNumber, normalize, parse_number, pretty
from smschat.providers.base import ListQuery

_EPOCH = datetime.fromtimestamp(0, UTC)


def user_number(text: str, option: str) -> str:
    """A number typed on the command line, canonical; `UsageError` naming the option when bad."""
    try:
        return parse_number(text)
    except InvalidNumber as exc:
        raise UsageError(f"{option}: {exc}") from None


def _order_key(msg: Message) -> tuple[datetime, str]:
    return (msg.timestamp or _EPOCH, msg.id)


def summarise(messages: Iterable[Message], accounts: Iterable[str] = ()) -> list[ContactSummary]:
    """One summary per (customer, account), newest activity first. Pure.

    `accounts`, when given, keeps only conversations on those account numbers.
    """
    wanted = {normalize(a) for a in accounts}
    groups: dict[tuple[str, str], list[Message]] = {}
    for msg in messages:
        key = (msg.customer_number(), msg.account_number())
        if wanted and key[1] not in wanted:
            continue
        groups.setdefault(key, []).append(msg)
    out = []
    for (customer, account), msgs in groups.items():
        inbound = sum(1 for m in msgs if m.direction is Direction.INBOUND)
        out.append(
            ContactSummary(
                customer=customer,
                account=account,
                last_message=max(msgs, key=_order_key),
                total=len(msgs),
                inbound=inbound,
                outbound=len(msgs) - inbound,
                failed=sum(1 for m in msgs if m.status is Status.FAILURE),
            )
        )
    out.sort(key=lambda c: _order_key(c.last_message), reverse=True)
    return out


async def run_contacts(ctx: Context) -> int:
    accounts = [user_number(a, "--account") for a in (ctx.args.account or [])]
    from smschat.providers.paging import iter_message_pages

    messages: dict[str, Message] = {}
    progress = ctx.err.isatty() and not ctx.json
    async with ctx.provider() as provider:
        async for page in iter_message_pages(provider, ListQuery(order="desc"), page_size=provider.max_limit):
            for msg in page.messages:
                messages.setdefault(msg.id, msg)
            if progress and page.total > len(page.messages):
                ctx.err.write(f"\rfetched {len(messages)} of {page.total} messages…")
                ctx.err.flush()
    if progress and messages:
        ctx.err.write("\r\033[K")
    contacts = summarise(messages.values(), accounts)
    if ctx.json:
        ctx.emit_json([fmt.contact_json(c) for c in contacts])
    elif not contacts:
        ctx.print("No conversations yet.")
    else:
        ctx.print(fmt.contacts_table(contacts, now=ctx.clock(), width=ctx.width))
    return 0


async def _busiest_account(provider, customer: str, profile) -> str:  # noqa: ANN001
    """The account number this customer last talked to (the default sender when none)."""
    numbers = [normalize(n) for n in profile.numbers]
    if len(numbers) < 2:
        return profile.default_number
    best, best_at = profile.default_number, None
    for number in numbers:
        page = await provider.conversation(customer, number, limit=provider.min_limit, order="desc")
        stamps = [m.timestamp for m in page.messages if m.timestamp is not None]
        if stamps and (best_at is None or max(stamps) > best_at):
            best, best_at = number, max(stamps)
    return best


async def _from_store(ctx: Context, provider, profile, customer: str, account: str,  # noqa: ANN001
                      limit: int) -> tuple[str, list[Message]]:
    """The conversation from the profile's local store, after syncing the account's records into it
    (the first time that lists up to 90 days, paced by Plivo's rate limit)."""
    from smschat.paths import store_file
    from smschat.store import Store
    from smschat.sync import CURSOR, SyncEngine

    store = Store.open(store_file(profile.name))
    try:
        if store.get_cursor(CURSOR) is None:
            ctx.note(f"{provider.name} has no conversation endpoint: copying the account's messages into the "
                     "local store first (rate limited; this happens once)")
        progress = ctx.err.isatty() and not ctx.json

        def report(done: int, total: int) -> None:
            if progress and total > done:
                ctx.err.write(f"\rfetched {done} of {total} messages…")
                ctx.err.flush()

        await SyncEngine(provider, store, profile.numbers).refresh(progress=report)
        if progress:
            ctx.err.write("\r\033[K")
        if not account:
            mine = [c for c in store.contacts(profile.numbers) if c.customer == customer]
            account = mine[0].account if mine else profile.default_number
        return account, store.thread(customer, account, limit=limit)
    finally:
        store.close()


async def run_conversation(ctx: Context) -> int:
    customer = user_number(ctx.args.number, "NUMBER")
    profile = ctx.profile()
    limit: int = ctx.args.limit
    from smschat.providers.paging import iter_conversation

    newest: list[Message] = []
    chosen = user_number(ctx.args.account, "--account") if ctx.args.account else ""
    async with ctx.provider() as provider:
        try:
            account = chosen or await _busiest_account(provider, customer, profile)
            page_size = max(provider.min_limit, min(provider.max_limit, limit))
            async for msg in iter_conversation(provider, customer, account, order="desc", page_size=page_size):
                newest.append(msg)
                if len(newest) >= limit:
                    break
        except Unsupported:  # Plivo: no conversation endpoint; the local store holds the threads (and texts)
            account, newest = await _from_store(ctx, provider, profile, customer, chosen, limit)
    thread = sorted(newest, key=_order_key)
    if ctx.json:
        ctx.emit_json([fmt.message_json(m) for m in thread])
        return 0
    who = f"{pretty(customer)} on {pretty(account)}"
    if not thread:
        ctx.print(f"No messages with {who}.")
        return 0
    shown = f"the last {len(thread)}" if len(thread) >= limit else f"{len(thread)}"
    ctx.print(f"Conversation with {who}: {shown} message{'s' if len(thread) != 1 else ''}, oldest first")
    ctx.print(fmt.thread_table(thread, tz=ctx.tz, width=ctx.width))
    return 0
