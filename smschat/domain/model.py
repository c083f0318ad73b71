"""The message and contact-summary types every layer shares.

A `Message` is one provider record: one SMS part as the provider stores it. A long outbound body
queued once comes back as several records (several ids); `Message.parts` lists the ids of all the
records of that one send, so the send can be tracked and shown as one bubble.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from smschat.domain.numbers import normalize

#: Plum keeps a message's delivery status for 7 days only: polling stops after this window.
STATUS_WINDOW = timedelta(days=7)


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Status(enum.StrEnum):
    """Where a message is in the provider's pipeline."""

    QUEUED = "queued"
    SENT = "sent"
    RECEIVED = "received"
    FAILURE = "failure"

    @classmethod
    def parse(cls, value: str | None) -> Status:
        text = (value or "").strip().lower()
        aliases = {"failed": "failure", "fail": "failure", "rejected": "failure"}
        text = aliases.get(text, text)
        try:
            return cls(text)
        except ValueError:
            raise ValueError(f"unknown message status {value!r}") from None


class DeliveryStatus(enum.StrEnum):
    """What the carrier said about an outbound message."""

    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    UNCONFIRMED = "unconfirmed"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: str | None) -> DeliveryStatus:
        text = (value or "").strip().lower()
        if not text:
            return cls.UNKNOWN
        try:
            return cls(text)
        except ValueError:
            raise ValueError(f"unknown delivery status {value!r}") from None


#: Delivery states after which nothing will change any more.
FINAL_DELIVERY = frozenset({DeliveryStatus.DELIVERED, DeliveryStatus.UNDELIVERED, DeliveryStatus.UNCONFIRMED})


def utc_from_epoch(seconds: int | float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    to_number: str
    from_number: str
    body: str
    direction: Direction
    status: Status
    delivery: DeliveryStatus = DeliveryStatus.UNKNOWN
    requested_at: datetime | None = None
    responded_at: datetime | None = None
    result_url: str = ""
    #: ids of every record queued by the same send (itself included); empty when not known.
    parts: tuple[str, ...] = ()
    #: the provider's reason for a failure or non-delivery, as data (sanitised before display).
    error: str = ""
    #: False when the client never saw this message's text: `body` is then "" and means nothing.
    #: Plivo's message records carry no text; the text is known only for what this client sent and
    #: for inbound messages the receiver stored. The store never replaces a known body with an
    #: unknown one. Plum records always carry their text (True).
    body_known: bool = True
    #: media URLs of an MMS, in order (empty for SMS).
    media: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for stamp in (self.requested_at, self.responded_at):
            if stamp is not None and stamp.tzinfo is None:
                raise ValueError("message timestamps must be timezone-aware")

    @property
    def timestamp(self) -> datetime | None:
        """When the message happened: the request time, else the response time."""
        return self.requested_at or self.responded_at

    @property
    def is_final(self) -> bool:
        """True when no later status poll can change this message."""
        if self.direction is Direction.INBOUND:
            return True
        if self.status is Status.FAILURE:
            return True
        return self.delivery in FINAL_DELIVERY

    def past_status_window(self, now: datetime) -> bool:
        stamp = self.timestamp
        return stamp is not None and now - stamp > STATUS_WINDOW

    def customer_number(self) -> str:
        """The other party's number (normalised): `from` for inbound, `to` for outbound."""
        raw = self.from_number if self.direction is Direction.INBOUND else self.to_number
        return normalize(raw)

    def account_number(self) -> str:
        """This account's number (normalised) in the exchange."""
        raw = self.to_number if self.direction is Direction.INBOUND else self.from_number
        return normalize(raw)

    def with_status(self, **changes: object) -> Message:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class MessagePage:
    """One page of a listing, as the provider reported it."""

    messages: tuple[Message, ...]
    offset: int
    limit: int
    total: int

    @property
    def next_offset(self) -> int | None:
        """The offset of the next page, or None when this was the last one."""
        end = self.offset + len(self.messages)
        if not self.messages or end >= self.total:
            return None
        return end


#: keywords carriers treat as "stop texting me" (CTIA, and the FCC's 2025 revocation words)
OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "OPT OUT"})


def is_opt_out(text: str) -> bool:
    """`text` is an opt-out keyword alone (case, spaces and final punctuation aside)."""
    word = " ".join(text.strip().strip(".!").split()).upper()
    return word in OPT_OUT_WORDS


@dataclass(frozen=True, slots=True)
class ContactSummary:
    """One conversation: a customer number on one of the account's numbers."""

    customer: str
    account: str
    last_message: Message
    total: int = 0
    inbound: int = 0
    outbound: int = 0
    unread: int = 0
    failed: int = 0
    name: str = ""
    note: str = ""
    #: the newest inbound message, and our newest answer (an outbound message not failed)
    last_inbound_at: datetime | None = None
    last_answer_at: datetime | None = None
    #: the first inbound message after our last answer and after what was marked done (None: none)
    waiting_since: datetime | None = None
    #: triage state kept locally: marked done (covering inbound up to `done_upto`), snoozed until
    done_at: datetime | None = None
    done_upto: datetime | None = None
    snoozed_until: datetime | None = None
    snooze_upto: datetime | None = None
    #: the start of the customer's newest text (an opt-out keyword needs no reply)
    last_inbound_body: str = ""

    def __post_init__(self) -> None:
        # A summary built from a provider listing alone (no store) knows only the last message.
        if self.last_inbound_at is None and self.last_message.direction is Direction.INBOUND:
            when = self.last_message.timestamp
            object.__setattr__(self, "last_inbound_at", when)
            object.__setattr__(self, "last_inbound_body", self.last_message.body[:24])
            if self.waiting_since is None and self.done_upto is None:
                object.__setattr__(self, "waiting_since", when)

    @property
    def key(self) -> tuple[str, str]:
        return (self.customer, self.account)

    @property
    def needs_reply(self) -> bool:
        """The customer's last word is unanswered (whatever was marked done or snoozed)."""
        if self.last_inbound_at is None or self.opted_out:
            return False
        return self.last_answer_at is None or self.last_inbound_at > self.last_answer_at

    @property
    def opted_out(self) -> bool:
        """The customer's newest text is an opt-out keyword (STOP, UNSUBSCRIBE, ...): the carrier
        blocks replies until they text START, so they are not waiting for one."""
        return is_opt_out(self.last_inbound_body)

    @property
    def waiting(self) -> bool:
        """Waiting for a reply now: unanswered, not marked done, not snoozed (see `domain.triage`)."""
        from smschat.domain.triage import Triage, triage

        return triage(self, datetime.now(UTC)) is Triage.WAITING

    @property
    def last_activity(self) -> datetime | None:
        return self.last_message.timestamp
