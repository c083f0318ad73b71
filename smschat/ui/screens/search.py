"""`/`: search every message, number and name; Enter opens the thread at the message found.

Results come as the agent types (after a short pause in typing), read by a worker on the screen's
own store connection (`Store.search`, the full-text index). Each result is two lines: who (name or
number), when and which way, then the text around the match with the match highlighted. Everything
shown is sanitised and built as `Content` (never markup). The screen dismisses with a
`SearchChoice` (Enter) or None (Escape).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from smschat.ui.screens.dialog import Dialog
from smschat.domain.model import Direction
from smschat.domain.numbers import pretty
from smschat.domain.sanitize import sanitize_line
from smschat.domain.search import SearchHit, SearchResults, find_spans, parse_query, snippet
from smschat.domain.timefmt import relative

DEBOUNCE = 0.15  # seconds of quiet typing before a search runs
HIGHLIGHT = "bold reverse"
HINT = "↑ ↓ move · enter opens the thread at the message · esc closes"


@dataclass(frozen=True, slots=True)
class SearchChoice:
    """The result the agent opened."""

    customer: str
    account: str
    message_id: str


def _highlighted(text: str, spans: Sequence[tuple[int, int]], style: str = "") -> Content:
    """`text` (already sanitised) with the spans in the highlight style; plain text, never markup."""
    pieces: list[tuple[str, str] | str] = []
    at = 0
    for start, end in spans:
        if start > at:
            pieces.append((text[at:start], style))
        pieces.append((text[start:end], f"{style} {HIGHLIGHT}".strip()))
        at = end
    if at < len(text):
        pieces.append((text[at:], style))
    return Content.assemble(*pieces)


def hit_content(hit: SearchHit, results: SearchResults, now: datetime) -> Content:
    """Two lines: who, when, which way; then the text around the match."""
    query = results.query
    number = pretty(hit.customer)
    name = sanitize_line(hit.name, limit=60)
    title = f"{name} {number}" if name else number
    title_spans = find_spans(title, query) if hit.contact_match else []
    message = hit.message
    when = relative(message.timestamp, now)
    if hit.contact_match:
        how = "conversation · its last message"
    elif message.direction is Direction.INBOUND:
        how = "← received"
    else:
        how = "→ sent"
    head = Content.assemble(
        _highlighted(title, title_spans, "bold"),
        (f"  {when}  {how}", "$text-muted"),
    )
    if not message.body_known:
        body = Content.assemble(("  (text not available)", "italic $text-muted"))
    else:
        line = sanitize_line(message.body, limit=4000)
        piece, spans = snippet(line, find_spans(line, query))
        body = Content.assemble("  ", _highlighted(piece, spans))
    return Content("\n").join([head, body])


def summary(results: SearchResults, limit: int) -> str:
    """The status line above the results."""
    if results.query.empty:
        return "Search every message, number and name"
    parts: list[str] = []
    conversations = results.contact_count
    if conversations:
        noun = "conversation" if conversations == 1 else "conversations"
        more = " (the most recent; type more to narrow)" if results.contacts_capped else ""
        parts.append(f"{conversations} {noun} by number or name{more}")
    count = results.message_count
    if results.capped:
        parts.append(f"the {count} newest messages (more match: type more to narrow)")
    elif count or not parts:
        parts.append(f"{count} message{'' if count == 1 else 's'}" if count else "No match")
    return " · ".join(parts)


class SearchScreen(Dialog[SearchChoice | None]):
    CSS_PATH = "search.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("pagedown", "move(10)", "Page down", show=False),
        Binding("pageup", "move(-10)", "Page up", show=False),
    ]

    def __init__(
        self,
        *,
        store_path: Path | str,
        accounts: Sequence[str],
        clock: Callable[[], datetime],
        query: str = "",
        limit: int = 200,
    ) -> None:
        super().__init__()
        self.store_path = store_path
        self.accounts = tuple(accounts)
        self.clock = clock
        self.initial = query
        self.text = query  # what is typed (the chat screen opens the next search with it)
        self.limit = limit
        self.results: SearchResults = SearchResults(parse_query(""))
        self._hits: list[SearchHit] = []
        self._timer: Timer | None = None
        self._open_first = False  # Enter came before the results: open the first one when they come
        self._reader: Any = None  # a Store for the worker (opened on first use; False once unmounted)
        self._reader_lock = threading.Lock()

    def compose(self) -> ComposeResult:
        with Vertical(id="search-dialog") as dialog:
            dialog.border_title = "Search"
            yield Input(value=self.initial, placeholder="words, a number or a name", id="search-input")
            yield Static(Content(summary(self.results, self.limit)), id="search-status")
            yield OptionList(id="search-results")
            yield Static(Content(HINT), id="search-hint")

    @property
    def input(self) -> Input:
        return self.query_one("#search-input", Input)

    @property
    def options(self) -> OptionList:
        return self.query_one("#search-results", OptionList)

    def on_mount(self) -> None:
        self.input.focus()
        if self.initial.strip():
            self.run_search(self.initial)

    def on_unmount(self) -> None:
        with self._reader_lock:
            if self._reader:
                self._reader.close()
            self._reader = False  # a search still running opens nothing any more

    # -- searching --------------------------------------------------------------------------------
    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        self.text = event.value
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, lambda: self.run_search(event.value))

    @work(group="search", exclusive=True, exit_on_error=False)
    async def run_search(self, text: str) -> None:
        try:
            results = await asyncio.to_thread(self._search, text)
        except Exception as error:  # noqa: BLE001 - a broken store must not take the app down
            self._status(f"Search failed: {sanitize_line(str(error), limit=200) or type(error).__name__}")
            return
        if results is None or text != self.input.value:
            return  # closed meanwhile, or the agent typed on: a newer search follows
        self.show_results(results)

    def _search(self, text: str) -> SearchResults | None:
        """On a worker thread, through this screen's own connection."""
        with self._reader_lock:
            if self._reader is False:
                return None
            if self._reader is None:
                from smschat.store import Store

                self._reader = Store.open(self.store_path)
            return self._reader.search(text, accounts=self.accounts, limit=self.limit)

    def show_results(self, results: SearchResults) -> None:
        self.results = results
        self._hits = list(results.hits)
        now = self.clock()
        options = self.options
        options.clear_options()
        options.add_options(
            [Option(hit_content(hit, results, now), id=str(index)) for index, hit in enumerate(self._hits)]
        )
        if self._hits:
            options.highlighted = 0
        self._status(summary(results, self.limit))
        if self._open_first:
            self._open_first = False
            self._open(0)

    def _status(self, text: str) -> None:
        self.query_one("#search-status", Static).update(Content(text))

    # -- keys -------------------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        if not self._hits:
            return
        current = self.options.highlighted
        target = 0 if current is None else max(0, min(len(self._hits) - 1, current + step))
        self.options.highlighted = target

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        if parse_query(self.input.value).text != self.results.query.text:
            # Enter before the results of what was typed: search now, open the first when it comes
            if self._timer is not None:
                self._timer.stop()
            self._open_first = True
            self.run_search(self.input.value)
            return
        self._open(self.options.highlighted)

    @on(OptionList.OptionSelected, "#search-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option_index)

    def _open(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self._hits):
            return
        hit = self._hits[index]
        self.dismiss(SearchChoice(hit.customer, hit.account, hit.message.id))

    def action_close(self) -> None:
        self.dismiss(None)
