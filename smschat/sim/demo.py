"""The seeded demo server, and the foreground server behind `smschat simulate`."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from smschat.sim import seed_text
from smschat.sim.account import SimAccount
from smschat.sim.lively import Lively
from smschat.sim.seed import seed_demo_account
from smschat.sim.server import SimServer

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 - the throwaway loopback simulator's documented default
DEMO_NUMBERS = (seed_text.MAIN_LINE, seed_text.SERVICE_LINE)


def make_demo_server(
    port: int = 0,
    *,
    lively: bool = True,
    host: str = "127.0.0.1",
    username: str = DEMO_USERNAME,
    password: str = DEMO_PASSWORD,
    speed: float = 1.0,
    now: float | None = None,
    rng_seed: int = 7,
) -> SimServer:
    """A server (not started) over the seeded demo account; `lively` adds customers who text."""
    account = SimAccount(username, password, DEMO_NUMBERS)
    seed_demo_account(account, now=now, rng_seed=rng_seed)
    server = SimServer(account, host=host, port=port, speed=speed)
    if lively:
        server.companions.append(Lively(account, speed=speed, rng_seed=rng_seed))
    return server


def serve_forever_cli(
    port: int,
    host: str,
    username: str,
    password: str,
    lively: bool,
    *,
    out: TextIO | None = None,
    stop_event: threading.Event | None = None,
) -> int:
    """Serve the demo account until Ctrl-C (or `stop_event`); 0 on a clean stop, 2 if it cannot start."""
    out = out or sys.stdout
    try:
        server = make_demo_server(port, lively=lively, host=host, username=username, password=password)
    except OSError as error:
        print(f"smschat simulate: cannot listen on {host}:{port}: {error.strerror or error}", file=sys.stderr)
        return 2
    server.start()
    print(f"Plum SMS simulator ({seed_text.SHOP_NAME}) serving at {server.url}", file=out)
    print(f"Username: {username} (password: the one you gave; not shown)", file=out)
    print(f"Lively customers: {'on' if lively else 'off'}. Press Ctrl-C to stop.", file=out)
    out.flush()
    waiter = stop_event or threading.Event()
    try:
        while not waiter.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("\nStopping the simulator.", file=out)
    finally:
        server.stop()
    return 0
