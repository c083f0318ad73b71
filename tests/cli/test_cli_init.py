"""`smschat config init` against the loopback simulator: flags, every secret source, prompts, failures."""

from __future__ import annotations

import io
import json
import stat
import sys
import tomllib

import pytest
from cli_helpers import ACCOUNT, OTHER_ACCOUNT, SIM_PASSWORD, SIM_USER, run, write_config

from smschat.cli.commands import init
from smschat.config import load_profile


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("SMSCHAT_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.delenv("SMSCHAT_CONFIG", raising=False)
    monkeypatch.setattr(init, "is_interactive", lambda: False)


def stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def init_args(path, url, *extra: str, numbers=(ACCOUNT, OTHER_ACCOUNT)) -> list[str]:
    args = ["--config", str(path), "config", "init", "--profile", "work", "--base-url", url, "--username", SIM_USER]
    for n in numbers:
        args += ["--number", n]
    return args + list(extra)


def no_secret(result, secret: str = SIM_PASSWORD) -> None:
    assert secret not in result.out and secret not in result.err


def test_flags_and_password_stdin(make_sim, capsys, monkeypatch, tmp_path):
    sim = make_sim("xml")
    path = tmp_path / "new" / "config.toml"
    stdin(monkeypatch, SIM_PASSWORD + "\n")
    r = run(capsys, *init_args(path, sim.server.url, "--format", "xml", "--password-stdin"))
    assert r.code == 0, r.err
    no_secret(r)
    assert "Saved profile 'work'" in r.out and "default profile" in r.out and "stored in that file" in r.out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = tomllib.loads(path.read_text())
    assert doc["default_profile"] == "work"
    assert doc["profiles"]["work"] == {
        "provider": "plum", "base_url": sim.server.url, "format": "xml", "username": SIM_USER,
        "password": SIM_PASSWORD, "numbers": [ACCOUNT, OTHER_ACCOUNT],
    }
    # exactly one request was made to test it, and the saved file works
    assert [(m, p.rsplit("/", 1)[-1], q.get("limit"), code) for m, p, q, code in sim.account.request_log] == [
        ("GET", "messages.xml", "50", 200)
    ]
    r = run(capsys, "--config", str(path), "contacts")
    assert r.code == 0 and "Where is my refund?" in r.out
    r = run(capsys, "--config", str(path), "config", "show")
    assert r.code == 0 and "********" in r.out
    no_secret(r)


def test_password_env_stores_the_reference_not_the_secret(make_sim, capsys, monkeypatch, tmp_path):
    sim = make_sim()
    path = tmp_path / "config.toml"
    monkeypatch.setenv("PLUM_PASSWORD", SIM_PASSWORD)
    r = run(capsys, *init_args(path, sim.server.url, "--password-env", "PLUM_PASSWORD"))
    assert r.code == 0, r.err
    no_secret(r)
    assert "stored in that file" not in r.out
    text = path.read_text()
    assert SIM_PASSWORD not in text
    assert tomllib.loads(text)["profiles"]["work"]["password_env"] == "PLUM_PASSWORD"
    assert load_profile(path, env={"PLUM_PASSWORD": SIM_PASSWORD}).password == SIM_PASSWORD


def test_password_env_unset_is_a_config_error(make_sim, capsys, monkeypatch, tmp_path):
    sim = make_sim()
    monkeypatch.delenv("PLUM_PASSWORD", raising=False)
    r = run(capsys, *init_args(tmp_path / "c.toml", sim.server.url, "--password-env", "PLUM_PASSWORD"))
    assert r.code == 2 and "PLUM_PASSWORD" in r.err and "not set" in r.err
    assert not (tmp_path / "c.toml").exists()


def test_password_command_stores_the_command(make_sim, capsys, tmp_path):
    sim = make_sim()
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SIM_PASSWORD + "\nsecond line ignored\n")
    script = tmp_path / "pw.py"
    script.write_text(f"print(open({str(secret_file)!r}).read(), end='')\n")
    command = f"{sys.executable} {script}"
    path = tmp_path / "config.toml"
    r = run(capsys, *init_args(path, sim.server.url, "--password-command", command))
    assert r.code == 0, r.err
    no_secret(r)
    table = tomllib.loads(path.read_text())["profiles"]["work"]
    assert table["password_command"] == command and "password" not in table
    assert SIM_PASSWORD not in path.read_text()


def test_password_command_failure_is_clear(make_sim, capsys, tmp_path):
    sim = make_sim()
    r = run(capsys, *init_args(tmp_path / "c.toml", sim.server.url, "--password-command", "/no/such/helper"))
    assert r.code == 2 and "password_command" in r.err and "not found" in r.err
    assert not (tmp_path / "c.toml").exists()


def test_wrong_password_saves_nothing(make_sim, capsys, monkeypatch, tmp_path):
    sim = make_sim()
    path = tmp_path / "config.toml"
    stdin(monkeypatch, "not-the-Password-9\n")
    r = run(capsys, *init_args(path, sim.server.url, "--password-stdin"))
    assert r.code == 1
    assert "username or password" in r.err and "nothing was saved" in r.err and "Traceback" not in r.err
    no_secret(r, "not-the-Password-9")
    assert not path.exists()


def test_unreachable_host_saves_nothing(capsys, monkeypatch, tmp_path, dead_url):
    path = tmp_path / "config.toml"
    stdin(monkeypatch, SIM_PASSWORD + "\n")
    r = run(capsys, *init_args(path, dead_url, "--password-stdin"))
    assert r.code == 1 and "cannot reach the server" in r.err and "nothing was saved" in r.err
    no_secret(r)
    assert not path.exists()


def test_a_url_that_is_not_the_api(make_sim, capsys, monkeypatch, tmp_path):
    sim = make_sim()
    stdin(monkeypatch, SIM_PASSWORD + "\n")
    wrong = sim.server.url.replace("/ws/sms", "/nothing/here")
    r = run(capsys, *init_args(tmp_path / "c.toml", wrong, "--password-stdin"))
    assert r.code == 1 and "base_url" in r.err and "nothing was saved" in r.err


def test_numbers_not_on_the_account_are_warned_about(make_sim, capsys, monkeypatch, tmp_path):
    sim = make_sim()
    stdin(monkeypatch, SIM_PASSWORD + "\n")
    r = run(capsys, *init_args(tmp_path / "a.toml", sim.server.url, "--password-stdin", numbers=["2435679999"]))
    assert r.code == 0 and "none of the numbers you gave" in r.err and "(243) 567-9999" in r.err
    stdin(monkeypatch, SIM_PASSWORD + "\n")
    r = run(capsys, *init_args(tmp_path / "b.toml", sim.server.url, "--password-stdin", numbers=[ACCOUNT]))
    assert r.code == 0 and "the account also uses (243) 567-0001" in r.err


def test_keeps_other_profiles_and_the_default(make_sim, capsys, monkeypatch, tmp_path):
    sim = make_sim()
    path = write_config(tmp_path / "config.toml", sim.server.url)  # profile "sim", the default
    stdin(monkeypatch, SIM_PASSWORD + "\n")
    r = run(capsys, *init_args(path, sim.server.url, "--password-stdin", numbers=[OTHER_ACCOUNT]))
    assert r.code == 0, r.err
    assert "--profile work" in r.out and (tmp_path / "config.toml.bak").exists()
    assert stat.S_IMODE((tmp_path / "config.toml.bak").stat().st_mode) == 0o600
    doc = tomllib.loads(path.read_text())
    assert doc["default_profile"] == "sim" and set(doc["profiles"]) == {"sim", "work"}
    assert load_profile(path).name == "sim" and load_profile(path, "work").numbers == ("1" + OTHER_ACCOUNT,)
    # the same name again replaces it; --make-default makes it the default
    stdin(monkeypatch, SIM_PASSWORD + "\n")
    r = run(capsys, *init_args(path, sim.server.url, "--password-stdin", "--make-default"))
    assert r.code == 0 and "Replaced profile 'work'" in r.out
    doc = tomllib.loads(path.read_text())
    assert doc["default_profile"] == "work" and set(doc["profiles"]) == {"sim", "work"}
    assert doc["profiles"]["work"]["numbers"] == [ACCOUNT, OTHER_ACCOUNT]


def test_broken_existing_file_is_not_overwritten(capsys, monkeypatch, tmp_path, dead_url):
    path = tmp_path / "config.toml"
    path.write_text("this is [not toml\n")
    stdin(monkeypatch, SIM_PASSWORD + "\n")
    r = run(capsys, *init_args(path, dead_url, "--password-stdin", "--no-check"))
    assert r.code == 2 and "not valid TOML" in r.err and str(path) in r.err
    assert path.read_text() == "this is [not toml\n"


@pytest.mark.parametrize(
    "extra, expected",
    [
        ([], "--password-stdin, --password-env VAR or --password-command CMD"),
        (["--password-stdin", "--password-env", "X"], "not allowed with argument"),
        (["--password", "hunter2-Secret"], "never taken as an argument"),
        (["--password=hunter2-Secret"], "never taken as an argument"),
        (["--number", "call me", "--password-env", "PW"], "--number: 'call me' is not a phone number"),
        (["--format", "yaml", "--password-env", "PW"], "invalid choice"),
        (["--ca-bundle", "/no/such/ca.pem", "--password-env", "PW"], "--ca-bundle"),
    ],
)
def test_usage_errors(capsys, monkeypatch, tmp_path, extra, expected):
    monkeypatch.setenv("PW", "x")
    r = run(capsys, *init_args(tmp_path / "c.toml", "https://sms.example.com/ws/sms", *extra))
    assert r.code == 2 and expected in r.err, r.err
    assert "hunter2-Secret" not in r.err and "Traceback" not in r.err
    assert not (tmp_path / "c.toml").exists()


def test_required_values_without_a_terminal(capsys, monkeypatch, tmp_path):
    stdin(monkeypatch, "pw\n")
    r = run(capsys, "--config", str(tmp_path / "c.toml"), "config", "init", "--password-stdin")
    assert r.code == 2 and "--username is required when stdin is not a terminal" in r.err
    r = run(capsys, "--config", str(tmp_path / "c.toml"), "config", "init", "--username", "u", "--password-env", "PW")
    assert r.code == 2 and "--number is required" in r.err


def test_http_to_another_host_needs_allow_insecure(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("PW", "x")
    path = tmp_path / "c.toml"
    r = run(capsys, *init_args(path, "http://sms.example.com/ws/sms", "--password-env", "PW", "--no-check"))
    assert r.code == 2 and "plain http://" in r.err and not path.exists()
    r = run(capsys, *init_args(path, "http://sms.example.com/ws/sms", "--password-env", "PW", "--no-check",
                                "--allow-insecure"))
    assert r.code == 0, r.err
    assert tomllib.loads(path.read_text())["profiles"]["work"]["allow_insecure"] is True


def test_json_output(make_sim, capsys, monkeypatch, tmp_path):
    sim = make_sim()
    stdin(monkeypatch, SIM_PASSWORD + "\n")
    r = run(capsys, *init_args(tmp_path / "c.toml", sim.server.url, "--password-stdin", "--json"))
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["profile"] == "work" and data["default_profile"] == "work" and data["checked"] is True
    assert data["replaced"] is False and data["path"] == str(tmp_path / "c.toml")
    no_secret(r)


def test_interactive_prompts(make_sim, capsys, monkeypatch, tmp_path):
    sim = make_sim()
    monkeypatch.setattr(init, "is_interactive", lambda: True)
    monkeypatch.setattr(init, "available_providers", lambda: ["plum"])  # one provider: not asked
    asked = []

    def secret(ctx, prompt):
        asked.append(prompt)
        return SIM_PASSWORD

    monkeypatch.setattr(init, "read_secret", secret)
    # name (default), base URL, format (default), username, numbers: one bad, then good
    answers = ["", sim.server.url, "", SIM_USER, "12", f"{ACCOUNT}, {OTHER_ACCOUNT}"]
    stdin(monkeypatch, "".join(a + "\n" for a in answers))
    path = tmp_path / "config.toml"
    r = run(capsys, "--config", str(path), "config", "init")
    assert r.code == 0, r.err
    assert "Profile name [default]:" in r.err and "Base URL [https://hosting.plumvoice.com/ws/sms]:" in r.err
    assert "too short" in r.err and len(asked) == 1 and "not shown" in asked[0]
    no_secret(r)
    profile = load_profile(path)
    assert profile.name == "default" and profile.password == SIM_PASSWORD and len(profile.numbers) == 2


def test_interactive_replace_can_be_declined(make_sim, capsys, monkeypatch, tmp_path):
    sim = make_sim()
    path = write_config(tmp_path / "config.toml", sim.server.url)
    before = path.read_text()
    monkeypatch.setattr(init, "is_interactive", lambda: True)
    stdin(monkeypatch, "sim\nn\n")
    r = run(capsys, "--config", str(path), "config", "init")
    assert r.code == 1 and "already exists" in r.err and "nothing was saved" in r.err
    assert path.read_text() == before


def test_interactive_provider_choice_adapts_the_questions(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(init, "is_interactive", lambda: True)
    monkeypatch.setattr(init, "available_providers", lambda: ["plum", "plivo"])
    monkeypatch.setattr(init, "read_secret", lambda ctx, prompt: "token-Secret-1")
    # name, provider, base URL (default), auth id, numbers
    stdin(monkeypatch, "pv\nplivo\n\nMAXXXXXXXXXXXXXXXXXX\n2435670000\n")
    path = tmp_path / "config.toml"
    r = run(capsys, "--config", str(path), "config", "init", "--no-check")
    assert r.code == 0, r.err
    assert "Provider (plum/plivo) [plum]:" in r.err and "Base URL [https://api.plivo.com]:" in r.err
    assert "Auth ID:" in r.err and "Wire format" not in r.err and "token-Secret-1" not in r.err + r.out
    table = tomllib.loads(path.read_text())["profiles"]["pv"]
    assert table["provider"] == "plivo" and table["base_url"] == "https://api.plivo.com"
    assert table["username"] == "MAXXXXXXXXXXXXXXXXXX"
