"""ThreadView: bubbles, marks, untrusted text, cell widths, scrolling, paging, tail, snapshots."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from textual.app import App, ComposeResult

from smschat.domain.model import DeliveryStatus, Direction, Message, Status
from smschat.domain.thread import UNCERTAIN_PREFIX, thread_items
from smschat.ui.widgets.bubbles import Palette, measure, render, text_width, wrap_text
from smschat.ui.widgets.grouping import group_messages
from smschat.ui.widgets.thread_view import WIDGETS_TCSS, ThreadView

NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)  # a Wednesday
CUSTOMER, ACCOUNT = "15551112222", "15550000001"


def msg(
    n: int,
    body: str = "hello",
    *,
    out: bool = False,
    at: datetime | None = None,
    status: Status | None = None,
    delivery: DeliveryStatus = DeliveryStatus.UNKNOWN,
    parts: tuple[str, ...] = (),
    error: str = "",
    mid: str | None = None,
) -> Message:
    return Message(
        id=mid or f"m{n:05d}",
        to_number=CUSTOMER if out else ACCOUNT,
        from_number=ACCOUNT if out else CUSTOMER,
        body=body,
        direction=Direction.OUTBOUND if out else Direction.INBOUND,
        status=status or (Status.SENT if out else Status.RECEIVED),
        delivery=delivery,
        requested_at=at or NOW - timedelta(minutes=100_000 - n),
        parts=parts,
        error=error,
    )


def conversation(count: int, start: int = 0) -> list[Message]:
    """`count` alternating messages, one a minute, ending `start` minutes before NOW-10m."""
    base = NOW - timedelta(minutes=10 + start + count)
    return [
        msg(start + i, f"message number {start + i}", out=i % 2 == 1, at=base + timedelta(minutes=i))
        for i in range(count)
    ]


class Host(App):
    CSS_PATH = WIDGETS_TCSS

    def __init__(self) -> None:
        super().__init__()
        self.posted: list[object] = []

    def compose(self) -> ComposeResult:
        yield ThreadView(clock=lambda: NOW, tz=UTC)

    def on_thread_view_selected(self, event: ThreadView.Selected) -> None:
        self.posted.append(event)

    def on_thread_view_need_older(self, event: ThreadView.NeedOlder) -> None:
        self.posted.append(event)

    def on_thread_view_new_below(self, event: ThreadView.NewBelow) -> None:
        self.posted.append(event)

    def on_thread_view_need_newer(self, event: ThreadView.NeedNewer) -> None:
        self.posted.append(event)

    def of(self, kind: type) -> list:
        return [event for event in self.posted if isinstance(event, kind)]


def screen_lines(view: ThreadView) -> list[str]:
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


def screen_text(view: ThreadView) -> str:
    return "\n".join(screen_lines(view))


async def show(pilot, messages: list[Message], *, has_older: bool = False) -> ThreadView:
    view = pilot.app.query_one(ThreadView)
    view.focus()
    view.set_messages(messages, account_numbers=[ACCOUNT], has_older=has_older)
    await pilot.pause()
    return view


# --- layout -------------------------------------------------------------------------------------


async def test_inbound_left_outbound_right_and_lines_fill_the_width():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, [msg(1, "from the customer"), msg(2, "from the agent", out=True)])
        width = view.content_width
        lines = screen_lines(view)
        inbound = next(line for line in lines if "from the customer" in line)
        outbound = next(line for line in lines if "from the agent" in line)
        assert inbound.index("from the customer") < 6 and inbound.lstrip(" ▸").startswith("▌")
        assert outbound.index("from the agent") > width // 2
        assert outbound.rstrip().endswith("▐") and len(outbound.rstrip()) >= width - 2
        assert all(view.render_line(y).cell_length == width for y in range(24))


async def test_day_separators():
    messages = [
        msg(1, "last year", at=datetime(2025, 11, 16, 9, 0, tzinfo=UTC)),
        msg(2, "monday", at=datetime(2026, 3, 16, 9, 0, tzinfo=UTC)),
        msg(3, "yesterday", at=NOW - timedelta(days=1)),
        msg(4, "today", at=NOW - timedelta(hours=1)),
        msg(5, "today again", at=NOW - timedelta(minutes=5)),
    ]
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, messages)
        text = screen_text(view)
        for label in ("── Sun 16 Nov 2025 ──", "── Mon 16 Mar ──", "── Yesterday ──", "── Today ──"):
            assert label in text
        assert text.count("── Today ──") == 1
        assert "14:00" in text and "14:55" in text


@pytest.mark.parametrize(
    ("status", "delivery", "error", "expected"),
    [
        (Status.QUEUED, DeliveryStatus.UNKNOWN, "", "◷ queued"),
        (Status.SENT, DeliveryStatus.UNKNOWN, "", "✓ sent"),
        (Status.SENT, DeliveryStatus.DELIVERED, "", "✓✓ delivered"),
        (Status.SENT, DeliveryStatus.UNDELIVERED, "", "✗ undelivered"),
        (Status.SENT, DeliveryStatus.UNCONFIRMED, "", "? unconfirmed"),
        (Status.FAILURE, DeliveryStatus.UNKNOWN, "Invalid to number", "✗ failed: Invalid to number"),
        (Status.FAILURE, DeliveryStatus.UNKNOWN, UNCERTAIN_PREFIX + "timed out", "!? outcome unknown"),
    ],
)
async def test_delivery_marks(status, delivery, error, expected):
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, [msg(1, "hi", out=True, status=status, delivery=delivery, error=error)])
        text = screen_text(view)
        assert expected in text
        if status is Status.FAILURE and not error.startswith(UNCERTAIN_PREFIX):
            assert "!?" not in text


async def test_failed_reason_is_sanitised_and_wrapped_inside_the_bubble():
    reason = "Attempt to send to unsubscribed recipient \x1b]0;owned\x07 because the customer replied STOP"
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, [msg(1, "hi", out=True, status=Status.FAILURE, error=reason)])
        lines = [line for line in screen_lines(view) if line.strip()]
        joined = " ".join(" ".join(line.strip(" ▐▸") for line in lines).split())
        assert "✗ failed: Attempt to send" in joined and "replied STOP" in joined
        assert "␛]0;owned␇" in joined
        assert all("\x1b" not in line and "\x07" not in line for line in lines)
        assert sum("▐" in line for line in lines) >= 3  # body + a reason wrapped over two lines


async def test_markup_and_escapes_show_literally():
    bodies = ["[bold]x[/]", "[@click=app.quit]click me[/]", "\x1b[31mred\x1b[0m"]
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, [msg(i, body) for i, body in enumerate(bodies)])
        text = screen_text(view)
        assert "[bold]x[/]" in text and "[@click=app.quit]click me[/]" in text and "␛[31mred␛[0m" in text
        for y in range(24):
            for segment in view.render_line(y):
                assert "\x1b" not in segment.text
                assert not (segment.style and segment.style.meta), "no actions or links from received text"


WEIRD = [
    "wide 😀😀😀 emoji and a family 👨‍👩‍👧 and a flag 🇫🇷",
    "e\u0301 combining accents a\u0308\u0301 everywhere " * 4,
    "中文字符没有空格的很长的一句话需要按单元格宽度换行才不会破坏布局" * 2,
    "😀" * 61,
    "https://example.com/" + "x" * 150,
    "tab\tseparated\tcolumns\n\nblank line above",
    "",
    "   ",
]


@pytest.mark.parametrize("width", [12, 20, 33, 40, 59, 79, 120])
def test_every_drawn_line_is_exactly_the_width_and_heights_match(width):
    messages = [msg(i, body, out=i % 2 == 0, parts=()) for i, body in enumerate(WEIRD)]
    for bubble in group_messages(messages):
        for with_day in (False, True):
            lines = render(bubble, width, Palette(), time_text="09:00", day="Today" if with_day else None)
            assert len(lines) == measure(bubble, width, with_day=with_day)
            assert [line.cell_length for line in lines] == [width] * len(lines)


def test_wrapping_keeps_newlines_and_never_exceeds_the_width():
    from rich.cells import cell_len

    text = "first line\nsecond line is a good deal longer than the width allows\n\n😀😀😀😀😀😀😀"
    lines = wrap_text(text, 11)
    assert lines[0] == "first line" and "" in lines
    assert all(cell_len(line) <= 11 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace("\n", "").replace(" ", "")


async def test_wide_emoji_in_the_view_keep_every_line_at_the_width():
    messages = [msg(i, body, out=i % 2 == 0) for i, body in enumerate(WEIRD)]
    for size in ((80, 24), (40, 20)):
        app = Host()
        async with app.run_test(size=size) as pilot:
            view = await show(pilot, messages)
            width = view.content_width
            for _ in range(6):
                assert all(view.render_line(y).cell_length == width for y in range(size[1]))
                await pilot.press("pageup")


def test_bubble_width_is_about_seventy_percent():
    assert text_width(80) + 3 == 56
    assert text_width(40) + 3 == 28
    assert text_width(10) >= 2


async def test_multipart_send_is_one_bubble_with_worst_state():
    parts = ("p1", "p2", "p3")
    records = [
        msg(1, "one ", out=True, parts=parts, mid="p1", delivery=DeliveryStatus.DELIVERED),
        msg(1, "two ", out=True, parts=parts, mid="p2", delivery=DeliveryStatus.DELIVERED),
        msg(1, "three", out=True, parts=parts, mid="p3"),
    ]
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, records)
        assert view.item_count == 1
        text = screen_text(view)
        assert "one two three" in text and "3 parts" in text and "✓ sent" in text
        view.upsert([msg(1, "two ", out=True, parts=parts, mid="p2", delivery=DeliveryStatus.UNDELIVERED)])
        await pilot.pause()
        assert "✗ undelivered" in screen_text(view) and view.item_count == 1


async def test_empty_and_unknown_bodies_get_a_placeholder():
    records = [msg(1, "")]
    knows_text = "body_known" in Message.__dataclass_fields__  # records may come without their text
    if knows_text:
        records.append(replace(msg(2, "", out=True), body_known=False))
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, records)
        text = screen_text(view)
        assert "(empty message)" in text
        assert ("(text not available" in text) is knows_text


async def test_thread_items_are_accepted_as_well_as_records():
    records = conversation(6)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, [])
        view.set_messages(thread_items(records), has_older=False)
        await pilot.pause()
        assert view.item_count == 6 and view.items[-1].id == records[-1].id


# --- states -------------------------------------------------------------------------------------


async def test_empty_and_loading_states():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, [])
        lines = screen_lines(view)
        row = next(i for i, line in enumerate(lines) if "No messages yet" in line)
        assert 8 <= row <= 14 and "type below to start the conversation" in lines[row]
        assert abs(lines[row].index("No") - (view.content_width - len(lines[row].strip())) // 2) <= 1
        view.set_loading()
        await pilot.pause()
        assert "Loading…" in screen_text(view) and "No messages" not in screen_text(view)
        view.set_messages(conversation(3))
        await pilot.pause()
        assert "Loading…" not in screen_text(view)


# --- scrolling, paging, tail ---------------------------------------------------------------------


async def test_opens_at_the_bottom_with_the_newest_selected():
    messages = conversation(200)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, messages)
        assert view.scroll_y == view.max_scroll_y > 0
        assert "message number 199" in screen_text(view)
        assert "message number 100" not in screen_text(view)
        assert view.selected_item is not None and view.selected_item.id == messages[-1].id
        assert app.of(ThreadView.Selected)[-1].item.id == messages[-1].id


async def test_cursor_moves_with_keys_and_posts_selected():
    messages = conversation(30)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, messages)
        await pilot.press("up", "k")
        assert view.selected_item.id == messages[-3].id
        assert "▸" in next(line for line in screen_lines(view) if "message number 27" in line)
        await pilot.press("j")
        assert view.selected_item.id == messages[-2].id
        assert [e.item.id for e in app.of(ThreadView.Selected)][-3:] == [m.id for m in messages[-2:-4:-1]] + [
            messages[-2].id
        ]
        await pilot.press("g")
        assert view.selected_item.id == messages[0].id and view.scroll_y == 0
        await pilot.press("G")
        assert view.selected_item.id == messages[-1].id and view.scroll_y == view.max_scroll_y


async def test_need_older_posted_once_at_the_top_until_the_next_prepend():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, conversation(100, start=100), has_older=True)
        assert not app.of(ThreadView.NeedOlder)
        await pilot.press("home")
        await pilot.pause()
        assert len(app.of(ThreadView.NeedOlder)) == 1
        assert "Loading earlier messages" in screen_lines(view)[0]
        await pilot.press("pagedown", "home", "pagedown", "home")
        await pilot.pause()
        assert len(app.of(ThreadView.NeedOlder)) == 1
        view.prepend_older(conversation(10, start=300), has_older=True)
        await pilot.pause()
        await pilot.press("home")
        await pilot.pause()
        assert len(app.of(ThreadView.NeedOlder)) == 2


async def test_prepend_keeps_what_the_user_was_reading_in_place():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, conversation(100, start=100), has_older=True)
        await pilot.press("pageup", "pageup")
        before = screen_lines(view)
        cursor_before = view.selected_item.id
        older = conversation(50, start=300)
        view.prepend_older(older, has_older=False)
        await pilot.pause()
        assert view.item_count == 150
        assert screen_lines(view) == before
        assert view.selected_item.id == cursor_before
        await pilot.press("home")
        assert "Start of the conversation" in screen_lines(view)[0]
        assert "message number 300" in screen_text(view)


async def test_upsert_status_change_rerenders_the_bubble():
    sent = msg(1, "are you there?", out=True)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, [msg(0, "hi"), sent])
        assert "✓ sent" in screen_text(view)
        view.upsert([sent.with_status(delivery=DeliveryStatus.DELIVERED)])
        await pilot.pause()
        assert "✓✓ delivered" in screen_text(view) and "✓ sent" not in screen_text(view)
        assert view.item_count == 2
        assert app.of(ThreadView.Selected)[-1].item.delivery is DeliveryStatus.DELIVERED


async def test_upserting_unchanged_records_changes_nothing():
    messages = conversation(50)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, messages)
        posted = len(app.posted)
        items = view.items
        view.upsert(messages[-20:])
        await pilot.pause()
        assert len(app.posted) == posted
        assert all(a is b for a, b in zip(items, view.items, strict=True))
        assert view.record_ids == [m.id for m in messages]


async def test_follow_tail_at_the_bottom_and_new_below_when_scrolled_up():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, conversation(100))
        view.upsert([msg(500, "brand new at the bottom", at=NOW)])
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y
        assert "brand new at the bottom" in screen_text(view)
        assert view.selected_item.id == "m00500"
        assert not app.of(ThreadView.NewBelow)

        await pilot.press("pageup", "pageup")
        scroll, before = view.scroll_y, screen_lines(view)[:-1]
        view.upsert([msg(501, "second new one", at=NOW + timedelta(seconds=1))])
        view.upsert([msg(502, "third new one", at=NOW + timedelta(seconds=2))])
        await pilot.pause()
        assert view.scroll_y == scroll and screen_lines(view)[:-1] == before
        assert [e.count for e in app.of(ThreadView.NewBelow)] == [1, 2]
        assert "↓ 2 new" in screen_lines(view)[-1]

        await pilot.press("end")
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y
        assert "third new one" in screen_text(view) and "↓" not in screen_lines(view)[-1]
        assert app.of(ThreadView.NewBelow)[-1].count == 0


async def test_remove_drops_a_local_row():
    local = msg(5, "on its way", out=True, status=Status.QUEUED, mid="local:abc")
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, [msg(1, "hi"), local])
        assert "◷ queued" in screen_text(view)
        view.remove(["local:abc"])
        view.upsert([msg(6, "on its way", out=True, mid="real-id")])
        await pilot.pause()
        assert "◷ queued" not in screen_text(view) and "✓ sent" in screen_text(view)
        assert view.item_count == 2


async def test_ten_thousand_messages():
    messages = conversation(10_000)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, messages, has_older=True)
        assert view.item_count == 10_000
        assert "message number 9999" in screen_text(view)
        await pilot.press("home")
        assert view.virtual_size.height > 30_000
        assert "message number 0" in screen_text(view) and "Loading earlier" in screen_lines(view)[0]
        assert len(app.of(ThreadView.NeedOlder)) == 1
        await pilot.press("end")
        assert "message number 9999" in screen_text(view)


async def test_a_long_thread_is_laid_out_from_the_newest_end_as_the_user_scrolls_up():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, conversation(2_000), has_older=True)
        height = view.virtual_size.height
        assert height < 2_000 * 3  # the oldest messages are not measured yet
        assert screen_lines(view)[-3:] != [""] * 3
        view.scroll_to(y=2, animate=False)
        await pilot.pause()
        before = screen_lines(view)
        view.scroll_to(y=0, animate=False)  # reaching the top lays out more, keeping the rows still
        await pilot.pause()
        assert view.virtual_size.height > height and view.scroll_y > 0
        assert screen_lines(view)[2:] == before[:-2]
        assert not app.of(ThreadView.NeedOlder)  # older messages are still to be laid out, not loaded
        for _ in range(10):
            view.scroll_to(y=0, animate=False)
            await pilot.pause()
        assert "message number 0" in screen_text(view) and len(app.of(ThreadView.NeedOlder)) == 1


async def test_moving_the_cursor_up_past_what_is_laid_out_lays_out_more():
    messages = conversation(1_000)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, messages)
        for _ in range(397):
            view.action_cursor_up()
        await pilot.press("up", "up", "k")
        assert view.selected_item.id == messages[-401].id
        line = next(line for line in screen_lines(view) if line.startswith("▸"))
        assert f"message number {1_000 - 401}" in line


async def test_resize_rewraps_and_stays_at_the_bottom():
    long = "a fairly long message that certainly wraps on a narrow screen " * 3
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, conversation(40) + [msg(999, long, at=NOW)])
        await pilot.resize_terminal(44, 24)
        await pilot.pause()
        assert view.content_width == 43
        assert view.scroll_y == view.max_scroll_y
        assert all(view.render_line(y).cell_length == 43 for y in range(24))


async def test_data_given_before_mount_opens_at_the_bottom():
    class Early(Host):
        def compose(self) -> ComposeResult:
            view = ThreadView(clock=lambda: NOW, tz=UTC)
            view.set_messages(conversation(80))
            view.upsert([msg(900, "arrived before the first paint", at=NOW)])
            yield view

    app = Early()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.query_one(ThreadView)
        assert view.scroll_y == view.max_scroll_y > 0
        assert "arrived before the first paint" in screen_text(view) and view.pending_new == 0


async def test_select_by_record_id_scrolls_to_it():
    messages = conversation(400)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await show(pilot, messages)
        assert view.select(messages[3].id) and not view.select("no-such-id")
        await pilot.pause()
        assert view.selected_item.id == messages[3].id
        marked = [line for line in screen_lines(view) if line.startswith("▸")]
        assert marked and re.search(r"message number 3\b", " ".join(marked))


async def test_opening_a_window_at_a_message_selects_it_on_screen():
    messages = conversation(1000)
    window = messages[500:701]  # the store's page around message 600, with more below
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = pilot.app.query_one(ThreadView)
        view.focus()
        view.set_messages(window, account_numbers=[ACCOUNT], has_older=True, has_newer=True, select=messages[600].id)
        await pilot.pause()
        assert view.selected_item.id == messages[600].id
        marked = " ".join(line for line in screen_lines(view) if line.startswith("▸"))
        assert re.search(r"message number 600\b", marked)
        assert 0 < view.scroll_y < view.max_scroll_y
        assert not app.of(ThreadView.NeedNewer) and not app.of(ThreadView.NeedOlder)
        await pilot.press("down")
        assert view.selected_item.id == messages[601].id


async def test_a_window_asks_for_the_page_below_at_its_bottom_and_keeps_the_reading_place():
    messages = conversation(1000)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = pilot.app.query_one(ThreadView)
        view.focus()
        view.set_messages(messages[500:701], account_numbers=[ACCOUNT], has_newer=True, select=messages[690].id)
        await pilot.pause()
        for _ in range(6):
            await pilot.press("pagedown")
        await pilot.pause()
        asked = app.of(ThreadView.NeedNewer)
        assert len(asked) == 1 and not asked[0].newest  # once, until the page comes
        reading = view.selected_item.id
        before = [line for line in screen_lines(view) if "message number" in line]
        view.append_newer(messages[701:901], has_newer=True)
        await pilot.pause()
        assert view.selected_item.id == reading
        assert [line for line in screen_lines(view) if "message number" in line] == before
        assert view.scroll_y < view.max_scroll_y  # the new page is below, not scrolled to
        await pilot.press("end")  # the newest: the app reloads the newest page
        await pilot.pause()
        assert app.of(ThreadView.NeedNewer)[-1].newest
        view.append_newer(messages[901:], has_newer=False)
        await pilot.press("end")
        await pilot.pause()
        assert view.selected_item.id == messages[-1].id and view.scroll_y == view.max_scroll_y


async def test_a_window_selected_before_the_view_is_laid_out_is_revealed_on_mount():
    messages = conversation(600)

    class Early(Host):
        def on_mount(self) -> None:
            view = self.query_one(ThreadView)
            view.set_messages(messages[:300], account_numbers=[ACCOUNT], has_newer=True, select=messages[150].id)

    app = Early()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = pilot.app.query_one(ThreadView)
        assert view.selected_item.id == messages[150].id
        assert re.search(r"message number 150\b", " ".join(line for line in screen_lines(view) if line.startswith("▸")))


# --- snapshots ----------------------------------------------------------------------------------


def snapshot_messages() -> list[Message]:
    day = NOW - timedelta(days=2)
    return [
        msg(1, "Hi! I ordered a lamp last week and it has not arrived yet. Order 4471.", at=day),
        msg(2, "Sorry to hear that, let me check the tracking for you.", out=True, at=day + timedelta(minutes=3),
            delivery=DeliveryStatus.DELIVERED),
        msg(3, "[bold]thanks[/] 😀", at=NOW - timedelta(days=1)),
        msg(4, "It left our warehouse on Monday and should arrive tomorrow before noon. ",
            out=True, at=NOW - timedelta(hours=2), parts=("m00004", "m00005"), delivery=DeliveryStatus.DELIVERED),
        msg(5, "Tracking: 1Z999AA10123456784", mid="m00005", out=True, at=NOW - timedelta(hours=2),
            parts=("m00004", "m00005"), delivery=DeliveryStatus.UNCONFIRMED),
        msg(6, "Can I change the address?", at=NOW - timedelta(minutes=40)),
        msg(7, "Yes, what is the new one?", out=True, at=NOW - timedelta(minutes=30), status=Status.FAILURE,
            error="Attempt to send to unsubscribed recipient"),
        msg(8, "Yes: what is the new address?", out=True, at=NOW - timedelta(minutes=1), status=Status.QUEUED),
    ]


def test_snapshot_conversation(snap_compare):
    app = Host()

    async def run_before(pilot):
        view = app.query_one(ThreadView)
        view.focus()
        view.set_messages(snapshot_messages(), has_older=True)
        await pilot.pause()
        await pilot.press("up")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_snapshot_new_below_indicator(snap_compare):
    app = Host()

    async def run_before(pilot):
        view = app.query_one(ThreadView)
        view.focus()
        view.set_messages(conversation(60), has_older=False)
        await pilot.pause()
        await pilot.press("pageup")
        view.upsert([msg(900, "a new message arrives", at=NOW), msg(901, "and another", at=NOW)])
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
