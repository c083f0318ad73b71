"""Providers: the only code that knows URLs, auth and wire formats. Never imports Textual."""

from smschat.providers.base import ListQuery, Provider, SendRequest

__all__ = ["ListQuery", "Provider", "SendRequest"]
