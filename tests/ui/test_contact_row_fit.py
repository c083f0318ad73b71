"""The contact row at 80x24 and narrower: the customer's number is what stays readable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.cells import cell_len

from smschat.ui.widgets.contact_list import fit_title, wake_label

NUMBER = "(978) 555-0126"


def test_name_and_number_when_they_fit():
    assert fit_title("Grace Liu", NUMBER, 30) == f"Grace Liu {NUMBER}"


def test_the_name_is_shortened_before_the_number():
    title = fit_title("Dana Whitfield-Montgomery", NUMBER, 22)
    assert title.endswith(NUMBER) and title.startswith("Dana") and "…" in title
    assert cell_len(title) <= 22


def test_a_name_with_no_room_left_stands_alone():
    assert fit_title("Grace Liu", NUMBER, 18) == "Grace Liu"
    assert fit_title("Bartholomew Featherstonehaugh", NUMBER, 10) == "Bartholom…"


def test_no_name_is_the_number():
    assert fit_title("", NUMBER, 30) == NUMBER


def test_wake_label_today_is_a_time_later_a_day():
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert ":" in wake_label(now + timedelta(hours=1), now)
    assert ":" not in wake_label(now + timedelta(days=3), now)
