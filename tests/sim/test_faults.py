import json

import httpx
import pytest
from defusedxml.ElementTree import ParseError, fromstring
from sim_helpers import ACCOUNT_A, CUSTOMER, parse

from smschat.sim import Faults

FORM = {"to": CUSTOMER, "from": ACCOUNT_A, "body": "hello"}


def test_once_5xx_answers_an_html_error_then_recovers(client, account, server):
    server.faults.once("5xx")
    response = client.post("/queue.json", data=FORM)
    assert response.status_code in (500, 502, 503)
    assert response.headers["content-type"].startswith("text/html")
    assert len(account) == 0  # not processed
    assert client.post("/queue.json", data=FORM).status_code == 200
    assert len(account) == 1


def test_once_with_a_count(client, server):
    server.faults.once("5xx", count=3)
    codes = [client.get("/messages.json").status_code for _ in range(4)]
    assert all(code >= 500 for code in codes[:3]) and codes[3] == 200


def test_once_401_and_standing_401(client, server, fmt):
    server.faults.once("401")
    response = client.get(f"/messages.{fmt}")
    assert response.status_code == 401
    assert parse(response, fmt)["error"] == "Authentication failed"
    assert client.get(f"/messages.{fmt}").status_code == 200
    server.faults.fail_401 = True
    assert [client.get(f"/messages.{fmt}").status_code for _ in range(2)] == [401, 401]
    server.faults.fail_401 = False
    assert client.get(f"/messages.{fmt}").status_code == 200


def test_malformed_json_is_http_200_and_does_not_parse_but_was_processed(client, account, server):
    server.faults.once("malformed")
    response = client.post("/queue.json", data=FORM)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        json.loads(response.content)
    assert len(account) == 1


def test_malformed_xml_does_not_parse(client, server):
    for _ in range(6):  # every garbling variant is tried over a few draws
        server.faults.once("malformed")
        response = client.get("/messages.xml")
        assert response.status_code == 200
        with pytest.raises(ParseError):
            fromstring(response.content)


def test_drop_closes_without_an_answer_and_does_not_process(client, account, server):
    server.faults.once("drop")
    with pytest.raises(httpx.TransportError):
        client.post("/queue.json", data=FORM)
    assert len(account) == 0
    assert account.request_log[-1][3] == 0
    assert client.get("/messages.json").status_code == 200  # a new connection works


def test_timeout_after_queue_processes_then_drops(client, account, server):
    server.faults.once("timeout_after_queue")
    with pytest.raises(httpx.TransportError):
        client.post("/queue.json", data=FORM)
    assert len(account) == 1  # the message went out even though no answer came back
    listing = client.get("/messages.json").json()["result"]["sms_messages"]
    assert [m["body"] for m in listing] == ["hello"]


def test_slow_makes_a_short_timeout_expire(server):
    server.faults.slow_seconds = 0.5
    server.faults.once("slow")
    with httpx.Client(base_url=server.url, auth=("agent", "s3cret"), timeout=0.1) as impatient:
        with pytest.raises(httpx.TimeoutException):
            impatient.get("/messages.json")
    with httpx.Client(base_url=server.url, auth=("agent", "s3cret"), timeout=5) as patient:
        assert patient.get("/messages.json").status_code == 200


def test_standing_delay(server):
    server.faults.delay = 0.5
    with httpx.Client(base_url=server.url, auth=("agent", "s3cret"), timeout=0.1) as impatient:
        with pytest.raises(httpx.TimeoutException):
            impatient.get("/messages.json")
    server.faults.delay = 0.0
    with httpx.Client(base_url=server.url, auth=("agent", "s3cret"), timeout=5) as patient:
        assert patient.get("/messages.json").status_code == 200


def test_standing_drop_and_5xx_probabilities(client, server):
    server.faults.drop = 1.0
    with pytest.raises(httpx.TransportError):
        client.get("/messages.json")
    server.faults.drop = 0.0
    server.faults.fail_5xx = 1.0
    assert client.get("/messages.json").status_code >= 500
    server.faults.clear()
    assert client.get("/messages.json").status_code == 200


def test_probabilistic_faults_are_deterministic_with_a_seed():
    def draws(seed):
        faults = Faults(fail_5xx=0.3, malformed=0.3, rate=seed)
        return [faults.draw()[0] for _ in range(50)]

    first = draws(11)
    assert first == draws(11)
    assert {"5xx", "malformed", ""} <= set(first)


def test_setting_rate_reseeds(server):
    server.faults.fail_5xx = 0.5
    server.faults.rate = 5
    first = [server.faults.draw()[0] for _ in range(20)]
    server.faults.rate = 5
    assert [server.faults.draw()[0] for _ in range(20)] == first


def test_unknown_fault_kind_is_refused(server):
    with pytest.raises(ValueError):
        server.faults.once("meteor")


def test_request_log_counts_requests(client, account, server):
    client.get("/messages.json", params={"limit": 60})
    server.faults.once("5xx")
    client.get("/messages.xml")
    method, path, params, status = account.request_log[-2]
    assert (method, path, params["limit"], status) == ("GET", "/ws/sms/messages.json", "60", 200)
    assert account.request_log[-1][3] >= 500 and len(account.request_log) == 2
