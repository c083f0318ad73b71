"""Finding, reading and validating the config file; building the chosen `Profile`.

Every error is a `ConfigError` naming the file, the key and what was expected; unknown keys are
reported (with a "did you mean"), never ignored.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import shlex
import ssl
import sys
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from smschat import paths
from smschat.config.notifications import parse_notifications
from smschat.config.profile import Profile
from smschat.config.receiver import receiver_for
from smschat.config.secret import SECRET_KEYS, resolve_secret
from smschat.config.ui import UI_KEYS, parse_ui_settings
from smschat.domain.errors import ConfigError
from smschat.domain.numbers import InvalidNumber, parse_number
from smschat.domain.sanitize import sanitize_line

DEFAULT_BASE_URLS = {
    "plum": "https://hosting.plumvoice.com/ws/sms",
    "plivo": "https://api.plivo.com",
}
FORMATS = ("json", "xml")
TOP_KEYS = ("default_profile", "profiles", "receiver", "notifications", *UI_KEYS)
PROFILE_KEYS = (
    "provider",
    "base_url",
    "format",
    "username",
    "auth_id",  # plivo: the auth id (same as username)
    "powerpack_uuid",  # plivo: send through this Powerpack instead of src
    *SECRET_KEYS,
    "numbers",
    "timeout",
    "allow_insecure",
    "ca_bundle",
)

Warn = Callable[[str], None]


def _stderr_warn(text: str) -> None:
    print(f"smschat: warning: {text}", file=sys.stderr)


def config_path(path: Path | str | None = None, env: Mapping[str, str] = os.environ) -> Path:
    """The config file to use: the explicit path, else `$SMSCHAT_CONFIG`, else the platform default."""
    if path:
        return Path(path).expanduser()
    override = env.get("SMSCHAT_CONFIG")
    if override:
        return Path(override).expanduser()
    return paths.config_file()


def read_config(path: Path) -> dict[str, Any]:
    """The parsed TOML document; `ConfigError` when it is missing or not TOML."""
    where = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            "no config file here; create one with `smschat config init` (or run `smschat` in a terminal "
            "for the setup screen), point --config or $SMSCHAT_CONFIG at one, or try `smschat --demo`",
            path=where,
        ) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, expected a TOML file", path=where) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=where) from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text, expected a TOML file", path=where) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=where) from None


def _unknown_keys(table: Mapping[str, Any], known: tuple[str, ...], where: str, prefix: str) -> None:
    unknown = [k for k in table if k not in known]
    if not unknown:
        return
    hints = []
    for key in unknown:
        close = difflib.get_close_matches(key, known, n=1)
        hints.append(f"{key!r} (did you mean {close[0]!r}?)" if close else repr(key))
    noun = "key" if len(unknown) == 1 else "keys"
    raise ConfigError(
        f"unknown {noun} {', '.join(hints)}; expected one of: {', '.join(known)}",
        path=where,
        key=f"{prefix}{unknown[0]}",
    )


def _type_name(value: object) -> str:
    return {str: "a string", bool: "a boolean", int: "an integer", float: "a number",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def _string(table: Mapping[str, Any], key: str, where: str, prefix: str, default: str | None = None) -> str:
    if key not in table:
        if default is None:
            raise ConfigError("missing; expected a non-empty string", path=where, key=prefix + key)
        return default
    value = table[key]
    if not isinstance(value, str):
        raise ConfigError(f"expected a string, got {_type_name(value)}", path=where, key=prefix + key)
    if not value.strip():
        raise ConfigError("expected a non-empty string", path=where, key=prefix + key)
    return value.strip()


def check_url(url: str, allow_insecure: bool, where: str = "", key: str = "base_url") -> str:
    """The base URL without a trailing slash; `ConfigError` unless it is http(s) with a host, no
    credentials, and https (plain http only to this machine, or with `allow_insecure`)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"expected an http(s) URL like {DEFAULT_BASE_URLS['plum']!r}, got {url!r}", path=where, key=key)
    if parts.username or parts.password:
        raise ConfigError("must not contain credentials; use username and password_* keys", path=where, key=key)
    if parts.scheme == "http" and not allow_insecure and not _is_loopback(parts.hostname):
        raise ConfigError(
            f"plain http:// would send the password unencrypted to {parts.hostname!r}; "
            "use https://, or set allow_insecure = true in this profile if you really mean it",
            path=where,
            key=key,
        )
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _numbers(table: Mapping[str, Any], where: str, prefix: str) -> tuple[str, ...]:
    key = prefix + "numbers"
    if "numbers" not in table:
        raise ConfigError('missing; expected a list of the account\'s SMS numbers, like ["2435678910"]', path=where, key=key)
    value = table["numbers"]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        got = "an empty list" if value == [] else _type_name(value)
        raise ConfigError(f'expected a non-empty list of strings like ["2435678910"], got {got}',
                          path=where, key=key)
    out: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise ConfigError(f'expected a string in quotes like "2435678910", got {_type_name(item)}',
                              path=where, key=f"{key}[{i}]")
        try:
            number = parse_number(item)
        except InvalidNumber as exc:
            raise ConfigError(str(exc), path=where, key=f"{key}[{i}]") from None
        if number not in out:
            out.append(number)
    return tuple(out)


def check_ca_bundle(value: str, where: str = "", key: str = "ca_bundle") -> str:
    """The absolute path of a readable PEM bundle of CA certificates; relative paths are taken from
    the config file's folder. `ConfigError` when it is missing, unreadable or not PEM certificates."""
    path = Path(value.strip()).expanduser()
    if not path.is_absolute() and where:
        path = Path(where).expanduser().parent / path
    if not path.is_file():
        state = "is a directory" if path.is_dir() else "does not exist"
        raise ConfigError(f"{str(path)!r} {state}; expected a PEM file of CA certificates", path=where, key=key)
    try:
        ssl.create_default_context(cafile=str(path))
    except PermissionError:
        raise ConfigError(f"{str(path)!r} is not readable", path=where, key=key) from None
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise ConfigError(f"{str(path)!r} is not a PEM file of CA certificates ({sanitize_line(str(exc), limit=120)})",
                          path=where, key=key) from None
    return str(path)


def _account_id(table: Mapping[str, Any], provider: str, where: str, prefix: str) -> str:
    """`username`, or for Plivo profiles `auth_id` (the same thing under Plivo's name)."""
    if "auth_id" not in table:
        return _string(table, "username", where, prefix)
    if provider != "plivo":
        raise ConfigError("auth_id is for provider = \"plivo\"; this profile uses username",
                          path=where, key=prefix + "auth_id")
    auth_id = _string(table, "auth_id", where, prefix)
    if "username" in table and _string(table, "username", where, prefix) != auth_id:
        raise ConfigError("set auth_id or username, not two different values", path=where, key=prefix + "auth_id")
    return auth_id


def _powerpack(table: Mapping[str, Any], provider: str, where: str, prefix: str) -> str:
    if "powerpack_uuid" not in table:
        return ""
    if provider != "plivo":
        raise ConfigError("powerpack_uuid is for provider = \"plivo\"", path=where, key=prefix + "powerpack_uuid")
    return _string(table, "powerpack_uuid", where, prefix)


def _timeout(table: Mapping[str, Any], where: str, prefix: str) -> float:
    value = table.get("timeout", 15.0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 600:
        raise ConfigError(f"expected a number of seconds between 0 and 600, got {value!r}",
                          path=where, key=prefix + "timeout")
    return float(value)


def _secret(table: Mapping[str, Any], where: str, prefix: str, env: Mapping[str, str]) -> tuple[str, str]:
    given = [k for k in SECRET_KEYS if k in table]
    if not given:
        raise ConfigError("missing secret; set exactly one of password, password_env or password_command",
                          path=where, key=prefix + "password")
    if len(given) > 1:
        raise ConfigError(f"set exactly one secret source, found {' and '.join(given)}",
                          path=where, key=prefix + given[1])
    kind = given[0]
    value = table[kind]
    if not isinstance(value, str):
        raise ConfigError(f"expected a string, got {_type_name(value)}", path=where, key=prefix + kind)
    if not value.strip():
        raise ConfigError("expected a non-empty string", path=where, key=prefix + kind)
    return resolve_secret(kind, value, env, where=where, key=prefix + kind)


def _check_permissions(path: Path, doc: Mapping[str, Any], warn: Warn) -> None:
    profiles = doc.get("profiles")
    if not isinstance(profiles, dict):
        return
    literal = any(isinstance(p, dict) and "password" in p for p in profiles.values())
    literal = literal or (isinstance(doc.get("receiver"), dict) and "plum_secret" in doc["receiver"])
    if not literal or os.name != "posix":
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & 0o077:
        warn(f"{path} contains a password and is readable by other users (mode {mode & 0o777:o}); "
             f"run: chmod 600 {shlex.quote(str(path))}, or use password_env / password_command")


def profile_names(doc: Mapping[str, Any]) -> list[str]:
    profiles = doc.get("profiles")
    return sorted(profiles) if isinstance(profiles, dict) else []


def parse_profile(doc: Mapping[str, Any], name: str | None, *, where: str = "",
                  env: Mapping[str, str] = os.environ) -> Profile:
    """Validate a parsed config document and build the chosen profile (secret resolved)."""
    _unknown_keys(doc, TOP_KEYS, where, "")
    profiles = doc.get("profiles")
    if not isinstance(profiles, dict) or not profiles:
        raise ConfigError('expected at least one profile table, like [profiles.work]', path=where, key="profiles")
    if name is None:
        default = doc.get("default_profile")
        if default is None:
            if len(profiles) != 1:
                raise ConfigError(f"missing; several profiles ({', '.join(sorted(profiles))}): say which is the default",
                                  path=where, key="default_profile")
            name = next(iter(profiles))
        elif not isinstance(default, str):
            raise ConfigError(f"expected a string naming a profile, got {_type_name(default)}",
                              path=where, key="default_profile")
        else:
            name = default
    if name not in profiles:
        known = ", ".join(sorted(profiles))
        raise ConfigError(f"no profile named {name!r}; profiles in this file: {known}",
                          path=where, key=f"profiles.{name}")
    table = profiles[name]
    prefix = f"profiles.{name}."
    if not isinstance(table, dict):
        raise ConfigError(f"expected a table, got {_type_name(table)}", path=where, key=f"profiles.{name}")
    _unknown_keys(table, PROFILE_KEYS, where, prefix)

    provider = _string(table, "provider", where, prefix, "plum").lower()
    if provider not in DEFAULT_BASE_URLS:
        raise ConfigError(f"expected one of {', '.join(map(repr, DEFAULT_BASE_URLS))}, got {provider!r}",
                          path=where, key=prefix + "provider")
    fmt = _string(table, "format", where, prefix, "json").lower()
    if fmt not in FORMATS:
        raise ConfigError(f'expected "json" or "xml", got {table["format"]!r}', path=where, key=prefix + "format")
    allow_insecure = table.get("allow_insecure", False)
    if not isinstance(allow_insecure, bool):
        raise ConfigError(f"expected true or false, got {_type_name(allow_insecure)}",
                          path=where, key=prefix + "allow_insecure")
    base_url = check_url(_string(table, "base_url", where, prefix, DEFAULT_BASE_URLS[provider]),
                          allow_insecure, where, prefix + "base_url")
    username = _account_id(table, provider, where, prefix)
    powerpack_uuid = _powerpack(table, provider, where, prefix)
    numbers = _numbers(table, where, prefix)
    timeout = _timeout(table, where, prefix)
    ca_bundle = ""
    if "ca_bundle" in table:
        ca_bundle = check_ca_bundle(_string(table, "ca_bundle", where, prefix), where, prefix + "ca_bundle")
    password, source = _secret(table, where, prefix, env)
    receiver = receiver_for(doc, name, where=where, env=env)
    notifications = parse_notifications(doc, where)
    ui = parse_ui_settings(doc, where)
    return Profile(
        name=name,
        provider=provider,
        base_url=base_url,
        format=fmt,
        username=username,
        powerpack_uuid=powerpack_uuid,
        password=password,
        numbers=numbers,
        timeout=timeout,
        allow_insecure=allow_insecure,
        secret_source=source,
        source_path=where,
        ca_bundle=ca_bundle,
        receiver=receiver,
        notifications=notifications,
        ui=ui,
    )


def load_profile(path: Path | str | None = None, profile: str | None = None,
                 env: Mapping[str, str] = os.environ, *, warn: Warn | None = None) -> Profile:
    """Read the config file and return the chosen (else default) profile. Raises `ConfigError`."""
    file = config_path(path, env)
    doc = read_config(file)
    _check_permissions(file, doc, warn or _stderr_warn)
    return parse_profile(doc, profile, where=str(file), env=env)
