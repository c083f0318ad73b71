"""Snapshots of the main screens at 80x24 and 120x40, from a frozen demo account."""

from __future__ import annotations

import pytest
from snapshot_harness import frozen_app, frozen_session, idle, settle

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_chat_screen(snap_compare, tmp_path, size):
    with frozen_session(tmp_path) as session:
        assert snap_compare(frozen_app(session), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_composing_a_reply(snap_compare, tmp_path, size):
    async def typing(pilot):
        await settle(pilot)
        await pilot.press("n")
        await pilot.press(*"Yes! It's ready, we close at 7pm today")
        await idle(pilot)
        await pilot.pause()

    with frozen_session(tmp_path) as session:
        assert snap_compare(frozen_app(session), terminal_size=size, run_before=typing)


def test_help_screen(snap_compare, tmp_path):
    async def help_open(pilot):
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()

    with frozen_session(tmp_path) as session:
        assert snap_compare(frozen_app(session), terminal_size=(80, 24), run_before=help_open)


def test_filtered_contacts(snap_compare, tmp_path):
    async def filtering(pilot):
        await settle(pilot)
        await pilot.press("f", *"bike")
        await idle(pilot)
        await pilot.pause()

    with frozen_session(tmp_path) as session:
        assert snap_compare(frozen_app(session), terminal_size=(80, 24), run_before=filtering)
