"""Plain types and pure rules shared by every layer. No I/O, no Textual, no httpx."""

from smschat.domain.model import (
    FINAL_DELIVERY,
    STATUS_WINDOW,
    ContactSummary,
    DeliveryStatus,
    Direction,
    Message,
    MessagePage,
    Status,
)
from smschat.domain.numbers import InvalidNumber, normalize, parse_number, pretty, same_number
from smschat.domain.sanitize import sanitize, sanitize_line
from smschat.domain.segments import SegmentInfo, count_segments

__all__ = [
    "FINAL_DELIVERY",
    "STATUS_WINDOW",
    "ContactSummary",
    "DeliveryStatus",
    "Direction",
    "InvalidNumber",
    "Message",
    "MessagePage",
    "SegmentInfo",
    "Status",
    "count_segments",
    "normalize",
    "parse_number",
    "pretty",
    "same_number",
    "sanitize",
    "sanitize_line",
]
