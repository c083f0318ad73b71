"""The CLI against the real simulator over loopback HTTP, in both wire formats."""

from __future__ import annotations

import io
import json
from datetime import datetime

from cli_helpers import ACCOUNT, ALICE, BOB, CAROL, OTHER_ACCOUNT, SIM_PASSWORD, run, write_config

MESSAGE_KEYS = {"id", "to", "from", "body", "direction", "status", "delivery", "requested_at", "responded_at",
                "parts", "error"}


def test_contacts_table_newest_first(sim, capsys):
    r = sim.run(capsys, "contacts")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].split() == ["WHEN", "CUSTOMER", "ACCOUNT", "IN", "OUT", "LAST", "MESSAGE"]
    body = lines[1:]
    assert len(body) == 3
    assert "(243) 567-1234" in body[0] and "Where is my refund?" in body[0]  # BOB, a minute ago
    assert "(243) 567-8910" in body[1] and "(243) 567-5555" in body[2]  # ALICE, then CAROL
    assert "you: Your appointment" in body[2]


def test_contacts_preview_is_sanitised_and_never_markup(sim, capsys):
    r = sim.run(capsys, "contacts")
    assert "\x1b" not in r.out and "\x07" not in r.out
    assert "pwned" in r.out and "[bold]great[/bold]" in r.out
    if sim.fmt == "json":  # XML cannot carry ESC/BEL at all; the simulator replaces them
        assert "␛]0;pwned␇" in r.out


def test_contacts_json_shape(sim, capsys):
    r = sim.run(capsys, "--json", "contacts")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert [c["customer"] for c in data] == ["1" + BOB, "1" + ALICE, "1" + CAROL]
    alice = data[1]
    assert alice["account"] == "1" + ACCOUNT and alice["total"] == 3
    assert (alice["inbound"], alice["outbound"], alice["failed"]) == (2, 1, 0)
    assert alice["waiting"] is True and set(alice["last_message"]) == MESSAGE_KEYS
    datetime.fromisoformat(alice["last_activity"])


def test_contacts_filter_by_account(sim, capsys):
    r = sim.run(capsys, "contacts", "--json", "--account", OTHER_ACCOUNT)
    assert [c["customer"] for c in json.loads(r.out)] == ["1" + BOB]


def test_contacts_pages_through_whole_history(make_sim, capsys):
    env = make_sim("json")
    env.account.bulk_seed(1200, 30, big_thread=100)
    r = env.run(capsys, "--json", "contacts")
    data = json.loads(r.out)
    assert r.code == 0 and sum(c["total"] for c in data) == 1205
    assert any("/messages.json" in path and params.get("offset") == "1000"
               for _, path, params, _ in env.account.request_log)


def test_conversation_oldest_first(sim, capsys):
    r = sim.run(capsys, "conversation", "(243) 567-8910")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].startswith("Conversation with (243) 567-8910 on (243) 567-0000: 3 messages")
    assert lines[1].split()[:4] == ["TIME", "DIR", "STATUS", "MESSAGE"]
    assert "Hello, is my order ready?" in lines[2] and " in " in lines[2] and "received" in lines[2]
    assert "Yes, pick it up" in lines[3] and " out " in lines[3]
    assert "Thanks!" in lines[4] and "\x1b" not in r.out


def test_conversation_limit_and_json(sim, capsys):
    r = sim.run(capsys, "conversation", ALICE, "--limit", "2", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert [m["body"][:5] for m in data] == ["Yes, ", "Thank"]
    assert all(set(m) == MESSAGE_KEYS for m in data)
    assert [m["direction"] for m in data] == ["outbound", "inbound"]
    if sim.fmt == "json":  # raw for machines, escaped by JSON (XML cannot carry ESC at all)
        assert data[1]["body"].startswith("Thanks!\x1b]0;pwned")
    assert "\x1b" not in r.out


def test_conversation_on_other_account(sim, capsys):
    r = sim.run(capsys, "--json", "conversation", BOB, "--account", OTHER_ACCOUNT)
    assert [m["body"] for m in json.loads(r.out)] == ["Where is my refund?"]
    # without --account: the number this customer last talked to
    r = sim.run(capsys, "--json", "conversation", BOB)
    assert r.code == 0 and [m["body"] for m in json.loads(r.out)] == ["Where is my refund?"]


def test_send_single_part(sim, capsys):
    r = sim.run(capsys, "send", "--to", "243 567 8910", "--body", "See you soon")
    assert r.code == 0, r.err
    assert "Queued to (243) 567-8910 from (243) 567-0000 in 1 part" in r.out
    sent = [m for m in sim.account.messages() if m.body == "See you soon"]
    assert len(sent) == 1 and sent[0].id in r.out


def test_send_multipart_json_lists_every_part(sim, capsys):
    body = "A long update about your order. " * 8  # 256 GSM-7 characters: 2 parts
    r = sim.run(capsys, "--json", "send", "--to", ALICE, "--body", body)
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert len(data) == 2 and all(set(m) == MESSAGE_KEYS for m in data)
    ids = [m["id"] for m in data]
    assert all(m["parts"] == ids for m in data)
    assert all(m["status"] == "queued" and m["direction"] == "outbound" for m in data)
    assert data[0]["to"] == "1" + ALICE and data[0]["from"] == "1" + ACCOUNT


def test_send_wait_reaches_delivered(sim, capsys):
    body = "Part of a long message. " * 10
    r = sim.run(capsys, "--json", "send", "--to", ALICE, "--body", body, "--wait", "--timeout", "30")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert len(data) == 2 and {m["delivery"] for m in data} == {"delivered"}
    assert {m["status"] for m in data} == {"sent"}


def test_send_wait_table(sim, capsys):
    r = sim.run(capsys, "send", "--to", ALICE, "--body", "ping", "--wait", "--timeout", "30")
    assert r.code == 0, r.err
    assert "Final status:" in r.out and "sent/delivered" in r.out and "waiting up to 30 s" in r.err


def test_send_wait_undelivered_exits_1(sim, capsys):
    sim.account.undeliverable.add("1" + CAROL)
    r = sim.run(capsys, "send", "--to", CAROL, "--body", "ping", "--wait", "--timeout", "30")
    assert r.code == 1 and "sent/undelivered" in r.out and "not delivered" in r.err


def test_send_wait_timeout_exits_1(make_sim, capsys):
    env = make_sim("json", speed=0.01)  # delivery would take minutes
    r = env.run(capsys, "send", "--to", ALICE, "--body", "ping", "--wait", "--timeout", "0.5")
    assert r.code == 1 and "Status so far:" in r.out and "no final delivery status after 0.5 s" in r.err


def test_send_body_from_stdin(sim, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("typed in a pipe\n"))
    r = sim.run(capsys, "send", "--to", ALICE, "--body", "-")
    assert r.code == 0, r.err
    assert any(m.body == "typed in a pipe" for m in sim.account.messages())


def test_send_unsubscribed(sim, capsys):
    sim.account.unsubscribed.add(ALICE)
    r = sim.run(capsys, "send", "--to", ALICE, "--body", "hello")
    assert r.code == 1 and r.out == ""
    assert "Attempt to send to unsubscribed recipient" in r.err and "Traceback" not in r.err


def test_send_landline(sim, capsys):
    sim.account.landlines.add(CAROL)
    r = sim.run(capsys, "send", "--to", CAROL, "--body", "hello")
    assert r.code == 1 and f"To number: +1{CAROL}, is not a mobile number" in r.err


def test_send_bad_from(sim, capsys):
    r = sim.run(capsys, "send", "--to", ALICE, "--from", "2435679999", "--body", "hello")
    assert r.code == 1 and "From number 2435679999 is not an SMS number on this account" in r.err


def test_send_validates_before_any_request(sim, capsys):
    before = len(sim.account.request_log)
    r = sim.run(capsys, "send", "--to", "12ab", "--body", "hello")
    assert r.code == 2 and "--to:" in r.err and "not a phone number" in r.err
    r = sim.run(capsys, "send", "--to", ALICE, "--body", "   ")
    assert r.code == 2 and "--body: the message is empty" in r.err
    assert len(sim.account.request_log) == before


def test_status_one_and_many(sim, capsys):
    sent = json.loads(sim.run(capsys, "--json", "send", "--to", ALICE, "--body", "x" * 200).out)
    ids = [m["id"] for m in sent]
    r = sim.run(capsys, "status", *ids)
    assert r.code == 0, r.err
    assert r.out.splitlines()[0].split() == ["ID", "STATUS", "WHEN", "TO", "MESSAGE"]
    assert all(i in r.out for i in ids)
    r = sim.run(capsys, "--json", "status", ids[0])
    [one] = json.loads(r.out)
    assert set(one) == MESSAGE_KEYS and one["id"] == ids[0] and one["direction"] == "outbound"


def test_status_unknown_id(sim, capsys):
    r = sim.run(capsys, "status", "0" * 32)
    assert r.code == 1 and "SMS message not found" in r.err


def test_status_mixed_known_and_unknown_json(sim, capsys):
    [sent] = json.loads(sim.run(capsys, "--json", "send", "--to", ALICE, "--body", "hi").out)
    r = sim.run(capsys, "--json", "status", sent["id"], "f" * 32)
    assert r.code == 1
    data = json.loads(r.out)
    assert data[0]["id"] == sent["id"] and data[0]["error"] is None
    assert data[1]["id"] == "f" * 32 and "not found" in data[1]["error"] and set(data[1]) == MESSAGE_KEYS


def test_status_rejects_odd_ids_locally(sim, capsys):
    r = sim.run(capsys, "status", "../queue.json")
    assert r.code == 2 and "is not a message id" in r.err


def test_wrong_password_is_authentication_failed(sim, capsys, tmp_path):
    config = write_config(tmp_path / "wrong.toml", sim.server.url, sim.fmt, password="not-the-password")
    r = run(capsys, "--config", str(config), "contacts")
    assert r.code == 1 and "authentication failed" in r.err.lower()
    assert "not-the-password" not in r.err and "Traceback" not in r.err


def test_network_down_exits_1(capsys, tmp_path, dead_url):
    config = write_config(tmp_path / "down.toml", dead_url)
    for args in (["contacts"], ["send", "--to", ALICE, "--body", "hi"], ["status", "a" * 32]):
        r = run(capsys, "--config", str(config), *args)
        assert r.code == 1, args
        assert r.err.startswith("smschat: ") and "Traceback" not in r.err and SIM_PASSWORD not in r.err


def test_server_error_exits_1(sim, capsys):
    sim.server.faults.once("5xx", 3)
    r = sim.run(capsys, "contacts")
    assert r.code == 1 and "Traceback" not in r.err and r.err.count("\n") <= 2


def test_malformed_answer_exits_1(sim, capsys):
    sim.server.faults.once("malformed")
    r = sim.run(capsys, "status", "a" * 32)
    assert r.code == 1 and "Traceback" not in r.err


def test_password_never_printed(sim, capsys):
    outputs = []
    for args in (["config", "show"], ["--json", "config", "show"], ["contacts"], ["status", "0" * 32]):
        r = sim.run(capsys, *args)
        outputs.append(r.out + r.err)
    assert all(SIM_PASSWORD not in text for text in outputs)
    assert "********" in outputs[0]
