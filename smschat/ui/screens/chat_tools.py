"""The chat screen's `m` (new conversation) and `x` (export), mixed into `ChatScreen`.

A new conversation is a (customer, account) key with no message in the store yet. The store lists
only conversations that have a message (`Store.contacts`: `total > 0`), so the thread opens beside
the list, not in it: the list cursor stays where it was, the header says "New conversation …
nothing sent yet", and list refreshes do not move the agent away from it (they re-highlight
"automatically"; only the agent's own moves open another conversation). The first message goes
through the normal send path; the outbox row makes it a conversation, the list shows it and the
header becomes the ordinary one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.content import Content

from smschat.domain.numbers import pretty
from smschat.domain.sanitize import sanitize_line

if TYPE_CHECKING:
    from smschat.ui.screens.export import ExportDone
    from smschat.ui.screens.new_conversation import NewConversation
    from smschat.ui.widgets.contact_list import ContactList

Key = tuple[str, str]


class ConversationTools:
    """Needs the `ChatScreen` attributes: session, open_key, contacts, thread, composer, ..."""

    #: the conversation opened with `m` that had no message then (shown as new until one exists)
    new_key: Key | None = None
    #: the conversation opened with `m` (new, or existing but not in the list's view): automatic
    #: re-highlights of the list do not replace it
    pinned_key: Key | None = None

    # -- new conversation (m) -----------------------------------------------------------------------
    def action_new_conversation(self: Any) -> None:
        from smschat.ui.screens.new_conversation import NewConversationScreen

        accounts = self.session.accounts
        if not accounts:
            self.notify("This profile has no SMS number to send from.", severity="warning")
            return
        store = self.session.ui_store

        def existing(customer: str) -> list[str]:
            return [a for a in accounts if store.contact(customer, a) is not None]

        provider = str(getattr(self.session.profile, "provider", "plum") or "plum")
        screen = NewConversationScreen(accounts, self.composer.sender or accounts[0], provider=provider,
                                       existing=existing)
        self.app.push_screen(screen, self.start_conversation)

    def start_conversation(self: Any, choice: NewConversation | None) -> None:
        """Open (customer, account): the existing conversation, or an empty new one; focus the
        composer. Nothing is sent here."""
        if choice is None:
            return
        key = (choice.customer, choice.account)
        contact = self.session.ui_store.contact(*key)
        if contact is not None:
            self.open_conversation(contact)
            if not self.contacts.select_key(key):  # filtered out or not in this view
                self.pinned_key = key
        elif key != self.open_key:
            self._open_new(key)
        self._show(self.composer.input)
        self.composer.input.focus()

    def _open_new(self: Any, key: Key) -> None:
        self._save_draft()
        self.open_key = key
        self.new_key = self.pinned_key = key
        if key[1] in self.session.accounts:
            self.sender_index = self.session.accounts.index(key[1])
            self.composer.sender = key[1]
        self.thread.set_messages([], account_numbers=self.session.accounts, has_older=False)
        self.composer.set_text(self.session.ui_store.get_draft(*key))  # an earlier start's draft
        self._update_header()
        self.refresh_schedule.activity()
        if self._painted:  # the provider may hold history the store lacks (Plum's conversation API)
            self.fetch_conversation(key)

    def keeps_open(self: Any, event: ContactList.Highlighted) -> bool:
        """True when a highlight must not open its contact: the list re-highlighted by itself
        while a conversation opened with `m` (not in the list) is open."""
        if self.pinned_key is None:
            return False
        if self.open_key != self.pinned_key or not getattr(event, "automatic", False):
            self.pinned_key = None
            return False
        return True

    def new_conversation_header(self: Any) -> Content | None:
        """The header of a conversation opened with `m` that has no message yet (else None)."""
        if self.open_key is None or self.open_key != self.new_key:
            return None
        customer, account = self.open_key
        return Content.assemble(  # most important first: the pane can be narrow
            (" New ", "bold reverse"),
            (f" {pretty(customer)}", "bold"),
            (" · nothing sent yet", "bold $text-warning"),
            (f"  from {pretty(account)}", "$text-muted"),
        )

    def check_new_conversation(self: Any) -> None:
        """After a store change: once the new conversation has a message, it is an ordinary one."""
        if self.new_key is None:
            return
        if self.open_key != self.new_key:
            self.new_key = None
            return
        contact = self.session.ui_store.contact(*self.new_key)
        if contact is not None:
            self.new_key = None
            self._update_header(contact)

    # -- export (x) ---------------------------------------------------------------------------------
    def action_export(self: Any) -> None:
        from smschat.store.export import default_directory
        from smschat.ui.screens.export import ExportScreen

        if self.open_key is None:
            self.notify("Pick a conversation first.", severity="warning", timeout=3)
            return
        customer, account = self.open_key
        if self.session.ui_store.thread_count(customer, account) == 0:
            self.notify("Nothing to export yet: this conversation has no messages.", severity="warning", timeout=3)
            return
        profile = self.session.profile
        screen = ExportScreen(
            customer, account, store_path=self.session.store_path, directory=default_directory(),
            clock=self.session.clock, profile=str(getattr(profile, "name", "") or ""),
            provider=str(getattr(profile, "provider", "") or ""),
        )
        self.app.push_screen(screen, self._exported)

    def _exported(self: Any, done: ExportDone | None) -> None:
        if done is None:
            return
        noun = "record" if done.records == 1 else "records"
        where = sanitize_line(str(done.path), limit=300)
        self.notify(Content(f"{done.records} {noun} ({done.fmt}) written to {where}"), title="Exported", timeout=8)
