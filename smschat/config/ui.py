"""What the config file says about working in the app: canned replies, keys, the agent's name.

```toml
agent_name = "Sam"            # {agent} in templates

[templates]                   # name = text; the picker (t) lists them in this order
"Bike ready" = "Hi {first_name|there}, your bike is ready for pickup. See you soon! {agent}"
hours = "We're open 9-6 Monday to Saturday."

[keys]                        # binding id = keys (smschat.config.keymap)
next_waiting = "n,space"
```

These are top-level tables: they apply to every profile of the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from smschat.config.keymap import parse_keys
from smschat.domain.errors import ConfigError
from smschat.domain.templates import Template, TemplateError, clean_value

#: the top-level keys this module reads
UI_KEYS = ("agent_name", "templates", "keys")


@dataclass(frozen=True)
class UiSettings:
    """Canned replies, remapped keys (binding id -> keys) and the agent's name."""

    templates: tuple[Template, ...] = ()
    keymap: Mapping[str, str] = field(default_factory=dict)
    agent_name: str = ""


def _toml_key(name: str) -> str:
    """`name` as it is written in a dotted TOML key (quoted unless it is a bare key)."""
    bare = name and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    return name if bare else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_templates(table: Any, where: str = "") -> tuple[Template, ...]:
    """`[templates]` (name = text), checked; `ConfigError` naming the template and what is wrong."""
    if table is None:
        return ()
    if not isinstance(table, dict):
        raise ConfigError('expected a table of name = "text", like [templates] with hours = "We open at 9"; '
                          f"got {type(table).__name__}", path=where, key="templates")
    templates: list[Template] = []
    seen: dict[str, str] = {}
    for name, text in table.items():
        key = f"templates.{_toml_key(name)}"
        if isinstance(text, dict):
            raise ConfigError("expected the template's text in quotes (a string), got a table; "
                              "write a name with dots in quotes: \"Bike. Ready\" = \"...\"", path=where, key=key)
        if not isinstance(text, str):
            raise ConfigError(f"expected the template's text in quotes (a string), got {text!r}", path=where, key=key)
        try:
            template = Template.parse(name, text)
        except TemplateError as exc:
            raise ConfigError(f"template {name.strip()!r}: {exc}", path=where, key=key) from None
        folded = template.name.casefold()
        if folded in seen:
            raise ConfigError(f"template {template.name!r}: another template is called {seen[folded]!r}",
                              path=where, key=key)
        seen[folded] = template.name
        templates.append(template)
    return tuple(templates)


def parse_ui_settings(doc: Mapping[str, Any], where: str = "") -> UiSettings:
    """The app settings of a parsed config document; `ConfigError` when one is wrong."""
    agent = doc.get("agent_name", "")
    if not isinstance(agent, str):
        raise ConfigError(f"expected your name in quotes, got {agent!r}", path=where, key="agent_name")
    if "\n" in agent or "\r" in agent or clean_value(agent) != " ".join(agent.split()):
        raise ConfigError("expected one line of plain text (no control characters)", path=where, key="agent_name")
    return UiSettings(
        templates=parse_templates(doc.get("templates"), where),
        keymap=parse_keys(doc.get("keys"), where),
        agent_name=clean_value(agent),
    )
