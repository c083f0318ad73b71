"""[templates], [keys] and agent_name in the config file: parsed, checked, carried on the Profile."""

import textwrap

import pytest

from smschat.config import load_profile
from smschat.config.keymap import BINDINGS, check_key, display_key, effective_keys, parse_keys
from smschat.config.ui import UiSettings, parse_templates, parse_ui_settings
from smschat.domain.errors import ConfigError

PROFILE = """
default_profile = "work"
{top}
[profiles.work]
username = "me"
password = "pw"
numbers = ["2435678910"]
{tables}
"""


def load(tmp_path, top="", tables=""):
    path = tmp_path / "config.toml"
    path.write_text(PROFILE.format(top=top, tables=textwrap.dedent(tables)))
    path.chmod(0o600)
    return load_profile(path, env={}, warn=lambda text: None)


def error(tmp_path, top="", tables=""):
    with pytest.raises(ConfigError) as info:
        load(tmp_path, top, tables)
    return str(info.value)


# -- templates ------------------------------------------------------------------------------------

def test_templates_agent_and_keys_reach_the_profile(tmp_path):
    profile = load(tmp_path, top='agent_name = "Sam"', tables='''
        [templates]
        hours = "We open at 9, {name|friend}."
        "Bike ready" = """Hi {first_name},
        your bike is ready."""

        [keys]
        next_waiting = "n,space"
        insert_template = ["t", "f2"]
    ''')
    ui = profile.ui
    assert [t.name for t in ui.templates] == ["hours", "Bike ready"]  # the file's order
    assert ui.templates[1].text == "Hi {first_name},\nyour bike is ready."
    assert ui.agent_name == "Sam"
    assert dict(ui.keymap) == {"next_waiting": "n,space", "insert_template": "t,f2"}


def test_no_settings_is_empty(tmp_path):
    assert load(tmp_path).ui == UiSettings()


def test_unknown_placeholder_names_the_template_and_lists_the_available(tmp_path):
    text = error(tmp_path, tables='''
        [templates]
        "Bike ready" = "Hi {nmae}"
    ''')
    assert 'config.toml:templates."Bike ready": template \'Bike ready\': unknown placeholder {nmae}' in text
    assert "available: {customer}, {customer_e164}, {account}, {account_e164}, {name}, {first_name}" in text


@pytest.mark.parametrize(
    ("tables", "key", "message"),
    [
        ('[templates]\nhours = 3', "templates.hours", "expected the template's text in quotes (a string), got 3"),
        ('[templates]\nhours = ["a"]', "templates.hours", "got ['a']"),
        ('[templates]\nbike.ready = "x"', "templates.bike", "got a table"),
        ('[templates]\nhours = ""', "templates.hours", "the text is empty"),
        ('[templates]\nhours = "open {"', "templates.hours", "is not closed"),
        ('[templates]\nhours = "a\\u001b[2Jb"', "templates.hours", "control character U+001B"),
        ('[templates]\nHours = "a"\nhours = "b"', "templates.hours", "another template is called 'Hours'"),
    ],
)
def test_bad_templates(tmp_path, tables, key, message):
    text = error(tmp_path, tables=tables)
    assert f"config.toml:{key}: " in text and message in text


def test_templates_must_be_a_table(tmp_path):
    assert 'config.toml:templates: expected a table of name = "text"' in error(tmp_path, top="templates = 3")


def test_agent_name_checked(tmp_path):
    assert "agent_name: expected your name in quotes, got 3" in error(tmp_path, top="agent_name = 3")
    assert "agent_name: expected one line of plain text" in error(tmp_path, top='agent_name = "Sam\\nLee"')
    assert "agent_name: expected one line" in error(tmp_path, top='agent_name = "Sam\\u001b]0;x\\u0007"')
    assert load(tmp_path, top='agent_name = "  Sam  Lee "').ui.agent_name == "Sam Lee"


def test_unknown_top_level_key_suggests_templates(tmp_path):
    assert "did you mean 'templates'" in error(tmp_path, top='tempaltes = "x"')


def test_parse_templates_alone():
    assert parse_templates(None) == ()
    (t,) = parse_templates({"  spaced name ": "x"})
    assert t.name == "spaced name"


# -- keys -----------------------------------------------------------------------------------------

def test_unknown_binding_id_says_did_you_mean(tmp_path):
    text = error(tmp_path, tables='[keys]\nnext_wating = "n"')
    assert "config.toml:keys.next_wating: unknown binding id 'next_wating' (did you mean 'next_waiting'?)" in text
    assert "ids: quit, help," in text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"Enter"', "unknown key 'Enter' in 'Enter' (did you mean 'enter'?)"),
        ('"ctrl+pgdn"', "(did you mean 'pagedown'?)"),
        ('"Ctrl+t"', "'Ctrl' in 'Ctrl+t' is not a modifier"),
        ('"ctrl++"', "write plus for the + key"),
        ('""', "expected at least one key"),
        ('"a,,b"', "has an empty key; write comma"),
        ("3", 'expected a string of keys like "n,space"'),
        ('"ctrl+ctrl+a"', "repeats a modifier"),
    ],
)
def test_bad_key_names(tmp_path, value, message):
    text = error(tmp_path, tables=f"[keys]\nnext_waiting = {value}")
    assert "config.toml:keys.next_waiting: " in text and message in text


def test_keys_must_be_a_table(tmp_path):
    assert "config.toml:keys: expected a table of binding ids" in error(tmp_path, top='keys = "n"')


def test_composer_keys_must_not_type():
    with pytest.raises(ConfigError, match="'x' would type into the composer"):
        parse_keys({"send": "x"})
    with pytest.raises(ConfigError, match="'question_mark' would type"):
        parse_keys({"composer_template": "?"})
    assert parse_keys({"send": "ctrl+s", "newline": "enter,ctrl+j"}) == {"send": "ctrl+s", "newline": "enter,ctrl+j"}


def test_clashes_on_one_screen_are_refused():
    with pytest.raises(ConfigError, match="keys.compose: 'n' is already the key of next_waiting on the chat screen"):
        parse_keys({"compose": "n"})
    with pytest.raises(ConfigError, match="keys.first: 'j' is already the key of cursor_down in the contact list"):
        parse_keys({"first": "j"})
    # a swap is fine, and so is the same key in the composer and on the screen (escape is both)
    assert parse_keys({"compose": "n", "next_waiting": "c"}) == {"compose": "n", "next_waiting": "c"}
    assert parse_keys({"send": "ctrl+o", "switch_sender": "f5"}) == {"send": "ctrl+o", "switch_sender": "f5"}


def test_a_screen_key_taken_by_the_lists_is_refused():
    """The focused contact list or thread sees a key first: a screen key there would never work."""
    with pytest.raises(ConfigError, match="keys.next_waiting: 'j' is also the key of cursor_down; the contact list"):
        parse_keys({"next_waiting": "j"})
    with pytest.raises(ConfigError, match="keys.cursor_down: 'n' is also the key of next_waiting"):
        parse_keys({"cursor_down": "n"})
    assert parse_keys({"cursor_down": "down,n", "next_waiting": "space"}) == {"cursor_down": "down,n",
                                                                              "next_waiting": "space"}


@pytest.mark.parametrize(
    ("key", "name"),
    [("?", "question_mark"), ("/", "slash"), ("G", "G"), ("shift+g", "G"), ("ctrl+T", "ctrl+t"), (" n ", "n"),
     ("ctrl+?", "ctrl+question_mark"), ("f12", "f12"), ("alt+enter", "alt+enter"), ("comma", "comma")],
)
def test_key_names_are_textuals(key, name):
    assert check_key(key) == name


def test_default_keys_do_not_clash_and_are_valid():
    assert parse_keys({bid: action.keys for bid, action in BINDINGS.items()}) is not None
    for action in BINDINGS.values():
        for key in action.keys.split(","):
            assert check_key(key) == key


def test_effective_keys_and_display():
    keys = effective_keys({"next_waiting": "n,space"})
    assert keys["next_waiting"] == ["n", "space"] and keys["help"] == ["question_mark", "f1"]
    assert [display_key(k) for k in ("question_mark", "up", "pagedown", "ctrl+slash", "escape")] == [
        "?", "↑", "pgdn", "ctrl+/", "esc"]


def test_parse_ui_settings_from_a_document():
    ui = parse_ui_settings({"keys": {"help": "f2"}, "templates": {"a": "b"}})
    assert ui.keymap == {"help": "f2"} and ui.templates[0].render({}) == "b" and ui.agent_name == ""
