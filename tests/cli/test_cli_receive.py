"""`smschat receive` as a real process: serves the profile's store, logs one line per request,
stops cleanly on SIGTERM/Ctrl-C (exit 0); configuration mistakes are exit 2 without a traceback."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from cli_helpers import run

from smschat.store import Store

SECRET = "Cli-Path-Secret_0123456789"
ACCOUNT = "2435678910"
CUSTOMER = "19998881234"
MSG_ID = "abcdef0123456789abcdef0123456789"


def _config(tmp_path: Path, receiver: str | None = None) -> Path:
    receiver = receiver if receiver is not None else (
        f'[receiver]\nlisten = "127.0.0.1:0"\npublic_url = "https://sms.example.com"\nplum_secret_env = "SECRET"\n')
    path = tmp_path / "config.toml"
    path.write_text(textwrap.dedent(f"""
        default_profile = "shop"
        [profiles.shop]
        username = "me"
        password_env = "PW"
        numbers = ["{ACCOUNT}"]
    """) + receiver)
    path.chmod(0o600)
    return path


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PW": "plum-password", "SECRET": SECRET, "SMSCHAT_DATA_DIR": str(tmp_path / "data"),
            "SMSCHAT_LOG_DIR": str(tmp_path / "logs"), "PYTHONUNBUFFERED": "1"}


@pytest.fixture(autouse=True)
def _restore_logging():
    """`receive` configures its loggers for the process; in-process runs must not leak that."""
    import logging

    saved = {name: (log.handlers[:], log.level, log.propagate)
             for name, log in ((n, logging.getLogger(n)) for n in ("smschat.receive", "uvicorn"))}
    yield
    for name, (handlers, level, propagate) in saved.items():
        log = logging.getLogger(name)
        log.handlers[:], log.level, log.propagate = handlers, level, propagate


class Receiver:
    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "smschat", "--config", str(_config(tmp_path)), "receive", *args],
            env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        while True:
            line = self.proc.stderr.readline()
            if not line:
                raise AssertionError(f"receiver exited early: {self.lines}")
            self.lines.append(line.rstrip("\n"))
            found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if found:
                self.url = f"http://127.0.0.1:{found.group(1)}"
                return

    def stop(self, sig: int) -> tuple[int, str]:
        self.proc.send_signal(sig)
        _out, err = self.proc.communicate(timeout=20)
        return self.proc.returncode, "\n".join(self.lines) + "\n" + err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serves_the_profile_store_and_stops_cleanly(tmp_path, sig):
    receiver = Receiver(tmp_path)
    try:
        response = httpx.post(f"{receiver.url}/plum/inbound/{SECRET}", timeout=10, data={
            "sms_message_id": MSG_ID, "to": ACCOUNT, "from": CUSTOMER, "body": "private words"})
        assert response.status_code == 200
        assert httpx.post(f"{receiver.url}/plum/inbound/guess", data={"a": "b"}, timeout=10).status_code == 404
    finally:
        code, log = receiver.stop(sig)
    assert code == 0
    assert f"POST /plum/inbound/*** 200 {MSG_ID}" in log
    assert "POST /plum/inbound/*** 404 -" in log
    assert log.rstrip().endswith("smschat receive: stopped")
    assert SECRET not in log and "private words" not in log and "plum-password" not in log
    assert "Traceback" not in log
    with Store.open(tmp_path / "data" / "shop.sqlite3") as store:  # the profile's own store
        assert store.get_message(MSG_ID).body == "private words"


def test_urls_prints_what_to_configure_at_the_provider(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PW", "plum-password")
    monkeypatch.setenv("SECRET", SECRET)
    result = run(capsys, "--config", str(_config(tmp_path)), "receive", "--urls")
    assert result.code == 0
    assert f"https://sms.example.com/plum/inbound/{SECRET}" in result.out
    assert f"https://sms.example.com/plum/status/{SECRET}" in result.out
    result = run(capsys, "--config", str(_config(tmp_path)), "--json", "receive", "--urls")
    assert json.loads(result.out) == {"provider": "plum", "inbound_url": f"https://sms.example.com/plum/inbound/{SECRET}",
                                      "status_url": f"https://sms.example.com/plum/status/{SECRET}"}


def test_without_a_receiver_section_it_says_what_to_add(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PW", "plum-password")
    path = _config(tmp_path, receiver="")
    result = run(capsys, "--config", str(path), "receive")
    assert result.code == 2
    assert f"{path}:receiver: no [receiver] section serves profile 'shop'" in result.err


def test_a_plum_profile_needs_the_secret(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PW", "plum-password")
    path = _config(tmp_path, receiver='[receiver]\npublic_url = "https://sms.example.com"\n')
    result = run(capsys, "--config", str(path), "receive")
    assert result.code == 2
    assert "receiver.plum_secret: a Plum profile needs plum_secret" in result.err


def test_a_busy_port_and_a_bad_certificate_are_clear_errors(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PW", "plum-password")
    monkeypatch.setenv("SECRET", SECRET)
    monkeypatch.setenv("SMSCHAT_DATA_DIR", str(tmp_path / "data"))
    config = str(_config(tmp_path))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(capsys, "--config", config, "receive", "--listen", f"127.0.0.1:{port}")
    assert result.code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.err
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    result = run(capsys, "--config", config, "receive", "--certfile", str(bad), "--keyfile", str(bad))
    assert result.code == 2
    assert "cannot load the TLS certificate/key" in result.err
    result = run(capsys, "--config", config, "receive", "--certfile", str(bad))
    assert result.code == 2 and "--certfile and --keyfile go together" in result.err
    result = run(capsys, "--config", config, "receive", "--listen", "nowhere")
    assert result.code == 2 and "--listen: expected HOST:PORT" in result.err
    assert "Traceback" not in result.err
