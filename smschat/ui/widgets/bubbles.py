"""One chat bubble: labels, wrapping by cell width, measuring and drawing.

Pure functions (no widget state): `measure` gives a bubble's height at a width without drawing it,
and `render` draws it into `Strip`s of exactly `width` cells (a `Bubble` wraps one
`smschat.domain.thread.ThreadItem`; see `grouping`). The thread view caches what `render`
returns and only calls it for what is on screen.

Received text (bodies, failure reasons) is sanitised and emitted as plain `Segment` text: never
parsed as markup, so `[bold]` or `[@click=app.quit]` show as the characters they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip

from smschat.domain.media import attachments
from smschat.domain.sanitize import sanitize_line
from smschat.domain import thread as domain_thread
from smschat.domain.thread import UNCERTAIN_PREFIX, ThreadItem
from smschat.ui.widgets.grouping import Bubble

if TYPE_CHECKING:
    from textual.widget import Widget

GUTTER = 2  # cursor marker + one space, on the left of every row
RIGHT_MARGIN = 1
MIN_BUBBLE = 20  # outer width a bubble may always use, even on narrow views
MAX_FRACTION = 0.7  # of the view width
EDGE_INBOUND = "▌"
EDGE_OUTBOUND = "▐"
CURSOR_MARK = "▸"

# ---------------------------------------------------------------------------------------------
# Labels


def delivery_mark(item: ThreadItem) -> tuple[str, str]:
    """The delivery label of an outbound item and its kind (ok, sent, pending, bad, warn)."""
    state = item.state
    error = item.error
    if state == "uncertain" and error.startswith(UNCERTAIN_PREFIX):
        error = error[len(UNCERTAIN_PREFIX) :]
    reason = sanitize_line(error, limit=300)
    if state == "uncertain":
        return ("!? outcome unknown, may have been sent" + (f": {reason}" if reason else ""), "warn")
    if state == "failed":
        return (f"✗ failed: {reason or 'no reason given'}", "bad")
    if state == "undelivered":
        return ("✗ undelivered" + (f": {reason}" if reason else ""), "bad")
    if state == "unconfirmed":
        return ("? unconfirmed", "warn")
    if state == "delivered":
        return ("✓✓ delivered", "ok")
    if state == "queued":
        return ("◷ queued", "pending")
    return ("✓ sent", "sent")


def clock_label(when: datetime | None, tz: tzinfo | None) -> str:
    return "--:--" if when is None else when.astimezone(tz).strftime("%H:%M")


def local_day(when: datetime | None, tz: tzinfo | None) -> date | None:
    return None if when is None else when.astimezone(tz).date()


def day_label(day: date | None, today: date) -> str:
    """"Today", "Yesterday", "Mon 16 Nov", or "Mon 16 Nov 2024" outside the current year."""
    if day is None:
        return "Unknown date"
    delta = (today - day).days
    if delta == 0:
        return "Today"
    if delta == 1:
        return "Yesterday"
    label = f"{day.strftime('%a')} {day.day} {day.strftime('%b')}"
    return label if day.year == today.year else f"{label} {day.year}"


def part_count(item: ThreadItem) -> int:
    return len(item.records) + item.missing_parts


def footer_lines(bubble: Bubble, time_text: str, limit: int) -> list[list[tuple[str, str]]]:
    """The meta rows as (text, kind) pieces: "09:15 · 2 parts · ✓✓ delivered" on one row when it
    fits, else the time (and parts) on one row and the delivery mark wrapped on its own rows."""
    meta = time_text
    parts = part_count(bubble.item)
    if parts > 1:
        meta += f" · {parts} parts"
    if not bubble.outbound:
        return [[(meta[s:e], "meta")] for s, e in wrap_ranges(meta, limit)]
    mark, kind = delivery_mark(bubble.item)
    if cell_len(meta) + 3 + cell_len(mark) <= limit:
        return [[(meta + " · ", "meta"), (mark, kind)]]
    rows = [[(meta[s:e], "meta")] for s, e in wrap_ranges(meta, limit)]
    return rows + [[(mark[s:e], kind)] for s, e in wrap_ranges(mark, limit)]


# ---------------------------------------------------------------------------------------------
# Wrapping by terminal cells


def wrap_ranges(text: str, width: int) -> list[tuple[int, int]]:
    """Split one paragraph (no newlines) into (start, end) index ranges that fit `width` cells.

    Breaks at spaces (the space at a break is dropped); a word longer than the width is cut at
    grapheme boundaries, so a wide emoji or a combining mark is never split.
    """
    width = max(2, width)
    size = len(text)
    ascii_only = text.isascii()
    if size <= width and (ascii_only or cell_len(text) <= width):
        return [(0, size)]
    if ascii_only:
        return _wrap_ascii(text, width)
    ranges: list[tuple[int, int]] = []
    start = end = used = position = 0
    for word in text.split(" "):
        word_start = position
        position += len(word) + 1
        if not word:
            continue
        word_end = word_start + len(word)
        word_cells = cell_len(word)
        gap = word_start - end  # spaces before the word (single-cell)
        if (end > start or start == 0) and used + gap + word_cells <= width:
            used += gap + word_cells
            end = word_end
            continue
        if end > start:
            ranges.append((start, end))
        if word_cells <= width:
            start, end, used = word_start, word_end, word_cells
            continue
        offset = word_start
        pieces = chop_cells(word, width)
        for piece in pieces[:-1]:
            ranges.append((offset, offset + len(piece)))
            offset += len(piece)
        start, end, used = offset, word_end, cell_len(pieces[-1])
    if end > start or not ranges:
        ranges.append((start, end))
    return ranges


def _wrap_ascii(text: str, width: int) -> list[tuple[int, int]]:
    """`wrap_ranges` for ASCII (one cell per character): jumps a line at a time with `rfind`."""
    size = len(text)
    ranges: list[tuple[int, int]] = []
    start = 0
    while size - start > width:
        cut = text.rfind(" ", start, start + width + 1)
        if cut > start:  # break at a space, dropping the spaces around the break
            end = cut
            while end > start and text[end - 1] == " ":
                end -= 1
            if end > start:
                ranges.append((start, end))
            start = cut + 1
        else:  # a word longer than the line
            ranges.append((start, start + width))
            start += width
        while start < size and text[start] == " ":
            start += 1
    end = size
    while end > start and text[end - 1] == " ":
        end -= 1
    if end > start or not ranges:
        ranges.append((start, end))
    return ranges


def wrap_text(text: str, width: int) -> list[str]:
    """Wrap text by cell width, keeping explicit newlines."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(paragraph[s:e] for s, e in wrap_ranges(paragraph, width))
    return lines


# ---------------------------------------------------------------------------------------------
# Geometry and drawing


def text_width(width: int) -> int:
    """Cells available for text inside a bubble on a view `width` cells wide."""
    available = max(1, width - GUTTER - RIGHT_MARGIN)
    outer = min(available, max(MIN_BUBBLE, int(width * MAX_FRACTION)))
    return max(2, outer - 3)  # edge + one cell of padding each side


EMPTY_BODY = "(empty message)"
#: For a record whose text this client never saw (`body_known` False, once the domain has it).
UNKNOWN_BODY = getattr(domain_thread, "TEXT_UNKNOWN", "(text not available)")


def has_text(bubble: Bubble) -> bool:
    return bool(getattr(bubble.item, "body_known", True)) and bool(bubble.text.strip())


def shown_text(bubble: Bubble) -> str:
    """The body, or a placeholder (drawn in the meta style) for an empty or unknown one."""
    if has_text(bubble):
        return bubble.text
    return EMPTY_BODY if getattr(bubble.item, "body_known", True) else UNKNOWN_BODY


def body_rows(bubble: Bubble, limit: int) -> list[str]:
    """The body's rows: the text (or its placeholder); none for an MMS with no text (only files)."""
    if not has_text(bubble) and bubble.item.media and getattr(bubble.item, "body_known", True):
        return []
    return wrap_text(shown_text(bubble), limit)


MEDIA_MARK = "▪ "
MEDIA_INDENT = "  "


def media_rows(bubble: Bubble, limit: int) -> list[tuple[str, str]]:
    """An MMS's attachments as (text, kind) rows: "▪ image · brake.jpg" (kind "body"), then its URL
    on the next rows, indented (kind "meta"). Names and URLs are sanitised (`domain.media`)."""
    media = bubble.item.media
    if not media:
        return []
    rows: list[tuple[str, str]] = []
    for attachment in attachments(media):
        label = MEDIA_MARK + attachment.label
        rows += [(label[s:e], "body") for s, e in wrap_ranges(label, limit)]
        url_width = max(2, limit - len(MEDIA_INDENT))
        rows += [(MEDIA_INDENT + attachment.url[s:e], "meta") for s, e in wrap_ranges(attachment.url, url_width)]
    return rows


def measure(bubble: Bubble, width: int, *, with_day: bool) -> int:
    """Rows the bubble takes at this width: day separator, body, attachments, footer, and the gap
    after it."""
    limit = text_width(width)
    rows = len(body_rows(bubble, limit)) + len(media_rows(bubble, limit))
    rows += len(footer_lines(bubble, "00:00", limit))
    return rows + 1 + (1 if with_day else 0)


FILLS = ("inbound", "outbound", "inbound-cursor", "outbound-cursor")
KINDS = ("edge", "meta", "ok", "sent", "pending", "bad", "warn")


@dataclass(frozen=True)
class Palette:
    """Rich styles for drawing; the view builds one from its component classes.

    `fills` are the bubble backgrounds (inbound, outbound, and both under the cursor); `texts` maps
    (fill, kind) to the complete style of that kind of text (edge, meta, ok, sent, pending, bad,
    warn) drawn on that fill. The default palette has no colours (plain tests, NO_COLOR).
    """

    base: Style = field(default_factory=Style)
    fills: dict[str, Style] = field(default_factory=dict)
    texts: dict[tuple[str, str], Style] = field(default_factory=dict)
    cursor_mark: Style = field(default_factory=lambda: Style(bold=True))
    day: Style = field(default_factory=Style)
    header: Style = field(default_factory=Style)
    empty: Style = field(default_factory=Style)
    new_below: Style = field(default_factory=lambda: Style(reverse=True))

    def fill(self, name: str) -> Style:
        return self.fills.get(name) or (Style(bold=True) if name.endswith("-cursor") else Style())

    def text(self, fill: str, kind: str) -> Style:
        return self.texts.get((fill, kind)) or self.fill(fill)


def palette_from(widget: Widget, prefix: str = "thread-view--") -> Palette:
    """A palette from a widget's component classes (`<prefix>inbound`, `<prefix>ok`, ...).

    Text kinds are drawn on each fill: a translucent colour (such as `$foreground-muted`) is blended
    onto the fill's background here, since a partial style cannot carry transparency.
    """
    style = widget.get_component_rich_style

    def on(fill: Style, component: str) -> Style:
        color = widget.get_component_styles(component).color
        if color.a < 1 and fill.bgcolor is not None:
            color = Color.from_rich_color(fill.bgcolor) + color
        drawn = fill + style(component, partial=True) + Style(color=color.rich_color)
        if drawn.color == fill.bgcolor:  # e.g. ANSI themes map both to one colour: keep it visible
            drawn += Style(color=fill.color)
        return drawn

    fills = {fill: style(f"{prefix}{fill}") for fill in FILLS}
    texts = {
        (fill, kind): on(fills[fill], f"{prefix}{fill.split('-')[0]}-edge" if kind == "edge" else f"{prefix}{kind}")
        for fill in FILLS
        for kind in KINDS
    }
    return Palette(
        base=widget.rich_style,
        fills=fills,
        texts=texts,
        cursor_mark=style(f"{prefix}cursor-mark"),
        day=style(f"{prefix}day"),
        header=style(f"{prefix}header"),
        empty=style(f"{prefix}empty"),
        new_below=style(f"{prefix}new-below"),
    )


def _fit(segments: list[Segment], width: int, style: Style) -> Strip:
    return Strip(segments).adjust_cell_length(width, style)


def centered(text: str, width: int, style: Style, base: Style) -> Strip:
    """One line with `text` centred (cut if too long)."""
    text = text if cell_len(text) <= width else chop_cells(text, width)[0]
    left = max(0, (width - cell_len(text)) // 2)
    return _fit([Segment(" " * left, base), Segment(text, style)], width, base)


def day_strip(label: str, width: int, palette: Palette) -> Strip:
    return centered(f"── {label} ──", width, palette.day, palette.base)


def render(
    bubble: Bubble,
    width: int,
    palette: Palette,
    *,
    time_text: str,
    day: str | None,
    selected: bool = False,
) -> list[Strip]:
    """Draw the bubble (with its day separator when `day` is given and the gap after it)."""
    base = palette.base
    limit = text_width(width)
    fill_name = ("outbound" if bubble.outbound else "inbound") + ("-cursor" if selected else "")
    fill = palette.fill(fill_name)
    edge = palette.text(fill_name, "edge")

    body_style = fill if has_text(bubble) else palette.text(fill_name, "meta")
    body_lines = [[(line, body_style)] for line in body_rows(bubble, limit)]
    body_lines += [[(text, fill if kind == "body" else palette.text(fill_name, kind))]
                   for text, kind in media_rows(bubble, limit)]
    footer = [
        [(text, palette.text(fill_name, kind)) for text, kind in line]
        for line in footer_lines(bubble, time_text, limit)
    ]
    inner = min(limit, max(sum(cell_len(text) for text, _ in line) for line in body_lines + footer))
    outer = inner + 3
    marker = Segment(CURSOR_MARK if selected else " ", palette.cursor_mark if selected else base)

    strips: list[Strip] = []
    if day is not None:
        strips.append(day_strip(day, width, palette))
    for index, line in enumerate(body_lines + footer):
        used = sum(cell_len(text) for text, _ in line)
        pad = max(0, inner - used)
        text_segments = [Segment(text, style) for text, style in line]
        is_footer = index >= len(body_lines)
        if bubble.outbound and is_footer:  # right-align the meta line under an outbound body
            content = [Segment(" " * (pad + 1), fill), *text_segments, Segment(" ", fill)]
        else:
            content = [Segment(" ", fill), *text_segments, Segment(" " * (pad + 1), fill)]
        if bubble.outbound:
            left = max(0, width - GUTTER - RIGHT_MARGIN - outer)
            segments = [marker, Segment(" " * (1 + left), base), *content, Segment(EDGE_OUTBOUND, edge)]
        else:
            segments = [marker, Segment(" ", base), Segment(EDGE_INBOUND, edge), *content]
        strips.append(_fit(segments, width, base))
    strips.append(Strip.blank(width, base))
    return strips
