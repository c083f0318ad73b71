from datetime import UTC, datetime

import pytest

from smschat.domain.templates import (
    PLACEHOLDERS,
    Field,
    Template,
    TemplateError,
    clean_value,
    e164,
    parse,
    placeholder_values,
)

NOW = datetime(2026, 3, 3, 14, 5, tzinfo=UTC)


def values(**kw):
    base = dict(customer="6175550123", account="16175550100", name="Dana Whitfield", agent="Sam", now=NOW)
    base.update(kw)
    return placeholder_values(**base)


def test_every_placeholder_has_a_value():
    v = values()
    assert set(v) == set(PLACEHOLDERS)
    assert v == {
        "customer": "(617) 555-0123",
        "customer_e164": "+16175550123",
        "account": "(617) 555-0100",
        "account_e164": "+16175550100",
        "name": "Dana Whitfield",
        "first_name": "Dana",
        "agent": "Sam",
        "date": "3 March 2026",
        "time": "14:05",
    }


def test_render_fills_placeholders_and_fallbacks():
    t = Template.parse("ready", "Hi {first_name|there}, {customer} / {customer_e164} from {account}. {agent}")
    assert t.render(values()) == "Hi Dana, (617) 555-0123 / +16175550123 from (617) 555-0100. Sam"
    assert t.render(values(name="", agent="")) == "Hi there, (617) 555-0123 / +16175550123 from (617) 555-0100. "
    assert t.fields == {"first_name", "customer", "customer_e164", "account", "agent"}


def test_fallback_may_be_empty_or_hold_spaces_and_bars():
    t = Template.parse("x", "Hi {name|}!{name| dear customer }|{name|a|b}")
    assert t.render(values(name="")) == "Hi ! dear customer |a|b"


def test_literal_braces():
    t = Template.parse("braces", "{{customer}} is {customer} }}{{")
    assert t.render(values()) == "{customer} is (617) 555-0123 }{"
    assert parse("a{{b") == ("a{b",)


def test_spaces_around_a_placeholder_name_are_allowed():
    assert parse("{ name }") == (Field("name"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hi {nmae}", "unknown placeholder {nmae}; available: {customer}, {customer_e164}"),
        ("Hi {}", "empty placeholder at character 4"),
        ("Hi {name", "'{' at character 4 is not closed; write '{{' for a literal brace"),
        ("Hi {na{me}", "'{' at character 4 is not closed"),
        ("Hi name}", "'}' at character 8 closes nothing; write '}}' for a literal brace"),
        ("Hi\x1b[31m", "control character U+001B at character 3"),
        ("Hi\u202ename", "control character U+202E"),
        ("Hi {Name}", "unknown placeholder {Name}"),
    ],
)
def test_bad_templates_say_what_is_wrong(text, message):
    with pytest.raises(TemplateError, match=None) as info:
        parse(text)
    assert message in str(info.value)


def test_unknown_placeholder_lists_every_available_one():
    with pytest.raises(TemplateError) as info:
        parse("{phone}")
    for name in PLACEHOLDERS:
        assert "{" + name + "}" in str(info.value)


def test_newlines_and_tabs_are_fine_in_a_template():
    assert Template.parse("two lines", "Hi {name},\n\tsee you").render(values()) == "Hi Dana Whitfield,\n\tsee you"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("  ", "x", "needs a name"),
        ("a" * 61, "x", "at most 60"),
        ("bad\x1bname", "x", "control character"),
        ("two\nlines", "x", "control character or a line break"),
        ("empty", "   \n", "the text is empty"),
    ],
)
def test_bad_names_and_empty_texts(name, text, message):
    with pytest.raises(TemplateError) as info:
        Template.parse(name, text)
    assert message in str(info.value)


def test_a_name_is_inserted_as_text_never_expanded_again():
    """A contact named like a placeholder or markup stays those characters: one pass, no re-reading."""
    t = Template.parse("hi", "Hi {name}, call {customer}")
    hostile = "{customer} [bold]x[/bold] [@click=app.quit]{{"
    assert t.render(values(name=hostile)) == f"Hi {hostile}, call (617) 555-0123"


def test_control_characters_and_bidi_in_values_are_dropped():
    t = Template.parse("hi", "Hi {name}!")
    name = "Da\x1b]52;c;ZWNobw==\x07na\u202e \r\nWhit\x9bfield\x00"
    assert t.render(values(name=name)) == "Hi Da]52;c;ZWNobw==na Whitfield!"
    assert "\x1b" not in t.render(values(name=name))


def test_a_value_of_only_controls_falls_back():
    t = Template.parse("hi", "Hi {name|there}")
    assert t.render(values(name="\x1b\x07\u202e\n")) == "Hi there"
    assert values(name="\x1b\x07")["first_name"] == ""


def test_clean_value():
    assert clean_value(None) == ""
    assert clean_value("  a \n\n b\t c ") == "a b c"
    assert clean_value("😀 Zoë") == "😀 Zoë"


def test_e164_keeps_short_codes():
    assert e164("12345") == "12345"
    assert e164("+44 20 7946 0000") == "+442079460000"


def test_time_and_date_use_the_given_zone():
    from datetime import timedelta, timezone

    local = NOW.astimezone(timezone(timedelta(hours=-5)))
    v = placeholder_values(customer="6175550123", account="6175550100", now=local)
    assert (v["date"], v["time"]) == ("3 March 2026", "09:05")


def test_missing_value_renders_fallback():
    assert Template.parse("x", "{agent|the team}").render({}) == "the team"
