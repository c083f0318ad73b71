"""`smschat receive`: the inbound HTTP receiver, writing provider posts into a profile's store.

Plum posts inbound texts to the number's application URL and status changes to each message's
`result_url`; Plivo posts inbound texts to the application's message URL and delivery reports to
the `url` given with each send, signed with the account's auth token. The receiver stores them in
the same SQLite store the TUI reads (the TUI notices another process's writes within a second).

    app = build_app(store, profile)                 # a pure ASGI app
    ReceiverServer(app, host=..., port=...).run()   # uvicorn, bounded, stops cleanly

See `app` for the routes and the checks, `server` for the limits, `writer` for idempotency.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from smschat.domain.errors import ConfigError
from smschat.receive.app import Limits, ReceiverApp
from smschat.receive.server import ReceiverServer
from smschat.store import Store


def check_receiver(profile: Any, receiver: Any = None) -> Any:
    """The receiver settings for `profile` (its `[receiver]` unless given); `ConfigError` when it has
    none, or when it serves a Plum profile without the path secret."""
    receiver = receiver if receiver is not None else getattr(profile, "receiver", None)
    where = getattr(profile, "source_path", "")
    if receiver is None:
        raise ConfigError(f"no [receiver] section serves profile {profile.name!r}; add one "
                          "(listen, public_url and, for Plum, plum_secret): see `smschat receive --help`",
                          path=where, key="receiver")
    if getattr(profile, "provider", "plum") == "plum" and not receiver.plum_secret:
        raise ConfigError("a Plum profile needs plum_secret (or plum_secret_env): the unguessable part of "
                          "the URLs Plum posts to", path=where, key="receiver.plum_secret")
    return receiver


def build_app(store: Store, profile: Any, *, receiver: Any = None, limits: Limits | None = None,
              clock: Callable[[], datetime] | None = None) -> ReceiverApp:
    """The receiver app for `profile` (its `[receiver]` section unless `receiver` is given).

    A Plum profile needs the path secret; a Plivo profile's auth token verifies the signatures.
    """
    receiver = check_receiver(profile, receiver)
    provider = str(getattr(profile, "provider", "plum"))
    kwargs: dict[str, Any] = {"limits": limits or Limits()}
    if clock is not None:
        kwargs["clock"] = clock
    return ReceiverApp(
        store,
        public_url=receiver.public_url,
        plum_secret=receiver.plum_secret if provider == "plum" else "",
        plivo_token=profile.password if provider == "plivo" else "",
        **kwargs,
    )


__all__ = ["Limits", "ReceiverApp", "ReceiverServer", "build_app", "check_receiver"]
