"""A loopback simulator of Plum Voice's SMS REST API, for tests, benchmarks and the demo.

Depends on `smschat.domain` only. See `smschat.sim.api` for the documented choices, `wire` for the
exact JSON/XML shapes, `faults` for fault injection and `seed` for the demo account.
"""

from smschat.sim.account import SendRefused, SimAccount
from smschat.sim.demo import DEMO_NUMBERS, DEMO_PASSWORD, DEMO_USERNAME, make_demo_server, serve_forever_cli
from smschat.sim.faults import Faults
from smschat.sim.lively import Lively
from smschat.sim.records import SimMessage
from smschat.sim.seed import seed_demo_account
from smschat.sim.server import SimServer

__all__ = [
    "DEMO_NUMBERS",
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "Faults",
    "Lively",
    "SendRefused",
    "SimAccount",
    "SimMessage",
    "SimServer",
    "make_demo_server",
    "seed_demo_account",
    "serve_forever_cli",
]
