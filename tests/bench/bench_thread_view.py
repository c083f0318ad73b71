"""Bench the thread view: ms to first paint for 1k/10k messages, p95 ms keypress -> repaint.

Not a test; prints figures. Run from the repository root:

    /work/venv/bin/python tests/bench/bench_thread_view.py

"First paint" is `set_messages` plus the app settling (`pilot.pause()`, which lets the compositor
render the screen) in a headless 80x24 app. Key latency is given twice: one `pilot.press` round
trip (next to the same round trip for an unbound key, which is the test harness's own floor), and
the view's own work per key (the action plus drawing every visible line, as a repaint does).
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
WORDS = "hello order lamp shipping tomorrow thanks refund tracking number please call back ok".split()
EMOJI = ["😀", "👍", "🙏", "👨‍👩‍👧", "café"]


def make_thread(count: int, seed: int = 7, *, heavy: bool = False) -> list[Message]:
    """A thread of `count` records. Typical: most bodies 1-25 words, one in ten 25-100, emoji in
    15%. Heavy: 2-60 words and emoji in nearly every body (more cell-width work per message)."""
    rng = random.Random(seed)
    messages: list[Message] = []
    when = NOW - timedelta(minutes=17 * count)
    index = 0
    while len(messages) < count:
        when += timedelta(minutes=rng.randint(1, 30))
        out = rng.random() < 0.5
        words = rng.randint(2, 60) if heavy else (rng.randint(25, 100) if rng.random() < 0.1 else rng.randint(1, 25))
        pool = WORDS + EMOJI if heavy or rng.random() < 0.15 else WORDS
        body = " ".join(rng.choice(pool) for _ in range(words))
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


async def first_paint(count: int, heavy: bool = False) -> tuple[float, float]:
    messages = make_thread(count, heavy=heavy)
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


KEYS = ["up"] * 60 + ["pageup"] * 40 + ["down"] * 40 + ["pagedown"] * 40 + ["k"] * 20
ACTIONS = {"up": "cursor_up", "k": "cursor_up", "down": "cursor_down", "pageup": "page_up", "pagedown": "page_down"}


async def key_latency(count: int) -> tuple[list[float], list[float], list[float], float]:
    """Per key: pilot.press (whole round trip), an unbound key (the harness floor), and the view's
    own work (the action plus drawing every visible line, as a repaint asks for)."""
    messages = make_thread(count)
    app = Host()
    pressed: list[float] = []
    floor: list[float] = []
    direct: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ThreadView)
        view.focus()
        view.set_messages(messages, has_older=False)
        await pilot.pause()
        for key in KEYS:
            start = time.perf_counter()
            await pilot.press(key)
            pressed.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            await pilot.press("f12")
            floor.append((time.perf_counter() - start) * 1000)
        await pilot.press("end")
        for key in KEYS:
            start = time.perf_counter()
            getattr(view, f"action_{ACTIONS[key]}")()
            for y in range(view.scrollable_content_region.height):
                view.render_line(y)
            direct.append((time.perf_counter() - start) * 1000)
            await pilot.pause()
        await pilot.press("end")
        start = time.perf_counter()
        view.action_first()  # Home: lays out everything still hidden, then shows the oldest
        for y in range(view.scrollable_content_region.height):
            view.render_line(y)
        home_ms = (time.perf_counter() - start) * 1000
    return pressed, floor, direct, home_ms


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def main() -> None:
    for heavy in (False, True):
        for count in (1_000, 10_000):
            runs = [await first_paint(count, heavy) for _ in range(3)]
            set_ms = min(r[0] for r in runs)
            paint_ms = min(r[1] for r in runs)
            kind = "heavy" if heavy else "typical"
            print(f"{count:>6} {kind:7} messages: set_messages {set_ms:6.1f} ms, first paint {paint_ms:6.1f} ms (best of 3)")
    for count in (1_000, 10_000):
        pressed, floor, direct, home_ms = await key_latency(count)
        print(
            f"{count:>6} messages, {len(pressed)} scroll keys: pilot.press p50 {statistics.median(pressed):5.1f} ms "
            f"p95 {p95(pressed):5.1f} ms (unbound-key floor p50 {statistics.median(floor):5.1f} ms); "
            f"view action+repaint p50 {statistics.median(direct):5.2f} ms p95 {p95(direct):5.2f} ms "
            f"max {max(direct):5.2f} ms; Home (lay out all) {home_ms:5.1f} ms"
        )


if __name__ == "__main__":
    asyncio.run(main())
