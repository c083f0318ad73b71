"""The one async interface every provider implements.

Wire format in, domain objects out, typed errors (`smschat.domain.errors`) for every failure.
All network I/O goes through one shared `httpx.AsyncClient` with timeouts, owned by the provider.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime

from smschat.domain.model import Message, MessagePage

#: The provider's page-size bounds; Plum: 50..1000.
MIN_LIMIT = 50
MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class ListQuery:
    """Every filter of Plum's `messages` endpoint (Plivo maps what it can)."""

    offset: int = 0
    limit: int = MIN_LIMIT
    order: str = ""  # "asc", "desc" or "" (server default)
    start: datetime | None = None  # start_timestamp
    end: datetime | None = None  # end_timestamp
    msg_type: str = ""  # "inbound", "outbound", "all" or ""
    phone_number: str = ""
    number_type: str = ""  # "account" or "customer"; only with msg_type inbound/outbound + phone_number


@dataclass(frozen=True, slots=True)
class SendRequest:
    to: str
    from_number: str
    body: str
    #: where the provider should post status changes (Plum `result_url`, Plivo `url`); "" = none
    result_url: str = ""
    #: MMS media URLs (Plivo: 1..10 with kind "mms"); Plum sends SMS only
    media_urls: tuple[str, ...] = ()
    kind: str = "sms"  # "sms" or "mms"


class Provider(abc.ABC):
    """An SMS provider account. Async; one instance per profile; close with `aclose`."""

    name: str = "provider"
    #: Largest page the provider serves; listing code pages in steps of this.
    max_limit: int = MAX_LIMIT
    min_limit: int = MIN_LIMIT
    #: False when listed/status records carry no text (Plivo): the client keeps what it sent itself.
    records_carry_text: bool = True

    @abc.abstractmethod
    async def list_messages(self, query: ListQuery) -> MessagePage:
        """One page of the account's messages (sent and received)."""

    @abc.abstractmethod
    async def conversation(
        self,
        number1: str,
        number2: str,
        *,
        offset: int = 0,
        limit: int = MIN_LIMIT,
        order: str = "desc",
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> MessagePage:
        """One page of the messages exchanged between two numbers."""

    @abc.abstractmethod
    async def queue(self, request: SendRequest) -> tuple[Message, ...]:
        """Queue a message. A long body comes back as several records; all are returned.

        Raises `SendOutcomeUnknown` when the request may have gone out but no answer arrived:
        callers must not retry blindly.
        """

    @abc.abstractmethod
    async def status(self, message_id: str) -> Message:
        """The current status of one message."""

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Close the HTTP client."""

    async def __aenter__(self) -> Provider:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
