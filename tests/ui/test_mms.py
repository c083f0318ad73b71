"""MMS in the chat screen: attachments listed in the thread (type, name, URL), y copies their URLs,
ctrl+a in the composer edits the attachments of a reply (Plivo), sent as an MMS; on Plum it says no.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime

from chat_harness import chat_session, wait_for, widget_lines

from smschat.demo import plivo_demo_session
from smschat.domain.model import Direction, Message, Status
from smschat.session import Session
from smschat.sim.plivo_demo import make_plivo_demo_server
from smschat.ui.app import SmsChatApp
from smschat.ui.screens.attachments import AttachmentsScreen
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.widgets.bubbles import Palette, measure, render
from smschat.ui.widgets.grouping import group_messages
from smschat.ui.widgets.thread_view import ThreadView

MAYA = "16175550123"  # the demo's customer who sent a photo of her brake
PHOTO = "https://media.example.com/demo/maya-brake.jpg"
FLYER = "https://cdn.example.com/spoke/summer-flyer.png"
MENU = "https://cdn.example.com/spoke/price-list.pdf"


@contextlib.contextmanager
def plivo_demo(tmp_path) -> Iterator[tuple[Session, object]]:
    server = make_plivo_demo_server(lively=False, speed=20.0)
    session = plivo_demo_session(server, data_dir=tmp_path)
    try:
        yield session, server
    finally:
        session.close()


def thread_text(screen) -> str:
    return "\n".join(widget_lines(screen.query_one(ThreadView)))


async def started(app, pilot) -> ChatScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced, what="first sync")
    return app.screen


# -- drawing ---------------------------------------------------------------------------------------

def test_a_bubble_lists_its_attachments_under_the_text_and_measures_what_it_draws():
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    inbound = Message(id="in", to_number="16175550100", from_number=MAYA, body="This is the squeaky one",
                      direction=Direction.INBOUND, status=Status.RECEIVED, requested_at=now,
                      media=(PHOTO, "https://media.example.com/x/%1b%5b2Jwipe.mp4"))
    outbound = Message(id="out", to_number=MAYA, from_number="16175550100", body="", direction=Direction.OUTBOUND,
                       status=Status.SENT, requested_at=now, media=(MENU,))
    for width in (80, 46, 30):
        for bubble in group_messages([inbound, outbound]):
            assert len(render(bubble, width, Palette(), time_text="10:00", day=None)) == measure(bubble, width, with_day=False)
    first, second = (render(b, 80, Palette(), time_text="10:00", day=None) for b in group_messages([inbound, outbound]))
    text = [strip.text for strip in first]
    assert "This is the squeaky one" in text[0]
    assert "▪ image · maya-brake.jpg" in text[1] and PHOTO in text[2]
    assert "▪ video · ␛[2Jwipe.mp4" in text[3]  # a hostile name shows as the characters it is
    assert not any("\x1b" in line for line in text)
    drawn = [strip.text for strip in second]
    assert "(empty message)" not in "".join(drawn)  # an MMS without text shows its file, not a placeholder
    assert "▪ PDF · price-list.pdf" in drawn[0]


# -- the Plivo demo: inbound MMS, copy, and sending one ---------------------------------------------

async def test_an_inbound_mms_shows_its_attachment_and_y_copies_its_url(tmp_path):
    with plivo_demo(tmp_path) as (session, _server):
        app = SmsChatApp(session, poll_interval=3600)
        async with app.run_test(size=(160, 40)) as pilot:  # wide: the URL on one row
            screen = await started(app, pilot)
            maya = next(c for c in screen.contacts.contacts if c.customer == MAYA)
            screen.contacts.select_key(maya.key)
            await wait_for(pilot, lambda: "maya-brake.jpg" in thread_text(screen), what="the attachment")
            assert "▪ image · maya-brake.jpg" in thread_text(screen) and PHOTO in thread_text(screen)
            assert screen.thread.select(next(i.id for i in screen.thread.items if i.media))
            screen.thread.focus()
            await pilot.press("y")
            assert app.clipboard == PHOTO
            assert screen.thread.select(next(i.id for i in screen.thread.items if not i.media and i.body_known))
            await pilot.press("y")
            assert app.clipboard == screen.thread.selected_item.body  # a text message: its text, as before


async def test_ctrl_a_attaches_files_and_the_reply_goes_out_as_an_mms(tmp_path):
    with plivo_demo(tmp_path) as (session, server):
        app = SmsChatApp(session, poll_interval=3600)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(app, pilot)
            maya = next(c for c in screen.contacts.contacts if c.customer == MAYA)
            screen.contacts.select_key(maya.key)
            await pilot.press("i")
            assert screen.composer.input.has_focus
            await pilot.press("ctrl+a")
            await wait_for(pilot, lambda: isinstance(app.screen, AttachmentsScreen), what="the attachments dialog")
            dialog = app.screen
            await pilot.press(*"ftp://cdn.example.com/x.png", "enter")
            assert "must start with https://" in str(dialog.query_one("#media-error").render())
            assert dialog.media == []
            dialog.query_one("#media-url").value = ""
            for url in (FLYER, MENU, "https://cdn.example.com/spoke/wrong.gif"):
                await pilot.press(*url, "enter")
            assert dialog.media == [FLYER, MENU, "https://cdn.example.com/spoke/wrong.gif"]
            assert "3 of 10" in str(dialog.query_one("#media-title").render())
            await pilot.press(*FLYER, "enter")  # twice: refused
            assert "attached already" in str(dialog.query_one("#media-error").render())
            dialog.query_one("#media-url").value = ""
            await pilot.press("tab")  # to the list: remove the last one
            await pilot.press("end", "delete")
            assert dialog.media == [FLYER, MENU]
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen, what="back in the chat screen")
            assert screen.composer.media == (FLYER, MENU)
            assert "2 attachments" in str(screen.composer.query_one("#composer-media").render())
            assert screen.composer.input.has_focus

            await pilot.press("enter")  # no text: an MMS needs some
            assert screen.composer.media == (FLYER, MENU)
            await pilot.press(*"Summer prices attached")
            await pilot.press("enter")
            await wait_for(pilot, lambda: any(i.body == "Summer prices attached" and not i.local
                                              for i in screen.thread.items), what="the MMS acknowledged")
            assert screen.composer.media == () and not screen.composer.query_one("#composer-media").display
            sent = next(i for i in screen.thread.items if i.body == "Summer prices attached")
            record = server.account.get(sent.id)
            assert (record.kind, record.media) == ("mms", (FLYER, MENU))
            assert sent.media == (FLYER, MENU)
            await wait_for(pilot, lambda: "summer-flyer.png" in thread_text(screen) and "price-list.pdf" in
                           thread_text(screen), what="the attachments in the thread")
            await wait_for(pilot, lambda: "✓✓ delivered" in thread_text(screen).split("Summer prices")[-1],
                           timeout=10, what="the delivery report of the MMS")


async def test_attachments_stay_with_their_conversation(tmp_path):
    with plivo_demo(tmp_path) as (session, _server):
        app = SmsChatApp(session, poll_interval=3600)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(app, pilot)
            first, second = screen.contacts.contacts[0], screen.contacts.contacts[1]
            screen.contacts.select_key(first.key)
            await pilot.press("i", "ctrl+a")
            await wait_for(pilot, lambda: isinstance(app.screen, AttachmentsScreen), what="the dialog")
            await pilot.press(*FLYER, "enter", "enter")  # Enter on an empty line closes
            await wait_for(pilot, lambda: app.screen is screen, what="the dialog closed")
            assert screen.composer.media == (FLYER,)
            screen.contacts.select_key(second.key)
            await pilot.pause()
            assert screen.composer.media == ()  # not carried into another customer's reply
            screen.contacts.select_key(first.key)
            await pilot.pause()
            assert screen.composer.media == (FLYER,)


async def test_on_plum_ctrl_a_says_mms_is_not_available(tmp_path):
    with chat_session(tmp_path) as (session, _server):
        app = SmsChatApp(session, poll_interval=3600)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(app, pilot)
            screen.contacts.select_key(screen.contacts.contacts[0].key)
            await pilot.press("i", *"hello", "ctrl+a")
            await pilot.pause()
            assert app.screen is screen and screen.composer.media == ()
            assert any("MMS is not available on Plum" in str(n.message) for n in app._notifications)
            assert screen.composer.text == "hello"  # ctrl+a did not touch the text or move the cursor
            assert screen.composer.input.cursor_location == (0, 5)
