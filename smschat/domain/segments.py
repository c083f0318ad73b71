"""SMS length rules: GSM-7 versus UCS-2, parts, and the providers' character limits.

GSM-7: 160 septets in one message, 153 per part when split; the extension-table characters take two
septets and are never split across parts. Any character outside GSM-7 switches the whole message to
UCS-2: 70 code units in one message, 67 per part, counted in UTF-16 code units (an emoji outside the
Basic Multilingual Plane takes two).
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[]~|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

#: Plivo's documented text limits, in characters.
PLIVO_GSM_LIMIT = 1600
PLIVO_UCS2_LIMIT = 737


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    encoding: str  # "GSM-7" or "UCS-2"
    chars: int  # characters as a person counts them (code points)
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    parts: int  # SMS parts this body is sent as (0 for an empty body)
    per_part: int  # capacity of one part at this length (160/153 or 70/67)
    remaining: int  # units left in the last part before another part is needed

    def label(self) -> str:
        plural = "part" if self.parts == 1 else "parts"
        return f"{self.chars} chars · {self.parts} {plural} · {self.encoding}"


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _widths(text: str, gsm: bool) -> list[int]:
    if gsm:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _split(widths: list[int], single: int, per_part: int) -> tuple[int, int]:
    """Parts and units left in the last part; a two-unit character is never split across parts."""
    units = sum(widths)
    if units <= single:
        return (1 if widths else 0), single - units
    parts, used = 1, 0
    for width in widths:
        if used + width > per_part:
            parts += 1
            used = 0
        used += width
    return parts, per_part - used


def count_segments(text: str) -> SegmentInfo:
    gsm = is_gsm7(text)
    single, per_part = (GSM7_SINGLE, GSM7_PART) if gsm else (UCS2_SINGLE, UCS2_PART)
    widths = _widths(text, gsm)
    parts, remaining = _split(widths, single, per_part)
    return SegmentInfo(
        "GSM-7" if gsm else "UCS-2",
        len(text),
        sum(widths),
        parts,
        single if parts <= 1 else per_part,
        remaining,
    )


def plivo_limit_error(text: str) -> str | None:
    """Why Plivo would refuse this text, or None. Limits are in characters, as Plivo documents."""
    if is_gsm7(text):
        if len(text) > PLIVO_GSM_LIMIT:
            return f"text is {len(text)} characters; Plivo allows at most {PLIVO_GSM_LIMIT} for GSM-7"
        return None
    if len(text) > PLIVO_UCS2_LIMIT:
        return f"text is {len(text)} characters; Plivo allows at most {PLIVO_UCS2_LIMIT} with Unicode"
    return None
