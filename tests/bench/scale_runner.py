"""Child process of `bench_scale.py`: starts the real app (or a minimal Textual app) and reports.

Run by the bench under a pseudo-terminal (a real LinuxDriver, real writes), never by hand:

    python tests/bench/scale_runner.py SPEC.json

SPEC (JSON): {"mode": "app" | "minimal", "out": results file (JSON lines appended), and for "app":
"base_url", "username", "password", "numbers", "format", "store", "first_sync", "settle_statuses",
"wait_sync", "scenarios" (["open_big", "page_oldest", "keys_idle", "keys"]), "big_customer",
"idle_seconds", "keys", "resync_messages", "verify_oldest"; for investigations: "profile" (cProfile
of start-up to the first paint, to this path), "profile_keys" (of the key scenarios), and
"switch_interval" (sys.setswitchinterval)}.

"Painted" is the first frame the app hands to the terminal (`App._display` with a compositor
update) in which the contact list has drawn rows (the minimal app: its first frame). A frame probe
resolves waits on the frame after which a condition holds, so every latency here runs from the
moment an input is posted to the end of the repaint that shows its effect.
"""

from __future__ import annotations

import time

PROCESS_T0 = time.time()  # noqa: E402 - as early as possible

import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

SPEC: dict[str, Any] = json.loads(open(sys.argv[1], encoding="utf-8").read())
PROFILER = None
if SPEC.get("profile"):  # cProfile of the main thread from here to the first paint
    import cProfile

    PROFILER = cProfile.Profile()
    PROFILER.enable()
OUT = open(SPEC["out"], "a", encoding="utf-8")  # noqa: SIM115


PHASES: dict[str, float] = {}


def mark(name: str) -> None:
    PHASES[name] = round(time.time() - PROCESS_T0, 4)


def emit(event: str, **fields: Any) -> None:
    OUT.write(json.dumps({"event": event, "wall": time.time(), **fields}) + "\n")
    OUT.flush()


class FrameProbe:
    """Wraps `app._display` (called once per compositor refresh) to resolve waits on frames."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.frames = 0
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        self.wall_at: dict[float, float] = {}  # perf_counter() of a resolved frame -> time.time()
        self.cpu_at: dict[float, float] = {}  # ... -> the UI thread's CPU time (time.thread_time())
        self.press_cpu = 0.0  # the UI thread's CPU time when the last key was posted
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            written = renderable is not None and not app._batch_count
            original(screen, renderable)
            if not written:
                return
            self.frames += 1
            now = time.perf_counter()
            for item in list(self._waiters):
                predicate, future = item
                if future.done():
                    self._waiters.remove(item)
                elif predicate():
                    self.wall_at[now] = time.time()
                    self.cpu_at[now] = time.thread_time()
                    future.set_result(now)
                    self._waiters.remove(item)

        app._display = display

    async def frame_when(self, predicate: Callable[[], bool], timeout: float = 20.0) -> float:
        """perf_counter() at the end of the first frame after which `predicate()` holds."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        return await asyncio.wait_for(future, timeout)


def p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


# --------------------------------------------------------------------------------------- minimal
def run_minimal() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Footer()

        def on_mount(self) -> None:
            probe = FrameProbe(self)

            async def watch() -> None:
                frame = await probe.frame_when(lambda: True)
                OUT.write(json.dumps({"event": "painted", "wall": probe.wall_at[frame]}) + "\n")
                OUT.flush()
                self.exit()

            self.run_worker(watch())

    Minimal().run()


# ------------------------------------------------------------------------------------------- app
def run_app() -> None:
    from smschat.config import Profile
    from smschat.session import open_session
    from smschat.ui.app import SmsChatApp
    from smschat.ui.widgets.contact_list import ContactList
    from smschat.ui.widgets.thread_view import ThreadView

    counts = {"contact_rows": 0, "thread": 0}
    contact_render, thread_render = ContactList.render_line, ThreadView.render_line

    def counted_contact(self: Any, y: int) -> Any:
        if self._contacts:
            counts["contact_rows"] += 1
        return contact_render(self, y)

    def counted_thread(self: Any, y: int) -> Any:
        counts["thread"] += 1
        return thread_render(self, y)

    ContactList.render_line = counted_contact  # type: ignore[method-assign]
    ThreadView.render_line = counted_thread  # type: ignore[method-assign]

    from pathlib import Path

    mark("imported")
    profile = Profile(
        name="bench", provider="plum", base_url=SPEC["base_url"], format=SPEC.get("format", "json"),
        username=SPEC["username"], password=SPEC["password"], numbers=tuple(SPEC["numbers"]),
    )
    if SPEC.get("switch_interval"):
        sys.setswitchinterval(float(SPEC["switch_interval"]))
    session = open_session(profile, Path(SPEC["store"]))
    mark("session_open")
    if SPEC.get("first_sync"):
        start = time.perf_counter()
        session.runner.call(session.engine.refresh(), timeout=600)
        emit("first_sync", seconds=time.perf_counter() - start)
    if SPEC.get("settle_statuses"):
        settle_statuses(session)

    import smschat.ui.app as app_module

    class BenchApp(SmsChatApp):
        # a subclass resolves CSS paths next to its own module: point them back at the app's
        CSS_PATH = [str(Path(app_module.__file__).parent / path) for path in SmsChatApp.CSS_PATH]

        def on_mount(self) -> None:  # runs after SmsChatApp.on_mount (Textual calls each class's)
            mark("app_mounted")
            self.probe = FrameProbe(self)
            self.run_worker(drive(self, session, counts), exit_on_error=False)

    app = BenchApp(session)
    try:
        app.run()
    finally:
        session.close()
    emit("exit", maxrss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def settle_statuses(session: Any) -> None:
    """Poll every pending status the first sync left (outbound records of the last 7 days: the
    listing carries no delivery status), the way the app's timer would, until none is due."""
    engine = session.engine
    start = time.perf_counter()
    rounds = 0
    while rounds < 1000:
        due = engine.store.status_due(engine.clock(), limit=1)
        if not due:
            break
        session.runner.call(engine.poll_statuses(), timeout=600)
        rounds += 1
    pending = len(engine.store.pending_status(engine.clock()))
    emit("settled", seconds=time.perf_counter() - start, rounds=rounds, still_pending=pending)


async def drive(app: Any, session: Any, counts: dict[str, int]) -> None:
    from smschat.domain.numbers import normalize
    from smschat.ui.screens.chat import ChatScreen

    probe: FrameProbe = app.probe
    try:
        frame = await probe.frame_when(lambda: isinstance(app.screen, ChatScreen) and counts["contact_rows"] > 0, 60)
        wall = probe.wall_at[frame]  # the frame's end (work queued after it runs before we resume)
        PHASES["painted"] = round(wall - PROCESS_T0, 4)
        OUT.write(json.dumps({"event": "painted", "wall": wall, "contacts": len(app.screen.contacts.contacts),
                              "phases": PHASES}) + "\n")
        OUT.flush()
        if PROFILER is not None:
            PROFILER.disable()
            PROFILER.dump_stats(SPEC["profile"])
        screen = app.screen
        if SPEC.get("wait_sync") or SPEC.get("scenarios"):
            deadline = time.monotonic() + 120
            while not screen._initial_synced and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            emit("initial_sync_done", ok=screen._initial_synced)
        big = (normalize(SPEC.get("big_customer", "")), normalize(SPEC["numbers"][0]))
        for name in SPEC.get("scenarios", []):
            await SCENARIOS[name](app, screen, session, counts, big)
        if SPEC.get("idle_seconds"):
            await asyncio.sleep(float(SPEC["idle_seconds"]))
            emit("idle_end")
    except Exception:  # noqa: BLE001 - report, then leave
        emit("error", traceback=traceback.format_exc())
    app.exit()


async def select_contact(app: Any, screen: Any, counts: dict[str, int], key: tuple[str, str]) -> float:
    """Move the contact cursor to `key` (what ↑/↓ does) and time it to the frame showing its thread."""
    if screen.open_key == key:
        return 0.0  # shown already
    mark = counts["thread"]
    start = time.perf_counter()
    if not screen.contacts.select_key(key):
        raise RuntimeError(f"no contact {key}")
    end = await app.probe.frame_when(
        lambda: screen.open_key == key and screen.thread.item_count > 0 and counts["thread"] > mark
    )
    return (end - start) * 1000


async def other_contact(app: Any, screen: Any, counts: dict[str, int], big: tuple[str, str]) -> None:
    other = next(c.key for c in screen.contacts.contacts if c.key != big)
    await select_contact(app, screen, counts, other)


async def scenario_open_big(app: Any, screen: Any, session: Any, counts: dict[str, int], big: tuple[str, str]) -> None:
    times = []
    for _ in range(int(SPEC.get("open_repeats", 5))):
        await other_contact(app, screen, counts, big)
        await asyncio.sleep(0.2)  # let the previous conversation's fetch finish
        times.append(await select_contact(app, screen, counts, big))
        await asyncio.sleep(0.2)
    total = session.ui_store.thread_count(*big)
    emit("open_big", ms=times, thread_count=total, shown=screen.thread.item_count)


async def press(app: Any, key: str) -> float:
    """Post a key event as the terminal driver does; returns perf_counter() at the post."""
    from textual import events

    char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    app.probe.press_cpu = time.thread_time()
    start = time.perf_counter()
    app.post_message(event)
    return start


async def scenario_page_oldest(app: Any, screen: Any, session: Any, counts: dict[str, int], big: tuple[str, str]) -> None:
    """Home in the open 10k thread until the oldest message is on screen and nothing older exists:
    each Home shows what is loaded, reaches the top, and the screen answers NeedOlder with the next
    page from the store (then one conversation request that finds nothing older)."""
    if screen.open_key != big:
        await select_contact(app, screen, counts, big)
    thread = screen.thread
    thread.focus()
    await app.probe.frame_when(lambda: thread.has_focus)
    presses, steps = 0, []
    start = time.perf_counter()
    while presses < 500:
        before = (thread.item_count, thread.has_older)
        at_oldest = not thread.has_older and thread.selected_item is not None and thread.items and (
            thread.selected_item.id == thread.items[0].id and round(thread.scroll_y) == 0
        )
        if at_oldest:
            break
        step_start = await press(app, "home")
        presses += 1
        mark = counts["thread"]

        def moved(before: tuple[int, bool] = before, mark: int = mark) -> bool:
            if counts["thread"] <= mark or thread._older_requested:
                return False
            if (thread.item_count, thread.has_older) != before:
                return True
            return round(thread.scroll_y) == 0 and thread.selected_item is not None and (
                thread.selected_item.id == thread.items[0].id and not thread.has_older
            )

        end = await app.probe.frame_when(moved, 30)
        steps.append((end - step_start) * 1000)
    total_ms = (time.perf_counter() - start) * 1000
    oldest = session.ui_store.thread(*big, limit=10**9)[0].id if SPEC.get("verify_oldest") else None
    emit(
        "page_oldest", ms=total_ms, presses=presses, items=thread.item_count, has_older=thread.has_older,
        step_p50=statistics.median(steps) if steps else 0.0, step_max=max(steps) if steps else 0.0,
        oldest_ok=(oldest is None or (thread.items and oldest in thread.items[0].ids)),
    )


async def scenario_keys_idle(app: Any, screen: Any, session: Any, counts: dict[str, int], big: tuple[str, str]) -> None:
    """The same keys with no sync running: the floor the figure during a sync compares with."""
    await scenario_keys(app, screen, session, counts, big, sync=False)


async def scenario_keys(
    app: Any, screen: Any, session: Any, counts: dict[str, int], big: tuple[str, str], *, sync: bool = True
) -> None:
    """Keypress -> repaint while a sync brings in new messages: before each sync the newest
    `resync_messages` records are dropped from the store (and the cursor set back), so the
    screen's own sync worker fetches them again: list pages parsed and upserted on the sync
    thread, progress in the status bar, a StoreChanged with every conversation it touched at the
    end. Keys: down/j in the contact list (each opens that conversation), then up/k and down/j in
    the 10k thread."""
    from smschat.store import summaries
    from smschat.sync.engine import CURSOR

    count = int(SPEC.get("resync_messages", 20_000))

    async def rewind() -> None:  # on the sync thread, with the engine's own store connection
        store = session.engine.store
        # under the engine's refresh lock: a polling round's refresh that began before the rewind
        # would otherwise put the cursor back after it, and nothing deleted would come back
        async with session.engine._refresh_lock:  # noqa: SLF001 - bench set-up
            with store._write() as conn:  # noqa: SLF001
                row = conn.execute("SELECT ts FROM messages ORDER BY ts DESC LIMIT 1 OFFSET ?", (count,)).fetchone()
                cut = int(row[0])
                conn.execute("DELETE FROM messages WHERE ts > ?", (cut,))
                summaries.rebuild_all(conn)
            store.set_cursor(CURSOR, str(cut + int(session.engine.overlap.total_seconds())))

    syncs = 0
    worker = None
    with session.ui_store._read() as conn:  # noqa: SLF001
        stored_before = conn.execute("SELECT count(*) FROM messages").fetchone()[0]

    async def ensure_sync() -> None:
        nonlocal worker, syncs
        if worker is None or worker.is_finished:
            await session.runner.run(rewind())
            worker = screen.initial_sync()
            syncs += 1
            await asyncio.sleep(0.05)  # let it start

    rng = random.Random(5)
    per_pane = int(SPEC.get("keys", 100))
    results: dict[str, list[float]] = {"contacts": [], "thread": []}
    cpu: dict[str, list[float]] = {"contacts": [], "thread": []}  # the UI thread's CPU ms for each
    skipped = lost = 0
    profiler = None
    if SPEC.get("profile_keys"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    contacts = screen.contacts
    contacts.focus()
    contacts.cursor = 0
    await asyncio.sleep(0.3)
    plan: list[tuple[str, str]] = [("contacts", "down" if i % 2 else "j") for i in range(per_pane)]
    half = per_pane // 2
    plan += [("thread", "up" if i % 2 else "k") for i in range(half)]
    plan += [("thread", "down" if i % 2 else "j") for i in range(per_pane - half)]
    pane = "contacts"
    for where, key in plan:
        if where != pane:
            pane = where
            if screen.open_key != big:
                await select_contact(app, screen, counts, big)
            screen.thread.focus()
            await asyncio.sleep(0.2)
        while sync:  # press only while a sync is running
            await ensure_sync()
            await asyncio.sleep(rng.uniform(0.02, 0.06))  # a fast typist's cadence
            if not worker.is_finished:
                break
            skipped += 1
        mark = counts["thread"]
        if where == "contacts":
            was = contacts.highlighted.key if contacts.highlighted else None

            def shown(was: Any = was, mark: int = mark) -> bool:
                h = contacts.highlighted
                return h is not None and h.key != was and screen.open_key == h.key and counts["thread"] > mark
        else:
            thread = screen.thread
            before = thread._cursor
            if key in ("down", "j") and thread.items and thread.selected_item is thread.items[-1]:
                key = "up" if key == "down" else "k"  # nothing below the newest: go the other way

            def shown(before: Any = before, mark: int = mark) -> bool:
                return screen.thread._cursor != before and counts["thread"] > mark

        start = await press(app, key)
        try:
            end = await app.probe.frame_when(shown, 5)
        except asyncio.TimeoutError:
            lost += 1  # no visible effect (should not happen): reported, not timed
            continue
        results[where].append((end - start) * 1000)
        cpu[where].append((app.probe.cpu_at[end] - app.probe.press_cpu) * 1000)
    if worker is not None and not worker.is_finished:
        await worker.wait()
    with session.ui_store._read() as conn:  # noqa: SLF001 - every re-pulled message is back
        stored_after = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(SPEC["profile_keys"])
    every = results["contacts"] + results["thread"]
    emit(
        "keys" if sync else "keys_idle", contacts_ms=results["contacts"], thread_ms=results["thread"],
        contacts_cpu_ms=cpu["contacts"], thread_cpu_ms=cpu["thread"], syncs=syncs, skipped=skipped, lost=lost,
        stored=[stored_before, stored_after],
        p50=statistics.median(every), p95=p(every, 95), max=max(every),
        cpu_p50=statistics.median(cpu["contacts"] + cpu["thread"]), cpu_p95=p(cpu["contacts"] + cpu["thread"], 95),
    )


SCENARIOS = {
    "open_big": scenario_open_big,
    "page_oldest": scenario_page_oldest,
    "keys_idle": scenario_keys_idle,
    "keys": scenario_keys,
}


def main() -> None:
    try:
        if SPEC["mode"] == "minimal":
            run_minimal()
            emit("exit", maxrss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        else:
            run_app()
    except BaseException:
        emit("error", traceback=traceback.format_exc())
        raise
    finally:
        OUT.close()
    os._exit(0)  # do not wait on daemon threads (the sync runner is already stopped)


if __name__ == "__main__":
    main()
