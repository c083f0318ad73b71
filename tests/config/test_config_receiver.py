"""The `[receiver]` section: validated like the rest of the config, attached to the profile it serves."""

from __future__ import annotations

import textwrap

import pytest

from smschat.config import load_profile
from smschat.config.receiver import parse_listen
from smschat.domain.errors import ConfigError

SECRET = "Path-Secret_0123456789abcd"
PROFILES = """
default_profile = "work"
[profiles.work]
username = "me"
password = "pw"
numbers = ["2435678910"]
[profiles.other]
provider = "plivo"
username = "MAXXXXXXXXXXXXXXXXXX"
password = "plivo-token"
numbers = ["2435670000"]
"""


def write(tmp_path, receiver: str, profiles: str = PROFILES):
    path = tmp_path / "config.toml"
    path.write_text(textwrap.dedent(profiles) + "\n[receiver]\n" + textwrap.dedent(receiver))
    path.chmod(0o600)
    return path


def load(path, profile=None, env=None, warn=None):
    return load_profile(path, profile, env or {}, warn=warn or (lambda text: None))


def test_a_receiver_serves_the_default_profile(tmp_path):
    path = write(tmp_path, f'public_url = "https://sms.example.com/"\nplum_secret = "{SECRET}"\n')
    receiver = load(path).receiver
    assert (receiver.host, receiver.port, receiver.public_url) == ("127.0.0.1", 8787, "https://sms.example.com")
    assert receiver.plum_inbound_url == f"https://sms.example.com/plum/inbound/{SECRET}"
    assert receiver.callback_url("plum") == f"https://sms.example.com/plum/status/{SECRET}"
    assert receiver.callback_url("plivo") == "https://sms.example.com/plivo/status"
    assert load(path, "other").receiver is None  # one receiver, one profile
    assert SECRET not in repr(receiver) and SECRET not in repr(load(path))


def test_profile_key_picks_the_profile(tmp_path):
    path = write(tmp_path, 'public_url = "https://sms.example.com"\nprofile = "other"\nlisten = "[::1]:9000"\n')
    assert load(path).receiver is None
    receiver = load(path, "other").receiver
    assert (receiver.host, receiver.port, receiver.plum_secret) == ("::1", 9000, "")
    assert receiver.plivo_message_url == "https://sms.example.com/plivo/message"


def test_secret_from_the_environment(tmp_path):
    path = write(tmp_path, 'public_url = "https://sms.example.com"\nplum_secret_env = "PLUM_PATH"\n')
    assert load(path, env={"PLUM_PATH": SECRET}).receiver.plum_secret == SECRET
    with pytest.raises(ConfigError, match=r"config.toml:receiver.plum_secret_env: environment variable PLUM_PATH is not set"):
        load(path)


def test_a_literal_secret_in_a_readable_file_is_warned_about(tmp_path):
    path = write(tmp_path, f'public_url = "https://sms.example.com"\nplum_secret = "{SECRET}"\n',
                 profiles=PROFILES.replace('password = "pw"', 'password_env = "PW"'))
    path.chmod(0o644)
    warnings: list[str] = []
    load(path, env={"PW": "x"}, warn=warnings.append)
    assert warnings and "chmod 600" in warnings[0]


@pytest.mark.parametrize(("receiver", "key", "message"), [
    ('public_url = "https://x.example"\nlisen = "1.2.3.4:5"\n', "receiver.lisen", "did you mean 'listen'"),
    ('listen = "127.0.0.1:8787"\n', "receiver.public_url", "missing"),
    ('public_url = "http://sms.example.com"\n', "receiver.public_url", "must be https"),
    ('public_url = "ftp://sms.example.com"\n', "receiver.public_url", "expected an https URL"),
    ('public_url = "https://u:p@sms.example.com"\n', "receiver.public_url", "user name or password"),
    ('public_url = "https://sms.example.com/?a=1"\n', "receiver.public_url", "query"),
    ('public_url = "https://x.example"\nlisten = "8787"\n', "receiver.listen", "HOST:PORT"),
    ('public_url = "https://x.example"\nlisten = "127.0.0.1:99999"\n', "receiver.listen", "port"),
    ('public_url = "https://x.example"\nlisten = "bad host!:80"\n', "receiver.listen", "not an IP address"),
    ('public_url = "https://x.example"\nlisten = 8787\n', "receiver.listen", "expected a string, got an integer"),
    ('public_url = "https://x.example"\nlisten = " "\n', "receiver.listen", "expected a non-empty string"),
    ('public_url = "https://x.example"\nplum_secret = "short"\n', "receiver.plum_secret", "at least 16"),
    ('public_url = "https://x.example"\nplum_secret = "has/slash/and/is/long/enough"\n', "receiver.plum_secret",
     "letters, digits"),
    (f'public_url = "https://x.example"\nplum_secret = "{SECRET}"\nplum_secret_env = "X"\n',
     "receiver.plum_secret_env", "not both"),
    ('public_url = "https://x.example"\ncertfile = "/etc/ssl/a.pem"\n', "receiver.keyfile", "go together"),
    ('public_url = "https://x.example"\nprofile = "nobody"\n', "receiver.profile", "no profile named 'nobody'"),
])
def test_mistakes_name_the_file_and_key(tmp_path, receiver, key, message):
    path = write(tmp_path, receiver)
    with pytest.raises(ConfigError) as caught:
        load(path)
    text = str(caught.value)
    assert text.startswith(f"{path}:{key}: ")
    assert message in text


def test_a_bad_secret_is_not_echoed(tmp_path):
    path = write(tmp_path, 'public_url = "https://x.example"\nplum_secret = "tiny-secret"\n')
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert "tiny-secret" not in str(caught.value)


def test_the_section_must_be_a_table(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('receiver = "yes"\n' + textwrap.dedent(PROFILES))
    with pytest.raises(ConfigError, match="receiver: expected a table"):
        load(path)


def test_several_profiles_without_a_default_need_the_profile_key(tmp_path):
    profiles = PROFILES.replace('default_profile = "work"\n', "")
    path = write(tmp_path, 'public_url = "https://x.example"\n', profiles=profiles)
    with pytest.raises(ConfigError, match="receiver.profile: missing"):
        load(path, "work")


@pytest.mark.parametrize(("text", "expected"), [
    ("127.0.0.1:8787", ("127.0.0.1", 8787)),
    ("0.0.0.0:0", ("0.0.0.0", 0)),
    ("[::]:443", ("::", 443)),
    ("localhost:80", ("localhost", 80)),
])
def test_parse_listen(text, expected):
    assert parse_listen(text) == expected


@pytest.mark.parametrize("text", ["", ":80", "::1:80", "[::1]80", "host:", "host:-1", "host:８０", "a b:1"])
def test_parse_listen_refuses(text):
    with pytest.raises(ValueError):
        parse_listen(text)
