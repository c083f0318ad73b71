"""The chat screen's canned replies (`t`, and ctrl+t in the composer), mixed into `ChatScreen`.

The picker (`smschat.ui.screens.templates.TemplatePicker`) fills the templates in for the open
conversation (its customer, the number the reply goes from, the name in the address book, the
agent's name, the date and time now); the chosen text goes into the composer at the cursor (replacing
a selection), where it can be edited. It is sent like anything typed: Enter, through the outbox.
"""

from __future__ import annotations

from typing import Any

from textual.content import Content

from smschat.domain.numbers import pretty

Key = tuple[str, str]

NO_TEMPLATES = (
    "No canned replies yet. Add a [templates] table to the config file, one name = \"text\" per line; "
    "the text may use {name}, {customer}, {agent}, {date} ... (see the README, Canned replies). "
    "smschat --demo has four to try."
)


class CannedReplies:
    """Needs the `ChatScreen` attributes: session, open_key, composer, _all, _show."""

    def action_insert_template(self: Any) -> None:
        from smschat.domain.templates import placeholder_values
        from smschat.ui.screens.templates import TemplatePicker
        from smschat.ui.widgets.contact_list import contact_title

        ui = getattr(self.session.profile, "ui", None)
        templates = tuple(getattr(ui, "templates", ()) or ())
        if not templates:
            self.notify(Content(NO_TEMPLATES), title="Canned replies", timeout=10)
            return
        if self.open_key is None:
            self.notify("Pick a conversation first.", severity="warning", timeout=3)
            return
        key: Key = self.open_key
        customer, account = key
        # read now: the name may have been given since the list was drawn
        contact = self.session.ui_store.contact(*key) or self._summary(key)
        values = placeholder_values(
            customer=customer,
            account=self.composer.sender or account,
            name=getattr(contact, "name", "") or "",
            agent=getattr(ui, "agent_name", ""),
            now=self.session.clock().astimezone(),
        )
        title = contact_title(contact) if contact is not None else pretty(customer)

        def chosen(text: str | None) -> None:
            self.insert_into_composer(key, text)

        self.app.push_screen(TemplatePicker(templates, values, title=title), chosen)

    def on_composer_template_requested(self: Any, event: Any) -> None:
        """ctrl+t in the composer (where `t` types): the same picker."""
        event.stop()
        self.action_insert_template()

    def insert_into_composer(self: Any, key: Key, text: str | None) -> None:
        """Put `text` where the composer's cursor is (over a selection), and focus the composer."""
        if not text:
            return
        if key != self.open_key:  # the conversation changed meanwhile: it was filled in for another
            self.notify("The conversation changed; pick the reply again.", severity="warning", timeout=4)
            return
        area = self.composer.input
        start, end = area.selection
        area.replace(text, start, end, maintain_selection_offset=False)  # posts Changed: the draft is saved
        self._show(area)
        area.focus()
