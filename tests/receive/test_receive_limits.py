"""The receiver faces the internet: bounded request size and time, forms only, no hints."""

from __future__ import annotations

import httpx
import pytest
from receive_helpers import (
    ACCOUNT,
    CUSTOMER,
    PLUM_SECRET,
    plum_fields,
    raw_connection,
    read_until_closed,
    running_receiver,
)

from smschat.receive import Limits

INBOUND = f"/plum/inbound/{PLUM_SECRET}"


@pytest.fixture
def rx(tmp_path):
    with running_receiver(tmp_path, limits=Limits(max_body=4096, body_timeout=0.5), header_timeout=0.5) as running:
        yield running


def test_a_body_over_the_limit_is_413(rx):
    response = rx.plum_inbound(plum_fields("x" * 5000))
    assert response.status_code == 413
    assert rx.store.contacts([]) == []


def test_a_chunked_body_over_the_limit_is_413(rx):
    def chunks():
        for _ in range(10):
            yield b"body=" + b"x" * 1000

    with httpx.Client() as client:
        response = client.post(rx.url + INBOUND, content=chunks(),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert rx.store.contacts([]) == []


def test_the_default_limit_is_64_kib(tmp_path):
    with running_receiver(tmp_path) as rx:
        assert rx.plum_inbound(plum_fields("x" * 60_000)).status_code == 200
        assert rx.plum_inbound(plum_fields("x" * 70_000, msg_id="f" * 32)).status_code == 413


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data; boundary=x", "text/plain", ""])
def test_only_urlencoded_forms_are_accepted(rx, content_type):
    response = rx.post(INBOUND, plum_fields(), content_type=content_type)
    assert response.status_code == 415
    assert rx.store.contacts([]) == []


def test_a_charset_parameter_is_fine(rx):
    response = rx.post(INBOUND, plum_fields("café"), content_type="application/x-www-form-urlencoded; charset=UTF-8")
    assert response.status_code == 200


def test_bodies_that_are_not_forms_are_400(rx):
    with httpx.Client() as client:
        for raw in ["body=caf\u00e9".encode("latin-1"), b"body=%ff%fe", b"&".join([b"a=1"] * 300)]:
            response = client.post(rx.url + INBOUND, content=raw,
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert response.status_code == 400
    assert rx.store.contacts([]) == []


def test_a_body_that_does_not_arrive_in_time_is_408(rx):
    sock = raw_connection(rx.url)
    with sock:
        sock.sendall(f"POST {INBOUND} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     "Content-Length: 100\r\n\r\nsms_message_id=".encode())
        answer = read_until_closed(sock)  # the rest never comes
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert rx.store.contacts([]) == []


def test_a_client_dribbling_its_headers_is_cut_off(rx):
    sock = raw_connection(rx.url)
    with sock:
        sock.sendall(b"POST /plum/inbound/x HTTP/1.1\r\nHost: x\r\n")  # and then nothing
        assert read_until_closed(sock) == b""  # closed without an answer


def test_an_idle_connection_after_a_request_is_closed(rx):
    sock = raw_connection(rx.url)
    with sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data = read_until_closed(sock)  # keep-alive, then the header deadline closes it
    assert data.startswith(b"HTTP/1.1 200 ") and data.endswith(b"ok\n")


def test_a_good_request_still_works_after_the_bad_ones(rx):
    rx.plum_inbound(plum_fields("x" * 5000))
    rx.post(INBOUND, plum_fields(), content_type="application/json")
    assert rx.plum_inbound(plum_fields("fine")).status_code == 200
    assert rx.store.thread(CUSTOMER, ACCOUNT)[0].body == "fine"


def test_headers_over_16_kib_are_refused(rx):
    response = httpx.post(rx.url + INBOUND, content=b"a=1", headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Junk": "j" * 20_000})
    assert response.status_code == 400
