"""Checking a number typed to start a new conversation, before anything is sent. Pure.

The rules are the send path's own, so a number accepted here is never refused later for its form:
every provider takes what `numbers.parse_number` accepts (10 digits are a North American number,
11 starting with 1 too, otherwise the country code comes first, at most 15 digits, US short codes of
5-6 digits); Plivo adds its documented address rules (`plivo_rules.destination`: country code first,
8 to 14 digits). The account's own numbers are refused: that would be texting ourselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from smschat.domain.numbers import InvalidNumber, normalize, parse_number
from smschat.domain.sanitize import sanitize_line

#: What to type, said before anything is typed.
HINT = "10 digits for a US number, or + and the country code (+44 20 7946 0000)"


def check_new_number(text: str, provider: str = "plum", own_numbers: Iterable[str] = ()) -> str:
    """The canonical form of `text` (digits, country code first), or `InvalidNumber` saying what is
    wrong in words a person can act on (the typed text is sanitised and shortened)."""
    shown = sanitize_line(text.strip(), limit=40)
    try:
        number = parse_number(text)
        if provider == "plivo":
            from smschat.domain.plivo_rules import destination

            destination(number)
    except InvalidNumber as exc:
        raise InvalidNumber(sanitize_line(str(exc), limit=200)) from None
    if number in {normalize(n) for n in own_numbers}:
        raise InvalidNumber(f"{shown} is one of this account's own numbers")
    return number


__all__ = ["HINT", "check_new_number"]
