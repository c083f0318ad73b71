"""Phone-number normalisation.

Numbers are compared and stored in one canonical form: digits only, and a 10-digit North American
number gets its country code, so ``2435678910``, ``12435678910`` and ``+1 (243) 567-8910`` are one
person.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-\.\(\)/+]")


class InvalidNumber(ValueError):
    """The text is not a phone number we can send to."""


def normalize(raw: str) -> str:
    """Digits only; a 10-digit NANP number gains its leading 1. Never raises.

    Anything that is not a digit is dropped, so use `parse_number` for input typed by a user.
    """
    digits = "".join(ch for ch in str(raw) if ch.isascii() and ch.isdigit())
    if len(digits) == 10:
        return "1" + digits
    return digits


def parse_number(text: str) -> str:
    """Validate a number typed by a person and return its canonical form.

    Accepts digits with the usual separators (spaces, dashes, dots, parentheses, slash, a leading +).
    Raises `InvalidNumber` with a message that says what is wrong.
    """
    stripped = _SEPARATORS.sub("", text.strip())
    if not stripped:
        raise InvalidNumber("a phone number is required")
    if not stripped.isascii() or not stripped.isdigit():
        bad = next(ch for ch in stripped if not (ch.isascii() and ch.isdigit()))
        raise InvalidNumber(f"{text.strip()!r} is not a phone number (unexpected character {bad!r})")
    canonical = normalize(stripped)
    if len(canonical) < 11 and len(canonical) not in (5, 6):  # 5-6 digits: a US short code
        raise InvalidNumber(f"{text.strip()!r} is too short: give 10 digits, or the country code and number")
    if len(canonical) > 15:
        raise InvalidNumber(f"{text.strip()!r} is too long: a phone number has at most 15 digits")
    if len(canonical) == 11 and canonical.startswith("1") and canonical[1] in "01":
        raise InvalidNumber(f"{text.strip()!r} is not a valid North American number (area code starts with {canonical[1]})")
    return canonical


def same_number(a: str, b: str) -> bool:
    return normalize(a) == normalize(b)


def national(number: str) -> str:
    """The 10-digit form of a NANP number (what Plum's `to` expects); other numbers unchanged."""
    canonical = normalize(number)
    if len(canonical) == 11 and canonical.startswith("1"):
        return canonical[1:]
    return canonical


def pretty(number: str) -> str:
    """A readable form: ``(243) 567-8910`` for NANP numbers, ``+44 2079460000`` otherwise."""
    canonical = normalize(number)
    if len(canonical) == 11 and canonical.startswith("1"):
        n = canonical[1:]
        return f"({n[:3]}) {n[3:6]}-{n[6:]}"
    if len(canonical) > 11:
        return f"+{canonical}"
    return canonical
