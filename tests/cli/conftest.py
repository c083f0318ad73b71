"""CLI fixtures: a real simulator over loopback HTTP and a config file pointing at it."""

from __future__ import annotations

import socket
import time

import pytest
from cli_helpers import ACCOUNT, OTHER_ACCOUNT, SIM_PASSWORD, SIM_USER, SimEnv, seed, write_config


@pytest.fixture(autouse=True)
def _fixed_width(monkeypatch):
    """Tables are width-aware: pin the width so the tests do not depend on the terminal."""
    monkeypatch.setenv("COLUMNS", "100")


@pytest.fixture
def make_sim(tmp_path):
    """Start a seeded simulator in `fmt`; stopped at the end of the test."""
    from smschat.sim.account import SimAccount
    from smschat.sim.server import SimServer

    servers = []

    def start(fmt: str = "json", speed: float = 40.0) -> SimEnv:
        now = time.time()
        account = SimAccount(SIM_USER, SIM_PASSWORD, numbers=[ACCOUNT, OTHER_ACCOUNT])
        seed(account, now)
        server = SimServer(account, speed=speed).start()
        servers.append(server)
        config = write_config(tmp_path / f"config-{fmt}.toml", server.url, fmt)
        return SimEnv(server, account, config, fmt, now)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(params=["json", "xml"])
def sim(request, make_sim) -> SimEnv:
    return make_sim(request.param)


@pytest.fixture
def dead_url() -> str:
    """A loopback URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/ws/sms"

