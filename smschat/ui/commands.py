"""Command palette entries (ctrl+p): every action of the chat screen, plus jump-to-conversation."""

from __future__ import annotations

import inspect
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from smschat.ui.screens.templates import highlighted
from smschat.ui.widgets.contact_list import contact_title

ACTIONS = [
    ("Next waiting conversation", "next_waiting", "Jump to the next customer waiting for a reply"),
    ("Longest waiting conversation", "oldest_waiting", "Jump to the customer who has waited longest (N)"),
    ("Mark done", "done", "Done without replying; their next text reopens it (e / d)"),
    ("Snooze…", "snooze", "Out of the waiting queue until a time or their next text (z)"),
    ("Undo done / snooze", "undo", "Undo the last done or snooze (u)"),
    ("Change view…", "views", "All, waiting, unread, failed, snoozed, done; per number (v)"),
    ("Name this contact…", "edit_contact", "Address book: a name and notes for the customer's number (a)"),
    ("Search messages…", "search", "Search every message, number and name; open the thread at the message (/)"),
    ("Filter contacts", "filter", "Filter the contact list by number, name or text (f)"),
    ("New conversation…", "new_conversation", "Start a conversation with a number that has never written (m)"),
    ("Export conversation…", "export", "Save the open conversation as text, JSON or CSV (x)"),
    ("Canned reply…", "insert_template", "Pick a template; it goes into the composer to edit before sending (t)"),
    ("Switch sender number", "switch_sender", "Send from the account's next SMS number"),
    ("Retry selected message", "retry", "Send the selected failed message again"),
    ("Copy selected message", "copy", "Copy the selected message's text"),
    ("Refresh now", "refresh", "Fetch new messages and statuses now"),
    ("Toggle contact list", "toggle_sidebar", "Show or hide the contact list"),
]


async def run_chosen(screen: Any, action: str) -> None:
    """Run a chat-screen action picked in the palette. Not through `run_action`: the screen's
    `check_action` refuses single-letter actions while the composer or the filter has focus (their
    keys must type there), but a palette choice is never typing."""
    result = getattr(screen, f"action_{action}")()
    if inspect.isawaitable(result):
        await result


class ChatCommands(Provider):
    """Actions of the chat screen and one entry per conversation ("Open …")."""

    def _screen(self):  # noqa: ANN202
        from smschat.ui.screens.chat import ChatScreen

        screen = self.app.screen_stack[0] if self.app.screen_stack else None
        for candidate in reversed(self.app.screen_stack):
            if isinstance(candidate, ChatScreen):
                return candidate
        return screen if isinstance(screen, ChatScreen) else None

    async def discover(self) -> Hits:
        screen = self._screen()
        if screen is None:
            return
        for title, action, help_text in ACTIONS:
            yield DiscoveryHit(title, partial(run_chosen, screen, action), help=help_text)

    async def search(self, query: str) -> Hits:
        screen = self._screen()
        if screen is None:
            return
        matcher = self.matcher(query)
        for title, action, help_text in ACTIONS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, plain_highlight(matcher, title), partial(run_chosen, screen, action), help=help_text)
        for contact in getattr(screen, "_all", None) or screen.contacts.contacts:  # every conversation, any view
            label = f"Open {contact_title(contact)}"
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, plain_highlight(matcher, label), partial(screen.reveal, contact.key),
                          help="Open this conversation")


def plain_highlight(matcher: Matcher, text: str) -> Content:
    """`text` with the matched letters styled, as plain text: `Matcher.highlight` parses its
    argument as markup, and a contact's name ("[b]Boss[/]", "Kenji [/]", "Acme [EU]") is data."""
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    return highlighted(text, offsets if score else (), style=matcher.match_style)
