"""Canned replies in the chat screen: t / ctrl+t, the fuzzy picker, inserted into the composer (edited
there), sent through the normal path; against the simulator over real HTTP."""

from __future__ import annotations

from dataclasses import replace

from chat_harness import chat_session, make_app, wait_for
from textual.command import CommandList, CommandPalette

from smschat.config.ui import UiSettings, parse_ui_settings
from smschat.domain.numbers import pretty
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.screens.templates import TemplatePicker, highlighted, rank

SETTINGS = {
    "agent_name": "Sam",
    "templates": {
        "Bike ready for pickup": "Hi {first_name|there}, your bike is ready. - {agent}",
        "Opening hours": "We open at 9. This is {account}, you are {customer}.",
        "Repair estimate": "Hi {name|there}, the repair is about $__.",
    },
}


def with_settings(session, settings=SETTINGS):
    session.profile = replace(session.profile, ui=parse_ui_settings(settings) if settings else UiSettings())
    return session


async def started(pilot) -> ChatScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced, what="first sync")
    await wait_for(pilot, lambda: app.screen.open_key is not None, what="first conversation open")
    return app.screen


def picker(app) -> TemplatePicker:
    assert isinstance(app.screen, TemplatePicker), f"expected the picker, got {app.screen!r}"
    return app.screen


def shown_names(screen: TemplatePicker) -> list[str]:
    return [str(screen.options.get_option_at_index(i).prompt) for i in range(screen.options.option_count)]


def preview(screen: TemplatePicker) -> str:
    return str(screen.query_one("#templates-preview").render())


async def test_picker_filters_fuzzily_inserts_at_the_cursor_and_the_reply_is_sent(tmp_path):
    with chat_session(tmp_path) as (session, server):
        with_settings(session)
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            customer, account = screen.open_key
            session.ui_store.set_name(customer, "Dana Whitfield")
            await pilot.press("t")
            await wait_for(pilot, lambda: isinstance(app.screen, TemplatePicker), what="picker open")
            dialog = picker(app)
            assert shown_names(dialog) == ["Bike ready for pickup", "Opening hours", "Repair estimate"]  # file order
            assert preview(dialog) == "Hi Dana, your bike is ready. - Sam"
            # fuzzy: the letters in order, not next to each other
            await pilot.press(*"rpst")
            assert shown_names(dialog) == ["Repair estimate"]
            prompt = dialog.options.get_option_at_index(0).prompt
            marked = {span.start for span in prompt.spans}
            assert {0, 2} <= marked  # "R" and "p" are highlighted
            assert preview(dialog) == "Hi Dana Whitfield, the repair is about $__."
            await pilot.press(*["backspace"] * 4, *"hours")
            assert shown_names(dialog) == ["Opening hours"]
            assert preview(dialog) == f"We open at 9. This is {pretty(account)}, you are {pretty(customer)}."
            await pilot.press(*["backspace"] * 5, "down", "down")
            assert preview(dialog).startswith("Hi Dana Whitfield, the repair")
            await pilot.press("up")
            assert preview(dialog).startswith("We open at 9")
            await pilot.press("escape")  # cancel: nothing inserted
            assert app.screen is screen and screen.composer.text == ""

            # in the composer: ctrl+t inserts at the cursor, the text stays editable, enter sends it
            await pilot.press("i", *"Hello! ")
            assert screen.focused is screen.composer.input
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: isinstance(app.screen, TemplatePicker), what="picker from the composer")
            await pilot.press(*"estimate", "enter")
            await wait_for(pilot, lambda: app.screen is screen, what="picker closed")
            assert screen.composer.text == "Hello! Hi Dana Whitfield, the repair is about $__."
            assert screen.focused is screen.composer.input
            assert session.ui_store.get_draft(customer, account) == screen.composer.text  # kept as the draft
            await pilot.press("backspace", "backspace", "backspace", *"120.")  # edit before sending
            assert screen.composer.text.endswith("about $120.")
            assert not [m for m in server.account.messages() if "about $" in m.body]  # picking sent nothing
            await pilot.press("enter")
            body = "Hello! Hi Dana Whitfield, the repair is about $120."
            await wait_for(pilot, lambda: any(m.body == body for m in server.account.messages()), what="sent")
            assert len([m for m in server.account.messages() if m.body == body]) == 1
            assert screen.composer.text == ""


async def test_enter_with_no_match_inserts_nothing(tmp_path):
    with chat_session(tmp_path) as (session, _server):
        with_settings(session)
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            await pilot.press("t", *"zzzz")
            dialog = picker(app)
            assert shown_names(dialog) == [] and "No template matches zzzz" in preview(dialog)
            await pilot.press("enter")
            assert app.screen is dialog  # still open
            await pilot.press("escape")
            assert screen.composer.text == ""


async def test_without_templates_t_says_how_to_add_them(tmp_path):
    with chat_session(tmp_path) as (session, _server):
        with_settings(session, None)
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            await pilot.press("t")
            await pilot.pause()
            assert app.screen is screen
            texts = [str(n.message) for n in app._notifications]
            assert any("[templates]" in t and "config file" in t for t in texts), texts


async def test_the_demo_has_templates_and_a_hostile_name_is_plain_text(tmp_path):
    """The demo profile ships templates; a name with markup and controls is inserted as plain text."""
    with chat_session(tmp_path) as (session, _server):
        assert len(session.profile.ui.templates) >= 3  # the harness uses the demo's profile
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            customer, _ = screen.open_key
            session.ui_store.set_name(customer, "[bold]Eve[/bold]\x1b]0;pwn\x07 {customer}")
            await pilot.press("t", *"pickup")
            dialog = picker(app)
            assert preview(dialog).startswith("Hi [bold]Eve[/bold]]0;pwn, good news")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is screen, what="picker closed")
            assert screen.composer.text.startswith("Hi [bold]Eve[/bold]]0;pwn, good news")
            assert "\x1b" not in screen.composer.text and "- Sam" in screen.composer.text


def test_rank_and_highlight_never_read_markup():
    templates = parse_ui_settings({"templates": {"[b]x[/b] bold": "a", "plain": "mentions pickup"}}).templates
    assert [m.template.name for m in rank(templates, "")] == ["[b]x[/b] bold", "plain"]
    assert [m.template.name for m in rank(templates, "pickup")] == ["plain"]  # found in the text
    first = rank(templates, "bold")[0]
    content = highlighted(first.template.name, first.offsets)
    assert str(content) == "[b]x[/b] bold"  # the brackets stay characters
    assert {s.start for s in content.spans} == set(first.offsets)


async def test_the_palette_offers_canned_replies(tmp_path):
    with chat_session(tmp_path) as (session, _server):
        with_settings(session)
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await started(pilot)
            await pilot.press("i")  # from the composer too: a palette choice is never typing
            await pilot.press("ctrl+p", *"canned")

            def offered() -> bool:
                if not isinstance(app.screen, CommandPalette):
                    return False
                hits = app.screen.query_one(CommandList)
                return any("Canned reply" in str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count))

            await wait_for(pilot, offered, what="the palette offers it")
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, TemplatePicker), what="picker from the palette")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is screen, what="picker closed")
            assert screen.composer.text.startswith("Hi ") and screen.composer.text.endswith("- Sam")
