"""The CLI on a Plivo profile, against the Plivo simulator over loopback HTTP: sends keep their text
in the local store, `conversation` reads the store (Plivo has no conversation endpoint) and says when
a text was never seen, `status` shows Plivo's reason."""

from __future__ import annotations

import json
import time

import pytest
from cli_helpers import run

from smschat.domain.model import Direction, Message, Status
from smschat.domain.thread import TEXT_UNKNOWN
from smschat.paths import store_file
from smschat.sim.plivo_account import PlivoAccount
from smschat.sim.plivo_server import PlivoSimServer
from smschat.store import Store

AUTH_ID, TOKEN = "MACLITESTS0000000001", "cli-plivo-token-secret"
MAIN, CUSTOMER, STOPPED = "14155550100", "14155550123", "14155550166"


@pytest.fixture
def plivo_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SMSCHAT_DATA_DIR", str(tmp_path / "data"))
    account = PlivoAccount(AUTH_ID, TOKEN, [MAIN])
    account.unsubscribed.add(STOPPED)
    server = PlivoSimServer(account, speed=50.0).start()
    config = tmp_path / "config.toml"
    config.write_text("\n".join([
        'default_profile = "pl"', "[profiles.pl]", 'provider = "plivo"', f'base_url = "{server.url}"',
        f'auth_id = "{AUTH_ID}"', f'password = "{TOKEN}"', f'numbers = ["{MAIN}"]', "timeout = 5",
    ]) + "\n")
    config.chmod(0o600)
    try:
        yield server, config
    finally:
        server.stop()


def cli(capsys, config, *args):
    return run(capsys, "--config", str(config), *args)


def test_send_then_conversation_shows_the_text_sent_and_honest_gaps(capsys, plivo_env):
    server, config = plivo_env
    now = time.time()
    seen = server.account.inject_inbound(CUSTOMER, MAIN, "Is my bike ready?", at=now - 600)
    server.account.inject_inbound(CUSTOMER, MAIN, "hello?? nobody saw this", at=now - 300)
    with Store.open(store_file("pl")) as store:  # what the receiver stored from the webhook
        store.upsert_messages([Message(id=seen, to_number=MAIN, from_number=CUSTOMER, body="Is my bike ready?",
                                       direction=Direction.INBOUND, status=Status.RECEIVED)])
    sent = cli(capsys, config, "send", "--to", CUSTOMER, "--body", "Yes, pick it up at 6")
    assert sent.code == 0, sent.err
    assert TOKEN not in sent.out + sent.err
    shown = cli(capsys, config, "conversation", CUSTOMER)
    assert shown.code == 0, shown.err
    assert "Is my bike ready?" in shown.out and "Yes, pick it up at 6" in shown.out
    assert "text not available" in shown.out and "nobody saw this" not in shown.out
    assert "no conversation endpoint" in shown.err  # the first time: it syncs into the store
    as_json = cli(capsys, config, "conversation", CUSTOMER, "--json")
    bodies = [m["body"] for m in json.loads(as_json.out)]
    assert bodies == ["Is my bike ready?", None, "Yes, pick it up at 6"]
    assert "no conversation endpoint" not in as_json.err  # only the first time


def test_status_of_a_failed_send_says_why(capsys, plivo_env):
    server, config = plivo_env
    sent = cli(capsys, config, "send", "--to", STOPPED, "--body", "hi", "--wait", "--timeout", "10", "--json")
    final = json.loads(sent.out)
    assert final[0]["status"] == "failure" and final[0]["error"] == "200: recipient replied STOP"
    assert final[0]["body"] == "hi"  # the status record has no text: the sent text is kept
    uuid = final[0]["id"]
    status = cli(capsys, config, "status", uuid)
    assert "recipient replied STOP" in status.out


def test_a_text_over_plivos_limit_is_refused_before_any_request(capsys, plivo_env):
    server, config = plivo_env
    result = cli(capsys, config, "send", "--to", CUSTOMER, "--body", "a" * 1601)
    assert result.code != 0 and "1600" in result.err
    assert not [e for e in server.request_log if e[0] == "POST"]


def test_text_unknown_wording_in_the_table(capsys, plivo_env):
    server, config = plivo_env
    server.account.inject_inbound(CUSTOMER, MAIN, "secret words")
    shown = cli(capsys, config, "conversation", CUSTOMER)
    assert TEXT_UNKNOWN.split(":")[0] in shown.out and "secret words" not in shown.out
