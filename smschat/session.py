"""A session: one profile's provider, store and sync engine, with the sync running on its own thread.

The UI and the CLI both get their data through a `Session`. Network I/O and database writes run on a
dedicated background thread with its own asyncio loop (`SyncRunner`), so nothing the provider or the
store does can freeze the UI; the UI reads the store through its own connection (SQLite WAL lets
readers and the writer work at once) and awaits runner calls as ordinary awaitables.

No Textual here: the UI adapts the `on_change` callback into Textual messages.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from smschat.domain.numbers import normalize

T = TypeVar("T")
Keys = set[tuple[str, str]]


def utc_now() -> datetime:
    return datetime.now(UTC)


class SyncRunner:
    """An asyncio loop on a daemon thread; `submit` runs a coroutine there from any thread."""

    def __init__(self, name: str = "smschat-sync") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def start(self) -> SyncRunner:
        if not self._started:
            self._thread.start()
            self._started = True
        return self

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await `coro` on the runner's loop from another running loop (the UI's)."""
        return await asyncio.wrap_future(self.submit(coro))

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the runner and block until it is done (for non-async callers)."""
        return self.submit(coro).result(timeout)

    def stop(self, cleanup: Coroutine[Any, Any, Any] | None = None) -> None:
        if not self._started:
            if cleanup is not None:
                cleanup.close()
            return
        if cleanup is not None:
            try:
                self.submit(cleanup).result(5)
            except Exception:  # noqa: BLE001 - best effort on shutdown
                pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


class LazyProvider:
    """The profile's provider, built on first use (on the sync thread).

    Importing httpx and creating its client (with a TLS context) is a good part of a start-up, and
    the first paint, which comes from the local store, needs neither. Attributes are the real
    provider's; `aclose` does nothing when it was never built.
    """

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._provider: Any = None
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        return self._provider is not None

    def _get(self) -> Any:
        if self._provider is None:
            with self._lock:
                if self._provider is None:
                    self._provider = self._build()
        return self._provider

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)

    async def aclose(self) -> None:
        if self._provider is not None:
            await self._provider.aclose()


@dataclass
class Session:
    """Everything one running client needs. Build with `open_session`; close with `close`."""

    profile: Any  # smschat.config.Profile (or any object with its attributes)
    store_path: Path
    runner: SyncRunner
    engine: Any  # smschat.sync.SyncEngine, lives on the runner thread
    ui_store: Any  # smschat.store.Store, a second connection for the UI thread
    clock: Callable[[], datetime] = utc_now
    on_close: list[Callable[[], None]] = field(default_factory=list)
    demo: bool = False

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(normalize(n) for n in self.profile.numbers)

    @property
    def receiving(self) -> bool:
        """A receiver gets the provider's posts (new texts, delivery reports): the engine's sends
        carry its callback URL, and network polling is only a slow safety net."""
        return bool(getattr(self.engine, "callback_url", ""))

    async def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Run `engine.<method>(...)` on the sync thread and await its result."""
        return await self.runner.run(getattr(self.engine, method)(*args, **kwargs))

    def close(self) -> None:
        engine = self.engine

        async def _shutdown() -> None:
            await engine.provider.aclose()
            engine.store.close()

        self.runner.stop(_shutdown())
        self.ui_store.close()
        for hook in reversed(self.on_close):
            hook()


def open_session(
    profile: Any,
    store_path: Path,
    *,
    clock: Callable[[], datetime] = utc_now,
    demo: bool = False,
) -> Session:
    """Open the store twice (engine thread + UI thread) and build the engine; the provider is
    built when the engine first uses it (`LazyProvider`)."""
    from smschat.store import Store
    from smschat.sync import SyncEngine

    def build_provider() -> Any:
        from smschat.providers.factory import make_provider

        return make_provider(profile)

    store_path.parent.mkdir(parents=True, exist_ok=True)
    runner = SyncRunner().start()
    accounts: Sequence[str] = tuple(normalize(n) for n in profile.numbers)

    async def _build() -> Any:
        provider = LazyProvider(build_provider)
        store = Store.open(store_path)
        receiver = getattr(profile, "receiver", None)  # `smschat receive` gets status callbacks
        callback_url = receiver.callback_url(profile.provider) if receiver is not None else ""
        return SyncEngine(provider, store, accounts, clock=clock, callback_url=callback_url)

    engine = runner.call(_build(), timeout=30)
    ui_store = Store.open(store_path)
    return Session(profile, store_path, runner, engine, ui_store, clock=clock, demo=demo)
