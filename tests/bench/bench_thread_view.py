"""Bench the thread view: ms to first paint for 1k/10k messages, p95 ms keypress -> repaint.

Not a test; prints figures. Run from the repository root:

    /work/venv/bin/python tests/bench/bench_thread_view.py

"First paint" is `set_messages` plus the app settling (`pilot.pause()`, which lets the compositor
render the screen) in a headless 80x24 app; the key figure is one `pilot.press` (the key is
dispatched, the view scrolls and the screen is rendered before the pilot returns).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult

from smschat.domain.model import DeliveryStatus, Direction, Message, Status
from smschat.ui.widgets.thread_view import WIDGETS_TCSS, ThreadView

NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)
WORDS = "hello order lamp shipping tomorrow thanks refund tracking number please call back 😀 ok".split()


def make_thread(count: int, seed: int = 7) -> list[Message]:
    rng = random.Random(seed)
    messages: list[Message] = []
    when = NOW - timedelta(minutes=17 * count)
    index = 0
    while len(messages) < count:
        when += timedelta(minutes=rng.randint(1, 30))
        out = rng.random() < 0.5
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 60)))
        if rng.random() < 0.05:
            body += "\nsecond line\n\tindented"
        parts: tuple[str, ...] = ()
        count_parts = 2 if out and rng.random() < 0.1 else 1
        ids = tuple(f"m{index + p:06d}" for p in range(count_parts))
        if count_parts > 1:
            parts = ids
        for part_id in ids:
            messages.append(
                Message(
                    id=part_id,
                    to_number="15551112222" if out else "15550000001",
                    from_number="15550000001" if out else "15551112222",
                    body=body[: len(body) // count_parts],
                    direction=Direction.OUTBOUND if out else Direction.INBOUND,
                    status=Status.SENT if out else Status.RECEIVED,
                    delivery=DeliveryStatus.DELIVERED if out else DeliveryStatus.UNKNOWN,
                    requested_at=when,
                    parts=parts,
                )
            )
        index += count_parts
    return messages[:count]


class Host(App):
    CSS_PATH = WIDGETS_TCSS

    def compose(self) -> ComposeResult:
        yield ThreadView(clock=lambda: NOW, tz=UTC)


async def first_paint(count: int) -> tuple[float, float]:
    messages = make_thread(count)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ThreadView)
        view.focus()
        await pilot.pause()
        start = time.perf_counter()
        view.set_messages(messages, has_older=False)
        set_ms = (time.perf_counter() - start) * 1000
        await pilot.pause()
        paint_ms = (time.perf_counter() - start) * 1000
    return set_ms, paint_ms


async def key_latency(count: int, presses: int = 200) -> list[float]:
    messages = make_thread(count)
    app = Host()
    timings: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ThreadView)
        view.focus()
        view.set_messages(messages, has_older=False)
        await pilot.pause()
        keys = ["up"] * 60 + ["pageup"] * 40 + ["down"] * 40 + ["pagedown"] * 40 + ["k"] * 20
        for key in keys[:presses]:
            start = time.perf_counter()
            await pilot.press(key)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def main() -> None:
    for count in (1_000, 10_000):
        runs = [await first_paint(count) for _ in range(3)]
        set_ms = min(r[0] for r in runs)
        paint_ms = min(r[1] for r in runs)
        print(f"{count:>6} messages: set_messages {set_ms:7.1f} ms, first paint {paint_ms:7.1f} ms (best of 3)")
    for count in (1_000, 10_000):
        timings = await key_latency(count)
        print(
            f"{count:>6} messages: keypress->repaint p50 {statistics.median(timings):5.2f} ms, "
            f"p95 {p95(timings):5.2f} ms, max {max(timings):5.2f} ms ({len(timings)} presses)"
        )


if __name__ == "__main__":
    asyncio.run(main())
