from datetime import UTC, datetime, timedelta

import pytest

from smschat.domain.model import ContactSummary, DeliveryStatus, Direction, Message, MessagePage, Status

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def msg(**kw):
    base = dict(
        id="a", to_number="12435678910", from_number="2435670000", body="hi",
        direction=Direction.OUTBOUND, status=Status.SENT, requested_at=NOW,
    )
    base.update(kw)
    return Message(**base)


def test_naive_timestamps_are_refused():
    with pytest.raises(ValueError):
        msg(requested_at=datetime(2026, 1, 1))


def test_customer_and_account_by_direction():
    out = msg()
    assert out.customer_number() == "12435678910" and out.account_number() == "12435670000"
    inbound = msg(direction=Direction.INBOUND, status=Status.RECEIVED, to_number="2435670000", from_number="12435678910")
    assert inbound.customer_number() == "12435678910" and inbound.account_number() == "12435670000"


@pytest.mark.parametrize(
    ("status", "delivery", "final"),
    [
        (Status.QUEUED, DeliveryStatus.UNKNOWN, False),
        (Status.SENT, DeliveryStatus.UNKNOWN, False),
        (Status.SENT, DeliveryStatus.DELIVERED, True),
        (Status.SENT, DeliveryStatus.UNDELIVERED, True),
        (Status.SENT, DeliveryStatus.UNCONFIRMED, True),
        (Status.FAILURE, DeliveryStatus.UNKNOWN, True),
    ],
)
def test_final_states(status, delivery, final):
    assert msg(status=status, delivery=delivery).is_final is final


def test_status_window_is_seven_days():
    m = msg()
    assert not m.past_status_window(NOW + timedelta(days=6, hours=23))
    assert m.past_status_window(NOW + timedelta(days=7, seconds=1))


def test_status_parsing_is_tolerant_of_case_and_aliases():
    assert Status.parse(" Sent ") is Status.SENT
    assert Status.parse("failed") is Status.FAILURE
    assert DeliveryStatus.parse("") is DeliveryStatus.UNKNOWN
    with pytest.raises(ValueError):
        Status.parse("exploded")


def test_page_next_offset():
    m = msg()
    assert MessagePage((m,) * 50, offset=0, limit=50, total=120).next_offset == 50
    assert MessagePage((m,) * 20, offset=100, limit=50, total=120).next_offset is None
    assert MessagePage((), offset=0, limit=50, total=5).next_offset is None


def test_contact_waiting_when_last_message_is_inbound():
    inbound = msg(direction=Direction.INBOUND, status=Status.RECEIVED)
    assert ContactSummary("1", "2", inbound).waiting
    assert not ContactSummary("1", "2", msg()).waiting


def test_relative_time_labels():
    from smschat.domain.timefmt import relative, waited

    assert relative(NOW - timedelta(seconds=10), NOW) == "now"
    assert relative(NOW - timedelta(minutes=5), NOW) == "5m"
    assert relative(NOW - timedelta(hours=3, minutes=59), NOW) == "3h"
    assert relative(NOW - timedelta(days=2), NOW) == "Sat"
    assert relative(NOW - timedelta(days=30), NOW) == "24 Oct"
    assert relative(NOW - timedelta(days=400), NOW) == "19 Oct 25"
    assert relative(None, NOW) == "—"
    assert waited(NOW - timedelta(hours=2, minutes=5), NOW) == "2h 5m"
    assert waited(NOW - timedelta(days=3, hours=4), NOW) == "3d 4h"
