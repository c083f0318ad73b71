"""Fixtures for the provider tests: a canned loopback server (see `plum_canned`) and Plum providers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from plum_canned import ACCOUNT, PASSWORD, USER, CannedServer, refused_port_url

from smschat.providers.plum import PlumProvider


@pytest.fixture
def canned() -> Iterator[CannedServer]:
    server = CannedServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def make_plum(canned: CannedServer):
    made: list[PlumProvider] = []

    def factory(fmt: str = "json", *, numbers: tuple[str, ...] = (ACCOUNT,), timeout: float = 5.0, url: str | None = None) -> PlumProvider:
        provider = PlumProvider(url or canned.url, USER, PASSWORD, format=fmt, numbers=numbers, timeout=timeout)
        made.append(provider)
        return provider

    yield factory
    for provider in made:
        await provider.aclose()


@pytest.fixture
def refused_url() -> str:
    return refused_port_url()
