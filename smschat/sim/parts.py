"""Split a body into SMS parts the way a carrier does (the rules of `smschat.domain.segments`).

GSM-7: one part up to 160 septets, else 153 per part; an extension-table character takes two septets
and is never split. UCS-2 (any character outside GSM-7): one part up to 70 UTF-16 units, else 67 per
part; a character outside the Basic Multilingual Plane takes two units and is never split.
"""

from __future__ import annotations

from smschat.domain.segments import (
    GSM7_EXTENSION,
    GSM7_PART,
    GSM7_SINGLE,
    UCS2_PART,
    UCS2_SINGLE,
    is_gsm7,
)


def split_parts(body: str) -> list[str]:
    """The texts of the parts `body` is sent as (one part when it fits; [] for an empty body)."""
    if not body:
        return []
    gsm = is_gsm7(body)
    if gsm:
        single, per_part = GSM7_SINGLE, GSM7_PART
        widths = [2 if ch in GSM7_EXTENSION else 1 for ch in body]
    else:
        single, per_part = UCS2_SINGLE, UCS2_PART
        widths = [2 if ord(ch) > 0xFFFF else 1 for ch in body]
    if sum(widths) <= single:
        return [body]
    parts: list[str] = []
    start, used = 0, 0
    for index, width in enumerate(widths):
        if used + width > per_part:
            parts.append(body[start:index])
            start, used = index, 0
        used += width
    parts.append(body[start:])
    return parts
