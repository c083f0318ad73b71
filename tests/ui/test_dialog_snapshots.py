"""Snapshots of the new-conversation (m) and export (x) dialogs, and of a new empty thread, at 80x24."""

from __future__ import annotations

from pathlib import Path

from snapshot_harness import frozen_app, frozen_session, idle, settle


def test_new_conversation_dialog_with_a_bad_number(snap_compare, tmp_path):
    async def typing(pilot):
        await settle(pilot)
        await pilot.press("m", *"617 555 01")
        await pilot.pause()

    with frozen_session(tmp_path) as session:
        assert snap_compare(frozen_app(session), terminal_size=(80, 24), run_before=typing)


def test_new_empty_conversation(snap_compare, tmp_path):
    async def opened(pilot):
        await settle(pilot)
        await pilot.press("m", *"+44 20 7946 0000", "enter")
        await idle(pilot)
        await pilot.pause()

    with frozen_session(tmp_path) as session:
        assert snap_compare(frozen_app(session), terminal_size=(80, 24), run_before=opened)


def test_export_dialog(snap_compare, tmp_path, monkeypatch):
    monkeypatch.setattr("smschat.store.export.default_directory", lambda home=None: Path("/home/agent/Downloads"))

    async def exporting(pilot):
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()

    with frozen_session(tmp_path) as session:
        assert snap_compare(frozen_app(session), terminal_size=(80, 24), run_before=exporting)
