"""The `[notifications]` section: how smschat tells the agent that a customer texted.

```toml
[notifications]
bell = true               # ring the terminal bell for a new text
toast = true              # show a toast in the app (sender and the text)
desktop = "off"           # "osc9" or "osc777": a desktop notification through the terminal
bell_open_thread = false  # also ring for texts in the conversation on screen
```

Every key is optional (the defaults are shown). A top-level table: it applies to every profile of
the file. See `smschat.domain.notify` for what is announced and the escape sequences.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from smschat.domain.errors import ConfigError
from smschat.domain.notify import DESKTOP_MODES, NotifySettings

SECTION = "notifications"
NOTIFICATION_KEYS = ("bell", "toast", "desktop", "bell_open_thread")


def parse_notifications(doc: Mapping[str, Any], where: str = "") -> NotifySettings:
    """The document's `[notifications]` (defaults when absent); `ConfigError` naming the key."""
    from smschat.config.load import _type_name, _unknown_keys  # the same checks and wording as the rest

    if SECTION not in doc:
        return NotifySettings()
    table = doc[SECTION]
    if not isinstance(table, dict):
        raise ConfigError(f"expected a table like [notifications] with bell = true, got {_type_name(table)}",
                          path=where, key=SECTION)
    prefix = f"{SECTION}."
    _unknown_keys(table, NOTIFICATION_KEYS, where, prefix)
    flags: dict[str, bool] = {}
    for key in ("bell", "toast", "bell_open_thread"):
        if key in table:
            value = table[key]
            if not isinstance(value, bool):
                raise ConfigError(f"expected true or false, got {_type_name(value)} ({value!r})",
                                  path=where, key=prefix + key)
            flags[key] = value
    desktop = table.get("desktop", "off")
    if not isinstance(desktop, str):
        hint = ' (write desktop = "off")' if desktop is False else ""
        raise ConfigError(f"expected one of {', '.join(map(repr, DESKTOP_MODES))}, got {_type_name(desktop)}{hint}",
                          path=where, key=prefix + "desktop")
    mode = desktop.strip().lower()
    if mode not in DESKTOP_MODES:
        close = difflib.get_close_matches(mode, DESKTOP_MODES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(f"expected one of {', '.join(map(repr, DESKTOP_MODES))}, got {desktop!r}{hint}",
                          path=where, key=prefix + "desktop")
    return NotifySettings(desktop=mode, **flags)
