"""Message search: how a query matches a text, shared by the store's index and the UI's highlights.

Case and accents never matter: both sides are *folded* (`fold`: compatibility decomposition, accents
dropped, case folded), so "cafe" finds "Café" and "CAFÉ". A query of several words finds texts
holding every word, each anywhere (also inside a word: "fund" finds "refund"). A query that is a
phone number (digits with the usual separators, `is_number_query`) matches by its digits, so
"617-555-0123", "(617) 555 0123" and "6175550123" find each other, in customer numbers and inside
bodies (`collapse_digits` joins digit runs split by separators). Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from smschat.domain.model import Message

#: What may separate the digits of a phone number (as `domain.numbers` strips them).
NUMBER_SEPARATORS = " \t-.()/+"
_SEPARATED_DIGITS = re.compile(r"(?<=[0-9])[ \t\-.()/]{1,3}(?=[0-9])")
_NUMBER_CHARS = re.compile(r"[0-9 \t\-.()/]")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """`text` with case and accents removed ("Crème BRÛLÉE" -> "creme brulee")."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(ch) for ch in text)


def fold_map(text: str) -> tuple[str, list[int]]:
    """`fold(text)` and, for each of its characters, the index in `text` it comes from."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    folded: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        piece = _fold_char(ch)
        folded.append(piece)
        origin.extend([index] * len(piece))
    return "".join(folded), origin


def collapse_digits(text: str) -> str:
    """Digit runs split by number separators joined ("(617) 555-0123" -> "(6175550123")."""
    return _SEPARATED_DIGITS.sub("", text)


def number_digits(text: str) -> str:
    """The digits of `text` when it reads as a phone number (digits and separators only), else ""."""
    stripped = "".join(ch for ch in text if ch not in NUMBER_SEPARATORS)
    return stripped if stripped and stripped.isascii() and stripped.isdigit() else ""


@dataclass(frozen=True, slots=True)
class Query:
    """A search as typed, ready to match: folded words, or the digits of a number."""

    text: str
    words: tuple[str, ...] = ()
    digits: str = ""  # the query is a phone number: match these digits, whatever the separators

    @property
    def empty(self) -> bool:
        return not self.words and not self.digits

    @property
    def terms(self) -> tuple[str, ...]:
        """What must each occur in a folded text (digits: in its `collapse_digits` form)."""
        return (self.digits,) if self.digits else self.words


def parse_query(text: str) -> Query:
    stripped = " ".join(str(text).replace("\x00", " ").split())  # (a NUL ends an FTS5 query string)
    digits = number_digits(stripped)
    if digits:
        return Query(stripped, digits=digits)
    words = tuple(dict.fromkeys(w for w in fold(stripped).split() if w))
    return Query(stripped, words=words)


def matches(text: str, query: Query) -> bool:
    """Does `text` (a body, a name) hold every term of the query?"""
    if query.empty:
        return False
    folded = fold(text)
    if query.digits:
        return query.digits in collapse_digits(folded)
    return all(word in folded for word in query.words)


def find_spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Where the query's terms occur in `text`: sorted, merged `(start, end)` character ranges of
    `text` (what the UI highlights). Compute them on the text as shown (sanitised)."""
    if query.empty or not text:
        return []
    spans: list[tuple[int, int]] = []
    if query.digits:
        spans = _digit_spans(text, query.digits)
    else:
        folded, origin = fold_map(text)
        for word in query.words:
            start = folded.find(word)
            while start != -1:
                spans.append((origin[start], origin[start + len(word) - 1] + 1))
                start = folded.find(word, start + 1)
    return _merge(spans)


def _digit_spans(text: str, digits: str) -> list[tuple[int, int]]:
    positions = [i for i, ch in enumerate(text) if "0" <= ch <= "9"]
    projected = "".join(text[i] for i in positions)
    spans: list[tuple[int, int]] = []
    at = projected.find(digits)
    while at != -1:
        first, last = positions[at], positions[at + len(digits) - 1]
        piece = text[first : last + 1]
        if _NUMBER_CHARS.sub("", piece) == "" and collapse_digits(piece).isdigit():
            spans.append((first, last + 1))
        at = projected.find(digits, at + 1)
    return spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def snippet(text: str, spans: list[tuple[int, int]], *, before: int = 20, length: int = 240) -> tuple[str, list[tuple[int, int]]]:
    """A piece of `text` around its first match (at most `length` characters, "…" where cut) and
    the spans moved into it."""
    start = 0
    if spans and spans[0][0] > before:
        start = spans[0][0] - before
        space = text.rfind(" ", start - 10, start)  # begin at a word when one starts close by
        if space != -1:
            start = space + 1
    piece = text[start : start + length]
    lead = "…" if start > 0 else ""
    tail = "…" if start + length < len(text) else ""
    shift = len(lead) - start
    moved = [
        (max(0, s + shift), min(len(lead) + len(piece), e + shift))
        for s, e in spans
        if e > start and s < start + length
    ]
    return lead + piece + tail, moved


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result: a message whose text matched, or (`contact_match`) the newest message of a
    conversation whose number or name matched."""

    message: Message
    customer: str
    account: str
    name: str = ""
    contact_match: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.customer, self.account)


@dataclass(frozen=True, slots=True)
class SearchResults:
    """Conversations matched by number or name first, then messages, newest first.

    `capped`: more messages matched than were returned (the newest are kept); `contacts_capped`:
    likewise for conversations."""

    query: Query
    hits: tuple[SearchHit, ...] = ()
    capped: bool = False
    contacts_capped: bool = False

    @property
    def message_count(self) -> int:
        return sum(1 for hit in self.hits if not hit.contact_match)

    @property
    def contact_count(self) -> int:
        return sum(1 for hit in self.hits if hit.contact_match)
