"""The `[receiver]` section: where `smschat receive` listens and how providers reach it.

```toml
[receiver]
listen = "127.0.0.1:8787"               # address uvicorn binds (behind a reverse proxy: loopback)
public_url = "https://sms.example.com"  # what the providers call; Plivo signs this URL
plum_secret_env = "SMSCHAT_PLUM_SECRET" # or plum_secret = "..." (the unguessable path segment)
# certfile = "/etc/ssl/sms.pem"         # TLS without a proxy (both or neither)
# keyfile = "/etc/ssl/sms.key"
# profile = "work"                      # the profile it serves (default: the default profile)
```

With a receiver configured, sends ask the provider to post status changes to it
(`callback_url`), so status polling becomes a slow safety net. The section serves one profile:
`profile` names it, else the file's default (or only) profile.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from smschat.domain.errors import ConfigError

SECTION = "receiver"
RECEIVER_KEYS = ("listen", "public_url", "plum_secret", "plum_secret_env", "certfile", "keyfile", "profile")
DEFAULT_LISTEN = "127.0.0.1:8787"
#: A path secret must be long enough not to be guessed, and safe in a URL path as is.
MIN_SECRET = 16
_SECRET_CHARS = re.compile(r"^[A-Za-z0-9_-]+$")
_HOSTNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")

PLUM_INBOUND = "/plum/inbound/"
PLUM_STATUS = "/plum/status/"
PLIVO_MESSAGE = "/plivo/message"
PLIVO_STATUS = "/plivo/status"


@dataclass(frozen=True, repr=False)
class ReceiverConfig:
    """A validated `[receiver]` section. `repr` never shows the Plum path secret."""

    host: str = "127.0.0.1"
    port: int = 8787
    public_url: str = ""
    plum_secret: str = field(default="", compare=False)
    certfile: str = ""
    keyfile: str = ""
    #: the profile this receiver serves
    profile: str = ""

    def __repr__(self) -> str:
        return (
            f"ReceiverConfig(listen={self.listen!r}, public_url={self.public_url!r}, "
            f"plum_secret={'********' if self.plum_secret else ''!r}, tls={bool(self.certfile)!r})"
        )

    __str__ = __repr__

    @property
    def listen(self) -> str:
        return format_listen(self.host, self.port)

    def url(self, path: str) -> str:
        """The public URL of a receiver path."""
        return self.public_url + path

    @property
    def plum_inbound_url(self) -> str:
        """What to enter as the number's Application URL in Plum's SMS Applications page."""
        return self.url(PLUM_INBOUND + self.plum_secret) if self.plum_secret else ""

    @property
    def plum_status_url(self) -> str:
        return self.url(PLUM_STATUS + self.plum_secret) if self.plum_secret else ""

    @property
    def plivo_message_url(self) -> str:
        """What to enter as the Plivo application's Message URL."""
        return self.url(PLIVO_MESSAGE)

    @property
    def plivo_status_url(self) -> str:
        return self.url(PLIVO_STATUS)

    def callback_url(self, provider: str) -> str:
        """The status-callback URL a send of `provider` should carry ("" when it cannot have one)."""
        if provider == "plum":
            return self.plum_status_url
        if provider == "plivo":
            return self.plivo_status_url
        return ""


def format_listen(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def parse_listen(text: str) -> tuple[str, int]:
    """`HOST:PORT` (IPv6 as `[::1]:8787`) -> (host, port); `ValueError` saying what is wrong."""
    text = text.strip()
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or not rest.startswith(":"):
            raise ValueError(f"expected [IPv6]:PORT like '[::1]:8787', got {text!r}")
        port_text = rest[1:]
    else:
        host, sep, port_text = text.rpartition(":")
        if not sep or ":" in host:
            raise ValueError(f"expected HOST:PORT like {DEFAULT_LISTEN!r}, got {text!r}")
    if not host:
        raise ValueError(f"expected HOST:PORT with a host (0.0.0.0 for every address), got {text!r}")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _HOSTNAME.match(host):
            raise ValueError(f"{host!r} is not an IP address or host name") from None
    if not port_text.isascii() or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValueError(f"expected a port between 0 and 65535, got {port_text!r}")
    return host, int(port_text)


def check_public_url(url: str) -> str:
    """The public URL without a trailing slash; `ValueError` when providers could not use it."""
    from smschat.config.load import _is_loopback

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an https URL like 'https://sms.example.com', got {url!r}")
    if parts.username or parts.password:
        raise ValueError("must not contain a user name or password")
    if parts.query or parts.fragment:
        raise ValueError("must not have a query (?...) or a fragment (#...)")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            "must be https:// (the Plum path secret and the texts would cross the internet in clear); "
            "plain http:// is for loopback tests only"
        )
    return url.strip().rstrip("/")


def check_secret(secret: str) -> str:
    if len(secret) < MIN_SECRET:
        raise ValueError(
            f"must be at least {MIN_SECRET} characters (make one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"
        )
    if not _SECRET_CHARS.match(secret):
        raise ValueError("may only hold letters, digits, '-' and '_' (it is part of a URL path)")
    return secret


def _secret(table: Mapping[str, Any], where: str, env: Mapping[str, str]) -> str:
    from smschat.config.load import _string

    given = [k for k in ("plum_secret", "plum_secret_env") if k in table]
    if not given:
        return ""
    if len(given) > 1:
        raise ConfigError("set plum_secret or plum_secret_env, not both", path=where, key=f"{SECTION}.plum_secret_env")
    key = given[0]
    value = _string(table, key, where, f"{SECTION}.")
    if key == "plum_secret_env":
        secret = env.get(value, "").strip()
        if not secret:
            state = "is empty" if value in env else "is not set"
            raise ConfigError(f"environment variable {value} {state}; export it with the Plum path secret",
                              path=where, key=f"{SECTION}.{key}")
        value = secret
    try:
        return check_secret(value)
    except ValueError as exc:  # the message never contains the secret itself
        raise ConfigError(str(exc), path=where, key=f"{SECTION}.{key}") from None


def parse_receiver(table: object, *, where: str, env: Mapping[str, str], default_profile: str = "") -> ReceiverConfig:
    """Validate a `[receiver]` table (unknown keys are errors, every error names file and key)."""
    from smschat.config.load import _string, _unknown_keys  # the same checks and wording as the rest

    if not isinstance(table, dict):
        raise ConfigError("expected a table like [receiver]", path=where, key=SECTION)
    prefix = f"{SECTION}."
    _unknown_keys(table, RECEIVER_KEYS, where, prefix)
    listen = _string(table, "listen", where, prefix, DEFAULT_LISTEN)
    try:
        host, port = parse_listen(listen)
    except ValueError as exc:
        raise ConfigError(str(exc), path=where, key=f"{SECTION}.listen") from None
    if "public_url" not in table:
        raise ConfigError("missing; expected the https URL the providers call, like 'https://sms.example.com'",
                          path=where, key=f"{SECTION}.public_url")
    try:
        public_url = check_public_url(_string(table, "public_url", where, prefix))
    except ValueError as exc:
        raise ConfigError(str(exc), path=where, key=f"{SECTION}.public_url") from None
    certfile = _string(table, "certfile", where, prefix, "")
    keyfile = _string(table, "keyfile", where, prefix, "")
    if bool(certfile) != bool(keyfile):
        missing = "keyfile" if certfile else "certfile"
        raise ConfigError("certfile and keyfile go together (TLS needs both)", path=where, key=f"{SECTION}.{missing}")
    profile = _string(table, "profile", where, prefix, default_profile)
    return ReceiverConfig(
        host=host,
        port=port,
        public_url=public_url,
        plum_secret=_secret(table, where, env),
        certfile=certfile,
        keyfile=keyfile,
        profile=profile,
    )


def receiver_for(doc: Mapping[str, Any], profile: str, *, where: str, env: Mapping[str, str]) -> ReceiverConfig | None:
    """The `[receiver]` of the document when it serves `profile`, else None."""
    if SECTION not in doc:
        return None
    profiles = doc.get("profiles")
    default = doc.get("default_profile")
    if not isinstance(default, str):
        default = next(iter(profiles)) if isinstance(profiles, dict) and len(profiles) == 1 else ""
    receiver = parse_receiver(doc[SECTION], where=where, env=env, default_profile=default)
    if not receiver.profile:
        raise ConfigError("missing; there are several profiles and no default_profile: say which one it serves",
                          path=where, key=f"{SECTION}.profile")
    if isinstance(profiles, dict) and receiver.profile not in profiles:
        known = ", ".join(sorted(profiles))
        raise ConfigError(f"no profile named {receiver.profile!r}; profiles in this file: {known}",
                          path=where, key=f"{SECTION}.profile")
    return receiver if receiver.profile == profile else None
