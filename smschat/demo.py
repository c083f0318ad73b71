"""`smschat --demo`: the simulator in-process with a lively seeded account, and a throwaway store.

Nothing is read from or written to the user's config or data directories: the demo's database lives
in a temporary directory that is removed when the app exits.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from smschat.session import Session, open_session, utc_now


def demo_profile(url: str, username: str, password: str, numbers: list[str], fmt: str = "json"):  # noqa: ANN201
    from smschat.config import Profile

    return Profile(
        name="demo",
        provider="plum",
        base_url=url,
        format=fmt,
        username=username,
        password=password,
        numbers=tuple(numbers),
    )


def open_demo_session(
    *,
    fmt: str = "json",
    lively: bool = True,
    clock: Callable[[], datetime] = utc_now,
    data_dir: Path | None = None,
) -> Session:
    from smschat.sim import make_demo_server

    server = make_demo_server(lively=lively).start()
    owned_dir = data_dir is None
    directory = Path(tempfile.mkdtemp(prefix="smschat-demo-")) if data_dir is None else data_dir
    try:
        account = server.account
        profile = demo_profile(server.url, account.username, account.password, list(account.numbers), fmt)
        session = open_session(profile, directory / "demo.sqlite3", clock=clock, demo=True)
    except BaseException:
        server.stop()
        if owned_dir:
            shutil.rmtree(directory, ignore_errors=True)
        raise
    session.on_close.append(server.stop)
    if owned_dir:
        session.on_close.append(lambda: shutil.rmtree(directory, ignore_errors=True))
    return session
