"""`smschat export`: a conversation from the local store (filled from the simulator over loopback
HTTP with --sync), offline afterwards, to stdout or a private file, in the three formats."""

from __future__ import annotations

import csv
import io
import json
import stat

import pytest
from cli_helpers import ACCOUNT, ALICE, BOB, OTHER_ACCOUNT, run

from smschat.domain.model import Direction, Message, Status
from smschat.paths import store_file
from smschat.sim.plivo_account import PlivoAccount
from smschat.sim.plivo_server import PlivoSimServer
from smschat.store import Store


@pytest.fixture(autouse=True)
def _dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("SMSCHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMSCHAT_LOG_DIR", str(tmp_path / "logs"))


@pytest.fixture
def synced(capsys, make_sim):
    """A simulator whose account was copied into the local store by `export --sync`; then stopped."""
    env = make_sim("json")
    first = env.run(capsys, "export", ALICE, "--sync")
    assert first.code == 0, first.err
    env.server.stop()  # everything below works offline
    return env, first


def test_sync_then_transcript_on_stdout(synced):
    _env, first = synced
    out = first.out
    assert out.startswith("Conversation with (243) 567-8910 on (243) 567-0000\n")
    assert "Hello, is my order ready?" in out and "Yes, pick it up after 3pm." in out
    assert "→ out  2435670000 → 12435678910  sent" in out and "← in   2435678910 → 2435670000  received" in out
    # the customer's escape sequence is shown as symbols, never sent to the terminal
    assert "Thanks!␛]0;pwned␇ [bold]great[/bold]" in out
    assert "\x1b" not in out and "\x07" not in out
    assert "3 messages, oldest first; times in UTC" in out


def test_offline_json_to_stdout_has_header_and_every_record(capsys, synced):
    env, _ = synced
    r = env.run(capsys, "export", "(243) 567-8910", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["header"]["customer"] == "12435678910" and data["header"]["account"] == "12435670000"
    assert data["header"]["profile"] == "sim" and data["header"]["provider"] == "plum"
    assert [m["body"] for m in data["messages"]] == [
        "Hello, is my order ready?", "Yes, pick it up after 3pm.", "Thanks!\x1b]0;pwned\x07 [bold]great[/bold]"]
    assert [m["direction"] for m in data["messages"]] == ["inbound", "outbound", "inbound"]
    assert all(m["requested_at"].endswith("+00:00") for m in data["messages"])
    # --json alone picks the JSON format
    r2 = env.run(capsys, "--json", "export", ALICE)
    assert json.loads(r2.out)["messages"] == data["messages"]


def test_csv_file_is_private_and_never_overwritten(capsys, synced, tmp_path):
    env, _ = synced
    target = tmp_path / "alice.csv"
    r = env.run(capsys, "export", ALICE, "--format", "csv", "--output", str(target))
    assert r.code == 0, r.err
    assert f"Exported 3 records with (243) 567-8910 on (243) 567-0000 (csv) to {target}" in r.out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    raw = target.read_bytes()
    assert raw.count(b"\r\n") == 4 and b"\x1b" not in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert [row["body"] for row in rows][0] == "Hello, is my order ready?"
    # a second export to the same file is refused (exit 2) and the file is untouched
    again = env.run(capsys, "export", ALICE, "--format", "json", "--output", str(target))
    assert again.code == 2 and "already exists" in again.err and "--force" in again.err
    assert target.read_bytes() == raw
    forced = env.run(capsys, "--json", "export", ALICE, "--format", "json", "--output", str(target), "--force")
    assert forced.code == 0, forced.err
    assert json.loads(forced.out) == {"path": str(target), "format": "json", "customer": "12435678910",
                                      "account": "12435670000", "records": 3}
    assert json.loads(target.read_text())["header"]["records"] == 3


def test_the_account_is_found_or_given(capsys, synced):
    env, _ = synced
    bob = env.run(capsys, "export", BOB)  # Bob wrote to the other number
    assert bob.code == 0, bob.err
    assert "on (243) 567-0001" in bob.out.splitlines()[0] and "Where is my refund?" in bob.out
    wrong = env.run(capsys, "export", BOB, "--account", ACCOUNT)
    assert wrong.code == 1 and "no messages with (243) 567-1234 on (243) 567-0000" in wrong.err
    assert "--sync" in wrong.err
    right = env.run(capsys, "export", BOB, "--account", OTHER_ACCOUNT, "--format", "csv")
    assert right.code == 0 and "Where is my refund?" in right.out


@pytest.mark.parametrize(
    "args, code, expected",
    [
        (["export", "12"], 2, "NUMBER: '12' is too short"),
        (["export", ALICE, "--account", "2125550100"], 2, "is not one of profile 'sim'"),
        (["export", ALICE, "--format", "xml"], 2, "invalid choice"),
        (["export", ALICE, "--output", "/nonexistent-dir/x.txt"], 2, "does not exist"),
        (["export", "2125550177"], 1, "no messages with (212) 555-0177"),
    ],
)
def test_bad_input_says_what_is_wrong(capsys, synced, args, code, expected):
    env, _ = synced
    r = env.run(capsys, *args)
    assert r.code == code and expected in r.err, r.err
    assert "Traceback" not in r.err and r.out == ""


def test_without_a_store_it_says_how_to_get_one(capsys, make_sim, tmp_path):
    env = make_sim("json")
    r = env.run(capsys, "export", ALICE, "--output", str(tmp_path / "x.txt"))
    assert r.code == 1 and "no local store for profile 'sim'" in r.err and "--sync" in r.err
    assert not (tmp_path / "x.txt").exists()
    assert not store_file("sim").exists()  # an export without --sync creates nothing


def test_plivo_texts_never_seen_are_exported_honestly(capsys, tmp_path):
    auth_id, token, main, customer = "MAEXPORTTEST00000001", "export-plivo-token", "14155550100", "14155550123"
    account = PlivoAccount(auth_id, token, [main])
    server = PlivoSimServer(account, speed=50.0).start()
    try:
        config = tmp_path / "plivo.toml"
        config.write_text("\n".join([
            'default_profile = "pl"', "[profiles.pl]", 'provider = "plivo"', f'base_url = "{server.url}"',
            f'auth_id = "{auth_id}"', f'password = "{token}"', f'numbers = ["{main}"]', "timeout = 5",
        ]) + "\n")
        config.chmod(0o600)
        seen = account.inject_inbound(customer, main, "Is my bike ready?")
        account.inject_inbound(customer, main, "nobody saw this text")
        with Store.open(store_file("pl")) as store:  # what the receiver stored from the webhook
            store.upsert_messages([Message(id=seen, to_number=main, from_number=customer, body="Is my bike ready?",
                                           direction=Direction.INBOUND, status=Status.RECEIVED)])
        r = run(capsys, "--config", str(config), "export", customer, "--sync", "--format", "json")
        assert r.code == 0, r.err
        assert token not in r.out + r.err
    finally:
        server.stop()
    records = json.loads(r.out)["messages"]
    assert {(m["body"], m["body_known"]) for m in records} == {("Is my bike ready?", True), (None, False)}
    text = run(capsys, "--config", str(config), "export", customer)
    assert "text not available" in text.out and "nobody saw this" not in text.out
    assert "Is my bike ready?" in text.out
