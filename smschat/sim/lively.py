"""Lively mode for the demo: customers text in now and then, and answer what the agent sends.

A daemon thread. Every 20-60 s (divided by `speed`) a seeded customer texts something plausible;
after each successful send the customer answers 3-8 s later (divided by `speed`) with a reply that
fits what the agent wrote. Numbers that cannot receive (unsubscribed, landline, undeliverable) never
answer. Scheduling uses real (monotonic) time; message timestamps come from the account's clock.
"""

from __future__ import annotations

import heapq
import random
import threading
import time

from smschat.domain.numbers import national, normalize
from smschat.sim import seed_text as t
from smschat.sim.account import SimAccount
from smschat.sim.records import SimMessage


def reply_for(text: str, rng: random.Random) -> str:
    """A customer's plausible answer to the agent's `text`."""
    lowered = text.lower()
    for keywords, answers in t.REPLIES:
        if any(word in lowered for word in keywords):
            return rng.choice(answers)
    return rng.choice(t.DEFAULT_REPLIES)


class Lively:
    def __init__(
        self,
        account: SimAccount,
        *,
        speed: float = 1.0,
        rng_seed: int | None = None,
        personas: tuple[t.Persona, ...] = t.PERSONAS,
        interval: tuple[float, float] = (20.0, 60.0),
        reply_delay: tuple[float, float] = (3.0, 8.0),
    ) -> None:
        self.account = account
        self.speed = speed
        self.rng = random.Random(rng_seed)
        self.personas = [p for p in personas if p.lively and p.openers]
        self.interval = interval
        self.reply_delay = reply_delay
        self._pending: list[tuple[float, int, str, str, str]] = []  # (due, n, customer, account, body)
        self._counter = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_opener: dict[str, int] = {}

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if self._thread is not None:
            return
        self.account.outbound_listeners.append(self.on_outbound)
        self._thread = threading.Thread(target=self._run, name="sim-lively", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self.on_outbound in self.account.outbound_listeners:
            self.account.outbound_listeners.remove(self.on_outbound)
        if self._thread is not None:
            self._thread.join(timeout=2)

    # ------------------------------------------------------------------ replies
    def _can_answer(self, customer: str) -> bool:
        blocked = self.account.unsubscribed | self.account.landlines | self.account.undeliverable
        return customer not in {normalize(n) for n in blocked}

    def on_outbound(self, records: list[SimMessage]) -> None:
        """Account listener: schedule the customer's answer to a send."""
        if not records or not self._can_answer(records[0].customer):
            return
        text = "".join(r.body for r in records)
        with self._lock:
            low, high = self.reply_delay
            due = time.monotonic() + self.rng.uniform(low, high) / self.speed
            body = reply_for(text, self.rng)
            self._counter += 1
            heapq.heappush(self._pending, (due, self._counter, records[0].customer, records[0].account, body))
        self._wake.set()

    # ------------------------------------------------------------------ the loop
    def _next_spontaneous(self) -> float:
        low, high = self.interval
        return time.monotonic() + self.rng.uniform(low, high) / self.speed

    def _spontaneous(self) -> None:
        if not self.personas:
            return
        with self._lock:
            persona = self.rng.choice(self.personas)
            index = self._next_opener.get(persona.number, self.rng.randrange(len(persona.openers)))
            self._next_opener[persona.number] = (index + 1) % len(persona.openers)
        if self.account.is_account_number(persona.account):
            self.account.inject_inbound(persona.number, persona.account, persona.openers[index])

    def _run(self) -> None:
        spontaneous_at = self._next_spontaneous()
        while not self._stop.is_set():
            self._wake.clear()
            now = time.monotonic()
            due: list[tuple[float, int, str, str, str]] = []
            with self._lock:
                while self._pending and self._pending[0][0] <= now:
                    due.append(heapq.heappop(self._pending))
                next_reply = self._pending[0][0] if self._pending else None
            for _due, _n, customer, account, body in due:
                try:
                    self.account.inject_inbound(national(customer), national(account), body)
                except ValueError:
                    pass
            if now >= spontaneous_at:
                try:
                    self._spontaneous()
                except ValueError:
                    pass
                spontaneous_at = self._next_spontaneous()
            wake_at = min(spontaneous_at, next_reply) if next_reply is not None else spontaneous_at
            self._wake.wait(max(0.0, min(1.0, wake_at - time.monotonic())))
