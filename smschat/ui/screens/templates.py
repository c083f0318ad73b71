"""The canned-reply picker (t on the chat screen, ctrl+t in the composer).

A filter line on top, the templates below, fuzzy-matched as you type (the letters of the filter in
order, as in the command palette; a template whose text contains the filter matches too, below the
name matches), and the highlighted one filled in for the open conversation as a preview. ↑/↓ move,
Enter answers with the filled-in text (the chat screen puts it into the composer, where it can be
edited before it is sent), Esc answers None.

Names and texts come from the config file and values from the address book: everything is shown
through `Content` built from plain strings, never as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.style import Style
from textual.fuzzy import FuzzySearch
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from smschat.ui.screens.dialog import Dialog
from smschat.domain.sanitize import sanitize, sanitize_line
from smschat.domain.templates import Template

MATCH_STYLE = "bold underline"
TEXT_MATCH = 0.01  # a match in the text only ranks below every match in a name


@dataclass(frozen=True)
class Match:
    template: Template
    index: int  # its place in the config file
    score: float
    offsets: tuple[int, ...] = ()  # matched characters of the name


def rank(templates: Sequence[Template], query: str, search: FuzzySearch | None = None) -> list[Match]:
    """The templates matching `query`, best first (the file's order without a query or on a tie)."""
    query = query.strip()
    if not query:
        return [Match(t, i, 1.0) for i, t in enumerate(templates)]
    search = search or FuzzySearch()
    found: list[Match] = []
    needle = query.casefold()
    for i, template in enumerate(templates):
        score, offsets = search.match(query, template.name)
        if score > 0:
            found.append(Match(template, i, score, tuple(offsets)))
        elif needle in template.text.casefold():
            found.append(Match(template, i, TEXT_MATCH))
    found.sort(key=lambda m: (-m.score, m.index))
    return found


def highlighted(name: str, offsets: Sequence[int], style: str | Style = MATCH_STYLE) -> Content:
    """The name as plain text with the matched letters styled (never parsed as markup)."""
    shown = sanitize_line(name)
    content = Content(shown)
    if shown != name:  # not what was matched: no highlight rather than a wrong one
        return content
    for offset in offsets:
        if offset < len(content) and not name[offset].isspace():
            content = content.stylize(style, offset, offset + 1)
    return content


class TemplatePicker(Dialog[str | None]):
    """Pick a canned reply; answers with its text filled in for the conversation, or None."""

    CSS_PATH = "templates.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("pagedown", "move(5)", show=False),
        Binding("pageup", "move(-5)", show=False),
    ]

    def __init__(self, templates: Sequence[Template], values: Mapping[str, str], *, title: str = "") -> None:
        super().__init__()
        self.templates = tuple(templates)
        self.values = dict(values)
        self.title_text = title
        self.matches: list[Match] = []
        self._search = FuzzySearch()

    def compose(self) -> ComposeResult:
        with Vertical(id="templates-dialog"):
            title = Content.assemble(("Canned reply", "bold"))
            if self.title_text:
                title = Content.assemble(title, ("  for " + sanitize_line(self.title_text, limit=40), "$text-muted"))
            yield Static(title, id="templates-title")
            yield Input(placeholder="Type to filter", id="templates-filter")
            yield OptionList(id="templates-list")
            yield Static(id="templates-preview")
            yield Static(Content("↑↓ choose · enter puts it in the composer to edit · esc cancels"),
                         id="templates-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).can_focus = False
        self._refilter("")
        self.query_one(Input).focus()

    @property
    def options(self) -> OptionList:
        return self.query_one("#templates-list", OptionList)

    @on(Input.Changed, "#templates-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._refilter(event.value)

    def _refilter(self, query: str) -> None:
        self.matches = rank(self.templates, query, self._search)
        options = self.options
        options.clear_options()
        options.add_options([Option(highlighted(m.template.name, m.offsets), id=f"template-{m.index}")
                             for m in self.matches])
        if self.matches:
            options.highlighted = 0
        self._preview()

    @on(OptionList.OptionHighlighted, "#templates-list")
    def _highlighted(self) -> None:
        self._preview()

    def current(self) -> Template | None:
        index = self.options.highlighted
        if index is None or not 0 <= index < len(self.matches):
            return None
        return self.matches[index].template

    def _preview(self) -> None:
        preview = self.query_one("#templates-preview", Static)
        template = self.current()
        if template is None:
            query = self.query_one(Input).value.strip()
            preview.update(Content.assemble(("No template matches ", "$text-muted"), sanitize_line(query, limit=40)))
            return
        preview.update(Content(sanitize(template.render(self.values))))

    def action_move(self, step: int) -> None:
        if not self.matches:
            return
        index = self.options.highlighted or 0
        self.options.highlighted = max(0, min(len(self.matches) - 1, index + step))

    @on(Input.Submitted, "#templates-filter")
    def _submitted(self) -> None:
        self._choose()

    @on(OptionList.OptionSelected, "#templates-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.options.highlighted = event.option_index
        self._choose()

    def _choose(self) -> None:
        template = self.current()
        if template is None:
            self.app.bell()
            return
        self.dismiss(template.render(self.values))

    def action_cancel(self) -> None:
        self.dismiss(None)
