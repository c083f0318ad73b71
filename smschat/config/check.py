"""Testing a profile against its API before it is saved: one cheap request, clear reasons.

`check_credentials(profile)` asks the provider for one small page of messages (for Plum: `messages`
with limit 50). Every failure becomes a `CheckError` whose `field` names the setting at fault
(`password`, `base_url`, `numbers`), so the setup screen can point at it and `smschat config init`
can say what to fix. Nothing here prints; no message contains the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smschat.domain.errors import (
    ApiError,
    AuthError,
    MalformedResponse,
    NetworkError,
    ServerError,
    SmsError,
)
from smschat.domain.numbers import normalize, pretty


class CheckError(SmsError):
    """The profile does not work; `field` is the setting to fix ("" when it is not one setting)."""

    field = ""


class BadCredentials(CheckError):
    field = "password"


class Unreachable(CheckError):
    field = "base_url"


class NotTheApi(CheckError):
    field = "base_url"


class NoNumbers(CheckError):
    field = "numbers"


class ServerTrouble(CheckError):
    """The server is there and knows us, but failed for now: try again later."""


@dataclass(frozen=True)
class CheckResult:
    """What the test request showed."""

    total: int  # messages on the account, as the server counts them
    seen: tuple[str, ...]  # account-side numbers in the newest page (normalised)
    configured: tuple[str, ...]  # the profile's numbers (normalised)

    @property
    def unseen(self) -> tuple[str, ...]:
        """Configured numbers with no message in the newest page, when the page shows others."""
        if not self.seen:
            return ()
        return tuple(n for n in self.configured if n not in self.seen)

    @property
    def others(self) -> tuple[str, ...]:
        """Account numbers in the newest page that the profile does not list."""
        return tuple(n for n in self.seen if n not in self.configured)

    def notes(self) -> list[str]:
        """Warnings for a person: numbers that look wrong (a hint, not proof: only one page is seen)."""
        out = []
        if self.unseen and not set(self.configured) & set(self.seen):
            out.append(
                f"none of the numbers you gave ({', '.join(pretty(n) for n in self.unseen)}) appear in the "
                f"account's recent messages, which use {', '.join(pretty(n) for n in self.seen)}; "
                "check they are this account's SMS numbers"
            )
        elif self.unseen:
            out.append(f"no recent messages on {', '.join(pretty(n) for n in self.unseen)}; "
                       "check it is one of this account's SMS numbers")
        if self.others:
            out.append(f"the account also uses {', '.join(pretty(n) for n in self.others)}; "
                       "add it to numbers to see those conversations")
        return out


def _tls_hint(text: str) -> str:
    lowered = text.lower()
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return ("; the server's certificate could not be verified: if a company proxy or a private CA "
                "signs it, set ca_bundle to that CA's PEM file")
    return "; check base_url, the network connection and any proxy settings (HTTPS_PROXY, NO_PROXY)"


async def check_credentials(profile: Any, *, provider: Any = None) -> CheckResult:
    """One cheap request with `profile`; `CheckError` (or `ConfigError` for a bad profile) if it fails.

    `provider` is for tests; by default one is built from the profile and closed afterwards.
    """
    configured = tuple(normalize(n) for n in (getattr(profile, "numbers", ()) or ()) if normalize(n))
    if not configured:
        raise NoNumbers("no SMS numbers: give at least one of the account's numbers (the first is the default sender)")
    if provider is None:
        from smschat.providers.factory import make_provider

        provider = make_provider(profile)
    from smschat.providers.base import ListQuery

    try:
        async with provider:
            page = await provider.list_messages(ListQuery(limit=provider.min_limit))
    except AuthError as exc:
        raise BadCredentials(f"{exc}; check the username and password") from None
    except NetworkError as exc:
        raise Unreachable(f"cannot reach the server: {exc}{_tls_hint(str(exc))}") from None
    except MalformedResponse as exc:
        raise NotTheApi(f"the answer does not look like the SMS API: {exc}; check base_url and format") from None
    except ServerError as exc:
        raise ServerTrouble(f"the server failed for now: {exc}; try again in a minute") from None
    except ApiError as exc:
        hint = "" if "base_url" in str(exc) else "; check base_url"
        raise NotTheApi(f"the server refused the test request: {exc}{hint}") from None
    except SmsError as exc:
        raise CheckError(str(exc)) from None
    seen: list[str] = []
    for msg in page.messages:
        number = msg.account_number()
        if number and number not in seen:
            seen.append(number)
    return CheckResult(total=page.total, seen=tuple(seen), configured=configured)
