"""Fixtures: a simulator on an ephemeral loopback port with a fake clock, and a plain httpx client."""

from __future__ import annotations

import httpx
import pytest
from sim_helpers import ACCOUNT_A, ACCOUNT_B, FakeClock

from smschat.sim import SimAccount, SimServer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def account() -> SimAccount:
    return SimAccount("agent", "s3cret", [ACCOUNT_A, ACCOUNT_B])


@pytest.fixture
def server(account, clock):
    with SimServer(account, clock=clock) as running:
        yield running


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, auth=("agent", "s3cret"), timeout=5) as http:
        yield http


@pytest.fixture(params=["json", "xml"])
def fmt(request) -> str:
    return request.param
