"""Regenerate the README's SVG screenshots from the app itself, on the frozen demo account.

    .venv/bin/python scripts/make_screenshots.py

Each scene runs the real app against the loopback simulator (the same frozen set-up the snapshot
tests use) and saves `screenshots/<name>.svg`.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "ui"))

from snapshot_harness import frozen_app, frozen_session, idle, settle  # noqa: E402


async def scene_chat(pilot) -> None:
    await settle(pilot)


async def scene_reply(pilot) -> None:
    await settle(pilot)
    await pilot.press("n")
    await pilot.press(*"Yes! It's ready, we close at 7pm today")
    await pilot.pause()


async def scene_help(pilot) -> None:
    await settle(pilot)
    await pilot.press("f1")
    await pilot.pause()


async def scene_triage(pilot) -> None:
    await settle(pilot)
    await pilot.press("v", "w")  # the waiting queue, oldest first
    await pilot.pause()


async def scene_templates(pilot) -> None:
    await settle(pilot)
    await pilot.press("v", "w", "N", "ctrl+t", *"ready")
    await pilot.pause(0.3)


async def scene_search(pilot) -> None:
    await settle(pilot)
    await pilot.press("slash", *"brake")
    await pilot.pause(0.6)  # results come after a short pause in typing


SCENES = [
    ("chat-80x24", (80, 24), scene_chat),
    ("reply-80x24", (80, 24), scene_reply),
    ("chat-120x40", (120, 40), scene_chat),
    ("help-80x24", (80, 24), scene_help),
    ("triage-80x24", (80, 24), scene_triage),
    ("templates-80x24", (80, 24), scene_templates),
    ("search-80x24", (80, 24), scene_search),
]


async def shoot(name: str, size: tuple[int, int], scene) -> Path:  # noqa: ANN001
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, frozen_session(Path(tmp)) as session:
        app = frozen_app(session)
        async with app.run_test(size=size) as pilot:
            await scene(pilot)
            app.save_screenshot(f"{name}.svg", str(out))
    return out / f"{name}.svg"


def main() -> int:
    for name, size, scene in SCENES:
        path = asyncio.run(shoot(name, size, scene))
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
