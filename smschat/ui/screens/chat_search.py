"""The chat screen's `/` (search) and opening a thread at one message, mixed into `ChatScreen`.

A result may be thousands of messages back in a long thread. The thread then opens on a *window*:
the store's records around that message (`Store.thread_around`), the message selected. While the
window does not reach the newest message (`ThreadView.has_newer`), reaching its bottom reads the next
page (`Store.thread_after`), end/G reads the newest page as when the conversation opens, a store change
re-reads what the window shows (`Store.thread_between`) instead of the newest page, and sending a
reply first goes to the newest page so the reply is seen.
"""

from __future__ import annotations

from typing import Any

from smschat.domain.thread import LOCAL_PREFIX
from smschat.ui.widgets.thread_view import ThreadView

Key = tuple[str, str]
WINDOW_BEFORE = 100  # records read above the message a thread opens at
WINDOW_AFTER = 100  # and below it (then a page at a time)
PAGE = 200


class SearchJump:
    """Needs the `ChatScreen` attributes: session, open_key, contacts, thread, open_conversation, ..."""

    #: the last search typed (the search screen opens with it)
    last_search: str = ""

    def action_search(self: Any) -> None:
        from smschat.ui.screens.search import SearchScreen

        screen = SearchScreen(
            store_path=self.session.store_path,
            accounts=self.session.accounts,
            clock=self.session.clock,
            query=self.last_search,
        )

        def chosen(choice: Any) -> None:
            self.last_search = screen.text
            if choice is not None:
                self.open_at(choice.customer, choice.account, choice.message_id)

        self.app.push_screen(screen, chosen)

    def open_at(self: Any, customer: str, account: str, message_id: str) -> bool:
        """Open the conversation with that message selected in the thread (the thread focused)."""
        key = (customer, account)
        contact = self.session.ui_store.contact(*key)
        if contact is None:
            self.notify("That conversation is no longer in the store.", severity="warning")
            return False
        if key != self.open_key:
            self.open_conversation(contact)
        if not self.reveal(key):  # not even in the All view (nothing stored for it yet)
            if hasattr(self, "pinned_key"):  # automatic re-highlights of the list keep it open
                self.pinned_key = key
        found = self.show_message(message_id)
        self._show(self.thread)
        self.thread.focus()
        return found

    def show_message(self: Any, message_id: str) -> bool:
        """Select the message in the open thread, reading the window around it when not loaded."""
        if self.open_key is None:
            return False
        if self.thread.select(message_id):
            return True
        records, newer = self.session.ui_store.thread_around(
            *self.open_key, message_id, before=WINDOW_BEFORE, after=WINDOW_AFTER
        )
        if not records:
            self.notify("That message is no longer in the store.", severity="warning")
            return False
        self.thread.set_messages(
            records, account_numbers=self.session.accounts, has_older=True, has_newer=newer, select=message_id
        )
        return True

    def on_thread_view_need_newer(self: Any, event: ThreadView.NeedNewer) -> None:
        """The bottom of a window reached: the next page; or end/G: the newest page. (A handler by
        name: `@on` is not collected from a plain mixin.)"""
        if self.open_key is None:
            return
        ids = self.thread.record_ids
        if event.newest or not ids:
            self.load_thread(self.open_key, fresh=True)
            return
        records, more = self.session.ui_store.thread_after(*self.open_key, ids[-1], limit=PAGE)
        self.thread.append_newer(records, has_newer=more)

    def refresh_window(self: Any, key: Key) -> bool:
        """Re-read what a window shows (after a store change). False when it cannot be found again
        (its first or last record is gone): the caller opens the newest page instead."""
        ids = self.thread.record_ids
        if not ids:
            return False
        records = self.session.ui_store.thread_between(*key, ids[0], ids[-1])
        if records is None:
            return False
        present = {r.id for r in records}
        gone = [i for i in ids if i.startswith(LOCAL_PREFIX) and i not in present]
        if gone:
            self.thread.remove(gone)
        self.thread.upsert(records)
        return True
