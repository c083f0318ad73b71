"""Canned replies: named texts with `{placeholders}`, filled in for one conversation.

A template's text is plain text with placeholders in braces: `{customer}`, `{name}`, and a fallback
for an empty value after a bar, `{name|there}`. `{{` and `}}` are literal braces. Parsing happens
once (`Template.parse`), so a wrong template is reported when the config is read, with the list of
placeholders there are; rendering never fails.

Rendering is one pass over the parsed parts: a value is inserted as it is and never read again as a
template, so a contact named `{customer}` or `[bold]` stays those characters. Values lose control
characters, bidi overrides and line breaks (a name is one line of plain text); the result goes into
the composer as text, never as markup.

No I/O, no Textual.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from smschat.domain.numbers import normalize, pretty
from smschat.domain.sanitize import BIDI_CONTROLS

#: every placeholder a template may use, with what it becomes
PLACEHOLDERS: dict[str, str] = {
    "customer": "the customer's number, formatted: (617) 555-0123",
    "customer_e164": "the customer's number in E.164: +16175550123",
    "account": "the number the reply is sent from, formatted",
    "account_e164": "the number the reply is sent from, in E.164",
    "name": "the customer's name from the address book (empty when there is none)",
    "first_name": "the first word of that name",
    "agent": "agent_name from the config file (empty when it is not set)",
    "date": "today's date: 3 March 2026",
    "time": "the time now, 24-hour: 14:05",
}

MAX_NAME = 60
_FIELD = re.compile(r"[a-z][a-z0-9_]*")
#: characters a template's own text may not contain: C0 controls but newline and tab, DEL, C1,
#: bidi overrides and isolates, line/paragraph separators
_BAD_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]")
#: what a placeholder value loses before it is inserted (it is one line of plain text)
_BAD_VALUE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]")


class TemplateError(ValueError):
    """A template's text or name is wrong; the message says where and how to fix it."""


@dataclass(frozen=True)
class Field:
    """`{name}` or `{name|fallback}` in a template."""

    name: str
    fallback: str = ""


Part = str | Field


def parse(text: str) -> tuple[Part, ...]:
    """The literal pieces and placeholders of `text`. Raises `TemplateError` for an unknown
    placeholder, an unclosed or unmatched brace, or a control character."""
    bad = _BAD_TEXT.search(text)
    if bad:
        raise TemplateError(
            f"contains the control character U+{ord(bad.group()):04X} at character {bad.start() + 1}; "
            "a template is plain text (new lines and tabs are fine)"
        )
    parts: list[Part] = []
    literal: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "{" and text.startswith("{{", i):
            literal.append("{")
            i += 2
        elif ch == "}" and text.startswith("}}", i):
            literal.append("}")
            i += 2
        elif ch == "}":
            raise TemplateError(f"'}}' at character {i + 1} closes nothing; write '}}}}' for a literal brace")
        elif ch == "{":
            end = text.find("}", i + 1)
            inner = text[i + 1 : end] if end != -1 else ""
            if end == -1 or "{" in inner:
                raise TemplateError(f"'{{' at character {i + 1} is not closed; write '{{{{' for a literal brace")
            name, bar, fallback = inner.partition("|")
            name = name.strip()
            if not name:
                raise TemplateError(f"empty placeholder at character {i + 1}; available: {available()}")
            if name not in PLACEHOLDERS:
                raise TemplateError(f"unknown placeholder {{{name}}}; available: {available()}")
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(Field(name, fallback if bar else ""))
            i = end + 1
        else:
            literal.append(ch)
            i += 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


def available() -> str:
    return ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def clean_value(value: object) -> str:
    """A placeholder value as one line of plain text: controls, bidi overrides and line breaks
    dropped (a line break becomes a space), runs of spaces folded."""
    text = "" if value is None else str(value)
    text = _BAD_VALUE.sub(lambda m: " " if m.group() in "\n\r\t\u2028\u2029" else "", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Template:
    """A canned reply: its name (shown in the picker) and its text (with placeholders)."""

    name: str
    text: str
    parts: tuple[Part, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", parse(self.text))

    @classmethod
    def parse(cls, name: str, text: str) -> Template:
        """Check `name` and `text`; raises `TemplateError` saying what is wrong."""
        shown = name.strip()
        if not shown:
            raise TemplateError("a template needs a name")
        if len(shown) > MAX_NAME:
            raise TemplateError(f"the name is {len(shown)} characters long; at most {MAX_NAME}")
        if _BAD_VALUE.search(shown):
            raise TemplateError("the name contains a control character or a line break")
        if not text.strip():
            raise TemplateError("the text is empty")
        return cls(shown, text)

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(p.name for p in self.parts if isinstance(p, Field))

    def render(self, values: Mapping[str, str]) -> str:
        """The text with every placeholder replaced (a missing or empty value: its fallback)."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                out.append(clean_value(values.get(part.name, "")) or part.fallback)
        return "".join(out)


def e164(number: str) -> str:
    """`+` and the digits of a full number; a short code stays as it is."""
    digits = normalize(number)
    return f"+{digits}" if len(digits) >= 11 else digits


def long_date(when: datetime) -> str:
    """`3 March 2026` (the month spelled out: 3/4 means two different days on two continents)."""
    return f"{when.day} {when.strftime('%B')} {when.year}"


def placeholder_values(*, customer: str, account: str, name: str = "", agent: str = "",
                       now: datetime) -> dict[str, str]:
    """The values of every placeholder for one conversation; `now` in the agent's time zone."""
    clean_name = clean_value(name)
    return {
        "customer": pretty(customer),
        "customer_e164": e164(customer),
        "account": pretty(account),
        "account_e164": e164(account),
        "name": clean_name,
        "first_name": clean_name.split(" ", 1)[0] if clean_name else "",
        "agent": clean_value(agent),
        "date": long_date(now),
        "time": now.strftime("%H:%M"),
    }
