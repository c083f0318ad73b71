"""Snooze times typed by the agent, and the presets the snooze picker offers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from smschat.domain.triage import BadSnooze, parse_snooze, snooze_presets

TZ = timezone(timedelta(hours=-5))
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=TZ)  # a Monday afternoon


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", NOW + timedelta(minutes=30)),
        ("2h", NOW + timedelta(hours=2)),
        (" 3 days ", NOW + timedelta(days=3)),
        ("1w", NOW + timedelta(weeks=1)),
        ("16:30", NOW.replace(hour=16, minute=30)),
        ("14:30", (NOW + timedelta(days=1)).replace(hour=14, minute=30)),  # past today: tomorrow
        ("2pm", (NOW + timedelta(days=1)).replace(hour=14, minute=0)),
        ("5 PM", NOW.replace(hour=17)),
        ("12am", (NOW + timedelta(days=1)).replace(hour=0)),
    ],
)
def test_typed_snooze_times(text, expected):
    assert parse_snooze(text, NOW) == expected


@pytest.mark.parametrize("text", ["", "soon", "0m", "25:00", "13pm", "7", "91d", "9:75", "-2h"])
def test_bad_snooze_times_say_what_to_type(text):
    with pytest.raises(BadSnooze) as err:
        parse_snooze(text, NOW)
    assert str(err.value)


def test_presets_are_in_the_future_and_next_week_is_a_monday_morning():
    presets = snooze_presets(NOW)
    assert [key for key, _, _ in presets] == ["h", "l", "t", "n"]  # letters: typed times start with a digit
    assert all(when > NOW for _, _, when in presets)
    tomorrow, monday = presets[2][2], presets[3][2]
    assert (tomorrow.day, tomorrow.hour, tomorrow.minute) == (24, 9, 0)
    assert monday.weekday() == 0 and monday.hour == 9 and monday.date() == datetime(2026, 11, 30).date()
