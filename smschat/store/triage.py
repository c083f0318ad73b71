"""Triage state (done, snoozed) and the address book (a name and notes per customer number).

Both are local: nothing here is sent to a provider. Done and snoozed remember the newest inbound
text they covered (its `ts`), so the customer's next text brings the conversation back; see
`smschat.domain.triage` for how the state is read.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from smschat.domain.numbers import normalize
from smschat.domain.sanitize import sanitize_line
from smschat.store.base import StoreBase
from smschat.store.codec import from_epoch, to_epoch

Key = tuple[str, str]
NAME_LIMIT = 60
NOTES_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class TriageMark:
    """The stored triage state of one conversation (for undo)."""

    done_at: int | None = None
    done_upto: int | None = None
    snoozed_until: int | None = None
    snooze_upto: int | None = None


@dataclass(frozen=True, slots=True)
class AddressEntry:
    number: str
    name: str
    notes: str
    updated_at: datetime | None


def _drop_controls(text: str, *, keep_newlines: bool) -> str:
    """What the agent typed or pasted, without control and format characters (escape sequences,
    bidi overrides, zero-width marks): a name is data the agent owns, so they are dropped rather
    than shown as pictures."""
    out = []
    for ch in str(text):
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch in "\t\r\n":
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append(ch)
    return "".join(out)


def clean_name(text: str) -> str:
    """A name as stored: one line, no controls or bidi overrides, spaces collapsed, at most 60."""
    return " ".join(_drop_controls(text, keep_newlines=False).split())[:NAME_LIMIT]


def clean_notes(text: str) -> str:
    lines = [" ".join(line.split()) for line in _drop_controls(text, keep_newlines=True).split("\n")]
    return "\n".join(lines).strip()[:NOTES_LIMIT]


_UPSERT_STATE = """
INSERT INTO conversation_state (customer, account, done_at, done_upto, snoozed_until, snooze_upto)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (customer, account) DO UPDATE SET
    done_at = excluded.done_at, done_upto = excluded.done_upto,
    snoozed_until = excluded.snoozed_until, snooze_upto = excluded.snooze_upto
"""

_NEWEST_INBOUND = (
    "SELECT max(ts) FROM messages WHERE customer = ? AND account = ? AND direction = 'inbound'"
)


class TriageMixin(StoreBase):
    # ------------------------------------------------------------------ triage

    def triage_mark(self, customer: str, account: str) -> TriageMark:
        key = (normalize(customer), normalize(account))
        with self._read() as conn:
            row = conn.execute(
                "SELECT done_at, done_upto, snoozed_until, snooze_upto FROM conversation_state "
                "WHERE customer = ? AND account = ?",
                key,
            ).fetchone()
        return TriageMark(*row) if row else TriageMark()

    def set_triage_mark(self, customer: str, account: str, mark: TriageMark) -> None:
        """Put back a state read with `triage_mark` (undo)."""
        key = (normalize(customer), normalize(account))
        with self._write() as conn:
            conn.execute(_UPSERT_STATE, (*key, mark.done_at, mark.done_upto, mark.snoozed_until, mark.snooze_upto))

    def mark_done(self, customer: str, account: str) -> TriageMark:
        """Dismiss every text the customer has sent so far without replying (their next text
        brings the conversation back). Clears a snooze. Returns the state before."""
        key = (normalize(customer), normalize(account))
        before = self.triage_mark(*key)
        with self._write() as conn:
            upto = conn.execute(_NEWEST_INBOUND, key).fetchone()[0]
            conn.execute(_UPSERT_STATE, (*key, self._now_epoch(), upto, None, None))
        return before

    def reopen(self, customer: str, account: str) -> TriageMark:
        """Undo "done" and any snooze: the conversation waits again if it is unanswered."""
        key = (normalize(customer), normalize(account))
        before = self.triage_mark(*key)
        self.set_triage_mark(*key, TriageMark())
        return before

    def snooze(self, customer: str, account: str, until: datetime) -> TriageMark:
        """Hide the conversation from the waiting queue until `until` (aware) or the customer's next
        text, whichever comes first. Clears "done". Returns the state before."""
        if until.tzinfo is None:
            raise ValueError("snooze needs an aware datetime")
        key = (normalize(customer), normalize(account))
        before = self.triage_mark(*key)
        with self._write() as conn:
            upto = conn.execute(_NEWEST_INBOUND, key).fetchone()[0]
            conn.execute(_UPSERT_STATE, (*key, None, None, to_epoch(until), upto))
        return before

    # ---------------------------------------------------------- address book

    def set_name(self, number: str, name: str, notes: str = "") -> AddressEntry:
        """Save (or, with an empty name and notes, forget) the name and notes of a customer number."""
        key = normalize(number)
        if not key:
            raise ValueError(f"{sanitize_line(number, limit=40)!r} is not a phone number")
        name, notes = clean_name(name), clean_notes(notes)
        now = self._now_epoch()
        with self._write() as conn:
            if not name and not notes:
                conn.execute("DELETE FROM names WHERE number = ?", (key,))
            else:
                conn.execute(
                    "INSERT INTO names (number, name, notes, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (number) DO UPDATE SET name = excluded.name, notes = excluded.notes, "
                    "updated_at = excluded.updated_at",
                    (key, name, notes, now),
                )
        return AddressEntry(key, name, notes, from_epoch(now))

    def get_name(self, number: str) -> AddressEntry:
        key = normalize(number)
        with self._read() as conn:
            row = conn.execute("SELECT name, notes, updated_at FROM names WHERE number = ?", (key,)).fetchone()
        if row is None:
            return AddressEntry(key, "", "", None)
        return AddressEntry(key, row[0], row[1], from_epoch(row[2]))

    def address_book(self) -> list[AddressEntry]:
        with self._read() as conn:
            rows = conn.execute("SELECT number, name, notes, updated_at FROM names ORDER BY name, number").fetchall()
        return [AddressEntry(r[0], r[1], r[2], from_epoch(r[3])) for r in rows]
