"""Plivo request signatures: the vectors published in Plivo's own SDK tests, and the rules around them."""

import pytest

from smschat.domain.plivo_signature import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    new_nonce,
    sign_v2,
    sign_v3,
    signature_headers,
    signing_string_v3,
    verify_v2,
    verify_v3,
)

# From the Go SDK's tests (plivo-go utils_test.go): a voice callback, signed by Plivo's servers.
TOKEN = "Y2Q2ZDgxZmY5YWRiOTI5YmQ1Njg0MTAxZWIyOTc4"
NONCE = "31627761595286130198"
URL_QUERY = "https://plivobin.non-prod.plivops.com/api/v1/validate_signature03.xml/?a=b&c=d"
URL_PLAIN = "https://plivobin.non-prod.plivops.com/api/v1/validate_signature03.xml"
PARAMS = {
    "Direction": "outbound",
    "From": "19792014278",
    "ALegUUID": "3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36",
    "CallStatus": "in-progress",
    "BillRate": "0.002",
    "ParentAuthID": "MANWVLYTK4ZWU1YTY4QA",
    "To": "sip:PlivoSignature382029104058171078704104@phone-qa.voice.plivodev.com",
    "ALegRequestUUID": "3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36",
    "CallUUID": "3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36",
    "RequestUUID": "3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36",
    "SIP-H-To": "<sip:PlivoSignature382029104058171078704104@52.9.11.55;transport=udp>;tag=1",
    "SessionStart": "2020-04-08 11:34:33.238707",
    "Event": "StartApp",
}


@pytest.mark.parametrize(
    ("url", "method", "expected"),
    [
        (URL_QUERY, "POST", "k7Pusd4OxCIjR5IfA9iedDNu/h/gbdYqdzG/MiYtd1c="),
        (URL_QUERY, "GET", "UBq8jAtd32wR8EK9VgxbBn4n5rpI/l1H9iN4WfSEHFQ="),
        (URL_PLAIN, "POST", "iAjE5QqI37mbkYe4w3jTMudqEzbDufdqi7sYwTu64e0="),
        (URL_PLAIN, "GET", "i/MQsaQSAd6fiKhOh2qeeeLHZ9faldADSb3/7+Akfbc="),
    ],
)
def test_v3_matches_plivos_published_vectors(url, method, expected):
    assert sign_v3(TOKEN, url, NONCE, PARAMS, method) == expected
    assert verify_v3(TOKEN, url, NONCE, expected, PARAMS, method)


def test_v2_matches_plivos_published_vector():
    # plivo-python tests/resources/test_signature.py
    assert sign_v2("my_auth_token", "https://answer.url", "12345") == "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc="
    assert verify_v2("my_auth_token", "https://answer.url", "12345", "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=")
    assert not verify_v2("my_auth_tokens", "https://answer.url", "12345", "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=")


def test_signing_string_shapes():
    params = {"To": "14155550100", "From": "14155550123", "Text": "hi there"}
    assert signing_string_v3("https://r.example/plivo/message", "42", params) == (
        "https://r.example/plivo/message?From14155550123Texthi thereTo14155550100.42"
    )
    assert signing_string_v3("https://r.example/p?b=2&a=1", "42", {"X": "y"}) == "https://r.example/p?a=1&b=2.Xy.42"
    assert signing_string_v3("https://r.example/p", "42", {}) == "https://r.example/p.42"
    assert signing_string_v3("https://r.example/p?z=1", "42", None, "GET") == "https://r.example/p?z=1.42"
    assert signing_string_v3("https://r.example/p", "42", {"b": "2", "a": "1"}, "get") == "https://r.example/p?a=1&b=2.42"
    # several values of one key are each signed, sorted
    assert signing_string_v3("https://r.example/p", "1", {"k": ["b", "a"]}) == "https://r.example/p?kakb.1"


def test_several_comma_separated_signatures_any_may_match():
    good = sign_v3(TOKEN, URL_PLAIN, NONCE, PARAMS)
    assert verify_v3(TOKEN, URL_PLAIN, NONCE, f"bm90IGl0,{good}", PARAMS)
    assert verify_v3(TOKEN, URL_PLAIN, NONCE, f"{good}, bm90IGl0", PARAMS)
    assert not verify_v3(TOKEN, URL_PLAIN, NONCE, "bm90IGl0,YWxzbyBub3Q=", PARAMS)


@pytest.mark.parametrize(
    "change",
    [
        {"token": "another-token"},
        {"nonce": "31627761595286130199"},
        {"url": URL_PLAIN + "x"},
        {"url": "http://plivobin.non-prod.plivops.com/api/v1/validate_signature03.xml"},
        {"params": {**PARAMS, "Direction": "inbound"}},
        {"params": {**PARAMS, "Extra": ""}},
        {"params": {k: v for k, v in PARAMS.items() if k != "Event"}},
        {"method": "GET"},
    ],
)
def test_any_change_breaks_the_signature(change):
    good = sign_v3(TOKEN, URL_PLAIN, NONCE, PARAMS)
    args = {"token": TOKEN, "url": URL_PLAIN, "nonce": NONCE, "params": PARAMS, "method": "POST", **change}
    assert not verify_v3(args["token"], args["url"], args["nonce"], good, args["params"], args["method"])


@pytest.mark.parametrize(("nonce", "header", "token"), [("", "x", TOKEN), (None, "x", TOKEN), (NONCE, "", TOKEN),
                                                        (NONCE, None, TOKEN), (NONCE, "x", "")])
def test_missing_parts_verify_false_without_raising(nonce, header, token):
    assert verify_v3(token, URL_PLAIN, nonce, header, PARAMS) is False


def test_unknown_method_is_refused_when_signing_and_false_when_verifying():
    with pytest.raises(ValueError):
        sign_v3(TOKEN, URL_PLAIN, NONCE, PARAMS, "PUT")
    assert verify_v3(TOKEN, URL_PLAIN, NONCE, "x", PARAMS, "PUT") is False


def test_unicode_text_is_signed_as_utf8_and_verifies():
    params = {"Text": "Merci 😍 ¿qué?", "From": "33612345678"}
    headers = signature_headers(TOKEN, "https://r.example/plivo/message", params)
    assert verify_v3(TOKEN, "https://r.example/plivo/message", headers[NONCE_HEADER], headers[SIGNATURE_HEADER], params)
    assert not verify_v3(TOKEN, "https://r.example/plivo/message", headers[NONCE_HEADER], headers[SIGNATURE_HEADER],
                         {**params, "Text": "Merci 😍 ¿que?"})


def test_nonces_are_twenty_digits_and_fresh():
    nonces = {new_nonce() for _ in range(50)}
    assert len(nonces) == 50
    assert all(len(n) == 20 and n.isdigit() for n in nonces)
