import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest
from sim_helpers import ACCOUNT_A, ACCOUNT_B, CUSTOMER, T0, items, parse, queue


class Receiver:
    """A loopback endpoint that records form posts and answers `reply`."""

    def __init__(self, reply: bytes = b'<?xml version="1.0"?><reply/>') -> None:
        self.posts: list[dict[str, str]] = []
        self.reply = reply
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                owner.posts.append(dict(parse_qsl(self.rfile.read(length).decode())))
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(owner.reply)))
                self.end_headers()
                self.wfile.write(owner.reply)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def wait_for(predicate, deadline=5.0):
    """Poll until `predicate()` is true or the deadline passes (not a speed assertion)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_inject_inbound_appears_in_listing_and_conversation(client, account, fmt):
    message_id = account.inject_inbound("1" + CUSTOMER, ACCOUNT_B, "Is my bike ready? 🚲")
    [item] = items(parse(client.get(f"/messages.{fmt}"), fmt))
    assert item["sms_message_id"] == message_id
    assert (item["from"], item["to"], item["status"]) == (CUSTOMER, ACCOUNT_B, "received")
    assert item["request_timestamp"] == str(T0) and item["body"] == "Is my bike ready? 🚲"
    convo = parse(client.get(f"/conversation.{fmt}", params={"phone_number1": CUSTOMER, "phone_number2": ACCOUNT_B}), fmt)
    assert [m["type"] for m in items(convo)] == ["inbound"]


def test_inject_inbound_at_a_given_time(account):
    message_id = account.inject_inbound(CUSTOMER, ACCOUNT_A, "earlier", at=T0 - 3600)
    assert account.get(message_id).ts == T0 - 3600


def test_inject_inbound_to_a_foreign_number_is_refused(account):
    with pytest.raises(ValueError):
        account.inject_inbound(CUSTOMER, "5550001111", "hi")


def test_escape_sequences_travel_intact_in_json_and_replaced_in_xml(client, account):
    account.inject_inbound(CUSTOMER, ACCOUNT_A, "a\x1b[31mred\x1b[0m [bold]b[/bold]\r\n")
    [item] = items(parse(client.get("/messages.json"), "json"))
    assert item["body"] == "a\x1b[31mred\x1b[0m [bold]b[/bold]\r\n"
    [xml_item] = items(parse(client.get("/messages.xml"), "xml"))
    assert xml_item["body"] == "a\ufffd[31mred\ufffd[0m [bold]b[/bold]\r\n"


def test_stop_unsubscribes_and_start_resubscribes(client, account):
    account.inject_inbound(CUSTOMER, ACCOUNT_A, " stop ")
    assert queue(client, "json")["error"] == "Attempt to send to unsubscribed recipient"
    account.inject_inbound(CUSTOMER, ACCOUNT_A, "START")
    assert queue(client, "json")["status"] == "success"


def test_app_url_receives_inbound_and_its_reply_is_sent(account, receiver):
    receiver.reply = b'<?xml version="1.0"?><reply><sms_message>Thanks, we got it!</sms_message></reply>'
    account.app_url = receiver.url
    message_id = account.inject_inbound(CUSTOMER, ACCOUNT_A, "hello shop")
    assert wait_for(lambda: len(account) == 2)
    assert receiver.posts == [{"sms_message_id": message_id, "to": ACCOUNT_A, "from": CUSTOMER, "body": "hello shop"}]
    reply = [m for m in account.messages() if not m.inbound]
    assert [(m.body, m.customer, m.account) for m in reply] == [("Thanks, we got it!", "1" + CUSTOMER, "1" + ACCOUNT_A)]


def test_result_url_gets_sent_then_delivery(client, clock, receiver):
    [item] = items(queue(client, "json", result_url=receiver.url))
    assert item["result_url"] == receiver.url
    clock.advance(1.0)
    assert wait_for(lambda: len(receiver.posts) >= 1)
    assert receiver.posts[0] == {"sms_message_id": item["sms_message_id"], "status": "sent"}
    clock.advance(2.0)
    assert wait_for(lambda: len(receiver.posts) >= 2)
    assert receiver.posts[1] == {"sms_message_id": item["sms_message_id"], "status": "sent", "delivery_status": "delivered"}


def test_result_url_unreachable_is_harmless(client, clock, server):
    [item] = items(queue(client, "json", result_url="http://127.0.0.1:9/nothing"))
    clock.advance(5)
    assert wait_for(lambda: len(server.notifier.posted) == 2)
    assert client.get(f"/status.json/{item['sms_message_id']}").json()["result"]["delivery_status"] == "delivered"
