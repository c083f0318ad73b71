"""Build the provider a profile names: `make_provider(profile) -> Provider`.

The profile is any object with the attributes of `smschat.config.Profile` (name, provider, base_url,
format, username, password, numbers, timeout). Bad values raise `ConfigError` with the profile's
name and the key, never the password.
"""

from __future__ import annotations

import importlib
import math
from typing import Any

import httpx

from smschat.domain.errors import ConfigError
from smschat.providers.base import Provider

#: provider name -> (module, class with a `from_profile(profile)` constructor)
PROVIDERS = {
    "plum": ("smschat.providers.plum", "PlumProvider"),
    "plivo": ("smschat.providers.plivo", "PlivoProvider"),
}


def _where(profile: Any) -> str:
    name = getattr(profile, "name", "") or "?"
    return f"profiles.{name}"


def check_base_url(url: object, *, where: str = "") -> str:
    """The base URL if usable: http(s), a host, and no credentials inside it."""
    if not isinstance(url, str) or not url.strip():
        raise ConfigError("base_url is required", key=f"{where}.base_url" if where else "base_url")
    key = f"{where}.base_url" if where else "base_url"
    try:
        parsed = httpx.URL(url.strip())
    except Exception:
        raise ConfigError("base_url is not a valid URL", key=key) from None
    if parsed.scheme not in ("http", "https"):
        raise ConfigError("base_url must start with https:// (or http:// for a local simulator)", key=key)
    if not parsed.host:
        raise ConfigError("base_url has no host name", key=key)
    if parsed.userinfo:
        raise ConfigError("base_url must not contain a user name or password; use username/password", key=key)
    return url.strip()


def make_provider(profile: Any) -> Provider:
    """The provider for `profile`, ready to use; close it with `await provider.aclose()`."""
    where = _where(profile)
    kind = str(getattr(profile, "provider", "") or "").strip().lower()
    if kind not in PROVIDERS:
        raise ConfigError(f"unknown provider {kind!r}; supported: {', '.join(PROVIDERS)}", key=f"{where}.provider")
    module_name, class_name = PROVIDERS[kind]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise ConfigError(f"provider {kind!r} is not available in this version of smschat", key=f"{where}.provider") from None
    base_url = check_base_url(getattr(profile, "base_url", ""), where=where)
    fmt = str(getattr(profile, "format", "json") or "json").strip().lower()
    if fmt not in ("json", "xml"):
        raise ConfigError(f"format must be 'json' or 'xml', not {fmt!r}", key=f"{where}.format")
    username = getattr(profile, "username", "")
    if not isinstance(username, str) or not username:
        raise ConfigError("username is required", key=f"{where}.username")
    password = getattr(profile, "password", "")
    if not isinstance(password, str):
        raise ConfigError("password must be text", key=f"{where}.password")
    timeout = getattr(profile, "timeout", 15.0)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or timeout <= 0:
        raise ConfigError("timeout must be a positive number of seconds", key=f"{where}.timeout")
    numbers = getattr(profile, "numbers", ()) or ()
    if isinstance(numbers, str) or not all(isinstance(n, str) for n in numbers):
        raise ConfigError("numbers must be a list of phone numbers", key=f"{where}.numbers")
    cls = getattr(module, class_name)
    if kind == "plum":
        ca_bundle = getattr(profile, "ca_bundle", "") or ""
        return cls(base_url, username, password, format=fmt, numbers=tuple(numbers), timeout=float(timeout),
                   ca_bundle=str(ca_bundle))
    return cls.from_profile(profile)
