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
from smschat.domain.model import ContactSummary, Message, Status
from smschat.domain.numbers import pretty
from smschat.domain.sanitize import sanitize, sanitize_line
from smschat.domain.thread import LOCAL_PREFIX
from smschat.sync.schedule import refresh_schedule
from smschat.ui.health import ConnectionHealth
from smschat.ui.messages import StoreChanged
from smschat.ui.widgets.composer import Composer
from smschat.ui.widgets.contact_list import ContactList, contact_title
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


class ChatScreen(Screen[None]):
    """The main screen. Needs `app.session` (a `smschat.session.Session`)."""

    BINDINGS = [
        Binding("tab", "focus_next_pane", "Next pane", show=False, priority=True),
        Binding("shift+tab", "focus_previous_pane", "Prev pane", show=False, priority=True),
        Binding("slash", "filter", "Filter", tooltip="Filter contacts by number, name or text"),
        Binding("i,c", "compose", "Reply", tooltip="Write a reply in the open conversation"),
        Binding("escape", "back", "Back", show=False),
        Binding("n", "next_waiting", "Next waiting", tooltip="Jump to the next conversation waiting for a reply"),
        Binding("r", "retry", "Retry", show=False, tooltip="Send the selected failed message again"),
        Binding("y", "copy", "Copy", show=False, tooltip="Copy the selected message's text"),
        Binding("ctrl+o", "switch_sender", "Sender", tooltip="Switch the number you send from"),
        Binding("ctrl+r", "refresh", "Refresh", show=False),
        Binding("ctrl+b", "toggle_sidebar", "Contacts", show=False, tooltip="Show or hide the contact list"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.open_key: Key | None = None
        self.sender_index = 0
        self._filter = ""
        self._data_version = -1
        self._foreign_writes: tuple[int, int] | None = None
        self._initial_synced = False
        self._painted = False  # network work waits for the first paint from the store
        self._contacts_gen = 0  # bumped by every contact list change (a background reload checks it)
        self._reader: Any = None  # a Store for background reads (opened on first use; False: unmounted)
        self._reader_lock = threading.Lock()

    # -- layout ---------------------------------------------------------------------------------
    @property
    def session(self) -> Session:
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield StatusBar(clock=self.session.clock, id="status-bar")
        with Horizontal(id="panes"):
            with Vertical(id="sidebar"):
                yield Input(placeholder="Filter: number, name, text", id="filter")
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

        self._unsubscribe = self.session.engine.subscribe(changed)
        self._unwatch_retries = self.session.engine.watch_retries(retrying)
        self.call_after_refresh(self._after_first_paint)
        self.set_interval(self.app.poll_interval, self.tick)  # type: ignore[attr-defined]
        self.set_interval(1.0, self.check_external_writes)

    def _after_first_paint(self) -> None:
        """The screen shows the store's first screenful: now the whole list, then the network
        (the first sync, the open conversation's newest page; the provider is built on first use)."""
        self._painted = True
        self.reload_contacts()
        if not self._initial_synced and not self._sync_running():
            self.initial_sync()
        if self.open_key is not None:
            self.fetch_conversation(self.open_key)

    # -- store reads (UI thread, own connection) --------------------------------------------------
    def reload_contacts(self, *, limit: int | None = None) -> None:
        self._contacts_gen += 1
        store = self.session.ui_store
        contacts = store.contacts(self.session.accounts, search=self._filter, limit=limit)
        self.contacts.empty_text = "No match" if self._filter else "No conversations yet"
        self.contacts.set_contacts(contacts, keep=self.open_key)
        if limit is not None:
            return  # a first screenful: the count of waiting conversations comes with the full list
        all_contacts = contacts if not self._filter else store.contacts(self.session.accounts)
        self.status.waiting = sum(1 for c in all_contacts if c.waiting)

    def load_thread(self, key: Key, *, fresh: bool) -> None:
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
        if contact.account in self.session.accounts:
            self.sender_index = self.session.accounts.index(contact.account)
            self.composer.sender = contact.account
        self.load_thread(contact.key, fresh=True)
        self.composer.set_text(self.session.ui_store.get_draft(*contact.key))
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
        customer, account = self.open_key
        title = contact_title(contact) if contact is not None else pretty(customer)
        header.update(
            Content.assemble((f" {title}", "bold"), (f"  on {pretty(account)}", "$text-muted")), layout=False
        )

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
        shown = {c.key: c for c in self.contacts.contacts}
        fresh = {c.key: c for c in store.contacts_for(keys)}
        contacts: list[ContactSummary] = []
        for key in store.contact_keys(self.session.accounts):
            contact = fresh.get(key) or shown.get(key)
            if contact is None:  # neither shown nor changed (written by someone else): read everything
                self.reload_contacts_in_background()
                return
            contacts.append(contact)
        self.contacts.set_contacts(contacts, keep=self.open_key)
        self.status.waiting = sum(1 for c in contacts if c.waiting)

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
        self.contacts.set_contacts(contacts, keep=self.open_key)
        self.status.waiting = sum(1 for c in contacts if c.waiting)

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
        if not body.strip():
            self.notify("Nothing to send: the message is empty.", severity="warning")
            return
        if self.open_key is None:
            self.notify("Open a conversation first (pick one on the left).", severity="warning")
            return
        customer = self.open_key[0]
        sender = self.composer.sender or self.open_key[1]
        self.composer.clear()  # the stored draft goes with the outbox write, in one transaction
        self.send_message(customer, sender, body, self.open_key)

    @work(group="send", exit_on_error=False)
    async def send_message(self, customer: str, sender: str, body: str, draft: Key | None = None) -> None:
        key = (customer, sender)
        try:
            sent: Message = await self.session.call("send", customer, sender, body, draft=draft)
        except Exception as error:  # noqa: BLE001 - the text must come back whatever went wrong
            # the engine keeps failed sends in the store with their reason; what lands here was
            # refused before the outbox write, so the text is still the conversation's draft
            reason = str(error) if isinstance(error, SmsError) else f"unexpected error ({type(error).__name__})"
            self.notify(Content(f"Not sent: {reason}"), severity="error")
            if draft is not None and draft == self.open_key and not self.composer.text.strip():
                self.composer.set_text(body)
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
        if isinstance(self.focused, Input):
            self.query_one("#filter", Input).display = bool(self._filter)
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
        contacts = list(self.contacts.contacts)
        if not contacts:
            return
        start = self.contacts.cursor
        order = contacts[start + 1 :] + contacts[: start + 1]
        for contact in order:
            if contact.waiting:
                self.contacts.select_key(contact.key)
                self._show(self.composer.input)
                self.composer.input.focus()
                return
        self.notify("No one is waiting for a reply.", timeout=3)

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
        if action in {"filter", "compose", "next_waiting", "retry", "copy"} and isinstance(
            self.focused, (Input, type(self.composer.input))
        ):
            return False
        return True
