"""The Plivo simulator's message records, their lifecycle, the MDR shape, and a time index.

A record is immutable; its state at any moment comes from its times (no timers):

- outbound: `queued` until `sent_at`; then `failed` (with its error code) when the send fails
  inside Plivo (STOP'd recipient 200, insufficient credit 900, invalid source 40, spam 30), else
  `sent`; at `final_at` the carrier's answer: `delivered`, `undelivered` (with a code), or nothing
  (stays `sent`: no delivery receipt);
- inbound: `received`, then `delivered` or `undelivered` once the simulator tried to post it to
  the application's message URL (kept by the account, as it is decided by that post).

The MDR (`mdr()`) never contains the text: the simulator keeps it only to post webhooks.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime

#: total_rate per unit, as strings (Plivo sends amounts as strings with 5 decimals)
OUTBOUND_RATE = "0.00500"
INBOUND_RATE = "0.00000"
MMS_RATE = "0.02000"


def plivo_time(epoch: float, *, micro: bool = True) -> str:
    """`2021-07-13 13:04:06.799021+00:00`: how Plivo writes `message_time` (UTC here)."""
    stamp = datetime.fromtimestamp(epoch, tz=UTC)
    text = stamp.strftime("%Y-%m-%d %H:%M:%S.%f" if micro else "%Y-%m-%d %H:%M:%S")
    return text + "+00:00"


def callback_time(epoch: float | None) -> str:
    """`YYYY-mm-dd HH:MM:SS.SSSSSS` (UTC) for callback fields; "" when not yet."""
    if epoch is None:
        return ""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass(frozen=True, slots=True)
class PlivoRecord:
    uuid: str  # 36 characters
    inbound: bool
    customer: str  # canonical digits
    account: str  # canonical digits, or an alphanumeric sender id
    at: float  # message_time, epoch seconds with microseconds
    text: str  # never on the wire of the message API
    kind: str = "sms"  # sms | mms
    media: tuple[str, ...] = ()
    units: int = 1
    sent_at: float = 0.0
    final_at: float = 0.0
    outcome: str = "delivered"  # delivered | undelivered | failed | rejected | sent (no receipt)
    error_code: str = ""  # for failed / undelivered
    url: str = ""  # status callback URL of the send
    method: str = "POST"
    powerpack: str = ""
    parent: str = ""  # first uuid of the send (ParentMessageUUID)
    part: int = 1  # this record's unit in the send (1-based) and of how many
    of: int = 1

    @property
    def key(self) -> tuple[float, str]:
        return (self.at, self.uuid)

    @property
    def direction(self) -> str:
        return "inbound" if self.inbound else "outbound"

    @property
    def body(self) -> str:
        """The text (for `Lively`, which reads `body`); never part of an MDR."""
        return self.text

    @property
    def to_number(self) -> str:
        return self.account if self.inbound else self.customer

    @property
    def from_number(self) -> str:
        return self.customer if self.inbound else self.account

    @property
    def rate(self) -> str:
        if self.inbound:
            return INBOUND_RATE
        return MMS_RATE if self.kind == "mms" else OUTBOUND_RATE

    def state(self, now: float, forwarded: str = "") -> tuple[str, str]:
        """(message_state, error_code) at `now`; `forwarded` is an inbound record's post result."""
        if self.inbound:
            return (forwarded or "received"), ""
        if now < self.sent_at:
            return "queued", ""
        if self.outcome in ("failed", "rejected"):
            return self.outcome, self.error_code
        if now < self.final_at or self.outcome == "sent":
            return "sent", ""
        if self.outcome == "undelivered":
            return "undelivered", self.error_code
        return "delivered", "000"

    def amount(self, state: str) -> str:
        if state in ("failed", "rejected"):
            return "0.00000"
        return f"{float(self.rate) * self.units:.5f}"

    def mdr(self, now: float, auth_id: str, forwarded: str = "") -> dict[str, object]:
        """The Message Detail Record as the list and get endpoints answer it: no text."""
        state, code = self.state(now, forwarded)
        return {
            "error_code": code or None if not self.inbound else None,
            "from_number": self.from_number,
            "message_direction": self.direction,
            "message_state": state,
            "message_time": plivo_time(self.at),
            "message_type": self.kind,
            "message_uuid": self.uuid,
            "powerpack_id": self.powerpack or None,
            "resource_uri": f"/v1/Account/{auth_id}/Message/{self.uuid}/",
            "to_number": self.to_number,
            "total_amount": self.amount(state),
            "total_rate": self.rate,
            "units": self.units,
            "mcc": "310",
            "mnc": "260",
            "carrier_fees": "0.00000",
        }


class TimeIndex:
    """Records sorted by (message_time, uuid); bisected by time (exclusive or inclusive bounds)."""

    __slots__ = ("keys", "items")

    def __init__(self) -> None:
        self.keys: list[tuple[float, str]] = []
        self.items: list[PlivoRecord] = []

    def __len__(self) -> int:
        return len(self.items)

    def add(self, record: PlivoRecord) -> None:
        at = bisect_right(self.keys, record.key)
        self.keys.insert(at, record.key)
        self.items.insert(at, record)

    def between(self, low: float | None, low_open: bool, high: float | None, high_open: bool) -> list[PlivoRecord]:
        """Records with low <(=) at <(=) high, oldest first."""
        lo = 0
        if low is not None:
            lo = bisect_right(self.keys, (low, "\uffff")) if low_open else bisect_left(self.keys, (low, ""))
        hi = len(self.keys)
        if high is not None:
            hi = bisect_left(self.keys, (high, "")) if high_open else bisect_right(self.keys, (high, "\uffff"))
        return self.items[lo:max(lo, hi)]
