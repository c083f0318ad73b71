"""CLI behaviour that needs no server: usage, config errors, dispatch, the error handler."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import ACCOUNT, SIM_PASSWORD, run, write_config

from smschat import paths
from smschat.cli import main as cli_main
from smschat.cli.commands import setup
from smschat.cli.context import Context


@pytest.fixture
def config(tmp_path) -> Path:
    return write_config(tmp_path / "config.toml", "http://127.0.0.1:9/ws/sms")


@pytest.fixture(autouse=True)
def _logs(tmp_path, monkeypatch):
    monkeypatch.setenv("SMSCHAT_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.delenv("SMSCHAT_CONFIG", raising=False)


@pytest.mark.parametrize(
    "args, expected",
    [
        (["frobnicate"], "invalid choice"),
        (["contacts", "--bogus"], "unrecognized arguments: --bogus"),
        (["send", "--to", "2435678910"], "the following arguments are required: --body"),
        (["conversation", "2435678910", "--limit", "0"], "expected a number of 1 or more"),
        (["conversation", "2435678910", "--limit", "many"], "expected a whole number"),
        (["send", "--to", "1", "--body", "x", "--timeout", "-3"], "expected seconds between"),
        (["status"], "the following arguments are required: ID"),
        (["config"], "the following arguments are required: ACTION"),
        (["simulate", "--port", "70000"], "expected a port between"),
        (["--demo", "contacts"], "--demo opens the chat screen"),
    ],
)
def test_usage_errors_exit_2(capsys, args, expected):
    r = run(capsys, *args)
    assert r.code == 2 and expected in r.err and "Traceback" not in r.err


def test_help_and_version_exit_0(capsys):
    r = run(capsys, "--help")
    assert r.code == 0 and "contacts" in r.out and "exit codes" in r.out
    r = run(capsys, "--version")
    assert r.code == 0 and r.out.startswith("smschat ")


def test_global_options_after_the_command(capsys, config):
    r = run(capsys, "config", "show", "--config", str(config), "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["name"] == "sim"


def test_bad_number_is_usage_error_before_config(capsys, tmp_path):
    r = run(capsys, "--config", str(tmp_path / "none.toml"), "conversation", "call-me")
    assert r.code == 2 and "NUMBER:" in r.err and "not a phone number" in r.err


def test_missing_config_exits_2_with_hint(capsys, tmp_path):
    r = run(capsys, "--config", str(tmp_path / "none.toml"), "contacts")
    assert r.code == 2 and "config error" in r.err and "none.toml" in r.err and "--demo" in r.err


def test_bad_config_exits_2_naming_file_and_key(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    write_config(path, "https://sms.example.com/ws/sms", fmt="yaml")
    r = run(capsys, "--config", str(path), "contacts")
    assert r.code == 2 and f"{path}:profiles.sim.format" in r.err and SIM_PASSWORD not in r.err


def test_insecure_config_refused(capsys, tmp_path):
    path = write_config(tmp_path / "c.toml", "http://sms.example.com/ws/sms")
    r = run(capsys, "--config", str(path), "status", "a" * 32)
    assert r.code == 2 and "unencrypted" in r.err


def test_unknown_profile_exits_2(capsys, config):
    r = run(capsys, "--config", str(config), "--profile", "nope", "config", "show")
    assert r.code == 2 and "no profile named 'nope'" in r.err


def test_config_from_environment(capsys, config, monkeypatch):
    monkeypatch.setenv("SMSCHAT_CONFIG", str(config))
    r = run(capsys, "config", "path")
    assert r.code == 0 and r.out.strip() == str(config)
    r = run(capsys, "--json", "config", "path")
    assert json.loads(r.out) == {"path": str(config), "exists": True, "data_dir": str(paths.data_dir()),
                                 "log_dir": str(config.parent / "logs")}
    assert run(capsys, "config", "show").code == 0


def test_every_path_has_an_environment_override(monkeypatch, tmp_path):
    monkeypatch.setenv("SMSCHAT_CONFIG", str(tmp_path / "c" / "my.toml"))
    monkeypatch.setenv("SMSCHAT_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("SMSCHAT_LOG_DIR", str(tmp_path / "l"))
    assert paths.config_file() == tmp_path / "c" / "my.toml"
    assert paths.data_dir() == tmp_path / "d" and paths.store_file("work") == tmp_path / "d" / "work.sqlite3"
    assert paths.log_dir() == tmp_path / "l"
    for var in ("SMSCHAT_CONFIG", "SMSCHAT_DATA_DIR", "SMSCHAT_LOG_DIR"):
        monkeypatch.delenv(var)
    from platformdirs import user_config_path, user_data_path, user_log_path

    assert paths.config_file() == user_config_path("smschat") / "config.toml"
    assert paths.data_dir() == user_data_path("smschat") and paths.log_dir() == user_log_path("smschat")


def test_config_show_masks_password(capsys, config):
    r = run(capsys, "--config", str(config), "config", "show")
    assert r.code == 0 and SIM_PASSWORD not in r.out and "********" in r.out
    assert "(243) 567-0000" in r.out and "written in the config file" in r.out
    data = json.loads(run(capsys, "--config", str(config), "--json", "config", "show").out)
    assert data["password"] == "********" and data["numbers"][0] == "1" + ACCOUNT


def test_config_show_names_env_source(capsys, tmp_path, monkeypatch):
    path = tmp_path / "c.toml"
    path.write_text('[profiles.a]\nusername = "u"\npassword_env = "SMSCHAT_TEST_PW"\nnumbers = ["2435670000"]\n')
    monkeypatch.setenv("SMSCHAT_TEST_PW", SIM_PASSWORD)
    r = run(capsys, "--config", str(path), "config", "show")
    assert "from $SMSCHAT_TEST_PW" in r.out and SIM_PASSWORD not in r.out
    monkeypatch.delenv("SMSCHAT_TEST_PW")
    r = run(capsys, "--config", str(path), "config", "show")
    assert r.code == 2 and "SMSCHAT_TEST_PW is not set" in r.err


def test_permission_warning_on_stderr(capsys, config):
    config.chmod(0o644)
    r = run(capsys, "--config", str(config), "config", "show")
    assert r.code == 0 and "readable by other users" in r.err and SIM_PASSWORD not in r.err


# -- the TUI ---------------------------------------------------------------------------------------


@pytest.fixture
def fake_ui(monkeypatch):
    calls = []

    def run_ui(**kwargs):
        calls.append(kwargs)
        return 0

    monkeypatch.setattr(setup, "_ui_run", lambda: run_ui)
    monkeypatch.setattr(setup, "is_terminal", lambda: True)
    return calls


def test_demo_dispatches_to_the_ui(capsys, fake_ui):
    r = run(capsys, "--demo")
    assert r.code == 0 and fake_ui == [{"profile": None, "demo": True, "store_path": None, "config_path": None,
                                  "profile_name": None, "demo_provider": "plum"}]


@pytest.mark.parametrize("given, expected", [("plivo", "plivo"), ("PLUM", "plum"), ("Plivo", "plivo")])
def test_demo_provider_chooses_the_simulator(capsys, fake_ui, given, expected):
    r = run(capsys, "--demo", "--provider", given)
    assert r.code == 0 and fake_ui[-1]["demo"] is True and fake_ui[-1]["demo_provider"] == expected


@pytest.mark.parametrize("args, expected", [
    (["--demo", "--provider", "twilio"], "argument --provider: expected plum or plivo, got 'twilio'"),
    (["--demo", "--provider", ""], "expected plum or plivo, got ''"),
    (["--provider", "plivo"], "--provider chooses the simulated provider of --demo"),
])
def test_demo_provider_is_checked(capsys, fake_ui, args, expected):
    r = run(capsys, *args)
    assert r.code == 2 and expected in r.err and fake_ui == []
    assert "Traceback" not in r.err


def test_config_init_keeps_its_own_provider_option(capsys, fake_ui, tmp_path):
    r = run(capsys, "--config", str(tmp_path / "c.toml"), "config", "init", "--provider", "twilio")
    assert r.code == 2 and "invalid choice: 'twilio'" in r.err  # init's own check, not the demo's


def test_no_command_opens_the_ui_on_the_profile(capsys, fake_ui, config):
    r = run(capsys, "--config", str(config))
    assert r.code == 0 and len(fake_ui) == 1
    call = fake_ui[0]
    assert call["demo"] is False and call["profile"].name == "sim" and call["store_path"] is None
    assert call["config_path"] == config  # for switching profiles from the palette


def test_no_command_without_config_opens_the_setup_screen(capsys, fake_ui, tmp_path):
    r = run(capsys, "--config", str(tmp_path / "none.toml"))
    assert r.code == 0 and r.err == ""
    assert fake_ui == [{"profile": None, "demo": False, "store_path": None, "config_path": tmp_path / "none.toml",
                        "profile_name": None}]
    r = run(capsys, "--config", str(tmp_path / "none.toml"), "--profile", "work")
    assert r.code == 0 and fake_ui[-1]["profile_name"] == "work"  # the setup screen suggests that name


def test_no_config_and_no_terminal_is_a_config_error(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(setup, "is_terminal", lambda: False)
    r = run(capsys, "--config", str(tmp_path / "none.toml"))
    assert r.code == 2 and "config init" in r.err and "--demo" in r.err


def test_invalid_config_is_an_error_not_the_setup_screen(capsys, fake_ui, tmp_path):
    path = write_config(tmp_path / "c.toml", "https://sms.example.com/ws/sms", fmt="yaml")
    r = run(capsys, "--config", str(path))
    assert r.code == 2 and fake_ui == [] and f"{path}:profiles.sim.format" in r.err


def test_ui_refuses_without_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(setup, "is_terminal", lambda: False)
    r = run(capsys, "--demo")
    assert r.code == 2 and "needs a terminal" in r.err


def test_ui_missing_is_a_clear_message(capsys, monkeypatch):
    def missing():
        raise ImportError("No module named 'smschat.ui.app'")

    monkeypatch.setattr(setup, "_ui_run", missing)
    monkeypatch.setattr(setup, "is_terminal", lambda: True)
    r = run(capsys, "--demo")
    assert r.code == 1 and "terminal UI is not available" in r.err


# -- simulate --------------------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch):
    """Replace the wait for Ctrl+C with one real request to the running simulator."""
    import httpx

    seen = []

    def one_request(server):
        account = server.account
        response = httpx.get(f"{server.url}/messages.json", params={"limit": 50},
                             auth=(account.username, account.password), timeout=10)
        seen.append((server.url, response.status_code, response.json()["status"]))

    monkeypatch.setattr(setup, "wait_for_stop", one_request)
    return seen


def test_simulate_prints_url_and_pasteable_config(capsys, served, tmp_path):
    import tomllib

    from smschat.config import load_profile

    r = run(capsys, "simulate", "--port", "0", "--quiet-customers")
    assert r.code == 0, r.err
    [(url, status, envelope)] = served
    assert (status, envelope) == (200, "success")
    assert f"serving at {url}" in r.out and url.startswith("http://127.0.0.1:")
    snippet = r.out[r.out.index("default_profile"):]
    path = tmp_path / "pasted.toml"
    path.write_text(snippet)
    path.chmod(0o600)
    profile = load_profile(path, env={}, warn=lambda _: None)
    assert profile.base_url == url and profile.username == "demo"
    assert profile.password == "demo"  # the public demo credential may be printed
    assert len(tomllib.loads(snippet)["profiles"]["sim"]["numbers"]) == 2
    assert "simulator stopped" in r.err


def test_simulate_with_own_password_never_prints_it(capsys, served, monkeypatch):
    monkeypatch.setenv("MY_SIM_PW", "very-private-pw")
    r = run(capsys, "simulate", "--port", "0", "--username", "me", "--password-env", "MY_SIM_PW",
            "--quiet-customers", "--format", "xml")
    assert r.code == 0, r.err
    assert served[0][1] == 200
    assert "very-private-pw" not in r.out + r.err and 'password_env = "MY_SIM_PW"' in r.out
    assert 'username = "me"' in r.out and 'format = "xml"' in r.out


def test_simulate_on_all_interfaces_prints_a_usable_url(capsys, served):
    r = run(capsys, "simulate", "--port", "0", "--host", "0.0.0.0", "--quiet-customers")
    assert r.code == 0, r.err
    assert 'base_url = "http://127.0.0.1:' in r.out and "allow_insecure" not in r.out
    assert "beyond this machine" in r.err


def test_simulate_password_env_missing(capsys, served):
    r = run(capsys, "simulate", "--password-env", "SMSCHAT_NOT_SET_ANYWHERE")
    assert r.code == 2 and served == [] and "SMSCHAT_NOT_SET_ANYWHERE" in r.err


def test_simulate_port_in_use(capsys, served):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        r = run(capsys, "simulate", "--port", str(busy.getsockname()[1]))
    assert r.code == 1 and "cannot listen on 127.0.0.1" in r.err and served == []


# -- the error handler -----------------------------------------------------------------------------


def _raising(exc: BaseException):
    def handler(ctx: Context):
        ctx.secrets.append(SIM_PASSWORD)
        raise exc

    return handler


def test_unexpected_error_is_one_line_and_logged(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(cli_main, "_handler", lambda args: _raising(RuntimeError(f"boom {SIM_PASSWORD}")))
    r = run(capsys, "contacts")
    assert r.code == 1
    assert r.err.splitlines()[0] == "smschat: internal error: RuntimeError: boom ********"
    assert "Traceback" not in r.err and SIM_PASSWORD not in r.err
    log = (tmp_path / "logs" / "cli-errors.log").read_text()
    assert "Traceback" in log and "RuntimeError" in log and SIM_PASSWORD not in log


def test_keyboard_interrupt_exits_130_quietly(capsys, monkeypatch):
    monkeypatch.setattr(cli_main, "_handler", lambda args: _raising(KeyboardInterrupt()))
    r = run(capsys, "contacts")
    assert (r.code, r.out, r.err) == (130, "", "")


def test_async_handler_interrupt(capsys, monkeypatch):
    async def handler(ctx):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_main, "_handler", lambda args: handler)
    assert run(capsys, "contacts").code == 130


def test_python_dash_m_help_subprocess(tmp_path):
    done = subprocess.run([sys.executable, "-m", "smschat", "--help"], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "usage: smschat" in done.stdout and "conversation" in done.stdout and done.stderr == ""


def test_python_dash_m_usage_error_subprocess(tmp_path):
    done = subprocess.run([sys.executable, "-m", "smschat", "contacts", "--nope"], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert done.returncode == 2 and "unrecognized arguments: --nope" in done.stderr
    assert "Traceback" not in done.stderr
