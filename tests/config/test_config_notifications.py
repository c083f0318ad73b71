"""The `[notifications]` section: defaults, every key, and clear errors for what is wrong."""

from __future__ import annotations

import textwrap

import pytest

from smschat.config import load_profile
from smschat.domain.errors import ConfigError
from smschat.domain.notify import NotifySettings

PROFILE = """
[profiles.work]
username = "me"
password = "pw"
numbers = ["2435678910"]
"""


def load(tmp_path, section: str):
    path = tmp_path / "config.toml"
    path.write_text(textwrap.dedent(section) + textwrap.dedent(PROFILE))  # top-level keys come first
    path.chmod(0o600)
    return load_profile(path, None, {}, warn=lambda text: None)


def test_without_the_section_the_defaults_apply(tmp_path):
    settings = load(tmp_path, "").notifications
    assert settings == NotifySettings(bell=True, toast=True, desktop="off", bell_open_thread=False)


def test_every_key_is_read(tmp_path):
    settings = load(tmp_path, """
        [notifications]
        bell = false
        toast = false
        desktop = "OSC777"
        bell_open_thread = true
    """).notifications
    assert settings == NotifySettings(bell=False, toast=False, desktop="osc777", bell_open_thread=True)
    assert load(tmp_path, '[notifications]\ndesktop = "osc9"\n').notifications.desktop == "osc9"


@pytest.mark.parametrize(("section", "key", "message"), [
    ("[notifications]\nbel = false\n", "notifications.bel", "unknown key 'bel' (did you mean 'bell'?)"),
    ("[notifications]\nbell = \"yes\"\n", "notifications.bell", "expected true or false, got a string"),
    ("[notifications]\ntoast = 1\n", "notifications.toast", "expected true or false, got an integer"),
    ("[notifications]\ndesktop = \"osc7\"\n", "notifications.desktop", "did you mean 'osc777'?"),
    ("[notifications]\ndesktop = \"growl\"\n", "notifications.desktop", "expected one of 'off', 'osc9', 'osc777'"),
    ("[notifications]\ndesktop = false\n", "notifications.desktop", 'write desktop = "off"'),
    ("notifications = true\n", "notifications", "expected a table like [notifications]"),
    ("[notification]\nbell = true\n", "notification", "did you mean 'notifications'?"),
])
def test_mistakes_are_named(tmp_path, section, key, message):
    with pytest.raises(ConfigError) as err:
        load(tmp_path, section)
    text = str(err.value)
    assert message in text and key in text and "config.toml" in text
