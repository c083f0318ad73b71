"""Notifications of new inbound texts: what to announce, how, and the terminal sequences for it.

Pure rules, no Textual, no I/O: the store says which inbound texts arrived since a mark
(`ArrivalGroup`s, one per conversation), `decide` turns them into an `Alert` (ring the bell, show a
toast, send a desktop notification) under the agent's `NotifySettings`, `announcement` words it,
and `desktop_sequence` builds the OSC 9 / OSC 777 escape sequence some terminals turn into a
desktop notification (wrapped for tmux's passthrough when smschat runs inside tmux).

What counts as new: an inbound text the store received after the screen's first sync finished
(`InboundMark`, taken then), whose provider timestamp is not older than the newest message the store
held at that moment. History brought by the first sync, older pages fetched by scrolling back and a
message seen again (the store keeps one row per id) are never announced. A burst is one alert: one
bell and one toast ("30 new texts from 12 customers"), whatever its size.

Escape safety: a customer's text ends up inside an OSC string. `osc_safe` removes every character
that could end it or start another sequence (C0 including ESC and BEL, DEL, C1 including 0x9c ST,
lone surrogates, bidi controls, line separators) after `sanitize_line` made them visible, so the
customer's text can never close the sequence and type commands into the agent's terminal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from smschat.domain.numbers import pretty
from smschat.domain.sanitize import BIDI_CONTROLS, sanitize_line

Key = tuple[str, str]

DESKTOP_MODES = ("off", "osc9", "osc777")
APP_NAME = "smschat"
ESC, BEL = "\x1b", "\x07"
NAMES_LISTED = 3  # customers named in a toast about several of them
PREVIEW_CHARS = 120  # of the newest text, in a toast
OSC_TITLE_CHARS = 80
OSC_BODY_CHARS = 200


@dataclass(frozen=True)
class NotifySettings:
    """The `[notifications]` table of the config file."""

    bell: bool = True  # ring the terminal bell for new texts
    toast: bool = True  # show a toast in the app
    desktop: str = "off"  # "off", "osc9" or "osc777": a desktop notification through the terminal
    bell_open_thread: bool = False  # also ring for texts in the conversation the agent is looking at

    def __post_init__(self) -> None:
        if self.desktop not in DESKTOP_MODES:
            raise ValueError(f"desktop must be one of {', '.join(DESKTOP_MODES)}, got {self.desktop!r}")


@dataclass(frozen=True)
class InboundMark:
    """How far the store's inbound texts have been looked at.

    `rowid`: the newest inbound row seen (inbound rows are never deleted, so every later one has a
    larger rowid). `ts`: the newest provider timestamp (epoch seconds) when the mark was first
    taken; an inbound text older than that is history (an older page, a conversation's backlog).
    """

    rowid: int = 0
    ts: int = 0


@dataclass(frozen=True)
class ArrivalGroup:
    """New inbound texts of one conversation since a mark: how many, and the newest one's id."""

    key: Key
    count: int
    last_id: str
    last_rowid: int = 0  # orders groups, newest first

    @property
    def customer(self) -> str:
        return self.key[0]


@dataclass(frozen=True)
class Alert:
    """What to do about one batch of arrivals."""

    texts: int  # new texts outside the watched conversation
    groups: tuple[ArrivalGroup, ...]  # their conversations, newest first
    bell: bool
    toast: bool
    desktop: str  # a `DESKTOP_MODES` entry; "off": none

    @property
    def customers(self) -> int:
        return len({g.customer for g in self.groups})


def decide(groups: Sequence[ArrivalGroup], settings: NotifySettings, *, watched: Key | None = None) -> Alert | None:
    """The alert for these arrivals, or None. `watched`: the conversation the agent is looking at;
    its texts get no toast and no desktop notification, and ring only with `bell_open_thread`."""
    others = sorted((g for g in groups if g.count > 0 and g.key != watched), key=lambda g: -g.last_rowid)
    in_watched = any(g.count > 0 and g.key == watched for g in groups)
    bell = settings.bell and (bool(others) or (in_watched and settings.bell_open_thread))
    toast = settings.toast and bool(others)
    desktop = settings.desktop if others else "off"
    if not (bell or toast or desktop != "off"):
        return None
    return Alert(sum(g.count for g in others), tuple(others), bell, toast, desktop)


@dataclass(frozen=True)
class Announcement:
    """The words of an alert: plain, sanitised text (never markup)."""

    title: str
    body: str


def sender_name(customer: str, name: str = "") -> str:
    """The contact's name when the address book has one, else the formatted number; sanitised."""
    shown = sanitize_line(name, limit=60).strip()
    return shown or sanitize_line(pretty(customer), limit=40)


def preview(body: str, *, media: int = 0, known: bool = True) -> str:
    """One line of a text for a toast."""
    if not known:
        return "(text not available)"
    line = sanitize_line(body, limit=PREVIEW_CHARS).strip()
    if line:
        return line
    if media:
        return "(picture)" if media == 1 else f"({media} pictures)"
    return "(empty text)"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def announcement(alert: Alert, names: Mapping[str, str], newest: str) -> Announcement:
    """Word `alert`. `names`: customer number -> contact name ("" or missing: none);
    `newest`: the preview of the newest text (see `preview`), used when one customer wrote."""
    customers: list[str] = list(dict.fromkeys(g.customer for g in alert.groups))
    if len(customers) == 1:
        who = sender_name(customers[0], names.get(customers[0], ""))
        title = who if alert.texts == 1 else f"{who} · {alert.texts} new texts"
        return Announcement(title, newest)
    title = f"{alert.texts} new texts from {len(customers)} customers"
    listed = [sender_name(c, names.get(c, "")) for c in customers[:NAMES_LISTED]]
    rest = len(customers) - len(listed)
    body = ", ".join(listed) + (f" and {_plural(rest, 'other')}" if rest else "")
    return Announcement(title, body)


# -- terminal sequences ------------------------------------------------------------------------------
def _osc_allowed(ch: str) -> bool:
    code = ord(ch)
    return not (
        code < 0x20
        or 0x7F <= code <= 0x9F
        or 0xD800 <= code <= 0xDFFF
        or ch in BIDI_CONTROLS
        or ch in "\u2028\u2029"
    )


def osc_safe(text: str, limit: int = OSC_BODY_CHARS) -> str:
    """`text` made safe inside an OSC string: controls shown as pictures (`sanitize_line`), then
    anything that is still a control character dropped, on one line of at most `limit` characters."""
    line = sanitize_line(text, limit=limit)
    return " ".join("".join(ch for ch in line if _osc_allowed(ch)).split())


def osc9(text: str) -> str:
    """`ESC ] 9 ; text BEL` (iTerm2, WezTerm, Windows Terminal, Ghostty). The text starts with the
    app's name: ConEmu and Windows Terminal read `9;<digit>;` as other commands (progress, cwd)."""
    return f"{ESC}]9;{APP_NAME}: {osc_safe(text)}{BEL}"


def osc777(title: str, body: str) -> str:
    """`ESC ] 777 ; notify ; title ; body BEL` (urxvt, foot, Ghostty, VTE). The fields are
    separated by semicolons, so a semicolon of the text becomes a comma."""
    safe_title = osc_safe(f"{APP_NAME}: {title}", OSC_TITLE_CHARS).replace(";", ",")
    safe_body = osc_safe(body).replace(";", ",")
    return f"{ESC}]777;notify;{safe_title};{safe_body}{BEL}"


def tmux_passthrough(sequence: str) -> str:
    """Wrap `sequence` so tmux hands it to the outer terminal (tmux needs
    `set -g allow-passthrough on`): `ESC P tmux; ` + the sequence with each ESC doubled + `ESC \\`."""
    return f"{ESC}Ptmux;{sequence.replace(ESC, ESC + ESC)}{ESC}\\"


def desktop_sequence(mode: str, note: Announcement, *, tmux: bool = False) -> str:
    """The escape sequence of a desktop notification in `mode` ("" for "off")."""
    if mode == "osc9":
        sequence = osc9(f"{note.title}: {note.body}" if note.body else note.title)
    elif mode == "osc777":
        sequence = osc777(note.title, note.body)
    elif mode == "off":
        return ""
    else:
        raise ValueError(f"unknown desktop notification mode {mode!r}")
    return tmux_passthrough(sequence) if tmux else sequence
