"""What every command gets: parsed options, output streams, the clock, and lazy profile/provider."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from smschat.config import Profile
    from smschat.providers.base import Provider


class UsageError(Exception):
    """The command line is wrong in a way argparse cannot see (bad number, empty body): exit 2."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    args: argparse.Namespace
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    clock: Callable[[], datetime] = utc_now
    tz: tzinfo | None = None  # None: the machine's local time zone
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    #: strings never to appear in anything this process prints or logs (resolved passwords)
    secrets: list[str] = field(default_factory=list)
    _profile: Profile | None = None

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    @property
    def width(self) -> int:
        return max(40, shutil.get_terminal_size((100, 24)).columns)

    def profile(self) -> Profile:
        """The active profile (loaded once); `ConfigError` when the config is wrong."""
        if self._profile is None:
            from smschat.config import load_profile

            self._profile = load_profile(
                getattr(self.args, "config", None),
                getattr(self.args, "profile", None),
                self.env,
                warn=self.warn,
            )
            if self._profile.password:
                self.secrets.append(self._profile.password)
        return self._profile

    def provider(self) -> Provider:
        from smschat.providers.factory import make_provider

        return make_provider(self.profile())

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "********")
        return text

    def print(self, text: str = "") -> None:
        print(text, file=self.out)

    def warn(self, text: str) -> None:
        print(f"smschat: warning: {self.scrub(text)}", file=self.err)

    def note(self, text: str) -> None:
        """Progress and hints for people: stderr, so stdout stays clean for pipes."""
        print(self.scrub(text), file=self.err)

    def emit_json(self, data: Any) -> None:
        from smschat.cli.format import dump_json

        self.print(dump_json(data))
