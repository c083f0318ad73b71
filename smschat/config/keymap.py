"""`[keys]`: remapping the chat screen's keys by binding id.

```toml
[keys]
next_waiting = "n,space"          # one key, or several separated by commas
insert_template = ["t", "ctrl+t"] # or a list
```

`BINDINGS` below is the catalogue of every id: each `Binding(..., id=...)` of the app, the chat
screen and its widgets carries one of them (tests/ui/test_keymap.py holds the two together), the
config is checked against it without importing Textual, and the README lists it. The UI hands the
checked map to `App.set_keymap`.

Ids are snake_case and name what the key does (`next_waiting`, `insert_template`); a widget's key
that does the same thing as another widget's shares its id (`cursor_down` moves down in the contact
list and in the thread), so one line remaps both.
"""

from __future__ import annotations

import difflib
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smschat.domain.errors import ConfigError


@dataclass(frozen=True)
class KeyAction:
    """One remappable binding: where it works, its default keys (Textual's names, comma-separated)
    and what it does."""

    scope: str  # "app" (everywhere), "chat" (the chat screen), "contacts", "thread", "composer"
    keys: str
    what: str


#: every remappable binding id (keep in step with the Bindings; the README lists them too)
BINDINGS: dict[str, KeyAction] = {
    # the app
    "quit": KeyAction("app", "ctrl+q", "quit"),
    "help": KeyAction("app", "question_mark,f1", "the help screen (every key)"),
    # the chat screen
    "focus_next_pane": KeyAction("chat", "tab", "move to the next pane (contacts, thread, composer)"),
    "focus_previous_pane": KeyAction("chat", "shift+tab", "move to the previous pane"),
    "search": KeyAction("chat", "slash", "search every message, number and name"),
    "filter": KeyAction("chat", "f", "filter the contact list"),
    "compose": KeyAction("chat", "i,c", "reply in the open conversation"),
    "back": KeyAction("chat", "escape", "back to the contact list"),
    "next_waiting": KeyAction("chat", "n", "next conversation waiting for a reply"),
    "oldest_waiting": KeyAction("chat", "N", "the customer who has waited longest"),
    "done": KeyAction("chat", "e,d", "mark the conversation done without replying"),
    "snooze": KeyAction("chat", "z", "snooze the conversation"),
    "undo": KeyAction("chat", "u", "undo the last done or snooze"),
    "views": KeyAction("chat", "v", "pick the view: all, waiting, unread, failed, snoozed, done"),
    "edit_contact": KeyAction("chat", "a", "name the contact, keep notes (address book)"),
    "retry": KeyAction("chat", "r", "retry the selected failed message"),
    "copy": KeyAction("chat", "y", "copy the selected message's text"),
    "new_conversation": KeyAction("chat", "m", "start a conversation with a new number"),
    "export": KeyAction("chat", "x", "export the open conversation"),
    "switch_sender": KeyAction("chat", "ctrl+o", "switch the number you send from"),
    "refresh": KeyAction("chat", "ctrl+r", "refresh now"),
    "toggle_sidebar": KeyAction("chat", "ctrl+b", "show or hide the contact list"),
    "insert_template": KeyAction("chat", "t", "pick a canned reply for the composer"),
    # the contact list and the thread
    "cursor_down": KeyAction("lists", "down,j", "next contact / message"),
    "cursor_up": KeyAction("lists", "up,k", "previous contact / message"),
    "first": KeyAction("lists", "home,g", "first contact / oldest message"),
    "last": KeyAction("lists", "end,G", "last contact / newest message"),
    "page_down": KeyAction("lists", "pagedown", "a page down"),
    "page_up": KeyAction("lists", "pageup", "a page up"),
    "open_conversation": KeyAction("contacts", "enter", "open the conversation and start a reply"),
    "thread_reply": KeyAction("thread", "enter", "start a reply from the thread"),
    # the composer
    "send": KeyAction("composer", "enter", "send the message"),
    "newline": KeyAction("composer", "ctrl+j", "a new line in the message (alt+enter works too)"),
    "leave_composer": KeyAction("composer", "escape", "leave the composer (the draft is kept)"),
    "composer_template": KeyAction("composer", "ctrl+t", "pick a canned reply while typing"),
    "attach": KeyAction("composer", "ctrl+a", "attachments (MMS, where the provider sends them)"),
}

#: scopes whose keys are active at the same time (a key used twice there is a clash)
_TOGETHER = {"app": "screen", "chat": "screen", "lists": "lists", "contacts": "lists", "thread": "thread",
             "composer": "composer"}
_GROUP_NAMES = {"screen": "on the chat screen", "lists": "in the contact list and the thread",
                "thread": "in the thread", "composer": "in the composer"}

MODIFIERS = ("ctrl", "alt", "shift", "meta", "super", "hyper")
NAMED_KEYS = frozenset(
    {"escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end", "pageup", "pagedown",
     "up", "down", "left", "right"} | {f"f{i}" for i in range(1, 25)}
)
#: Textual's names of the punctuation keys ("slash", "question_mark", "comma", ...)
_REPLACED = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at",
             "hyphen_minus": "minus", "plus_sign": "plus", "low_line": "underscore"}


def char_key(character: str) -> str:
    """Textual's key name of a single character: letters and digits as they are, `?` is `question_mark`."""
    if character.isalnum():
        return character
    name = unicodedata.name(character, character).lower().replace("-", "_").replace(" ", "_")
    return _REPLACED.get(name, name)


PUNCTUATION_KEYS = {char_key(c): c for c in string.punctuation}
_ALIASES = {"esc": "escape", "return": "enter", "pgup": "pageup", "pgdn": "pagedown", "page_up": "pageup",
            "page_down": "pagedown", "del": "delete", "ins": "insert", "bs": "backspace", "control": "ctrl",
            "option": "alt", "cmd": "super", "?": "question_mark", "/": "slash", "spacebar": "space"}


def _is_printable(key: str) -> bool:
    """A key that types a character (a composer or input takes it before any binding)."""
    return "+" not in key and (len(key) == 1 or key in PUNCTUATION_KEYS or key == "space")


def check_key(key: str) -> str:
    """`key` in Textual's form (`ctrl+t`, `n`, `question_mark`, `f5`); `ValueError` saying what is wrong."""
    raw = key.strip()
    if not raw:
        raise ValueError("an empty key name")
    if len(raw) == 1:
        if raw.isspace() or not raw.isprintable():
            raise ValueError(f"{raw!r} is not a key name; write space, tab, ...")
        return char_key(raw)
    *mods, base = raw.split("+")
    if not base:
        raise ValueError(f"{raw!r}: write plus for the + key (ctrl+plus)")
    for mod in mods:
        if mod not in MODIFIERS:
            hint = _ALIASES.get(mod.lower(), mod.lower() if mod.lower() in MODIFIERS else "")
            raise ValueError(f"{mod!r} in {raw!r} is not a modifier; use {', '.join(MODIFIERS)}"
                             + (f" (did you mean {hint!r}?)" if hint else ""))
    if len(set(mods)) != len(mods):
        raise ValueError(f"{raw!r} repeats a modifier")
    if len(base) == 1:
        if base.isspace() or not base.isprintable():
            raise ValueError(f"{raw!r} is not a key name")
        base = char_key(base)
        if base.isalpha():
            if mods == ["shift"]:
                return base.upper()  # Textual calls shift+g "G"
            base = base.lower()
    elif base not in NAMED_KEYS and base not in PUNCTUATION_KEYS:
        known = sorted(NAMED_KEYS | set(PUNCTUATION_KEYS))
        hint = _ALIASES.get(base.lower()) or (base.lower() if base.lower() in known else None)
        hint = hint or next(iter(difflib.get_close_matches(base, known, n=1)), None)
        raise ValueError(f"unknown key {base!r} in {raw!r}" + (f" (did you mean {hint!r}?)" if hint else "")
                         + "; keys are a character (n, G, /) or a name like enter, escape, space, tab, "
                           "up, pagedown, home, f5, with ctrl+ alt+ shift+ in front")
    return "+".join([*mods, base])


def _keys(value: Any, where: str, key: str) -> list[str]:
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = value
    else:
        raise ConfigError(f'expected a string of keys like "n,space" or a list like ["n", "space"], got {value!r}',
                          path=where, key=key)
    if not any(item.strip() for item in items):
        raise ConfigError("expected at least one key (a binding cannot be switched off)", path=where, key=key)
    out: list[str] = []
    for item in items:
        if not item.strip():
            raise ConfigError(f"{value!r} has an empty key; write comma for the , key", path=where, key=key)
        try:
            name = check_key(item)
        except ValueError as exc:
            raise ConfigError(str(exc), path=where, key=key) from None
        if name not in out:
            out.append(name)
    return out


def parse_keys(table: Any, where: str = "", prefix: str = "keys.") -> dict[str, str]:
    """The `[keys]` table checked: binding id -> keys (comma-separated, Textual's names).

    `ConfigError` for an unknown id (with a "did you mean"), a key name Textual does not know, a
    printable key for a composer binding (it would type instead), or two bindings on one key where
    both are active at once."""
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ConfigError(f'expected a table of binding ids, like [keys] with next_waiting = "n,space"; got {table!r}',
                          path=where, key=prefix.rstrip("."))
    keymap: dict[str, str] = {}
    for binding_id, value in table.items():
        if binding_id not in BINDINGS:
            close = difflib.get_close_matches(binding_id, list(BINDINGS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"unknown binding id {binding_id!r}{hint}; ids: {', '.join(BINDINGS)}",
                              path=where, key=prefix + binding_id)
        keys = _keys(value, where, prefix + binding_id)
        action = BINDINGS[binding_id]
        if action.scope == "composer":
            typed = [k for k in keys if _is_printable(k)]
            if typed:
                raise ConfigError(f"{typed[0]!r} would type into the composer; use a key with ctrl+ or alt+, "
                                  "or a function key", path=where, key=prefix + binding_id)
        keymap[binding_id] = ",".join(keys)
    _check_clashes(keymap, where, prefix)
    return keymap


def effective_keys(keymap: Mapping[str, str]) -> dict[str, list[str]]:
    """Every binding id's keys after `keymap`."""
    return {bid: (keymap.get(bid) or action.keys).split(",") for bid, action in BINDINGS.items()}


def _check_clashes(keymap: Mapping[str, str], where: str, prefix: str) -> None:
    owners: dict[tuple[str, str], str] = {}
    keys = effective_keys(keymap)
    # remapped ids first, so the message names the line the person wrote
    order = [bid for bid in keymap] + [bid for bid in BINDINGS if bid not in keymap]
    for bid in order:
        group = _TOGETHER[BINDINGS[bid].scope]
        for key in keys[bid]:
            other = owners.setdefault((group, key), bid)
            if other != bid:
                mine, theirs = (bid, other) if bid in keymap else (other, bid)
                raise ConfigError(f"{key!r} is already the key of {theirs} {_GROUP_NAMES[group]}; "
                                  "give one of them another key",
                                  path=where, key=prefix + mine)
    # the focused list or thread sees a key before the screen does: a screen key that is also a list
    # key would only ever move the cursor
    for (group, key), bid in owners.items():
        other = owners.get(("lists", key)) if group == "screen" else None
        if other is not None:
            mine, theirs = (bid, other) if bid in keymap else (other, bid)
            raise ConfigError(f"{key!r} is also the key of {theirs}; the contact list and the thread would take it "
                              "before the chat screen does; give one of them another key",
                              path=where, key=prefix + mine)


def display_key(key: str) -> str:
    """How the help screen writes a key: `?` for question_mark, `↑` for up, `pgdn` for pagedown."""
    *mods, base = key.split("+")
    shown = {"up": "↑", "down": "↓", "left": "←", "right": "→", "escape": "esc", "pageup": "pgup",
             "pagedown": "pgdn"}.get(base) or PUNCTUATION_KEYS.get(base, base)
    return "+".join([*mods, shown])
