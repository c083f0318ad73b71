"""`Profile`: one account to talk to, its secret resolved; `repr`/`str` never show the password."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smschat.config.ui import UiSettings
from smschat.domain.notify import NotifySettings

MASK = "********"


@dataclass(frozen=True, repr=False)
class Profile:
    """One account to talk to, with its secret resolved. `repr`/`str` never show the password."""

    name: str
    provider: str
    base_url: str
    format: str
    username: str
    password: str = field(repr=False, compare=False)
    numbers: tuple[str, ...] = ()
    timeout: float = 15.0
    allow_insecure: bool = False
    #: where the secret came from, for display: "password", "password_env:VAR", "password_command"
    secret_source: str = ""
    #: the file this profile was read from ("" when built in code)
    source_path: str = ""
    #: a PEM file of CA certificates to verify the server with instead of the default ones ("" = default)
    ca_bundle: str = ""
    #: the `[receiver]` section when it serves this profile (`smschat.config.receiver.ReceiverConfig`)
    receiver: Any = field(default=None, compare=False)
    #: Plivo: send through this Powerpack (its numbers) instead of a `src` number ("" = use src)
    powerpack_uuid: str = ""
    #: the `[notifications]` section: bell, toast, desktop notification (`smschat.domain.notify`)
    notifications: NotifySettings = field(default_factory=NotifySettings, compare=False)
    #: the file's app settings: canned replies, remapped keys, agent name (`smschat.config.ui.UiSettings`)
    ui: UiSettings = field(default_factory=UiSettings, compare=False)

    def __repr__(self) -> str:
        return (
            f"Profile(name={self.name!r}, provider={self.provider!r}, base_url={self.base_url!r}, "
            f"format={self.format!r}, username={self.username!r}, password={MASK!r}, "
            f"numbers={self.numbers!r}, timeout={self.timeout!r})"
        )

    __str__ = __repr__

    @property
    def default_number(self) -> str:
        return self.numbers[0] if self.numbers else ""

    def redacted(self) -> dict[str, Any]:
        """A display/JSON-safe view: every field, the password replaced by where it comes from."""
        return {
            "name": self.name,
            "provider": self.provider,
            "base_url": self.base_url,
            "format": self.format,
            "username": self.username,
            "password": MASK if self.password else "",
            "secret_source": self.secret_source,
            "numbers": list(self.numbers),
            "timeout": self.timeout,
            "allow_insecure": self.allow_insecure,
            "ca_bundle": self.ca_bundle,
            "config_file": self.source_path,
            "powerpack_uuid": self.powerpack_uuid,
        }
