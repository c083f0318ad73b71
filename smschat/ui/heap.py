"""The garbage collector and a long-running TUI: keep full collections off the keypress path.

CPython's full (generation 2) collection walks every object the collector tracks. Once the chat
screen is up the process holds about 90,000 of them (modules, classes, Textual's and smschat's own,
the contact list), and the objects each repaint leaves behind trigger a full collection every
second or so of typing: 50-80 ms on the UI thread, one keypress in twenty visibly late (the scale
bench's keypress p95, `tests/bench/bench_scale.py`). `gc.freeze()` moves what exists at that point
into a permanent generation the collector skips, so later full collections walk only what was made
since. Collections still run; nothing made later is exempt.

Frozen objects that become unreachable are still freed by reference counting, but cycles among them
would never be collected: the chat screen thaws the heap when it goes (the app quits, another
profile's session replaces it, a test ends), so a screen frozen while alive is collected after.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect once (start-up garbage must not be kept), then exempt what survives from later
    collections. Call when start-up is done: the first screen painted, its data loaded."""
    gc.collect()
    gc.freeze()


def thaw_heap() -> None:
    """Hand every frozen object back to the collector (the next full collection walks them)."""
    gc.unfreeze()
