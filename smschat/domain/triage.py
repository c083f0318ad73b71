"""Triage: which conversations wait for an answer, and the views an agent works through.

A conversation *needs a reply* when the customer's newest text is newer than our newest answer (an
outbound message that did not fail). The agent can mark it *done* without replying, or *snooze* it
until a time; both remember the newest inbound text they covered, so a new text from the customer
brings the conversation back at once, whatever the clocks of the provider and this machine say.
Replying clears the state by itself: the answer is newer than the customer's text.

Pure functions over `ContactSummary`: the store computes the timestamps, the UI and CLI decide
with these.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from smschat.domain.model import ContactSummary, Direction, Status


class Triage(enum.Enum):
    WAITING = "waiting"  # the customer waits for an answer
    SNOOZED = "snoozed"  # waits, but hidden until `snoozed_until` (or their next text)
    DONE = "done"  # unanswered, dismissed by the agent (until their next text)
    ANSWERED = "answered"  # our answer is the newest word, or the customer never wrote


def triage(contact: ContactSummary, now: datetime) -> Triage:
    if not contact.needs_reply:
        return Triage.ANSWERED
    if contact.waiting_since is None:  # every unanswered text is covered by "done"
        return Triage.DONE
    if (
        contact.snoozed_until is not None
        and now < contact.snoozed_until
        and contact.snooze_upto is not None
        and contact.last_inbound_at is not None
        and contact.last_inbound_at <= contact.snooze_upto
    ):
        return Triage.SNOOZED
    return Triage.WAITING


def waiting_for(contact: ContactSummary, now: datetime) -> timedelta | None:
    """How long the customer has been waiting (None when not waiting)."""
    if triage(contact, now) is not Triage.WAITING or contact.waiting_since is None:
        return None
    return max(timedelta(0), now - contact.waiting_since)


# ------------------------------------------------------------------------------------------ views
class ViewKind(enum.Enum):
    ALL = "all"
    WAITING = "waiting"
    UNREAD = "unread"
    FAILED = "failed"
    SNOOZED = "snoozed"
    DONE = "done"


VIEW_LABELS = {
    ViewKind.ALL: "All",
    ViewKind.WAITING: "Waiting",
    ViewKind.UNREAD: "Unread",
    ViewKind.FAILED: "Failed",
    ViewKind.SNOOZED: "Snoozed",
    ViewKind.DONE: "Done",
}


@dataclass(frozen=True, slots=True)
class View:
    """What the contact list shows: a kind, on one account number or all of them."""

    kind: ViewKind = ViewKind.ALL
    account: str = ""  # normalised; "" for every number

    def matches(self, contact: ContactSummary, now: datetime) -> bool:
        if self.account and contact.account != self.account:
            return False
        kind = self.kind
        if kind is ViewKind.ALL:
            return True
        if kind is ViewKind.UNREAD:
            return contact.unread > 0
        if kind is ViewKind.FAILED:
            return has_failure(contact)
        state = triage(contact, now)
        return (
            (kind is ViewKind.WAITING and state is Triage.WAITING)
            or (kind is ViewKind.SNOOZED and state is Triage.SNOOZED)
            or (kind is ViewKind.DONE and state is Triage.DONE)
        )

    def apply(self, contacts: Iterable[ContactSummary], now: datetime) -> list[ContactSummary]:
        """The contacts this view shows, in its order: the waiting queue oldest first (the customer
        who has waited longest comes first), snoozed by wake time, the others newest activity first
        (the order they come in)."""
        shown = [c for c in contacts if self.matches(c, now)]
        if self.kind is ViewKind.WAITING:
            shown.sort(key=lambda c: (c.waiting_since or now, c.customer))
        elif self.kind is ViewKind.SNOOZED:
            shown.sort(key=lambda c: (c.snoozed_until or now, c.customer))
        return shown


def last_failed(contact: ContactSummary) -> bool:
    """Our last word did not arrive: the newest message is outbound and failed or undelivered."""
    last = contact.last_message
    return last.direction is Direction.OUTBOUND and (
        last.status is Status.FAILURE or last.delivery.value == "undelivered"
    )


def has_failure(contact: ContactSummary) -> bool:
    """The conversation holds a message that failed or was not delivered."""
    return contact.failed > 0 or last_failed(contact)


@dataclass(frozen=True, slots=True)
class Counts:
    all: int = 0
    waiting: int = 0
    unread: int = 0
    failed: int = 0
    snoozed: int = 0
    done: int = 0

    def of(self, kind: ViewKind) -> int:
        return int(getattr(self, kind.value))


def counts(contacts: Iterable[ContactSummary], now: datetime, account: str = "") -> Counts:
    tally = dict.fromkeys(("all", "waiting", "unread", "failed", "snoozed", "done"), 0)
    for contact in contacts:
        if account and contact.account != account:
            continue
        tally["all"] += 1
        state = triage(contact, now)
        if state is not Triage.ANSWERED:
            tally[state.value] += 1
        if contact.unread:
            tally["unread"] += 1
        if has_failure(contact):
            tally["failed"] += 1
    return Counts(**tally)


def next_waiting(
    contacts: Sequence[ContactSummary], now: datetime, after: tuple[str, str] | None = None
) -> ContactSummary | None:
    """The next conversation of the waiting queue (oldest waiting first) after `after`, wrapping;
    the oldest one when `after` is None or not waiting."""
    queue = View(ViewKind.WAITING).apply(contacts, now)
    if not queue:
        return None
    keys = [c.key for c in queue]
    if after in keys:
        index = keys.index(after)  # type: ignore[arg-type]
        rest = queue[index + 1 :] + queue[:index]
        return rest[0] if rest else None
    return queue[0]


# ----------------------------------------------------------------------------------------- snooze
class BadSnooze(ValueError):
    pass


_DURATION = re.compile(r"^\s*(\d{1,4})\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?)\s*$", re.I)
_CLOCK = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*$", re.I)
MORNING = time(9, 0)


def snooze_presets(now_local: datetime) -> list[tuple[str, str, datetime]]:
    """(letter, label, wake time) choices offered by the snooze picker; `now_local` is aware, local.
    Letters, because what the agent types instead starts with a digit (30m, 14:30)."""
    tomorrow = (now_local + timedelta(days=1)).replace(
        hour=MORNING.hour, minute=MORNING.minute, second=0, microsecond=0
    )
    days_to_monday = (7 - now_local.weekday()) % 7 or 7
    monday = (now_local + timedelta(days=days_to_monday)).replace(
        hour=MORNING.hour, minute=MORNING.minute, second=0, microsecond=0
    )
    return [
        ("h", "In an hour", now_local + timedelta(hours=1)),
        ("l", "Later: in 3 hours", now_local + timedelta(hours=3)),
        ("t", "Tomorrow morning", tomorrow),
        ("n", "Next week", monday),
    ]


def parse_snooze(text: str, now_local: datetime) -> datetime:
    """A wake time from what the agent typed: `30m`, `2h`, `3d`, `1w`, or a clock time `14:30`,
    `2pm` (today if still ahead, else tomorrow). Raises `BadSnooze` with a message for the agent."""
    text = text.strip()
    if not text:
        raise BadSnooze("Type a duration (30m, 2h, 3d, 1w) or a time (14:30, 2pm).")
    found = _DURATION.match(text)
    if found:
        amount, unit = int(found.group(1)), found.group(2).lower()[0]
        if amount <= 0:
            raise BadSnooze("A snooze must last at least a minute.")
        delta = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount), "d": timedelta(days=amount),
                 "w": timedelta(weeks=amount)}[unit]
        if delta > timedelta(days=90):
            raise BadSnooze("At most 90 days.")
        return now_local + delta
    found = _CLOCK.match(text)
    if found and (found.group(2) is not None or found.group(3) is not None):
        hour, minute = int(found.group(1)), int(found.group(2) or 0)
        meridiem = (found.group(3) or "").lower()
        if meridiem:
            if not 1 <= hour <= 12:
                raise BadSnooze(f"{text!r}: an am/pm hour is 1 to 12.")
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
        if hour > 23 or minute > 59:
            raise BadSnooze(f"{text!r} is not a time of day.")
        wake = now_local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if wake <= now_local:
            wake += timedelta(days=1)
        return wake
    raise BadSnooze(f"{text!r}: type a duration (30m, 2h, 3d, 1w) or a time (14:30, 2pm).")
