"""Fixtures for sync tests: the real simulator over HTTP on loopback, the real Plum provider (built
by `make_provider` from a Profile, JSON and XML), a file store, and one settable clock shared by the
simulator and the engine (so "7 days later" and "3 seconds later" take no real time)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sync_support import FAST, MAIN, PASSWORD, SERVICE, USER, SimClock, profile_for

from smschat.providers.factory import make_provider
from smschat.sim import SimAccount, SimServer
from smschat.store import Store
from smschat.sync import SyncEngine


@pytest.fixture
def clock() -> SimClock:
    return SimClock()


@pytest.fixture
def sim(clock: SimClock) -> Iterator[SimServer]:
    account = SimAccount(USER, PASSWORD, (MAIN, SERVICE), clock=clock)
    server = SimServer(account, clock=clock).start()
    yield server
    server.stop()


@pytest.fixture(params=["json", "xml"])
def fmt(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def provider(sim: SimServer, fmt: str) -> AsyncIterator:
    p = make_provider(profile_for(sim.url, fmt))
    yield p
    await p.aclose()


@pytest.fixture
def store(tmp_path, clock: SimClock) -> Iterator[Store]:
    s = Store.open(tmp_path / "profile.sqlite3", clock=clock.dt)
    yield s
    s.close()


@pytest.fixture
def engine(provider, store: Store, clock: SimClock) -> SyncEngine:
    return SyncEngine(provider, store, (MAIN, SERVICE), clock=clock.dt, retry=FAST)
