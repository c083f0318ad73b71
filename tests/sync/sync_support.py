"""Helpers shared by the sync tests (fixtures are in conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from smschat.config import Profile
from smschat.sim import SimServer
from smschat.sync import RetryPolicy
from smschat.sync.retry import no_sleep

USER, PASSWORD = "agent", "correct horse battery"
MAIN, SERVICE = "6175550100", "6175550199"  # the account's numbers, 10 digits as Plum shows them
START = 1_750_000_000.0


class SimClock:
    """Epoch seconds for the simulator, aware datetimes for the store and engine; one `now`."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def dt(self) -> datetime:
        return datetime.fromtimestamp(self.now, tz=UTC)

    def advance(self, seconds: float) -> None:
        self.now += seconds


def profile_for(url: str, fmt: str, numbers: tuple[str, ...] = (MAIN, SERVICE)) -> Profile:
    return Profile(
        name="test", provider="plum", base_url=url, format=fmt, username=USER, password=PASSWORD,
        numbers=numbers, timeout=5.0,
    )  # fmt: skip


FAST = RetryPolicy(attempts=4, sleep=no_sleep)


def requests(sim: SimServer, endpoint: str) -> list[tuple[str, str, dict[str, str], int]]:
    """The simulator's log entries for one endpoint ("messages", "queue", "status", "conversation")."""
    with sim.account.lock:
        log = list(sim.account.request_log)
    return [entry for entry in log if entry[1].removeprefix("/ws/sms/").split(".")[0] == endpoint]


def reset_log(sim: SimServer) -> None:
    with sim.account.lock:
        sim.account.request_log.clear()
