"""The simulated Plum account: numbers, messages, and the sets of numbers that make sends fail.

Thread-safe: one re-entrant lock guards every read and write. Depends on `smschat.domain` only.

Wire forms (documented quirk, the client must compare numbers normalised): account numbers are
shown with 10 digits; a customer is shown with the leading 1 in outbound `to` and with 10 digits
in inbound `from`.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from smschat.domain.numbers import InvalidNumber, national, normalize, parse_number
from smschat.sim.callbacks import post_inbound
from smschat.sim.parts import split_parts
from smschat.sim.records import SimMessage, SortedIndex, page

#: Inbound keywords that unsubscribe (and re-subscribe) the sender, as carriers do.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})

SENT_AFTER = 1.0  # seconds from queued to sent (divided by speed)
FINAL_AFTER = (2.0, 3.0)  # seconds from queued to a delivery status (divided by speed)
REQUEST_LOG_MAX = 200_000  # past this, the older half of `request_log` is dropped


class SendRefused(Exception):
    """The API refuses the send with this documented failure message."""


@dataclass(frozen=True, slots=True)
class Query:
    offset: int = 0
    limit: int = 50
    descending: bool = True
    start: float | None = None
    end: float | None = None


def _fraction(message_id: str) -> float:
    return int(message_id[:8], 16) / 0xFFFFFFFF


def _ids(count: int, rng: random.Random | None = None) -> list[str]:
    """Fresh 32-hex ids, sorted so the parts of one send list in order within their second."""
    if rng is None:
        return sorted(uuid.uuid4().hex for _ in range(count))
    return sorted(f"{rng.getrandbits(128):032x}" for _ in range(count))


class SimAccount:
    def __init__(
        self,
        username: str = "demo",
        password: str = "demo",
        numbers: Iterable[str] = ("6175550100",),
        *,
        clock: Callable[[], float] = time.time,
        speed: float = 1.0,
    ) -> None:
        self.username = username
        self.password = password
        self.numbers: list[str] = [national(n) for n in numbers]
        self.clock = clock
        self.speed = speed
        self.unsubscribed: set[str] = set()
        self.landlines: set[str] = set()
        self.undeliverable: set[str] = set()
        self.unconfirmed: set[str] = set()
        self.request_log: list[tuple[str, str, dict[str, str], int]] = []
        #: when set, every inbound message is POSTed here (sms_message_id, to, from, body).
        self.app_url: str = ""
        #: display names of known customers (normalised number -> name); the demo seed fills it.
        self.contacts: dict[str, str] = {}
        #: called (outside the lock) with the records of every successful queue.
        self.outbound_listeners: list[Callable[[list[SimMessage]], None]] = []
        self.lock = threading.RLock()
        self._by_id: dict[str, SimMessage] = {}
        self._all = SortedIndex()
        self._by_direction = {"inbound": SortedIndex(), "outbound": SortedIndex()}
        self._by_number: dict[str, SortedIndex] = {}
        self._by_pair: dict[tuple[str, str], SortedIndex] = {}

    def __repr__(self) -> str:  # never shows the password
        return f"SimAccount(username={self.username!r}, numbers={self.numbers!r}, messages={len(self)})"

    def __len__(self) -> int:
        with self.lock:
            return len(self._all)

    # ------------------------------------------------------------------ membership helpers
    @staticmethod
    def _in(number: str, numbers: Iterable[str]) -> bool:
        return number in {normalize(n) for n in numbers}

    def is_account_number(self, number: str) -> bool:
        return self._in(normalize(number), self.numbers)

    def now(self) -> float:
        return float(self.clock())

    # ------------------------------------------------------------------ inserting
    def _index(self, message: SimMessage) -> None:
        self._by_id[message.id] = message
        self._all.add(message)
        self._by_direction[message.direction].add(message)
        for number in {message.customer, message.account}:
            self._by_number.setdefault(number, SortedIndex()).add(message)
        self._by_pair.setdefault(_pair(message.customer, message.account), SortedIndex()).add(message)

    def _record(
        self,
        *,
        customer: str,
        account: str,
        body: str,
        direction: str,
        at: float,
        msg_id: str,
        failed: bool = False,
        outcome: str | None = None,
        result_url: str = "",
    ) -> SimMessage:
        customer, account = normalize(customer), normalize(account)
        inbound = str(direction) == "inbound"
        scale = 1.0 / (self.speed or 1.0)
        low, high = FINAL_AFTER
        if outcome is None and not inbound:
            outcome = self._outcome(customer)
        return SimMessage(
            id=msg_id,
            to_number=national(account) if inbound else customer,
            from_number=national(customer) if inbound else national(account),
            body=body,
            inbound=inbound,
            ts=int(at),
            customer=customer,
            account=account,
            sent_at=at if inbound else at + SENT_AFTER * scale,
            final_at=at if inbound else at + (low + (high - low) * _fraction(msg_id)) * scale,
            outcome="" if inbound else (outcome or "delivered"),
            failed=failed,
            result_url=result_url,
        )

    def _outcome(self, customer: str) -> str:
        if self._in(customer, self.undeliverable):
            return "undelivered"
        if self._in(customer, self.unconfirmed):
            return "unconfirmed"
        return "delivered"

    def add_message(
        self,
        *,
        customer: str,
        account: str,
        body: str,
        direction: str,
        at: float,
        msg_id: str | None = None,
        failed: bool = False,
        outcome: str | None = None,
        result_url: str = "",
    ) -> SimMessage:
        """Low-level insert (seeding): no validation, no callbacks. `direction` is inbound|outbound."""
        record = self._record(
            customer=customer, account=account, body=body, direction=direction, at=at,
            msg_id=msg_id or uuid.uuid4().hex, failed=failed, outcome=outcome, result_url=result_url,
        )
        with self.lock:
            self._index(record)
        return record

    def add_send(self, *, customer: str, account: str, body: str, at: float, rng: random.Random | None = None,
                 failed: bool = False, outcome: str | None = None) -> list[SimMessage]:
        """Low-level insert of one outbound send, split into parts like `queue` does (seeding)."""
        texts = split_parts(body)
        ids = _ids(len(texts), rng)
        records = [
            self._record(customer=customer, account=account, body=text, direction="outbound", at=at,
                         msg_id=msg_id, failed=failed, outcome=outcome)
            for text, msg_id in zip(texts, ids, strict=True)
        ]
        with self.lock:
            for record in records:
                self._index(record)
        return records

    # ------------------------------------------------------------------ the API's operations
    def queue(self, to: str, from_number: str, body: str, result_url: str = "") -> list[SimMessage]:
        """Validate and queue a send; raises `SendRefused` with the documented failure message."""
        try:
            customer = parse_number(to)
        except InvalidNumber:
            raise SendRefused("Invalid to number") from None
        if len(customer) != 11 or not customer.startswith("1"):
            raise SendRefused("Invalid to number")
        if not self.is_account_number(from_number):
            shown = national(from_number) or str(from_number)[:40]
            raise SendRefused(f"From number {shown} is not an SMS number on this account")
        if not body or not body.strip():
            raise SendRefused("Message body is required")
        if self._in(customer, self.unsubscribed):
            raise SendRefused("Attempt to send to unsubscribed recipient")
        if self._in(customer, self.landlines):
            raise SendRefused(f"To number: +{customer}, is not a mobile number")
        at = self.now()
        texts = split_parts(body)
        records = [
            self._record(customer=customer, account=from_number, body=text, direction="outbound", at=at,
                         msg_id=msg_id, result_url=result_url)
            for text, msg_id in zip(texts, _ids(len(texts)), strict=True)
        ]
        with self.lock:
            for record in records:
                self._index(record)
            listeners = list(self.outbound_listeners)
        for listener in listeners:
            try:
                listener(records)
            except Exception:  # noqa: BLE001 - a listener never breaks a send
                pass
        return records

    def inject_inbound(self, from_number: str, to_number: str, body: str, at: float | None = None) -> str:
        """A customer texts one of the account's numbers; returns the new record's id."""
        if not self.is_account_number(to_number):
            raise ValueError(f"{to_number!r} is not one of this account's numbers {self.numbers}")
        customer = normalize(from_number)
        if not customer:
            raise ValueError(f"{from_number!r} is not a phone number")
        record = self._record(
            customer=customer, account=to_number, body=body, direction="inbound",
            at=self.now() if at is None else at, msg_id=uuid.uuid4().hex,
        )
        word = body.strip().upper()
        with self.lock:
            self._index(record)
            if word in STOP_WORDS:
                self.unsubscribed.add(customer)
            elif word in START_WORDS:
                self.unsubscribed.discard(customer)
                self.unsubscribed.discard(national(customer))
            app_url = self.app_url
        if app_url:
            post_inbound(app_url, record, self)
        return record.id

    def get(self, message_id: str) -> SimMessage | None:
        with self.lock:
            return self._by_id.get(message_id)

    def messages(self) -> list[SimMessage]:
        """Every record, oldest first (a copy)."""
        with self.lock:
            return list(self._all.items)

    def list_messages(
        self, query: Query, *, msg_type: str = "", phone_number: str = "", number_type: str = ""
    ) -> tuple[int, list[SimMessage]]:
        """The `messages` endpoint: (total, page). msg_type: inbound|outbound|all|""."""
        direction = msg_type if msg_type in ("inbound", "outbound") else ""
        number = normalize(phone_number) if phone_number else ""
        with self.lock:
            if number:
                index = self._by_number.get(number)
                keep = _number_filter(number, number_type, direction)
            else:
                index = self._by_direction[direction] if direction else self._all
                keep = None
            return page(index, start=query.start, end=query.end, keep=keep, descending=query.descending,
                        offset=query.offset, limit=query.limit)

    def conversation(self, number1: str, number2: str, query: Query) -> tuple[int, list[SimMessage]]:
        with self.lock:
            index = self._by_pair.get(_pair(normalize(number1), normalize(number2)))
            return page(index, start=query.start, end=query.end, keep=None, descending=query.descending,
                        offset=query.offset, limit=query.limit)

    def log_request(self, method: str, path: str, params: dict[str, str], status: int) -> None:
        with self.lock:
            if len(self.request_log) >= REQUEST_LOG_MAX:  # a long demo session must not grow forever
                del self.request_log[: REQUEST_LOG_MAX // 2]
            self.request_log.append((method, path, dict(params), status))

    # ------------------------------------------------------------------ bench data
    def bulk_seed(
        self,
        n_messages: int,
        n_customers: int,
        big_thread: int = 10_000,
        *,
        now: float | None = None,
        rng_seed: int = 0,
        span_days: float = 90.0,
    ) -> int:
        """Add `n_messages` plain messages over `n_customers` customers (customer 0 gets a thread of
        `big_thread`), spread over the last `span_days`. Deterministic for a seed; returns the count."""
        from smschat.sim.seed_text import BULK_LINES

        rng = random.Random(rng_seed)
        now = self.now() if now is None else now
        n_customers = max(1, n_customers)
        big_thread = min(big_thread, n_messages) if n_customers > 1 else n_messages
        customers = [f"1415{5000000 + i:07d}" for i in range(n_customers)]
        accounts = self.numbers
        earliest = now - span_days * 86400
        records = []
        for i in range(n_messages):
            who = customers[0] if i < big_thread else customers[1 + rng.randrange(n_customers - 1)]
            account = accounts[0] if i < big_thread else accounts[rng.randrange(len(accounts))]
            inbound = rng.random() < 0.5
            at = rng.uniform(earliest, now - 60)
            records.append(self._record(
                customer=who, account=account, body=f"{BULK_LINES[i % len(BULK_LINES)]} #{i}",
                direction="inbound" if inbound else "outbound", at=at, msg_id=f"{rng.getrandbits(128):032x}",
            ))
        with self.lock:
            everything = sorted([*self._all.items, *records], key=lambda m: m.key)
            self._by_id.clear()
            self._all = SortedIndex()
            self._by_direction = {"inbound": SortedIndex(), "outbound": SortedIndex()}
            self._by_number, self._by_pair = {}, {}
            for message in everything:
                self._by_id[message.id] = message
                self._all.append_sorted(message)
                self._by_direction[message.direction].append_sorted(message)
                for number in {message.customer, message.account}:
                    self._by_number.setdefault(number, SortedIndex()).append_sorted(message)
                self._by_pair.setdefault(_pair(message.customer, message.account), SortedIndex()).append_sorted(message)
        return len(records)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _number_filter(number: str, number_type: str, direction: str) -> Callable[[SimMessage], bool] | None:
    side = number_type if number_type in ("account", "customer") else ""
    if not side and not direction:
        return None  # the per-number index already holds exactly the records with it on either side
    want_inbound = direction == "inbound"

    def keep(message: SimMessage) -> bool:
        if direction and message.inbound != want_inbound:
            return False
        if side == "account":
            return message.account == number
        if side == "customer":
            return message.customer == number
        return True

    return keep
