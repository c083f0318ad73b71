import httpx
import pytest

from sim_helpers import parse

ENDPOINTS = [
    ("POST", "queue"),
    ("GET", "status", "/0123456789abcdef0123456789abcdef"),
    ("GET", "messages"),
    ("GET", "conversation"),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e[1])
@pytest.mark.parametrize("auth", [None, ("agent", "wrong"), ("nobody", "s3cret")], ids=["none", "bad-password", "bad-user"])
def test_every_endpoint_refuses_bad_credentials(server, fmt, endpoint, auth):
    method, name, *rest = endpoint
    url = f"{server.url}/{name}.{fmt}{rest[0] if rest else ''}"
    response = httpx.request(method, url, auth=auth, data={"to": "1", "from": "2", "body": "x"} if method == "POST" else None)
    assert response.status_code == 401
    assert "basic" in response.headers["www-authenticate"].lower()
    assert parse(response, fmt) == {"status": "failure", "error": "Authentication failed", "result": None}


def test_refused_send_is_not_queued(server, account):
    httpx.post(f"{server.url}/queue.json", data={"to": "9998881234", "from": "2435678910", "body": "x"})
    assert len(account) == 0
    assert account.request_log[-1][3] == 401


def test_garbage_authorization_header_is_401(server):
    response = httpx.get(f"{server.url}/messages.json", headers={"Authorization": "Basic !!!not-base64"})
    assert response.status_code == 401


def test_good_credentials_pass(client):
    assert client.get("/messages.json").status_code == 200


def test_unknown_path_and_wrong_method(client, fmt):
    missing = client.get(f"/nothing.{fmt}")
    assert missing.status_code == 404
    assert parse(missing, fmt)["status"] == "failure"
    wrong = client.get(f"/queue.{fmt}")
    assert wrong.status_code == 405
    assert parse(wrong, fmt)["status"] == "failure"
