"""The idle backoff of incremental refreshes (`smschat.sync.schedule.RefreshSchedule`)."""

from __future__ import annotations

from smschat.sync.schedule import RECEIVER_BASE, RECEIVER_CAP, RefreshSchedule, refresh_schedule


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def waits(schedule: RefreshSchedule, clock: Clock, rounds: int, *, changed: bool = False) -> list[float]:
    """Run `rounds` refreshes as soon as each is due; the waits between them."""
    seen = []
    for _ in range(rounds):
        start = clock.t
        while not schedule.due():
            clock.t += 0.5
        seen.append(clock.t - start)
        schedule.done(changed)
    return seen


def test_first_round_is_due_at_once_then_idle_rounds_double_up_to_the_cap():
    clock = Clock()
    schedule = RefreshSchedule(3, 30, clock)
    assert schedule.due()
    assert waits(schedule, clock, 7) == [0, 3, 6, 12, 24, 30, 30]


def test_news_puts_it_back_to_the_base_interval():
    clock = Clock()
    schedule = RefreshSchedule(3, 30, clock)
    waits(schedule, clock, 6)
    assert schedule.interval == 30
    clock.t += 30
    schedule.done(changed=True)
    assert schedule.interval == 3 and not schedule.due()
    clock.t += 3
    assert schedule.due()


def test_activity_shortens_a_long_wait_and_now_makes_it_due():
    clock = Clock()
    schedule = RefreshSchedule(3, 30, clock)
    waits(schedule, clock, 6)  # next round 30 s away
    schedule.activity()
    assert schedule.interval == 3 and not schedule.due()
    clock.t += 3
    assert schedule.due()
    schedule.done(False)
    schedule.activity(now=True)
    assert schedule.due()


def test_activity_never_postpones_a_round_already_due():
    clock = Clock()
    schedule = RefreshSchedule(3, 30, clock)
    assert schedule.due()
    schedule.activity()
    assert schedule.due()


def test_cap_below_base_is_the_base():
    schedule = RefreshSchedule(5, 1, Clock())
    assert schedule.cap == 5


def test_without_a_receiver_an_idle_client_backs_off_to_ten_intervals():
    clock = Clock()
    schedule = refresh_schedule(3, clock)
    assert waits(schedule, clock, 7) == [0, 3, 6, 12, 24, 30, 30]


def test_with_a_receiver_the_listing_is_a_slow_safety_net():
    clock = Clock()
    schedule = refresh_schedule(3, clock, receiving=True)
    assert (schedule.base, schedule.cap) == (RECEIVER_BASE, RECEIVER_CAP) == (60, 600)
    assert waits(schedule, clock, 7) == [0, 60, 120, 240, 480, 600, 600]
    schedule.activity()  # a send or an opened conversation: still a minute away, not 3 s
    assert not schedule.due()
    clock.t += 59.5
    assert not schedule.due()
    clock.t += 0.5
    assert schedule.due()
    schedule.activity(now=True)  # the agent asked (ctrl+r)
    assert schedule.due()


def test_with_a_receiver_a_slower_poll_interval_stays_slower():
    schedule = refresh_schedule(120, Clock(), receiving=True)
    assert (schedule.base, schedule.cap) == (120, 1200)
