import os
import stat
import sys
import textwrap

import pytest

from smschat import config
from smschat.config import Profile, load_profile, save_config
from smschat.domain.errors import ConfigError

SECRET = "s3cr3t-Hunter2"


def write(tmp_path, text, mode=0o600, name="config.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    path.chmod(mode)
    return path


def basic(secret_line=f'password = "{SECRET}"', extra="", fmt="json", url="https://hosting.plumvoice.com/ws/sms"):
    return f"""
    default_profile = "work"
    [profiles.work]
    provider = "plum"
    base_url = "{url}"
    format = "{fmt}"
    username = "me"
    {secret_line}
    numbers = ["243-567-8910", "(243) 567-0000"]
    {extra}
    """


def load(path, **kw):
    kw.setdefault("env", {})
    kw.setdefault("warn", lambda text: None)
    return load_profile(path, **kw)


def test_literal_password_profile(tmp_path):
    p = load(write(tmp_path, basic()))
    assert p.name == "work" and p.provider == "plum" and p.format == "json" and p.username == "me"
    assert p.password == SECRET and p.secret_source == "password"
    assert p.numbers == ("12435678910", "12435670000") and p.default_number == "12435678910"
    assert p.timeout == 15.0 and p.base_url == "https://hosting.plumvoice.com/ws/sms"


def test_password_env(tmp_path):
    p = load(write(tmp_path, basic('password_env = "PLUM_PW"')), env={"PLUM_PW": SECRET})
    assert p.password == SECRET and p.secret_source == "password_env:PLUM_PW"


def test_password_env_missing_names_variable(tmp_path):
    path = write(tmp_path, basic('password_env = "PLUM_PW"'))
    with pytest.raises(ConfigError) as err:
        load(path, env={})
    assert "PLUM_PW" in str(err.value) and "not set" in str(err.value)
    assert str(path) in str(err.value) and "profiles.work.password_env" in str(err.value)


def test_password_env_empty(tmp_path):
    with pytest.raises(ConfigError, match="is empty"):
        load(write(tmp_path, basic('password_env = "PLUM_PW"')), env={"PLUM_PW": ""})


def test_password_command_first_line_without_shell(tmp_path):
    script = tmp_path / "pw.py"
    script.write_text(f"print({SECRET!r}); print('second line')\n")
    line = f"password_command = '{sys.executable} {script}'"
    p = load(write(tmp_path, basic(line)), env=dict(os.environ))
    assert p.password == SECRET and p.secret_source == "password_command"


def test_password_command_is_not_run_by_a_shell(tmp_path):
    marker = tmp_path / "pwned"
    line = f"password_command = 'echo ok; touch {marker}'"
    p = load(write(tmp_path, basic(line)), env=dict(os.environ))
    # without a shell, ";" and "touch" are arguments to echo
    assert not marker.exists()
    assert p.password.startswith("ok;")


def test_password_command_failure_never_echoes_stdout(tmp_path):
    script = tmp_path / "pw.py"
    script.write_text(f"import sys; print({SECRET!r}); print('vault locked', file=sys.stderr); sys.exit(3)\n")
    with pytest.raises(ConfigError) as err:
        load(write(tmp_path, basic(f"password_command = '{sys.executable} {script}'")), env=dict(os.environ))
    text = str(err.value)
    assert "exit status 3" in text and "vault locked" in text and SECRET not in text
    assert "profiles.work.password_command" in text


def test_password_command_not_found(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load(write(tmp_path, basic("password_command = 'no-such-command-smschat --x'")), env=dict(os.environ))


def test_password_command_empty_output(tmp_path):
    with pytest.raises(ConfigError, match="printed nothing"):
        load(write(tmp_path, basic(f"password_command = '{sys.executable} -c pass'")), env=dict(os.environ))


def test_password_command_timeout(tmp_path, monkeypatch):
    monkeypatch.setattr(config.secret, "PASSWORD_COMMAND_TIMEOUT", 0.2)
    line = f"password_command = '{sys.executable} -c \"import time; time.sleep(30)\"'"
    with pytest.raises(ConfigError, match="did not finish"):
        load(write(tmp_path, basic(line)), env=dict(os.environ))


def test_missing_secret(tmp_path):
    with pytest.raises(ConfigError, match="exactly one of password"):
        load(write(tmp_path, basic("")))


def test_two_secrets_refused(tmp_path):
    with pytest.raises(ConfigError, match="exactly one secret source") as err:
        load(write(tmp_path, basic(f'password = "{SECRET}"\npassword_env = "X"')), env={"X": "y"})
    assert SECRET not in str(err.value)


def test_unknown_profile_key_reported_with_suggestion(tmp_path):
    path = write(tmp_path, basic(extra='usrname = "x"'))
    with pytest.raises(ConfigError) as err:
        load(path)
    text = str(err.value)
    assert "unknown key 'usrname'" in text and "did you mean 'username'" in text
    assert str(path) in text and "profiles.work.usrname" in text


def test_unknown_top_level_key(tmp_path):
    path = write(tmp_path, 'colour = "red"\n' + basic())
    with pytest.raises(ConfigError, match="unknown key 'colour'"):
        load(path)


@pytest.mark.parametrize(
    "extra, key, expected",
    [
        ("timeout = \"fast\"", "timeout", "number of seconds"),
        ("timeout = -1", "timeout", "number of seconds"),
        ("allow_insecure = \"yes\"", "allow_insecure", "true or false"),
    ],
)
def test_bad_types(tmp_path, extra, key, expected):
    with pytest.raises(ConfigError) as err:
        load(write(tmp_path, basic(extra=extra)))
    assert f"profiles.work.{key}" in str(err.value) and expected in str(err.value)


def test_username_must_be_string(tmp_path):
    text = basic().replace('username = "me"', "username = 42")
    with pytest.raises(ConfigError, match="profiles.work.username: expected a string, got an integer"):
        load(write(tmp_path, text))


def test_numbers_must_be_strings(tmp_path):
    text = basic().replace('numbers = ["243-567-8910", "(243) 567-0000"]', "numbers = [2435678910]")
    with pytest.raises(ConfigError, match=r"numbers\[0\]: expected a string in quotes"):
        load(write(tmp_path, text))


def test_numbers_validated(tmp_path):
    text = basic().replace('numbers = ["243-567-8910", "(243) 567-0000"]', 'numbers = ["12ab"]')
    with pytest.raises(ConfigError, match=r"numbers\[0\]: .*not a phone number"):
        load(write(tmp_path, text))


def test_numbers_required(tmp_path):
    text = basic().replace('numbers = ["243-567-8910", "(243) 567-0000"]', "")
    with pytest.raises(ConfigError, match="profiles.work.numbers: missing"):
        load(write(tmp_path, text))


def test_bad_format_value(tmp_path):
    with pytest.raises(ConfigError) as err:
        load(write(tmp_path, basic(fmt="yaml")))
    assert 'profiles.work.format: expected "json" or "xml", got \'yaml\'' in str(err.value)


def test_xml_format(tmp_path):
    assert load(write(tmp_path, basic(fmt="XML"))).format == "xml"


def test_unknown_provider(tmp_path):
    with pytest.raises(ConfigError, match="profiles.work.provider: expected one of"):
        load(write(tmp_path, basic().replace('provider = "plum"', 'provider = "twilio"')))


def test_http_refused_for_remote_host(tmp_path):
    with pytest.raises(ConfigError) as err:
        load(write(tmp_path, basic(url="http://sms.example.com/ws/sms")))
    assert "profiles.work.base_url" in str(err.value) and "unencrypted" in str(err.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.3.4.5", "[::1]", "localhost"])
def test_http_allowed_on_loopback(tmp_path, host):
    p = load(write(tmp_path, basic(url=f"http://{host}:8080/ws/sms/")))
    assert p.base_url == f"http://{host}:8080/ws/sms"


def test_http_allowed_with_allow_insecure(tmp_path):
    p = load(write(tmp_path, basic(url="http://sms.lan/ws/sms", extra="allow_insecure = true")))
    assert p.base_url == "http://sms.lan/ws/sms" and p.allow_insecure


@pytest.mark.parametrize("url", ["ftp://x/ws", "hosting.plumvoice.com/ws/sms", "https://u:p@host/ws"])
def test_bad_urls(tmp_path, url):
    with pytest.raises(ConfigError, match="profiles.work.base_url"):
        load(write(tmp_path, basic(url=url)))


def test_profile_selection_and_errors(tmp_path):
    text = basic() + """
    [profiles.other]
    username = "o"
    password = "x"
    numbers = ["2435671111"]
    """
    path = write(tmp_path, text)
    other = load(path, profile="other")
    assert other.name == "other" and other.base_url == config.DEFAULT_BASE_URLS["plum"] and other.format == "json"
    with pytest.raises(ConfigError, match="no profile named 'nope'; profiles in this file: other, work"):
        load(path, profile="nope")


def test_default_profile_needed_when_several(tmp_path):
    text = """
    [profiles.a]
    username = "a"
    password = "x"
    numbers = ["2435671111"]
    [profiles.b]
    username = "b"
    password = "x"
    numbers = ["2435671111"]
    """
    with pytest.raises(ConfigError, match="default_profile: missing"):
        load(write(tmp_path, text))
    single = write(tmp_path, text.split("[profiles.b]")[0], name="single.toml")
    assert load(single).name == "a"


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(ConfigError, match="no config file"):
        load(tmp_path / "absent.toml")
    bad = write(tmp_path, "this is = = not toml")
    with pytest.raises(ConfigError, match="not valid TOML") as err:
        load(bad)
    assert str(bad) in str(err.value)


def test_path_resolution_order(tmp_path, monkeypatch):
    a = write(tmp_path, basic(), name="a.toml")
    b = write(tmp_path, basic().replace('username = "me"', 'username = "from-env"'), name="b.toml")
    assert load(a, env={"SMSCHAT_CONFIG": str(b)}).username == "me"
    assert load(None, env={"SMSCHAT_CONFIG": str(b)}).username == "from-env"
    monkeypatch.setattr(config.load.paths, "config_file", lambda: a)
    assert load(None, env={}).username == "me"


def test_permission_warning_for_literal_password(tmp_path):
    warnings = []
    path = write(tmp_path, basic(), mode=0o644)
    load(path, warn=warnings.append)
    assert len(warnings) == 1 and "chmod 600" in warnings[0] and SECRET not in warnings[0]
    warnings.clear()
    path.chmod(0o600)
    load(path, warn=warnings.append)
    assert warnings == []


def test_no_permission_warning_without_literal_password(tmp_path):
    warnings = []
    load(write(tmp_path, basic('password_env = "PW"'), mode=0o644), env={"PW": "x"}, warn=warnings.append)
    assert warnings == []


def test_permission_warning_goes_to_stderr_by_default(tmp_path, capsys):
    load_profile(write(tmp_path, basic(), mode=0o640), env={})
    captured = capsys.readouterr()
    assert "readable by other users" in captured.err and SECRET not in captured.err and captured.out == ""


def test_password_never_in_repr_or_str(tmp_path):
    p = load(write(tmp_path, basic()))
    for text in (repr(p), str(p), f"{p}", repr([p]), str(p.redacted())):
        assert SECRET not in text
    assert "********" in repr(p)


def test_profile_constructed_in_code_keeps_contract_order():
    p = Profile("n", "plum", "https://x/ws/sms", "json", "u", SECRET, ("12435678910",))
    assert p.password == SECRET and p.timeout == 15.0 and SECRET not in repr(p)


def test_save_config_round_trip_mode_0600(tmp_path):
    target = tmp_path / "sub" / "config.toml"
    data = {"default_profile": "w", "profiles": {"w": {"username": "u", "password": SECRET, "numbers": ["2435678910"]}}}
    save_config(target, data)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert load(target).password == SECRET
    target.chmod(0o644)
    save_config(target, data)  # replacing keeps it private
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["config.toml"]
