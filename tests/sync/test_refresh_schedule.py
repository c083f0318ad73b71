"""The idle backoff of incremental refreshes (`smschat.sync.schedule.RefreshSchedule`)."""

from __future__ import annotations

from smschat.sync.schedule import RefreshSchedule


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
