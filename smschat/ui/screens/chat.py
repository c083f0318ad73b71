"""The chat screen: contacts on the left, the open thread and the composer on the right.

The screen paints from the local store at once, then keeps it fresh through the session's sync
engine (which runs on its own thread): an incremental refresh and a status poll on a timer, a
conversation page when a thread opens or the user scrolls to its top, and sends through the outbox.
Widgets report upward with messages; the screen owns the flow.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from smschat.domain.errors import SmsError
from smschat.domain.media import supports_mms
from smschat.domain.model import ContactSummary, Message, Status
from smschat.domain.numbers import pretty
from smschat.domain.sanitize import sanitize, sanitize_line
from smschat.domain.thread import LOCAL_PREFIX
from smschat.domain.timefmt import waited
from smschat.domain.triage import Triage, View, ViewKind, counts, next_waiting, triage
from smschat.store.triage import TriageMark
from smschat.sync.schedule import refresh_schedule
from smschat.ui.health import ConnectionHealth
from smschat.ui.messages import StoreChanged
from smschat.ui.screens.chat_tools import ConversationTools
from smschat.ui.screens.chat_search import SearchJump
from smschat.ui.screens.chat_templates import CannedReplies
from smschat.ui.notifier import ArrivalNotifier
from smschat.ui.widgets.composer import Composer
from smschat.ui.screens.triage import ContactEdit, ContactEditor, SnoozeChoice, SnoozeScreen, ViewPicker
from smschat.ui.widgets.contact_list import ContactList, contact_title
from smschat.ui.widgets.view_bar import ViewBar
from smschat.ui.widgets.status_bar import SYNCING, TROUBLE, StatusBar
from smschat.ui.widgets.thread_view import ThreadView

if TYPE_CHECKING:
    from smschat.session import Session

Key = tuple[str, str]
THREAD_WINDOW = 200  # messages read from the store per thread page
FIRST_CONTACTS = 100  # contacts read for the first paint (the rest right after it)
INCREMENTAL_CONTACTS = 200  # a change touching more conversations reloads the whole contact list


def is_local_id(message_id: str) -> bool:
    return message_id.startswith(LOCAL_PREFIX)


class ChatScreen(ConversationTools, SearchJump, CannedReplies, Screen[None]):
    """The main screen. Needs `app.session` (a `smschat.session.Session`)."""

    BINDINGS = [
        Binding("tab", "focus_next_pane", "Next pane", show=False, priority=True, id="focus_next_pane"),
        Binding("shift+tab", "focus_previous_pane", "Prev pane", show=False, priority=True, id="focus_previous_pane"),
        Binding("slash", "search", "Search", id="search",
                tooltip="Search every message, number and name; enter opens the thread at the message"),
        Binding("f", "filter", "Filter", show=False, id="filter", tooltip="Filter contacts by number, name or text"),
        Binding("i,c", "compose", "Reply", id="compose", tooltip="Write a reply in the open conversation"),
        Binding("escape", "back", "Back", show=False, id="back"),
        Binding("n", "next_waiting", "Next", id="next_waiting", tooltip="Jump to the next conversation waiting for a reply"),
        Binding("N", "oldest_waiting", "Oldest waiting", show=False, id="oldest_waiting", tooltip="Jump to the customer who has waited longest"),
        Binding("e,d", "done", "Done", id="done", tooltip="Mark the conversation done without replying (their next text reopens it)"),
        Binding("z", "snooze", "Snooze", id="snooze", tooltip="Hide the conversation from the waiting queue for a while"),
        Binding("u", "undo", "Undo", show=False, id="undo", tooltip="Undo the last done or snooze"),
        Binding("v", "views", "View", id="views", tooltip="Show all, waiting, unread, failed, snoozed or done conversations"),
        Binding("a", "edit_contact", "Name", show=False, id="edit_contact", tooltip="Name the contact and keep notes (address book)"),
        Binding("r", "retry", "Retry", show=False, id="retry", tooltip="Send the selected failed message again"),
        Binding("y", "copy", "Copy", show=False, id="copy", tooltip="Copy the selected message's text"),
        Binding("m", "new_conversation", "New", show=False, id="new_conversation", tooltip="Start a conversation with a number that never wrote"),
        Binding("x", "export", "Export", show=False, id="export", tooltip="Export the open conversation (text, JSON or CSV)"),
        Binding("ctrl+o", "switch_sender", "Sender", show=False, id="switch_sender", tooltip="Switch the number you send from"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="refresh"),
        Binding("ctrl+b", "toggle_sidebar", "Contacts", show=False, id="toggle_sidebar", tooltip="Show or hide the contact list"),
        Binding("t", "insert_template", "Template", show=False, id="insert_template",
                tooltip="Pick a canned reply; it goes into the composer to edit before sending"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.open_key: Key | None = None
        self.sender_index = 0
        self._filter = ""
        self.view = View()
        self._all: list[ContactSummary] = []  # every conversation (matching the filter); the view shows some
        self._last_mark: tuple[Key, TriageMark, str] | None = None  # for undo: key, state before, what was done
        self._sticky: Key | None = None  # the open conversation stays listed until done/snoozed or left
        self._data_version = -1
        self._foreign_writes: tuple[int, int] | None = None
        self._initial_synced = False
        self._painted = False  # network work waits for the first paint from the store
        self._contacts_gen = 0  # bumped by every contact list change (a background reload checks it)
        self._reader: Any = None  # a Store for background reads (opened on first use; False: unmounted)
        self._reader_lock = threading.Lock()
        self._media: dict[Key, tuple[str, ...]] = {}  # attachments being written, per conversation (MMS)

    # -- layout ---------------------------------------------------------------------------------
    @property
    def session(self) -> Session:
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield StatusBar(clock=self.session.clock, id="status-bar")
        with Horizontal(id="panes"):
            with Vertical(id="sidebar"):
                yield Input(placeholder="Filter: number, name, text", id="filter")
                yield ViewBar(id="view-bar")
                yield ContactList(clock=self.session.clock, id="contacts")
            with Vertical(id="conversation"):
                yield Static(id="thread-header", markup=False)
                yield ThreadView(clock=self.session.clock, id="thread")
                yield Composer(id="composer")
        yield Footer()

    @property
    def contacts(self) -> ContactList:
        return self.query_one(ContactList)

    @property
    def view_bar(self) -> ViewBar:
        return self.query_one(ViewBar)

    @property
    def thread(self) -> ThreadView:
        return self.query_one(ThreadView)

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def _auth_failed(self) -> bool:
        return self.health.auth_failed

    def on_unmount(self) -> None:
        for name in ("_unsubscribe", "_unwatch_retries"):
            unsubscribe = getattr(self, name, None)
            if unsubscribe is not None:
                unsubscribe()
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
            self._reader = False  # a background read still running opens nothing any more
        from smschat.ui.heap import thaw_heap

        thaw_heap()  # what was frozen at the first paint (this screen included) is collectable again

    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        self.health = ConnectionHealth(self.status, self.app.poll_interval, loop.time)  # type: ignore[attr-defined]
        interval = self.app.poll_interval  # type: ignore[attr-defined]
        # idle: a list request at most every 10 intervals; with a receiver, a slow safety net
        self.refresh_schedule = refresh_schedule(interval, loop.time, receiving=self.session.receiving)
        profile = self.session.profile
        demo = "smschat · demo" + (" · Plivo" if getattr(profile, "provider", "") == "plivo" else "")
        self.status.title = demo if self.session.demo else f"smschat · {sanitize_line(profile.name)}"
        self.query_one("#filter", Input).display = False
        self.composer.senders_count = len(self.session.accounts)
        self.composer.sender = self.session.accounts[0] if self.session.accounts else ""
        self._update_header()
        self._data_version = self.session.ui_store.data_version()  # baseline: writes after this repaint
        self._foreign_writes = self.session.ui_store.foreign_writes(*self._own_writers())
        self.reload_contacts(limit=FIRST_CONTACTS)
        self.contacts.focus()

        def changed(keys: set[Key]) -> None:  # called on the sync thread
            loop.call_soon_threadsafe(self.post_message, StoreChanged(frozenset(keys)))

        def retrying(attempt: int, error: BaseException, delay: float) -> None:  # on the sync thread
            loop.call_soon_threadsafe(self.health.retrying, attempt, str(error))

        self.notifier = ArrivalNotifier(self, getattr(self.session.profile, "notifications", None))
        self._unsubscribe = self.session.engine.subscribe(changed)
        self._unwatch_retries = self.session.engine.watch_retries(retrying)
        self.call_after_refresh(self._first_frame)
        self.set_interval(self.app.poll_interval, self.tick)  # type: ignore[attr-defined]
        self.set_interval(1.0, self.check_external_writes)
        self.set_interval(30.0, self.refresh_triage)

    def _first_frame(self) -> None:
        """Mounted at start-up, the screen's first frame is drawn inside the app's start-up batch,
        which Textual never writes to the terminal: draw it again, and load the rest after that."""
        self.refresh()
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        """The screen shows the store's first screenful: now the whole list, then the network
        (the first sync, the open conversation's newest page; the provider is built on first use)."""
        self._painted = True
        # every contact, read on a worker thread (thousands of summaries with their triage state
        # take tens of milliseconds: keys typed meanwhile must not wait for them)
        self.reload_contacts_in_background()
        if not self._initial_synced and not self._sync_running():
            self.initial_sync()
        if self.open_key is not None:
            self.fetch_conversation(self.open_key)
        from smschat.ui.heap import freeze_startup_heap

        freeze_startup_heap()  # later full collections skip the start-up heap (no 60 ms stalls)

    # -- store reads (UI thread, own connection) --------------------------------------------------
    def reload_contacts(self, *, limit: int | None = None) -> None:
        self._contacts_gen += 1
        store = self.session.ui_store
        contacts = store.contacts(self.session.accounts, search=self._filter, limit=limit)
        if limit is not None:  # a first screenful: the counts come with the full list
            self._show_contacts(contacts, counted=False)
            return
        self._show_contacts(contacts, counted=not self._filter)
        if self._filter:
            self._count(store.contacts(self.session.accounts))

    def _show_contacts(self, contacts: list[ContactSummary], *, counted: bool = True) -> None:
        """`contacts` (every conversation, or those matching the filter) go through the view to the
        list. The open conversation stays shown until the agent moves away, even when it no longer
        belongs in the view (a reply takes it out of "waiting": the thread must not vanish)."""
        self._all = list(contacts)
        now = self.session.clock()
        shown = self.view.apply(self._all, now)
        if self.open_key is not None and self._sticky == self.open_key and all(c.key != self.open_key for c in shown):
            before = self.contacts.index_of(self.open_key)
            current = self._summary(self.open_key)
            if before is not None and current is not None:
                shown.insert(min(before, len(shown)), current)
        self.contacts.empty_text = self._empty_text()
        self.contacts.set_contacts(shown, keep=self.open_key)
        self.view_bar.view = self.view
        self.view_bar.filtered = bool(self._filter)
        if counted:
            self._count(self._all)
        current = self._summary(self.open_key)
        if current is not None:
            self._update_header(current)

    def _summary(self, key: Key | None) -> ContactSummary | None:
        """The summary of `key` among the contacts read last (None: not there)."""
        return next((c for c in self._all if c.key == key), None) if key is not None else None

    def _count(self, contacts: list[ContactSummary]) -> None:
        now = self.session.clock()
        tally = counts(contacts, now, self.view.account)
        self.view_bar.counts = tally
        self.status.waiting = tally.waiting if not self.view.account else counts(contacts, now).waiting

    def _empty_text(self) -> str:
        if self._filter:
            return "No match"
        if self.view.kind is ViewKind.WAITING:
            return "No one is waiting. v: views"
        if self.view.kind is not ViewKind.ALL or self.view.account:
            return "Nothing here. v: views"
        return "No conversations yet"

    def refresh_triage(self) -> None:
        """Every half minute: snoozes run out, waiting times grow."""
        if self._all:
            self._show_contacts(self._all, counted=not self._filter)

    def load_thread(self, key: Key, *, fresh: bool) -> None:
        if not fresh and self.thread.has_newer:  # a window far back (a search result): re-read it
            if self.refresh_window(key):
                return
            fresh = True
        store = self.session.ui_store
        records = store.thread(key[0], key[1], limit=THREAD_WINDOW)
        if fresh:
            # has_older stays True until the server says there is nothing older than the store's
            self.thread.set_messages(records, account_numbers=self.session.accounts, has_older=True)
            return
        # outbox rows the provider has acknowledged are replaced in the store by its records
        present = {r.id for r in records}
        gone = [i for item in self.thread.items for i in item.ids if is_local_id(i) and i not in present]
        if gone:
            self.thread.remove(gone)
        self.thread.upsert(records)

    def _oldest_cursor(self) -> tuple[Any, str] | None:
        items = self.thread.items
        if not items:
            return None
        first = items[0].records[0]
        return (first.timestamp, first.id) if first.timestamp else None

    # -- opening a conversation -----------------------------------------------------------------
    @on(ContactList.Highlighted)
    def _highlighted(self, event: ContactList.Highlighted) -> None:
        if self.keeps_open(event):  # a conversation opened with m stays open while the list refreshes
            return
        self.open_conversation(event.contact)

    @on(ContactList.Chosen)
    def _chosen(self, event: ContactList.Chosen) -> None:
        self.open_conversation(event.contact)
        self._show(self.composer.input)
        self.composer.input.focus()

    def open_conversation(self, contact: ContactSummary) -> None:
        if contact.key == self.open_key:
            return
        self._save_draft()
        self.open_key = contact.key
        self._sticky = contact.key
        if contact.account in self.session.accounts:
            self.sender_index = self.session.accounts.index(contact.account)
            self.composer.sender = contact.account
        self.load_thread(contact.key, fresh=True)
        self.composer.set_text(self.session.ui_store.get_draft(*contact.key))
        self.composer.media = self._media.get(contact.key, ())
        self._update_header(contact)
        self.session.ui_store.mark_read(*contact.key)
        if contact.unread:
            self.update_contacts(frozenset({contact.key}))  # its row loses the unread count
        self.refresh_schedule.activity()  # the agent is working: poll at the normal pace again
        if self._painted:  # else `_after_first_paint` fetches it
            self.fetch_conversation(contact.key)

    def _update_header(self, contact: ContactSummary | None = None) -> None:
        header = self.query_one("#thread-header", Static)
        if self.open_key is None:
            header.update(Content.from_text(" Pick a conversation on the left (↑/↓, Enter), or press n for the next one waiting."),
                          layout=False)  # one row (app.tcss): its text never changes its size
            return
        new = self.new_conversation_header() if contact is None else None
        if new is not None:  # opened with m, nothing sent yet
            header.update(new, layout=False)
            return
        customer, account = self.open_key
        title = contact_title(contact) if contact is not None else pretty(customer)
        parts: list[Content | tuple[str, str] | str] = [(f" {title}", "bold"), (f"  on {pretty(account)}", "$text-muted")]
        if contact is not None:
            now = self.session.clock()
            state = triage(contact, now)
            if state is Triage.WAITING and contact.waiting_since is not None:
                parts.append((f"  ● waiting {waited(contact.waiting_since, now)}", "bold $text-warning"))
            elif state is Triage.SNOOZED and contact.snoozed_until is not None:
                parts.append((f"  z snoozed until {contact.snoozed_until.astimezone():%a %H:%M}", "$text-muted"))
            elif state is Triage.DONE:
                parts.append(("  ✓ done", "$text-success"))
            elif contact.opted_out:
                parts.append(("  ⊘ opted out (texted STOP)", "$text-error"))
            if contact.note:
                parts.append((f"  · {sanitize_line(contact.note, limit=120)}", "italic $text-muted"))
        header.update(Content.assemble(*parts), layout=False)

    @work(group="conversation", exclusive=True, exit_on_error=False)
    async def fetch_conversation(self, key: Key, older: bool = False) -> None:
        if self._auth_failed:  # no requests until the agent asks again (ctrl+r)
            return
        try:
            added = await self.session.call("load_conversation", key[0], key[1], older=older)
        except SmsError as error:
            self._connection_error(error)
            return
        if self._initial_synced:
            self.health.ok()
        if key != self.open_key:
            return
        if older:
            self._prepend_older(key, fetched=added)
        elif added:
            self.load_thread(key, fresh=False)

    @on(ThreadView.ReplyRequested)
    def _reply_requested(self) -> None:
        self.action_compose()

    @on(ThreadView.NeedOlder)
    def _need_older(self) -> None:
        if self.open_key is None:
            return
        key = self.open_key
        before = self._oldest_cursor()
        items = self.session.ui_store.thread(key[0], key[1], before=before, limit=THREAD_WINDOW) if before else []
        if items:
            self.thread.prepend_older(items, has_older=True)
        else:
            self.fetch_conversation(key, older=True)

    def _prepend_older(self, key: Key, *, fetched: int) -> None:
        before = self._oldest_cursor()
        items = self.session.ui_store.thread(key[0], key[1], before=before, limit=THREAD_WINDOW) if before else []
        self.thread.prepend_older(items, has_older=bool(fetched))

    # -- store changes ----------------------------------------------------------------------------
    @on(StoreChanged)
    def _store_changed(self, event: StoreChanged) -> None:
        if self.open_key is not None and (not event.keys or self.open_key in event.keys):
            self.load_thread(self.open_key, fresh=False)
            if self.thread.has_focus or self.composer.input.has_focus:
                self.session.ui_store.mark_read(*self.open_key)
        self.update_contacts(event.keys)
        self.check_new_conversation()
        self.notifier.check()  # a bell and a toast for new texts

    def update_contacts(self, keys: frozenset[Key]) -> None:
        """Re-read the conversations in `keys`, keep the summaries of the others: a new message
        costs one small query, not thousands of rows (without a filter, for a few keys; else, or
        when the list holds something unexpected, everything is reloaded)."""
        self._contacts_gen += 1
        if self._filter:
            self.reload_contacts()
            return
        if not keys or len(keys) > INCREMENTAL_CONTACTS:
            self.reload_contacts_in_background()
            return
        store = self.session.ui_store
        shown = {c.key: c for c in self._all}
        fresh = {c.key: c for c in store.contacts_for(keys)}
        contacts: list[ContactSummary] = []
        for key in store.contact_keys(self.session.accounts):
            contact = fresh.get(key) or shown.get(key)
            if contact is None:  # neither shown nor changed (written by someone else): read everything
                self.reload_contacts_in_background()
                return
            contacts.append(contact)
        self._show_contacts(contacts)

    @work(group="contacts", exclusive=True, exit_on_error=False)
    async def reload_contacts_in_background(self) -> None:
        """Every contact, read on a worker thread with its own connection (thousands of rows would
        hold the UI for tens of milliseconds), then shown; read again when more changes came in."""
        accounts = self.session.accounts
        for _ in range(3):
            generation = self._contacts_gen
            contacts = await asyncio.to_thread(self._read_contacts, accounts)
            if generation == self._contacts_gen:
                break
        if self._filter:
            return  # the filtered list is read on the UI thread as the agent types
        self._show_contacts(contacts)

    def _read_contacts(self, accounts: tuple[str, ...]) -> list[ContactSummary]:
        """On a worker thread: every contact, through the screen's background connection."""
        with self._reader_lock:
            if self._reader is False:
                return []
            if self._reader is None:
                from smschat.store import Store

                self._reader = Store.open(self.session.store_path)
            return self._reader.contacts(accounts)

    def check_external_writes(self) -> None:
        """Notice writes by another process (a second client, the webhook receiver). The sync
        engine's own writes arrive as StoreChanged with their keys: they are not reloaded again."""
        store = self.session.ui_store
        version = store.data_version()
        if version == self._data_version:
            return
        self._data_version = version
        foreign = store.foreign_writes(*self._own_writers())
        if foreign != self._foreign_writes:
            self._foreign_writes = foreign
            self.post_message(StoreChanged(frozenset()))

    def _own_writers(self) -> tuple[str, ...]:
        writer = getattr(getattr(self.session.engine, "store", None), "writer_id", None)
        return (writer,) if writer else ()

    # -- background sync -------------------------------------------------------------------------
    @work(group="sync", exclusive=True, exit_on_error=False)
    async def initial_sync(self) -> None:
        if self.status.state not in TROUBLE:  # offline stays offline (and keeps its "since")
            self.status.set_state(SYNCING, "")

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self.status.set_state, SYNCING, f"{done}/{total}")

        try:
            await self.session.call("recover_outbox")
            keys = await self.session.call("refresh", progress)
        except SmsError as error:
            self._connection_error(error)
            return
        self._initial_synced = True
        self.notifier.arm()  # what the first sync brought is history: no bell for it
        self.health.ok()
        if keys:  # nothing new: the screen already shows the store
            self.post_message(StoreChanged(frozenset(keys)))

    @work(group="sync", exclusive=False, exit_on_error=False)
    async def tick(self) -> None:
        """One polling round: new messages (when `refresh_schedule` says so: it backs off while
        rounds bring nothing), then due status checks (each pending message has its own backoff)."""
        if not self.health.due():
            return  # login rejected, or backing off after failed rounds
        if not self._initial_synced:
            if not self._sync_running():
                self.initial_sync()
            return
        if len([w for w in self.workers if w.group == "sync" and w.is_running]) > 1:
            return  # the previous round is still going (slow server): do not pile up
        try:
            keys: set[Key] = set()
            if self.refresh_schedule.due():
                keys = await self.session.call("refresh")
                self.refresh_schedule.done(changed=bool(keys))
            keys |= await self.session.call("poll_statuses")
        except SmsError as error:
            self._connection_error(error)
            return
        self.health.ok()
        if keys:
            self.post_message(StoreChanged(frozenset(keys)))

    def _sync_running(self) -> bool:
        return any(w.group == "sync" and w.is_running and w.name == "initial_sync" for w in self.workers)

    def action_refresh(self) -> None:
        self.health.reset()
        self.refresh_schedule.activity(now=True)
        self.tick()

    def _connection_error(self, error: SmsError) -> None:
        if self.health.failed(error):
            self.notify(Content(str(error)), title="Server error", severity="error")

    # -- sending ------------------------------------------------------------------------------------
    @on(Composer.Submitted)
    def _submitted(self, event: Composer.Submitted) -> None:
        body = event.text
        media = self.composer.media
        if not body.strip():
            self.notify("Write a message to go with the attachments: an MMS needs text too." if media
                        else "Nothing to send: the message is empty.", severity="warning")
            return
        if self.open_key is None:
            self.notify("Open a conversation first (pick one on the left).", severity="warning")
            if not self.composer.text.strip():
                self.composer.set_text(body)  # the composer emptied itself on Enter: give it back
            return
        customer = self.open_key[0]
        sender = self.composer.sender or self.open_key[1]
        if self.thread.has_newer:  # reading far back (a search result): show the newest, where it goes
            self.load_thread(self.open_key, fresh=True)
        # the composer emptied itself on Enter (what was typed since stays); the stored draft goes
        # with the outbox write, in one transaction
        self.composer.media = ()  # the outbox row keeps them (a failed MMS is retried with its media)
        self.send_message(customer, sender, body, self.open_key, media)

    @work(group="send", exit_on_error=False)
    async def send_message(self, customer: str, sender: str, body: str, draft: Key | None = None,
                           media: tuple[str, ...] = ()) -> None:
        key = (customer, sender)
        try:
            sent: Message = await self.session.call("send", customer, sender, body, media_urls=media, draft=draft)
        except Exception as error:  # noqa: BLE001 - the text must come back whatever went wrong
            # the engine keeps failed sends in the store with their reason; what lands here was
            # refused before the outbox write, so the text is still the conversation's draft
            reason = str(error) if isinstance(error, SmsError) else f"unexpected error ({type(error).__name__})"
            self.notify(Content(f"Not sent: {reason}"), severity="error")
            if draft is not None and draft == self.open_key and not self.composer.text.strip():
                self.composer.set_text(body)
                self.composer.media = self.composer.media or media
            elif draft is not None and media and not self._media.get(draft):
                self._media[draft] = media
            return
        self.post_message(StoreChanged(frozenset({key})))
        if sent.status is Status.FAILURE:
            self.notify(Content(f"Not sent: {sanitize_line(sent.error)}  (r on the message retries)"), severity="error")
        if key != self.open_key and self.open_key == draft:
            # sent from another of the account's numbers: follow the message to that conversation,
            # unless the agent has moved on (jumping back would put their next words in this thread)
            self.contacts.select_key(key)

    @on(Composer.Changed)
    def _draft_changed(self, event: Composer.Changed) -> None:
        self._save_draft(event.text)

    @on(Composer.MediaChanged)
    def _media_changed(self, event: Composer.MediaChanged) -> None:
        if self.open_key is not None:
            if event.media:
                self._media[self.open_key] = event.media
            else:
                self._media.pop(self.open_key, None)

    @on(Composer.AttachRequested)
    def _attach_requested(self) -> None:
        """ctrl+a in the composer: the attachments of this reply (MMS), where the provider has MMS."""
        if not supports_mms(getattr(self.session.profile, "provider", "")):
            self.notify("MMS is not available on Plum: it sends text messages only. Put a link in the text instead.",
                        title="No attachments", severity="warning")
            return
        if self.open_key is None:
            self.notify("Open a conversation first (pick one on the left).", severity="warning")
            return
        from smschat.ui.screens.attachments import AttachmentsScreen

        key = self.open_key

        def done(media: tuple[str, ...] | None) -> None:
            if media is None:
                return
            if key == self.open_key:
                self.composer.media = media
            else:
                self._media[key] = media

        self.app.push_screen(AttachmentsScreen(self.composer.media), done)

    def _save_draft(self, text: str | None = None) -> None:
        if self.open_key is None:
            return
        value = self.composer.text if text is None else text
        self.session.ui_store.set_draft(self.open_key[0], self.open_key[1], value)

    def action_retry(self) -> None:
        item = self.thread.selected_item
        if item is None or item.status is not Status.FAILURE or not item.local:
            self.notify("Select a message that failed to send (✗ failed) to retry it.", severity="information")
            return
        from smschat.ui.screens.confirm import ConfirmScreen

        question = "Send this message again?"
        if item.uncertain:
            question = "The first attempt may have gone out (no answer came back). Send it again anyway?"

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.retry_message(item.id)

        self.app.push_screen(ConfirmScreen(question, sanitize_line(item.body, limit=200)), done)

    @work(group="send", exit_on_error=False)
    async def retry_message(self, local_id: str) -> None:
        try:
            await self.session.call("retry", local_id)
        except SmsError as error:
            self.notify(Content(f"Not sent: {error}"), severity="error")
        if self.open_key:
            self.post_message(StoreChanged(frozenset({self.open_key})))

    def action_copy(self) -> None:
        item = self.thread.selected_item
        if item is None:
            return
        if item.media:  # an MMS: its files' URLs, one per line (controls shown as symbols, as below)
            self.app.copy_to_clipboard("\n".join(sanitize_line(url, limit=2000) for url in item.media))
            count = len(item.media)
            self.notify("Copied the attachment's URL." if count == 1 else f"Copied {count} attachment URLs.", timeout=2)
            return
        # the text as shown: a raw ESC could end the terminal's bracketed paste when it is pasted
        # into a shell, and turn the rest of a customer's text into typed commands
        self.app.copy_to_clipboard(sanitize(item.body))
        self.notify("Copied the message text.", timeout=2)

    def action_switch_sender(self) -> None:
        accounts = self.session.accounts
        if len(accounts) < 2:
            self.notify("This account has one SMS number.", timeout=2)
            return
        self.sender_index = (self.sender_index + 1) % len(accounts)
        self.composer.sender = accounts[self.sender_index]

    # -- navigation ---------------------------------------------------------------------------------
    def _panes(self) -> list[Any]:
        panes: list[Any] = []
        if self.query_one("#sidebar").display or self.has_class("-tiny"):
            panes.append(self.contacts)
        panes += [self.thread, self.composer.input]
        return panes

    def _show(self, target: Any) -> None:
        """In tiny mode, reveal the half of the screen `target` lives in before focusing it."""
        if self.has_class("-tiny"):
            list_side = target is self.contacts or isinstance(target, Input)
            self.query_one("#sidebar").display = list_side
            self.query_one("#conversation").display = not list_side

    def _cycle(self, step: int) -> None:
        if isinstance(self.focused, Input):
            self.contacts.focus()
            return
        panes = self._panes()
        current = next((i for i, pane in enumerate(panes) if pane is self.focused), -1)
        target = panes[(current + step) % len(panes)]
        self._show(target)
        target.focus()

    def action_focus_next_pane(self) -> None:
        self._cycle(1)

    def action_focus_previous_pane(self) -> None:
        self._cycle(-1)

    def action_compose(self) -> None:
        if self.open_key is None:
            self.notify("Pick a conversation first.", severity="warning", timeout=3)
            return
        self._show(self.composer.input)
        self.composer.input.focus()

    def action_back(self) -> None:
        if isinstance(self.focused, Input):  # esc in the filter line: no filter (enter keeps it)
            self._clear_filter()
            self.contacts.focus()
        elif self.focused is self.composer.input:
            self.thread.focus()
        else:
            self.query_one("#sidebar").display = True
            self._show(self.contacts)
            self.contacts.focus()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        self.query_one("#sidebar").display = True
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter = event.value.strip()
        self.reload_contacts()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.contacts.focus()

    def action_next_waiting(self) -> None:
        """The next customer in the waiting queue (oldest waiting first) after the open one."""
        self._jump_waiting(self.open_key)

    def action_oldest_waiting(self) -> None:
        self._jump_waiting(None)

    def _jump_waiting(self, after: Key | None, *, focus_composer: bool = True) -> bool:
        # the whole queue, not only what a filter shows
        pool = self._all if not self._filter else self.session.ui_store.contacts(self.session.accounts)
        target = next_waiting(pool, self.session.clock(), after)
        if target is None or target.key == after:
            if target is None:
                self.notify("No one is waiting for a reply.", timeout=3)
            return False
        if self.contacts.index_of(target.key) is None:
            self._clear_filter()
        if self.contacts.index_of(target.key) is None:  # not in this view: show the waiting queue
            self.view = View(ViewKind.WAITING, self.view.account if target.account == self.view.account else "")
            self._show_contacts(self._all, counted=not self._filter)
        self.contacts.select_key(target.key)
        if focus_composer:
            self._show(self.composer.input)
            self.composer.input.focus()
        return True

    # -- triage: done, snooze, undo, views, names ----------------------------------------------------
    def _clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = False
        if not self._filter and not box.value:
            return
        self._filter = ""
        with box.prevent(Input.Changed):
            box.value = ""
        self.reload_contacts()

    def reveal(self, key: Key) -> bool:
        """Select `key` in the list, showing every conversation first (no filter, the All view) when
        the current view or filter hides it: what the agent opened is never missing from the list."""
        if self.contacts.index_of(key) is None:
            self._clear_filter()
            if self.contacts.index_of(key) is None and (self.view.kind is not ViewKind.ALL or self.view.account):
                self.view = View(ViewKind.ALL)
                self._sticky = None
                self._show_contacts(self._all)
        return self.contacts.select_key(key)

    def _open_contact(self) -> ContactSummary | None:
        if self.open_key is None:
            self.notify("Pick a conversation first.", severity="warning", timeout=3)
            return None
        return self._summary(self.open_key) or self.session.ui_store.contact(*self.open_key)

    def action_done(self) -> None:
        contact = self._open_contact()
        if contact is None:
            return
        store = self.session.ui_store
        state = triage(contact, self.session.clock())
        if state is Triage.DONE:
            before = store.reopen(*contact.key)
            self._after_mark(contact, before, "reopened", advance=False)
        elif state is Triage.ANSWERED:
            self.notify("Nothing to mark done: your answer is the last word.", timeout=3)
        else:
            before = store.mark_done(*contact.key)
            self._after_mark(contact, before, "marked done", advance=True)

    def action_snooze(self) -> None:
        contact = self._open_contact()
        if contact is None:
            return
        now = self.session.clock()
        state = triage(contact, now)
        if state is Triage.ANSWERED:
            self.notify("Nothing to snooze: no one is waiting in this conversation.", timeout=3)
            return

        def chosen(choice: SnoozeChoice | None) -> None:
            if choice is None:
                return
            store = self.session.ui_store
            if choice.until is None:
                before = store.reopen(*contact.key)
                self._after_mark(contact, before, "woken up", advance=False)
                return
            before = store.snooze(*contact.key, choice.until)
            self._after_mark(contact, before, f"snoozed until {choice.until:%a %H:%M}", advance=True)

        local_now = now.astimezone()
        self.app.push_screen(SnoozeScreen(contact_title(contact), local_now, snoozed=state is Triage.SNOOZED), chosen)

    def _after_mark(self, contact: ContactSummary, before: TriageMark, what: str, *, advance: bool) -> None:
        self._last_mark = (contact.key, before, what)
        if advance:
            self._sticky = None  # dealt with: it leaves a view it no longer belongs to
        self.update_contacts(frozenset({contact.key}))
        self._update_header(self._summary(contact.key) or contact)
        moved = advance and self._jump_waiting(contact.key, focus_composer=False)
        follow = " · next waiting" if moved else ""
        self.notify(Content(f"{contact_title(contact)}: {what}{follow} · u undoes"), timeout=4)

    def action_undo(self) -> None:
        if self._last_mark is None:
            self.notify("Nothing to undo.", timeout=2)
            return
        key, before, what = self._last_mark
        self._last_mark = None
        self.session.ui_store.set_triage_mark(*key, before)
        self.update_contacts(frozenset({key}))
        if self.contacts.index_of(key) is None and self.view.kind is not ViewKind.ALL:
            self.view = View(ViewKind.ALL, self.view.account)
            self._show_contacts(self._all, counted=not self._filter)
        self.contacts.select_key(key)
        self.notify(f"Undone: {what}.", timeout=3)

    def action_views(self) -> None:
        tally = counts(self._all, self.session.clock(), self.view.account)

        def chosen(view: View | None) -> None:
            if view is None or view == self.view:
                return
            self.view = view
            self._sticky = None  # a new view shows exactly what belongs in it
            self._show_contacts(self._all, counted=not self._filter)
            if self._filter:
                self._count(self.session.ui_store.contacts(self.session.accounts))
            self.contacts.focus()

        self.app.push_screen(ViewPicker(self.view, tally, self.session.accounts), chosen)

    def action_edit_contact(self) -> None:
        contact = self._open_contact()
        if self.open_key is None:
            return
        number = self.open_key[0]
        entry = self.session.ui_store.get_name(number)

        def saved(edit: ContactEdit | None) -> None:
            if edit is None:
                return
            try:
                self.session.ui_store.set_name(number, edit.name, edit.notes)
            except ValueError as error:
                self.notify(Content(str(error)), severity="error")
                return
            keys = frozenset(c.key for c in self._all if c.customer == number) | ({contact.key} if contact else set())
            self.update_contacts(frozenset(keys))
            self._update_header(self._summary(self.open_key))
            self.notify("Saved in the address book." if edit.name or edit.notes else "Removed from the address book.",
                        timeout=2)

        self.app.push_screen(ContactEditor(number, entry.name, entry.notes), saved)

    # -- small terminals ---------------------------------------------------------------------------
    def on_resize(self) -> None:
        self._fit()

    def on_descendant_focus(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Below 72 columns the list narrows; below 60 the list and the thread take turns."""
        width = self.size.width
        self.set_class(width < 72, "-narrow")
        tiny = width < 60
        self.set_class(tiny, "-tiny")
        if tiny:
            sidebar_wanted = self.focused is self.contacts or isinstance(self.focused, Input) or self.open_key is None
            self.query_one("#sidebar").display = sidebar_wanted
            self.query_one("#conversation").display = not sidebar_wanted
        else:
            self.query_one("#conversation").display = True

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one("#sidebar")
        sidebar.display = not sidebar.display
        if not sidebar.display and self.focused is self.contacts:
            self.thread.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Single-letter keys must type into inputs, not trigger actions.
        if action in {"search", "filter", "compose", "next_waiting", "oldest_waiting", "done", "snooze", "undo", "views",
                      "edit_contact", "new_conversation", "export", "retry", "copy", "insert_template"} and isinstance(
            self.focused, (Input, type(self.composer.input))
        ):
            return False
        return True
