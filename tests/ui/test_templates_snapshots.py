"""Snapshot of the canned-reply picker at 80x24 (frozen demo: its four bike-shop templates)."""

from __future__ import annotations

from snapshot_harness import frozen_app, frozen_session, idle, settle


def test_template_picker(snap_compare, tmp_path):
    async def picking(pilot):
        await settle(pilot)
        await pilot.press("n", *"Thanks! ", "ctrl+t", *"rep")  # from the composer; a name match, a fuzzy one, one in the text
        await idle(pilot)
        await pilot.pause()

    with frozen_session(tmp_path) as session:
        assert snap_compare(frozen_app(session), terminal_size=(80, 24), run_before=picking)
