"""Helpers for the Plivo provider tests: a simulator with a fake clock and a matching provider."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import UTC, datetime

from smschat.providers.plivo import PlivoProvider
from smschat.providers.plivo_rate import RateGate
from smschat.sim.plivo_account import PlivoAccount
from smschat.sim.plivo_server import PlivoSimServer

AUTH_ID = "MAPROVIDERTESTS00001"
TOKEN = "provider-test-token"
MAIN = "14155550100"
CUSTOMER = "14155550123"
T0 = 1_800_000_000.0


class SimClock:
    """One clock for the simulator (epoch float) and the provider (aware datetime)."""

    def __init__(self, start: float = T0) -> None:
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def dt(self) -> datetime:
        return datetime.fromtimestamp(self.now, tz=UTC)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@asynccontextmanager
async def plivo_pair(*, list_limit: int = 1000, list_period: float = 60.0, gate: RateGate | None = None,
                     clock: SimClock | None = None, **provider_options):
    clock = clock or SimClock()
    account = PlivoAccount(AUTH_ID, TOKEN, [MAIN], clock=clock, powerpacks={"pp-1": [MAIN]})
    server = PlivoSimServer(account, clock=clock, list_limit=list_limit, list_period=list_period,
                            webhook_retry_delay=0.0)
    server.start()
    provider = PlivoProvider(server.url, AUTH_ID, TOKEN, numbers=[MAIN], clock=clock.dt,
                             gate=gate or RateGate(10_000, 1.0), **provider_options)
    try:
        yield server, provider, clock
    finally:
        await provider.aclose()
        server.stop()
