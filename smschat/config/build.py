"""Building a profile for the config file: the setup screen and `smschat config init` share this.

`ProfileInput` is what a person gave (typed or from flags); `profile_table` turns it into the TOML
table, `merge_profile` adds it to (or replaces it in) an existing document, keeping every other
profile, and `validate_input` checks the result exactly as `load_profile` will when it reads it back.
Only the chosen secret *source* is written: a literal password only when the person typed one.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smschat.config.load import DEFAULT_BASE_URLS, parse_profile, read_config
from smschat.config.profile import Profile
from smschat.domain.errors import ConfigError
from smschat.domain.numbers import InvalidNumber, national, parse_number

#: A profile name is a bare TOML key: letters, digits, `-` and `_`.
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
DEFAULT_PROFILE_NAME = "default"


@dataclass
class ProfileInput:
    """One account as a person described it. Exactly one of password, password_env, password_command."""

    name: str = DEFAULT_PROFILE_NAME
    provider: str = "plum"
    base_url: str = ""  # "" = the provider's default
    format: str = "json"
    username: str = ""
    password: str = field(default="", repr=False)
    password_env: str = ""
    password_command: str = ""
    numbers: list[str] = field(default_factory=list)
    allow_insecure: bool = False
    ca_bundle: str = ""
    timeout: float | None = None


#: what each provider calls the user name and the password, for prompts and form labels
CREDENTIAL_LABELS = {"plum": ("Username", "Password"), "plivo": ("Auth ID", "Auth token")}
#: providers whose API speaks both JSON and XML (the others ignore `format`)
FORMAT_PROVIDERS = ("plum",)


def credential_labels(provider: str) -> tuple[str, str]:
    return CREDENTIAL_LABELS.get(provider, ("Username", "Password"))


def available_providers() -> list[str]:
    """Providers this installation can talk to (Plivo only once its module exists)."""
    out = []
    for name in DEFAULT_BASE_URLS:
        try:
            if importlib.util.find_spec(f"smschat.providers.{name}") is not None:
                out.append(name)
        except (ImportError, ValueError):
            continue
    return out


def check_name(name: str, key: str = "profile") -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise ConfigError(f"{name!r} is not a usable profile name; use letters, digits, - and _ (at most 40)", key=key)
    return name


def parse_numbers(text_or_list: str | list[str], key: str = "numbers") -> list[str]:
    """Numbers typed by a person (a list, or one string separated by commas/semicolons), validated,
    de-duplicated, in the 10-digit form the API shows for North American numbers."""
    items = text_or_list if isinstance(text_or_list, list) else re.split(r"[,;]", text_or_list)
    out: list[str] = []
    for i, raw in enumerate(x for x in items if x.strip()):
        try:
            number = national(parse_number(raw))
        except InvalidNumber as exc:
            raise ConfigError(str(exc), key=key if key.startswith("-") else f"{key}[{i}]") from None
        if number not in out:
            out.append(number)
    if not out:
        raise ConfigError('no SMS numbers; give at least one of the account\'s numbers, like "2435678910"', key=key)
    return out


def profile_table(given: ProfileInput) -> dict[str, Any]:
    """The TOML table for `given` (keys in the documented order; defaults left out when unchanged)."""
    table: dict[str, Any] = {"provider": given.provider.strip().lower() or "plum"}
    table["base_url"] = given.base_url.strip().rstrip("/") or DEFAULT_BASE_URLS.get(table["provider"], "")
    table["format"] = given.format.strip().lower() or "json"
    table["username"] = given.username.strip()
    if given.password_env:
        table["password_env"] = given.password_env.strip()
    elif given.password_command:
        table["password_command"] = given.password_command.strip()
    else:
        table["password"] = given.password
    table["numbers"] = list(given.numbers)
    if given.timeout is not None:
        table["timeout"] = given.timeout
    if given.allow_insecure:
        table["allow_insecure"] = True
    if given.ca_bundle:
        table["ca_bundle"] = given.ca_bundle.strip()
    return table


def existing_document(path: Path) -> dict[str, Any]:
    """The config document at `path`, or an empty one when there is no file yet."""
    if not path.exists():
        return {}
    return read_config(path)


def merge_profile(doc: Mapping[str, Any], name: str, table: Mapping[str, Any], *,
                  make_default: bool = False) -> tuple[dict[str, Any], bool]:
    """A copy of `doc` with profile `name` set to `table`; (new document, whether it replaced one).

    Other profiles and keys are kept as they are. `default_profile` is set when the new profile is the
    first, when asked, or when there was none and the file had several profiles already; a file that
    had exactly one profile and no `default_profile` keeps that one as the default.
    """
    out = dict(doc)
    old = out.get("profiles")
    profiles = dict(old) if isinstance(old, dict) else {}
    replaced = name in profiles
    others = [p for p in profiles if p != name]
    profiles[name] = dict(table)
    if make_default or not others:
        default = name
    elif isinstance(out.get("default_profile"), str):
        default = out["default_profile"]
    else:
        default = others[0] if len(others) == 1 else name
    # default_profile first, then the profiles, then anything else the file had
    merged: dict[str, Any] = {"default_profile": default, "profiles": profiles}
    merged.update({k: v for k, v in out.items() if k not in merged})
    return merged, replaced


def validate_input(doc: Mapping[str, Any], name: str, path: Path,
                   env: Mapping[str, str] = os.environ) -> Profile:
    """Check the new profile inside `doc` as `load_profile` will (resolving its secret): `ConfigError`."""
    return parse_profile(doc, name, where=str(path), env=env)
