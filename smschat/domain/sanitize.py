"""Make received text safe to show in a terminal.

Everything received (bodies, numbers, names, server error messages) passes through here before it is
displayed. Controls are made *visible*, never executed: C0 controls become their Unicode "control
picture" (ESC -> ␛), DEL becomes ␡, C1 controls and lone surrogates become U+FFFD, and the bidi
override/isolate characters (which can reorder what the agent reads) are replaced with a visible
marker. Newlines and tabs survive `sanitize` (a body may have several lines); `sanitize_line` folds
them too, for one-line previews. Emoji, combining marks and zero-width joiners are kept.

Markup is a separate concern: the UI never renders received text as markup (it builds Text/Content
objects), so `[bold]` stays the literal characters.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
BIDI_MARK = "\u2386"  # ⎆: stands in for a removed direction-control character
MAX_BODY = 20_000  # characters shown of one body; the rest is cut with a visible note


def _visible(ch: str, keep_newlines: bool) -> str:
    code = ord(ch)
    if ch == "\n":
        return "\n" if keep_newlines else " ⏎ "
    if ch == "\t":
        return "\t" if keep_newlines else " "
    if ch == "\r":
        return "" if keep_newlines else " "
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    if 0x80 <= code <= 0x9F:
        return "\ufffd"
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if ch in BIDI_CONTROLS:
        return BIDI_MARK
    if ch in "\u2028\u2029":
        return "\n" if keep_newlines else " ⏎ "
    return ch


#: Every character `_visible` may change (a regex: scanning in C keeps long threads fast).
_SPECIAL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]")


def _needs_work(text: str) -> bool:
    return _SPECIAL.search(text) is not None


def sanitize(text: object, *, limit: int = MAX_BODY) -> str:
    """Received text made safe to display; keeps newlines and tabs."""
    value = "" if text is None else str(text)
    if len(value) > limit:
        value = value[:limit] + f" … [{len(value) - limit} more characters not shown]"
    if not _needs_work(value):
        return value
    return _SPECIAL.sub(lambda match: _visible(match.group(), True), value)


def sanitize_line(text: object, *, limit: int = 500) -> str:
    """Received text made safe for one line (previews, numbers, error messages)."""
    value = "" if text is None else str(text)
    if len(value) > limit:
        value = value[:limit] + "…"
    if _needs_work(value):
        value = "".join(_visible(ch, False) for ch in value)
    return " ".join(value.split()) if "  " in value or "\t" in value else value
