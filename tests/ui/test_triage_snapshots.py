"""Snapshots of the triage views at 80x24 (frozen demo account, UTC): the waiting queue, the view
picker, the snooze picker, the contact editor, and a conversation marked done."""

from __future__ import annotations

from snapshot_harness import frozen_app, frozen_session, idle, settle

SIZE = (80, 24)


def _snap(snap_compare, tmp_path, *keys: str) -> bool:
    async def run(pilot):
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await idle(pilot)
        await pilot.pause()

    with frozen_session(tmp_path) as session:
        return snap_compare(frozen_app(session), terminal_size=SIZE, run_before=run)


def test_waiting_queue(snap_compare, tmp_path):
    assert _snap(snap_compare, tmp_path, "v", "w", "escape")  # the list focused, oldest waiting first


def test_view_picker(snap_compare, tmp_path):
    assert _snap(snap_compare, tmp_path, "v")


def test_snooze_picker(snap_compare, tmp_path):
    assert _snap(snap_compare, tmp_path, "v", "w", "N", "escape", "z")


def test_contact_editor(snap_compare, tmp_path):
    assert _snap(snap_compare, tmp_path, "v", "w", "N", "escape", "a", *"Dana Whitfield", "tab", *"Road bike, size 54")


def test_done_view_after_marking_one(snap_compare, tmp_path):
    assert _snap(snap_compare, tmp_path, "v", "w", "N", "escape", "d", "v", "d")
