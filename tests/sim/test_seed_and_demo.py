import io
import threading
from collections import Counter

import httpx
import pytest
from sim_helpers import T0, FakeClock, items, parse

from smschat.domain.numbers import normalize
from smschat.domain.segments import count_segments
from smschat.sim import DEMO_NUMBERS, Lively, SimAccount, SimServer, make_demo_server, seed_demo_account, serve_forever_cli
from smschat.sim import seed_text as t
from smschat.sim.parts import split_parts


def demo_account(seed=7, now=T0):
    account = SimAccount("demo", "demo", DEMO_NUMBERS, clock=FakeClock(now))
    seed_demo_account(account, now=now, rng_seed=seed)
    return account


def snapshot(account):
    return [(m.id, m.ts, m.body, m.inbound, m.customer, m.account, m.failed, m.outcome) for m in account.messages()]


def test_seed_is_deterministic_for_a_seed_and_now():
    assert snapshot(demo_account()) == snapshot(demo_account())
    assert snapshot(demo_account(seed=8)) != snapshot(demo_account())


def test_seed_covers_the_brief():
    account = demo_account()
    messages = account.messages()
    threads = Counter(m.customer for m in messages)
    assert 10 <= len(threads) <= 16
    assert max(threads.values()) >= 300
    assert all(T0 - 22 * 86400 <= m.ts <= T0 for m in messages)
    assert {m.account for m in messages} == {normalize(n) for n in DEMO_NUMBERS}
    last = {}
    for m in messages:
        last[m.customer] = m
    assert sum(m.inbound for m in last.values()) >= 3  # a few waiting for an answer
    failed = {m.customer for m in messages if m.failed}
    assert failed == {normalize(t.TOM.number), normalize(t.PHYSIO.number)}
    assert normalize(t.TOM.number) in account.unsubscribed and normalize(t.PHYSIO.number) in account.landlines
    outcomes = {m.outcome for m in messages if not m.inbound and not m.failed}
    assert {"delivered", "undelivered", "unconfirmed"} <= outcomes
    bodies = [m.body for m in messages]
    assert any("[bold]" in b for b in bodies) and any("\x1b[31m" in b for b in bodies)
    assert any(any(ord(ch) > 0xFFFF for ch in b) for b in bodies)  # emoji
    assert any("é" in b or "ñ" in b or "á" in b for b in bodies)  # accented
    by_stamp = Counter((m.ts, m.customer) for m in messages if not m.inbound)
    assert any(count >= 3 for count in by_stamp.values())  # a multi-part send
    assert account.contacts[normalize(t.MAYA.number)] == "Maya Chen"


def test_demo_seed_served_over_http_with_delivery_states():
    clock = FakeClock()
    account = SimAccount("demo", "demo", DEMO_NUMBERS)
    seed_demo_account(account, now=T0)
    with SimServer(account, clock=clock) as server, httpx.Client(base_url=server.url, auth=("demo", "demo")) as client:
        kenji = [m for m in account.messages() if m.customer == normalize(t.KENJI.number) and not m.inbound][-1]
        result = client.get(f"/status.json/{kenji.id}").json()["result"]
        assert (result["status"], result["delivery_status"]) == ("sent", "undelivered")
        page = parse(client.get("/messages.xml", params={"limit": 1000}), "xml")
        assert page["result"]["total"] == str(len(account))
        assert len(items(page)) == len(account)


def test_make_demo_server_and_failed_sends_to_trouble_numbers():
    with make_demo_server(lively=False) as server, httpx.Client(base_url=server.url, auth=("demo", "demo")) as client:
        for who, error in ((t.TOM, "unsubscribed"), (t.PHYSIO, "is not a mobile number")):
            envelope = client.post("/queue.json", data={"to": who.number, "from": who.account, "body": "hi"}).json()
            assert envelope["status"] == "failure" and error in envelope["error"]


def test_bulk_seed_counts_and_big_thread():
    account = SimAccount("u", "p", ["2435670000", "2435670001"], clock=FakeClock())
    assert account.bulk_seed(5_000, 200, big_thread=1_000, now=T0, rng_seed=1) == 5_000
    assert len(account) == 5_000
    threads = Counter(m.customer for m in account.messages())
    assert len(threads) == 200 and threads.most_common(1)[0][1] == 1_000
    keys = [m.key for m in account.messages()]
    assert keys == sorted(keys)
    again = SimAccount("u", "p", ["2435670000", "2435670001"], clock=FakeClock())
    again.bulk_seed(5_000, 200, big_thread=1_000, now=T0, rng_seed=1)
    assert snapshot(again) == snapshot(account)


def test_bulk_seed_pages_over_http():
    account = SimAccount("u", "p", ["2435670000"])
    account.bulk_seed(3_000, 50, big_thread=1_200, now=T0, rng_seed=2)
    big = next(iter(Counter(m.customer for m in account.messages()).most_common(1)))[0]
    with SimServer(account, clock=FakeClock()) as server, httpx.Client(base_url=server.url, auth=("u", "p")) as client:
        seen = []
        for offset in range(0, 3_000, 1000):
            page = client.get("/messages.json", params={"limit": 1000, "offset": offset}).json()["result"]
            assert page["total"] == "3000"
            seen += [m["sms_message_id"] for m in page["sms_messages"]]
        assert len(set(seen)) == 3_000
        convo = client.get("/conversation.json", params={"phone_number1": big, "phone_number2": "2435670000",
                                                         "limit": 1000}).json()["result"]
        assert convo["total"] == "1200"


@pytest.mark.parametrize("body", ["", "a", "a" * 161, "€" * 81, "ж" * 135, "😀" * 70, "a" * 152 + "^" * 5, "x" * 1000])
def test_split_parts_agrees_with_domain_segments(body):
    parts = split_parts(body)
    assert len(parts) == count_segments(body).parts
    assert "".join(parts) == body


def test_lively_customers_text_in_and_answer_sends():
    account = SimAccount("demo", "demo", DEMO_NUMBERS)
    seed_demo_account(account)
    lively = Lively(account, speed=1000, rng_seed=3, interval=(20, 21), reply_delay=(3, 4))
    before = len(account)
    lively.start()
    try:
        deadline = threading.Event()
        for _ in range(200):
            if len(account) > before:
                break
            deadline.wait(0.02)
        assert len(account) > before  # someone texted in on their own
        account.queue(t.MAYA.number, t.MAYA.account, "Your bike is ready for pick up!")
        for _ in range(200):
            answers = [m for m in account.messages() if m.inbound and m.customer == normalize(t.MAYA.number)
                       and m.body in t.REPLIES[0][1]]
            if answers:
                break
            deadline.wait(0.02)
        assert answers
    finally:
        lively.stop()


def test_lively_never_answers_numbers_that_cannot_receive():
    account = SimAccount("demo", "demo", DEMO_NUMBERS)
    account.undeliverable.add("5085550999")
    lively = Lively(account, speed=1000, interval=(10_000, 10_001), reply_delay=(0, 0))
    lively.start()
    try:
        account.queue("5085550999", DEMO_NUMBERS[0], "hello?")
        threading.Event().wait(0.2)
        assert not [m for m in account.messages() if m.inbound]
    finally:
        lively.stop()


def test_serve_forever_cli_prints_url_without_password_and_stops_cleanly():
    out, stop = io.StringIO(), threading.Event()
    result = {}
    runner = threading.Thread(target=lambda: result.update(code=serve_forever_cli(
        0, "127.0.0.1", "agent", "pw-secret-123", False, out=out, stop_event=stop)))
    runner.start()
    for _ in range(250):
        if "serving at" in out.getvalue():
            break
        threading.Event().wait(0.02)
    stop.set()
    runner.join(5)
    assert result == {"code": 0}
    text = out.getvalue()
    assert "http://127.0.0.1:" in text and "/ws/sms" in text and "agent" in text
    assert "pw-secret-123" not in text


def test_serve_forever_cli_reports_a_busy_port(capsys):
    with make_demo_server(lively=False) as server:
        assert serve_forever_cli(server.port, "127.0.0.1", "demo", "demo", False) == 2
    assert "cannot listen" in capsys.readouterr().err
