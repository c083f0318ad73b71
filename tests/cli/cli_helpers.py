"""CLI test helpers: run `main()` capturing output, write a config, seed the simulator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from smschat.cli.main import main

SIM_USER = "agent"
SIM_PASSWORD = "pw-Sim-4242-secret"
ACCOUNT = "2435670000"
OTHER_ACCOUNT = "2435670001"
ALICE = "2435678910"  # has a thread on ACCOUNT
BOB = "2435671234"  # texted OTHER_ACCOUNT last
CAROL = "2435675555"  # only an outbound message


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class SimEnv:
    server: object
    account: object
    config: Path
    fmt: str
    now: float

    def run(self, capsys, *args: str) -> Result:
        return run(capsys, "--config", str(self.config), *args)


def run(capsys, *args: str) -> Result:
    capsys.readouterr()
    code = main(list(args), tz=UTC)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def write_config(path: Path, url: str, fmt: str = "json", password: str = SIM_PASSWORD, **extra: str) -> Path:
    lines = [
        'default_profile = "sim"',
        "[profiles.sim]",
        'provider = "plum"',
        f'base_url = "{url}"',
        f'format = "{fmt}"',
        f'username = "{SIM_USER}"',
        f'password = "{password}"',
        f'numbers = ["{ACCOUNT}", "{OTHER_ACCOUNT}"]',
        "timeout = 5",
        *(f"{k} = {v}" for k, v in extra.items()),
    ]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def seed(account, now: float) -> None:
    """Three conversations with known order: BOB newest, then ALICE, then CAROL."""
    account.add_message(customer=ALICE, account=ACCOUNT, body="Hello, is my order ready?", direction="inbound",
                        at=now - 7200)
    account.add_message(customer=ALICE, account=ACCOUNT, body="Yes, pick it up after 3pm.", direction="outbound",
                        at=now - 7100, outcome="delivered")
    account.add_message(customer=ALICE, account=ACCOUNT, body="Thanks!\x1b]0;pwned\x07 [bold]great[/bold]",
                        direction="inbound", at=now - 7000)
    account.add_message(customer=CAROL, account=ACCOUNT, body="Your appointment is tomorrow.", direction="outbound",
                        at=now - 86400 * 3, outcome="delivered")
    account.add_message(customer=BOB, account=OTHER_ACCOUNT, body="Where is my refund?", direction="inbound",
                        at=now - 60)


FIXED_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
