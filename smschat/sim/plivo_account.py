"""A simulated Plivo account: numbers, credit, customers' behaviour, records, and its webhooks.

`send()` applies Plivo's documented rules (`smschat.domain.plivo_rules`) and splits a long text into
units, one record (one uuid) each. The customer decides the outcome: STOP'd numbers fail with 200,
spam-filtered ones with 30, landlines end undelivered (70), unreachable ones undelivered (80),
expired ones undelivered (420), "unconfirmed" ones stay sent (no delivery receipt); a source that is
not the account's fails with 40; no credit left fails with 900.

`inject_inbound()` is a customer texting in: the record has no text in the message API; the text is
posted (signed) to `message_url` when one is set, and the record turns delivered/undelivered by
how that post went. STOP/START keywords unsubscribe/resubscribe the sender (MessageIntent).

Compatible with `smschat.sim.Lively` (inject_inbound, outbound_listeners, the customer sets).
"""

from __future__ import annotations

import random
import threading
import time
import uuid as uuidlib
from collections.abc import Callable, Iterable

from smschat.domain.numbers import InvalidNumber, normalize
from smschat.domain.plivo_rules import PlivoRefused, check_media, check_text, destination, source
from smschat.sim.parts import split_parts
from smschat.sim.plivo_records import PlivoRecord, TimeIndex

SENT_AFTER = 1.0  # seconds from queued to sent (divided by speed)
FINAL_AFTER = (2.0, 3.0)  # seconds from queued to the carrier's answer (divided by speed)
DEFAULT_WINDOW = 86400.0  # no message_time filter: the last 24 hours
HISTORY = 90 * 86400.0  # nothing older than 90 days is ever listed
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})
HELP_WORDS = frozenset({"HELP", "INFO"})


class BadRequest(Exception):
    """Plivo answers HTTP 400 with `{"api_id", "error": <this text>}`."""


def new_uuid(rng: random.Random | None = None) -> str:
    if rng is None:
        return str(uuidlib.uuid4())
    return str(uuidlib.UUID(int=rng.getrandbits(128), version=4))


class PlivoAccount:
    def __init__(
        self,
        auth_id: str = "MAXXXXXXXXXXXXXXXXXX",
        auth_token: str = "demo-token",
        numbers: Iterable[str] = ("16175550100",),
        *,
        clock: Callable[[], float] = time.time,
        speed: float = 1.0,
        powerpacks: dict[str, Iterable[str]] | None = None,
        credit: float | None = None,
        alphanumeric: bool = False,
    ) -> None:
        self.auth_id = auth_id
        self.auth_token = auth_token
        self.numbers: list[str] = [normalize(n) for n in numbers]
        self.clock = clock
        self.speed = speed
        self.powerpacks = {k: [normalize(n) for n in v] for k, v in (powerpacks or {}).items()}
        self.credit = credit  # None: unlimited
        self.alphanumeric = alphanumeric  # alphanumeric sender ids are disabled by default
        # customer behaviour (normalised numbers; Lively reads the first three)
        self.unsubscribed: set[str] = set()
        self.landlines: set[str] = set()
        self.undeliverable: set[str] = set()
        self.unconfirmed: set[str] = set()
        self.spam: set[str] = set()
        self.expired: set[str] = set()
        self.contacts: dict[str, str] = {}
        #: the application's message URL: inbound texts are posted here (signed) when set
        self.message_url = ""
        self.message_method = "POST"
        #: called (outside the lock) with the records of every accepted send
        self.outbound_listeners: list[Callable[[list[PlivoRecord]], None]] = []
        #: set by the server: posts webhooks (inbound texts, status callbacks)
        self.webhooks = None
        self.lock = threading.RLock()
        self._by_id: dict[str, PlivoRecord] = {}
        self._all = TimeIndex()
        self._forwarded: dict[str, str] = {}

    def __repr__(self) -> str:  # never the token
        return f"PlivoAccount(auth_id={self.auth_id!r}, numbers={self.numbers!r}, messages={len(self)})"

    def __len__(self) -> int:
        with self.lock:
            return len(self._all)

    def now(self) -> float:
        return float(self.clock())

    def is_account_number(self, number: str) -> bool:
        return normalize(number) in self.numbers

    # ------------------------------------------------------------------ outcome rules
    def _fate(self, customer: str, account: str, units: int, kind: str) -> tuple[str, str]:
        if account not in self.numbers and not (self.alphanumeric and not account.isdigit()):
            return "failed", "40"
        if customer in self.unsubscribed:
            return "failed", "200"
        if customer in self.spam:
            return "failed", "30"
        if self.credit is not None:
            cost = units * (0.02 if kind == "mms" else 0.005)
            if self.credit < cost:
                return "failed", "900"
            self.credit -= cost
        if customer in self.landlines:
            return "undelivered", "70"
        if customer in self.undeliverable:
            return "undelivered", "80"
        if customer in self.expired:
            return "undelivered", "420"
        if customer in self.unconfirmed:
            return "sent", ""
        return "delivered", "000"

    def _times(self, at: float, uuid: str) -> tuple[float, float]:
        scale = 1.0 / (self.speed or 1.0)
        low, high = FINAL_AFTER
        fraction = int(uuid.replace("-", "")[:8], 16) / 0xFFFFFFFF
        return at + SENT_AFTER * scale, at + (low + (high - low) * fraction) * scale

    # ------------------------------------------------------------------ the API's send
    def send(self, params: dict[str, object]) -> list[PlivoRecord]:
        """Validate a send request (JSON body fields) and queue it; `BadRequest` when refused."""
        src, powerpack = str(params.get("src") or "").strip(), str(params.get("powerpack_uuid") or "").strip()
        if src and powerpack:
            raise BadRequest("src and powerpack_uuid cannot both be given")
        if not src and not powerpack:
            raise BadRequest("src or powerpack_uuid is required")
        try:
            customer = destination(str(params.get("dst") or ""))
            if powerpack:
                pool = self.powerpacks.get(powerpack)
                if not pool:
                    raise BadRequest(f"powerpack_uuid {powerpack[:40]} not found")
                account = pool[0]
            else:
                account = source(src)
            kind = str(params.get("type") or "sms").strip().lower()
            media = params.get("media_urls") or ()
            if isinstance(media, str):
                media = [m for m in media.split(",") if m.strip()]
            if not isinstance(media, (list, tuple)):
                raise BadRequest("media_urls must be a list of URLs")
            media = check_media(kind, tuple(str(m) for m in media))
            text = check_text(str(params.get("text") or ""))
        except (InvalidNumber, PlivoRefused) as exc:
            raise BadRequest(str(exc)) from None
        method = str(params.get("method") or "POST").strip().upper()
        if method not in ("GET", "POST"):
            raise BadRequest("method must be GET or POST")
        url = str(params.get("url") or "").strip()
        texts = [text] if kind == "mms" else split_parts(text)
        at = self.now()
        uuids = [new_uuid() for _ in texts]
        outcome, code = self._fate(customer, account, len(texts), kind)
        records = []
        for index, (part, uuid) in enumerate(zip(texts, uuids, strict=True)):
            sent_at, final_at = self._times(at, uuid)
            records.append(PlivoRecord(
                uuid=uuid, inbound=False, customer=customer, account=account, at=at, text=part, kind=kind,
                media=media, units=1, sent_at=sent_at, final_at=final_at, outcome=outcome, error_code=code,
                url=url, method=method, powerpack=powerpack, parent=uuids[0], part=index + 1, of=len(texts),
            ))  # fmt: skip
        with self.lock:
            for record in records:
                self._index(record)
            listeners = list(self.outbound_listeners)
        if self.webhooks is not None and url:
            self.webhooks.schedule_status(records)
        for listener in listeners:
            try:
                listener(records)
            except Exception:  # noqa: BLE001 - a listener never breaks a send
                pass
        return records

    # ------------------------------------------------------------------ customers texting in
    def inject_inbound(self, from_number: str, to_number: str, body: str, at: float | None = None,
                       *, media: Iterable[str] = ()) -> str:
        """A customer texts one of the account's numbers (MMS when `media`); returns the uuid."""
        if not self.is_account_number(to_number):
            raise ValueError(f"{to_number!r} is not one of this account's numbers {self.numbers}")
        customer = normalize(from_number)
        if not customer:
            raise ValueError(f"{from_number!r} is not a phone number")
        media = tuple(media)
        record = PlivoRecord(
            uuid=new_uuid(), inbound=True, customer=customer, account=normalize(to_number),
            at=self.now() if at is None else at, text=body, kind="mms" if media else "sms", media=media,
            units=max(1, len(split_parts(body))) if not media else 1,
        )  # fmt: skip
        word = body.strip().upper()
        with self.lock:
            self._index(record)
            if word in STOP_WORDS:
                self.unsubscribed.add(customer)
            elif word in START_WORDS:
                self.unsubscribed.discard(customer)
            url = self.message_url
        if url and self.webhooks is not None:
            self.webhooks.post_inbound(record, url, self.message_method, intent=intent_of(word))
        return record.uuid

    def set_forwarded(self, uuid: str, ok: bool) -> None:
        """Record how posting an inbound message to the message URL went (its MDR state)."""
        with self.lock:
            if self._forwarded.get(uuid) != "delivered":
                self._forwarded[uuid] = "delivered" if ok else "undelivered"

    # ------------------------------------------------------------------ seeding
    def add_record(self, record: PlivoRecord, *, forwarded: str = "") -> PlivoRecord:
        """Low-level insert (seeding): no validation, no webhooks."""
        with self.lock:
            self._index(record)
            if forwarded:
                self._forwarded[record.uuid] = forwarded
        return record

    def add_send(self, customer: str, account: str, text: str, at: float, *, rng: random.Random | None = None,
                 outcome: str = "", code: str = "") -> list[PlivoRecord]:
        """Low-level insert of a past send, split into units (seeding): no validation, no webhooks.
        The outcome is the customer's (see `send`) unless given."""
        customer, account = normalize(customer), normalize(account)
        if not outcome:
            outcome, code = self._fate(customer, account, 1, "sms")
        texts = split_parts(text)
        uuids = [new_uuid(rng) for _ in texts]
        records = [
            PlivoRecord(uuid=uuid, inbound=False, customer=customer, account=account, at=at, text=part,
                        sent_at=at + 1, final_at=at + 3, outcome=outcome, error_code=code, parent=uuids[0],
                        part=index + 1, of=len(texts))
            for index, (part, uuid) in enumerate(zip(texts, uuids, strict=True))
        ]  # fmt: skip
        with self.lock:
            for record in records:
                self._index(record)
        return records

    def _index(self, record: PlivoRecord) -> None:
        self._by_id[record.uuid] = record
        self._all.add(record)

    # ------------------------------------------------------------------ reading
    def get(self, uuid: str) -> PlivoRecord | None:
        with self.lock:
            return self._by_id.get(uuid)

    def forwarded(self, uuid: str) -> str:
        with self.lock:
            return self._forwarded.get(uuid, "")

    def records(self) -> list[PlivoRecord]:
        with self.lock:
            return list(self._all.items)

    def list_records(
        self,
        *,
        low: float | None,
        low_open: bool,
        high: float | None,
        high_open: bool,
        direction: str = "",
        state: str = "",
        kind: str = "",
        error_code: str = "",
        offset: int = 0,
        limit: int = 20,
    ) -> tuple[int, list[PlivoRecord]]:
        """(total, page) newest first. No time bound at all: the last 24 hours. Never older than
        90 days."""
        now = self.now()
        if low is None and high is None:
            low, low_open = now - DEFAULT_WINDOW, False
        floor = now - HISTORY
        if low is None or low < floor:
            low, low_open = floor, False
        with self.lock:
            rows = self._all.between(low, low_open, high, high_open)
            if direction or state or kind or error_code:
                rows = [r for r in rows if _keep(r, now, self._forwarded.get(r.uuid, ""),
                                                 direction, state, kind, error_code)]
            total = len(rows)
            newest_first = rows[::-1]
            return total, newest_first[offset : offset + limit]


def intent_of(word: str) -> str:
    if word in STOP_WORDS:
        return "optout"
    if word in START_WORDS:
        return "optin"
    if word in HELP_WORDS:
        return "help"
    return ""


def _keep(record: PlivoRecord, now: float, forwarded: str, direction: str, state: str, kind: str, code: str) -> bool:
    if direction and record.direction != direction:
        return False
    if kind and record.kind != kind:
        return False
    current, current_code = record.state(now, forwarded)
    if state and current != state:
        return False
    return not (code and (current_code or "").lstrip("0") != code.lstrip("0"))
