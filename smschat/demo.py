"""`smschat --demo`: the simulator in-process with a lively seeded account, and a throwaway store.

`smschat --demo --provider plivo` runs the Plivo simulator instead, with the inbound receiver
in-process: customers' texts arrive by signed webhook into the store (the chat screen shows them
within a second) and every send asks for its delivery reports there, so network polling is only a
slow safety net, as with a real `smschat receive`.

Nothing is read from or written to the user's config or data directories: the demo's database lives
in a temporary directory that is removed when the app exits.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from smschat.session import Session, open_session, utc_now

#: the providers `--demo` can simulate
DEMO_PROVIDERS = ("plum", "plivo")

#: the demo shop's canned replies (t in the chat screen), written as a config file would have them
DEMO_SETTINGS = {
    "agent_name": "Sam",
    "templates": {
        "Bike ready for pickup": "Hi {first_name|there}, good news: your bike is ready for pickup at Spoke & Chain. "
                                 "We're open until 6pm today. - {agent}",
        "Opening hours": "Hi {first_name|there}! Spoke & Chain is open Mon-Sat 9am-6pm and Sun 10am-4pm, "
                         "at 12 Harbor St. Text this number any time.",
        "Repair estimate": "Hi {first_name|there}, we've checked your bike: the repair comes to about $__ "
                           "and takes 2 days. Reply YES and we'll get started. - {agent}",
        "Book a service": "Thanks for getting in touch! Reply with a day that suits you and we'll book your "
                          "bike in for a service. - {agent}, Spoke & Chain",
    },
}


def demo_settings():  # noqa: ANN201 - smschat.config.ui.UiSettings, imported lazily
    """The demo's app settings (canned replies, agent name), checked as a config file's would be."""
    from smschat.config.ui import parse_ui_settings

    return parse_ui_settings(DEMO_SETTINGS, "(demo)")


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
        ui=demo_settings(),
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


def open_demo(provider: str = "plum", **kwargs: object) -> Session:
    """The demo session of `provider` ("plum" or "plivo"); `ValueError` for anything else."""
    if provider == "plum":
        return open_demo_session(**kwargs)  # type: ignore[arg-type]
    if provider == "plivo":
        return open_plivo_demo_session(**kwargs)  # type: ignore[arg-type]
    raise ValueError(f"the demo simulates {' or '.join(DEMO_PROVIDERS)}, not {provider!r}")


def open_plivo_demo_session(
    *,
    lively: bool = True,
    clock: Callable[[], datetime] = utc_now,
    data_dir: Path | None = None,
) -> Session:
    """The Plivo simulator (the bike shop's seeded account) and the receiver, both in-process."""
    from smschat.sim.plivo_demo import make_plivo_demo_server

    return plivo_demo_session(make_plivo_demo_server(lively=lively), clock=clock, data_dir=data_dir)


def plivo_demo_session(
    server: Any,
    *,
    clock: Callable[[], datetime] = utc_now,
    data_dir: Path | None = None,
) -> Session:
    """A session on `server` (a `PlivoSimServer`, not started; it is started here and stopped with
    the session) with a receiver in-process.

    The store starts with what a client would know (`server.history`, when the server is the demo's:
    the texts it sent, and what its receiver got); the rest of the history shows as records whose text
    the client never saw. The simulator posts inbound texts to the receiver's `/plivo/message`
    (signed with the account's auth token), and sends carry the receiver's `/plivo/status` as their
    `url`, so delivery reports arrive without polling.
    """
    from smschat.config import Profile
    from smschat.config.receiver import ReceiverConfig
    from smschat.receive import ReceiverApp, ReceiverServer
    from smschat.sim.plivo_demo import known_messages
    from smschat.store import Store

    owned_dir = data_dir is None
    directory = Path(tempfile.mkdtemp(prefix="smschat-demo-")) if data_dir is None else data_dir
    path = directory / "demo.sqlite3"
    undo: list[Callable[[], object]] = []
    if owned_dir:
        undo.append(lambda: shutil.rmtree(directory, ignore_errors=True))
    try:
        account = server.account
        history = getattr(server, "history", None)
        if history is not None:
            seed = Store.open(path)
            try:
                seed.upsert_messages(known_messages(account, history))
            finally:
                seed.close()
        receiver_store = Store.open(path)  # the receiver's own connection, as in its own process
        undo.append(receiver_store.close)
        app = ReceiverApp(receiver_store, public_url="", plivo_token=account.auth_token)
        receiver = ReceiverServer(app, host="127.0.0.1", port=0).start()
        undo.append(receiver.stop)
        app.public_url = receiver.url  # the simulator posts to (and signs) the loopback URL itself
        account.message_url = f"{receiver.url}/plivo/message"
        undo.append(server.stop)
        server.start()
        profile = Profile(
            name="demo",
            provider="plivo",
            base_url=server.url,
            format="json",
            username=account.auth_id,
            password=account.auth_token,
            numbers=tuple(account.numbers),
            receiver=ReceiverConfig(host="127.0.0.1", port=receiver.port, public_url=receiver.url),
            ui=demo_settings(),
        )
        session = open_session(profile, path, clock=clock, demo=True)
    except BaseException:
        for hook in reversed(undo):
            hook()
        raise
    session.on_close.extend(undo)  # run in reverse: the simulator, the receiver, its store, the files
    return session
