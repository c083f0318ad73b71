"""`m`: a conversation with a number that never wrote, against the simulator over real HTTP.

The number is checked as it is typed, nothing is sent from the dialog, the thread opens empty (or the
existing one opens) with the composer focused, and the first message goes out through the ordinary
send path and puts the conversation in the list."""

from __future__ import annotations

from chat_harness import chat_session, make_app, rendered, wait_for
from textual.app import App
from textual.widgets import Input, Select, Static

from smschat.domain.numbers import normalize
from smschat.ui.screens.chat import ChatScreen
from smschat.ui.screens.new_conversation import NewConversation, NewConversationScreen

NEW_CUSTOMER = "2125550142"
NEW_KEY_CUSTOMER = "12125550142"


async def started(pilot) -> ChatScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen._initial_synced, what="first sync")
    await wait_for(pilot, lambda: len(app.screen.contacts.contacts) > 5, what="contacts painted")
    await wait_for(pilot, lambda: app.screen.open_key is not None, what="first conversation open")
    return app.screen


def status_text(app) -> str:
    return str(app.screen.query_one("#newconv-status", Static).render())


def header_text(screen: ChatScreen) -> str:
    return rendered(screen.query_one("#thread-header"))


async def type_number(pilot, text: str) -> None:
    box = pilot.app.screen.query_one("#newconv-number", Input)
    box.value = ""
    await pilot.press(*text)


async def test_a_new_number_opens_an_empty_thread_and_the_first_send_lists_it(tmp_path):
    with chat_session(tmp_path) as (session, server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            before = screen.open_key
            sender = screen.composer.sender
            await pilot.press("m")
            assert isinstance(app.screen, NewConversationScreen)
            # checked as it is typed; Enter on a bad number keeps the dialog open
            await type_number(pilot, "12")
            assert "too short" in status_text(app) and status_text(app).startswith("✗")
            await pilot.press("enter")
            assert isinstance(app.screen, NewConversationScreen)
            await type_number(pilot, "555-abc")
            assert "not a phone number" in status_text(app)
            await type_number(pilot, "1 011 555 0123")
            assert "not a valid North American number" in status_text(app)
            await type_number(pilot, f"({NEW_CUSTOMER[:3]}) {NEW_CUSTOMER[3:6]}-{NEW_CUSTOMER[6:]}")
            assert "a new conversation from" in status_text(app) and status_text(app).startswith("✓")
            await pilot.press("enter")
            assert isinstance(app.screen, ChatScreen)
            key = (NEW_KEY_CUSTOMER, sender)
            assert screen.open_key == key and screen.open_key != before
            assert screen.focused is screen.composer.input
            assert header_text(screen).startswith(" New  (212) 555-0142 · nothing sent yet")
            assert screen.contacts.index_of(key) is None  # no message yet: not a conversation in the list
            assert not [m for m in server.account.messages() if normalize(m.customer) == NEW_KEY_CUSTOMER]
            # the list refreshing (another customer texts in) does not take the agent away
            other = next(c for c in screen.contacts.contacts if c.key != key)
            server.account.inject_inbound(other.customer, other.account, "are you there?")
            await wait_for(pilot, lambda: any(c.last_message.body == "are you there?" for c in screen.contacts.contacts),
                           what="the other customer's text in the list")
            assert screen.open_key == key and "nothing sent yet" in header_text(screen)
            # the first message goes through the normal send path
            await pilot.press(*"Hello from the bike shop")
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.contacts.index_of(key) is not None, what="the new conversation listed")
            await wait_for(pilot, lambda: "nothing sent yet" not in header_text(screen), what="an ordinary header")
            assert screen.open_key == key
            assert screen.contacts.highlighted is not None and screen.contacts.highlighted.key == key
            await wait_for(pilot, lambda: [m.body for m in server.account.messages()
                                           if normalize(m.customer) == NEW_KEY_CUSTOMER] == ["Hello from the bike shop"],
                           what="exactly one message sent")


async def test_a_number_with_a_conversation_opens_that_conversation(tmp_path):
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            target = screen.contacts.contacts[-1]  # not the open one
            assert target.key != screen.open_key
            screen.sender_index = session.accounts.index(target.account)
            screen.composer.sender = target.account
            await pilot.press("m")
            national = target.customer[1:]
            await type_number(pilot, f"+1 {national[:3]}.{national[3:6]}.{national[6:]}")  # another spelling
            assert "already a conversation" in status_text(app)
            await pilot.press("enter")
            assert screen.open_key == target.key
            assert screen.contacts.highlighted.key == target.key
            assert "nothing sent yet" not in header_text(screen)
            assert screen.thread.item_count > 0
            assert screen.focused is screen.composer.input


async def test_escape_cancels_and_m_types_in_the_composer(tmp_path):
    with chat_session(tmp_path) as (session, _server):
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            before = screen.open_key
            await pilot.press("m")
            await type_number(pilot, NEW_CUSTOMER)
            await pilot.press("escape")
            assert isinstance(app.screen, ChatScreen) and screen.open_key == before
            # in the composer m is a letter
            screen.composer.input.focus()
            await pilot.press("m", "x")
            assert screen.composer.text == "mx"
            assert isinstance(app.screen, ChatScreen)


async def test_the_sending_number_can_be_chosen(tmp_path):
    with chat_session(tmp_path) as (session, server):
        assert len(session.accounts) == 2
        app = make_app(session)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await started(pilot)
            current = screen.composer.sender
            other = next(a for a in session.accounts if a != current)
            await pilot.press("m")
            select = app.screen.query_one("#newconv-sender", Select)
            assert select.value == current  # the current sender by default
            await type_number(pilot, NEW_CUSTOMER)
            await pilot.press("tab")
            assert app.screen.focused is select
            await pilot.press("enter")
            await pilot.press("down")
            await pilot.press("enter")
            await wait_for(pilot, lambda: select.value == other, what="the other number chosen")
            app.screen.query_one("#newconv-number", Input).focus()
            await pilot.press("enter")
            assert screen.open_key == (NEW_KEY_CUSTOMER, other)
            assert screen.composer.sender == other
            assert "from (" in header_text(screen) and other[-4:] in header_text(screen)


class DialogApp(App[None]):
    """The dialog alone (no simulator needed): the provider's rules and the result."""

    def __init__(self, provider: str, accounts: tuple[str, ...] = ("14155550100",)) -> None:
        super().__init__()
        self.provider = provider
        self.accounts = accounts
        self.result: list[NewConversation | None] = []

    def on_mount(self) -> None:
        self.push_screen(NewConversationScreen(self.accounts, self.accounts[0], provider=self.provider),
                         self.result.append)


async def test_plivo_rules_apply_and_the_accounts_own_number_is_refused():
    for provider, short_code_ok in (("plum", True), ("plivo", False)):
        app = DialogApp(provider)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*"55512")  # a US short code: Plum takes it, Plivo wants a country code
            text = status_text(app)
            assert ("✓" in text) is short_code_ok, (provider, text)
            if not short_code_ok:
                assert "too short" in text
            await type_number(pilot, "+1 415 555 0100")
            assert "one of this account's own numbers" in status_text(app)
            await type_number(pilot, "+44 20 7946 0000 1234")  # 16 digits
            assert "too long" in status_text(app)
            await type_number(pilot, "")
            await pilot.press("enter")
            assert "Type the customer's number first" in status_text(app) and not app.result
            await type_number(pilot, "+44 20 7946 0000")
            await pilot.click("#newconv-ok")
            assert app.result == [NewConversation("442079460000", "14155550100")]


async def test_hostile_paste_is_shown_as_data():
    app = DialogApp("plum")
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#newconv-number", Input).value = "\x1b]0;pwned\x07[bold]5"
        await pilot.pause()
        text = status_text(app)
        assert "not a phone number" in text and "\x1b" not in text and "\x07" not in text
        assert isinstance(app.screen, NewConversationScreen)
