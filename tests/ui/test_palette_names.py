"""Contact names in the command palette are plain text (Matcher.highlight parses markup)."""

from __future__ import annotations

import pytest
from textual.fuzzy import Matcher

from smschat.ui.commands import plain_highlight


@pytest.mark.parametrize("name", ["[bold red]Boss[/] [@click=app.quit]x", "Kenji [/]", "Acme [EU]"])
def test_a_name_with_brackets_is_shown_as_typed_and_highlighted(name):
    label = f"Open {name}"
    content = plain_highlight(Matcher("open"), label)
    assert content.plain == label
    assert content.spans  # the matched letters are styled


def test_no_match_is_plain_and_unstyled():
    content = plain_highlight(Matcher("zzz"), "Open Kenji [/]")
    assert content.plain == "Open Kenji [/]" and not content.spans
