"""The soak, shortened: the real app against the simulator with 20% of requests faulted while
customers text in and replies go out through the composer (see `tests/bench/soak.py`, which runs
the long version and prints the figures)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "bench"))

from soak import soak  # noqa: E402


@pytest.mark.slow
async def test_soak_under_faults_loses_nothing_and_sends_nothing_twice(tmp_path):
    figures = await soak(seconds=25, max_requests=6000, workdir=tmp_path)
    print(figures.report())
    assert figures.requests >= 300 and figures.messages_in >= 50 and figures.replies >= 10
    assert 0.10 <= sum(figures.faults.values()) / figures.requests <= 0.30  # about one request in five
    assert figures.duplicates == 0
    assert figures.lost_inbound == [] and figures.lost_replies == [] and figures.lost_drafts == []
    assert figures.not_on_screen == []
    assert figures.responsive
