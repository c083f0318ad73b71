"""Soak: the real chat app, driven by a pilot, against the simulator with 20% of requests faulted.

While customers text in from a background thread, the pilot opens their conversations and types
replies into the composer; drafts are left in other conversations; failed replies are retried the
way an agent would (`r`, confirmed: the screen's retry, which looks on the server first when the
first attempt's outcome is unknown). The run is bounded by time and by the number of requests.
Then the faults clear and the run settles: every inbound text must be in the store and drawn in
its thread, every reply on the server exactly once, every draft intact, and the app must still
answer keys.

    python tests/bench/soak.py [--seconds 90] [--max-requests 20000] [--format json|xml] [--seed 7]

Prints the figures: requests, faults injected, messages in, replies sent, duplicates, losses.
`tests/test_soak.py` runs a shorter soak with the same checks.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from dataclasses import dataclass, field, replace
from pathlib import Path

from textual import events

from smschat.demo import demo_profile
from smschat.domain.model import Status
from smschat.domain.numbers import normalize
from smschat.session import open_session
from smschat.sim import Faults, make_demo_server
from smschat.ui.app import SmsChatApp
from smschat.ui.screens.chat import ChatScreen

#: The fault mix: about 20% of requests (1 - 0.93^3) dropped, answered 5xx, or garbled.
FAULT_MIX = {"drop": 0.07, "fail_5xx": 0.07, "malformed": 0.07}
CUSTOMERS = [f"212555{7000 + i:04d}" for i in range(12)]
SIZE = (100, 30)


@dataclass
class Figures:
    seconds: float = 0.0
    requests: int = 0
    endpoints: Counter = field(default_factory=Counter)
    faults: Counter = field(default_factory=Counter)
    messages_in: int = 0
    replies: int = 0
    retries: int = 0
    duplicates: int = 0
    lost_inbound: list[str] = field(default_factory=list)
    lost_replies: list[str] = field(default_factory=list)
    lost_drafts: list[str] = field(default_factory=list)
    not_on_screen: list[str] = field(default_factory=list)
    responsive: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def losses(self) -> int:
        return len(self.lost_inbound) + len(self.lost_replies) + len(self.lost_drafts)

    def report(self) -> str:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.faults.items()))
        share = 100 * sum(self.faults.values()) / max(1, self.requests)
        return "\n".join([
            f"soak: {self.seconds:.0f} s of faults, then settled",
            f"requests          {self.requests} ({', '.join(f'{k} {v}' for k, v in self.endpoints.most_common())})",
            f"faults injected   {sum(self.faults.values())} ({share:.1f}%: {kinds})",
            f"messages in       {self.messages_in}",
            f"replies sent      {self.replies} (agent retries after failures: {self.retries})",
            f"duplicates        {self.duplicates}",
            f"losses            {self.losses} (inbound {len(self.lost_inbound)}, replies {len(self.lost_replies)}, "
            f"drafts {len(self.lost_drafts)})",
            f"not on screen     {len(self.not_on_screen)}",
            f"responsive        {'yes' if self.responsive else 'NO'}",
            *self.notes,
        ])  # fmt: skip


class Customers(threading.Thread):
    """Customers texting in at random, a few times a second, until stopped."""

    def __init__(self, server, rng: random.Random, rate: float = 5.0) -> None:
        super().__init__(name="soak-customers", daemon=True)
        self.account = server.account
        self.line = server.account.numbers[0]
        self.rng = rng
        self.rate = rate
        self.sent: dict[str, tuple[str, str]] = {}  # id -> (customer, body)
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        n = 0
        while not self.stop.wait(self.rng.expovariate(self.rate)):
            n += 1
            customer = self.rng.choice(CUSTOMERS)
            body = f"in-{n} from {customer[-4:]}: is my order ready?"
            msg_id = self.account.inject_inbound(customer, self.line, body)
            with self.lock:
                self.sent[msg_id] = (customer, body)

    def snapshot(self) -> dict[str, tuple[str, str]]:
        with self.lock:
            return dict(self.sent)


async def wait_for(pilot, predicate, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await pilot.pause(step)
    return True


def type_keys(app, keys) -> None:
    """Key events as a terminal delivers them to a fast typist (letters, digits, space, enter).

    `pilot.press` waits for the whole process to go idle after every key, which under a busy sync
    thread takes up to a second per key; the keys themselves are the same events."""
    for key in keys:
        if key == " ":
            event = events.Key("space", " ")
        elif key == "enter":
            event = events.Key("enter", "\r")
        else:
            event = events.Key(key, key)
        event.set_sender(app)
        app._driver.send_message(event)


def request_count(server) -> int:
    with server.account.lock:
        return len(server.account.request_log)


def failed_replies(store, keys, replies: set[str]) -> list[str]:
    """Local ids of our replies that failed (the agent would press r on them)."""
    found = []
    for customer, account in keys:
        for item in store.thread_items(customer, account, limit=400):
            if item.local and item.status is Status.FAILURE and item.body in replies:
                found.append(item.id)
    return found


async def soak(seconds: float = 90.0, max_requests: int = 20_000, *, fmt: str = "json", seed: int = 7,
               workdir: Path | None = None) -> Figures:  # fmt: skip
    rng = random.Random(seed)
    figures = Figures()
    server = make_demo_server(lively=False, speed=20.0).start()
    account = server.account
    line = normalize(account.numbers[0])
    profile = demo_profile(server.url, account.username, account.password, list(account.numbers), fmt)
    workdir = workdir or Path(tempfile.mkdtemp(prefix="smschat-soak-"))
    session = open_session(profile, workdir / "soak.sqlite3")
    # time compressed like the simulator's (speed 20): read retries wait 0.05 s, 0.1 s, 0.2 s, and
    # an incremental refresh re-reads the last 10 s rather than 2 minutes (the simulator's clock
    # has no skew; at 7 texts a second, 2 minutes is 800 messages per poll)
    engine = session.engine
    engine.retry_policy = replace(engine.retry_policy, base_delay=0.05)
    engine.sender.retry = engine.retry_policy
    engine.overlap = timedelta(seconds=10)
    customers = Customers(server, random.Random(seed + 1))
    replies: dict[str, tuple[str, str]] = {}  # body -> key
    drafts: dict[tuple[str, str], str] = {}
    try:
        app = SmsChatApp(session, poll_interval=0.05)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced, 60)
            screen: ChatScreen = app.screen  # type: ignore[assignment]
            # faults from here on: the first sync is not the subject (it is tested elsewhere)
            server.faults = Faults(**FAULT_MIX, rate=seed)
            server.faults.injected.clear()
            start_requests = request_count(server)
            # drafts left in three of the demo's conversations
            for index, contact in enumerate(list(screen.contacts.contacts)[3:6]):
                screen.contacts.select_key(contact.key)
                await wait_for(pilot, lambda: screen.open_key == contact.key, 10)
                screen.composer.input.focus()
                await wait_for(pilot, lambda: screen.focused is screen.composer.input, 5)
                text = f"draft {index} let me check with the kitchen"
                type_keys(app, text)
                await wait_for(pilot, lambda: screen.composer.text == text, 10)
                drafts[contact.key] = text
                screen.contacts.focus()
            customers.start()
            started = time.monotonic()
            n = 0
            last_retry = started
            while time.monotonic() - started < seconds and request_count(server) - start_requests < max_requests:
                known = [c for c in screen.contacts.contacts if c.customer in {normalize(x) for x in CUSTOMERS}]
                if not known:
                    await pilot.pause(0.1)
                    continue
                contact = rng.choice(known)
                if not screen.contacts.select_key(contact.key) and screen.open_key != contact.key:
                    continue
                if not await wait_for(pilot, lambda: screen.open_key == contact.key, 5):
                    continue
                n += 1
                body = f"re {n} ok {rng.randrange(1000)}"
                screen.composer.input.focus()
                if not await wait_for(pilot, lambda: screen.focused is screen.composer.input, 5):
                    figures.notes.append(f"skipped {body!r}: the composer did not take the focus")
                    continue
                typed = screen.composer.text + body  # (a draft would be sent along; none here)
                type_keys(app, body)
                if not await wait_for(pilot, lambda: screen.composer.text == typed, 10) or screen.open_key != contact.key:
                    figures.notes.append(f"skipped {body!r}: typed {screen.composer.text!r}")
                    screen.composer.clear()
                    session.ui_store.set_draft(*contact.key, "")
                    continue
                type_keys(app, ["enter"])
                replies[typed] = contact.key  # Enter pressed on the text: it counts from here
                if not await wait_for(pilot, lambda: screen.composer.text == "", 10):
                    figures.notes.append(f"Enter on {typed!r} left {screen.composer.text!r} in the composer")
                screen.contacts.focus()
                await pilot.pause(rng.uniform(0.02, 0.1))
                if time.monotonic() - last_retry > 2.0:  # the agent notices ✗ failed and presses r
                    last_retry = time.monotonic()
                    for local_id in failed_replies(session.ui_store, set(replies.values()), set(replies)):
                        figures.retries += 1
                        screen.retry_message(local_id)
            figures.seconds = time.monotonic() - started
            customers.stop.set()
            customers.join(5)
            figures.faults = Counter(server.faults.injected)
            server.faults.clear()

            # settle: with the faults gone, keep retrying failed replies until every one is sent
            def settled() -> bool:
                return all(sum(1 for m in account.messages() if m.body == b) == 1 for b in replies) and not failed_replies(
                    session.ui_store, set(replies.values()), set(replies)
                )

            deadline = time.monotonic() + 60
            while not settled() and time.monotonic() < deadline:
                for local_id in failed_replies(session.ui_store, set(replies.values()), set(replies)):
                    figures.retries += 1
                    screen.retry_message(local_id)
                await pilot.pause(0.5)
            inbound = customers.snapshot()
            await wait_for(pilot, lambda: all(session.ui_store.get_message(i) for i in inbound), 30)

            # the figures
            figures.requests = request_count(server) - start_requests
            with account.lock:
                log = account.request_log[start_requests:]
            figures.endpoints = Counter(entry[1].rsplit("/", 1)[-1].split(".")[0] for entry in log if "/status." not in entry[1])
            figures.endpoints["status"] = sum(1 for entry in log if "/status." in entry[1])
            figures.messages_in = len(inbound)
            figures.replies = len(replies)
            on_server = Counter(m.body for m in account.messages())
            figures.duplicates = sum(max(0, on_server[b] - 1) for b in replies)
            figures.lost_replies = [b for b in replies if on_server[b] == 0]
            for body in figures.lost_replies:  # what the store knows about it (for the report)
                items = [i for i in session.ui_store.thread_items(*replies[body], limit=400) if body in i.body]
                near = [m.body for m in account.messages() if m.body.startswith(body.split(" ok ")[0] + " ")]
                figures.notes.append(f"lost {body!r}: store {[(i.id, i.status.value, i.error[:80]) for i in items]}, "
                                     f"server has {near}")
            figures.lost_inbound = [i for i in inbound if session.ui_store.get_message(i) is None]
            figures.lost_drafts = [t for k, t in drafts.items() if session.ui_store.get_draft(*k) != t]

            # on screen: each customer's thread holds every text they sent, the newest one drawn
            for customer in CUSTOMERS:
                mine = [(i, b) for i, (c, b) in inbound.items() if c == customer]
                if not mine:
                    continue
                newest = max(mine, key=lambda ib: (session.ui_store.get_message(ib[0]).timestamp, ib[0]))[1]
                key = (normalize(customer), line)
                screen.contacts.select_key(key)
                shown = await wait_for(
                    pilot,
                    lambda: screen.open_key == key and newest in "\n".join(
                        screen.thread.render_line(y).text for y in range(screen.thread.size.height)
                    ),
                    10,
                )  # fmt: skip
                if not shown:
                    figures.not_on_screen.append(newest)
                loaded = {i for item in screen.thread.items for i in item.ids}
                figures.not_on_screen += [b for i, b in mine if i not in loaded]
            # drafts come back in the composer
            for key, text in drafts.items():
                screen.contacts.select_key(key)
                await wait_for(pilot, lambda: screen.open_key == key, 10)
                if screen.composer.text != text and text not in figures.lost_drafts:
                    figures.lost_drafts.append(text)
            # still responsive: keys move the cursor and focus
            screen.contacts.focus()
            await pilot.press("home", "j", "tab")
            figures.responsive = screen.contacts.cursor == 1 and screen.focused is screen.thread
    finally:
        customers.stop.set()
        session.close()
        server.stop()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--format", choices=("json", "xml"), default="json")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    figures = asyncio.run(soak(args.seconds, args.max_requests, fmt=args.format, seed=args.seed))
    print(figures.report())
    ok = figures.duplicates == 0 and figures.losses == 0 and not figures.not_on_screen and figures.responsive
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
