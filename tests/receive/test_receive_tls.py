"""TLS without a reverse proxy: the receiver serves https with its own certificate and key."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import httpx
import pytest
from receive_helpers import ACCOUNT, CUSTOMER, PLUM_SECRET, plum_fields

from smschat.receive import ReceiverApp, ReceiverServer
from smschat.receive.server import CertificateError
from smschat.store import Store


@pytest.fixture
def cert(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    key, crt = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(crt),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return crt, key


def test_serves_https_with_its_own_certificate(tmp_path, cert):
    crt, key = cert
    with Store.open(tmp_path / "s.sqlite3") as store:
        app = ReceiverApp(store, public_url="https://sms.example.com", plum_secret=PLUM_SECRET)
        with ReceiverServer(app, host="127.0.0.1", port=0, certfile=str(crt), keyfile=str(key)) as server:
            assert server.url.startswith("https://")
            context = ssl.create_default_context(cafile=str(crt))
            with httpx.Client(verify=context) as client:
                response = client.post(f"{server.url}/plum/inbound/{PLUM_SECRET}", data=plum_fields("over TLS"))
            assert response.status_code == 200
            with pytest.raises(httpx.HTTPError):  # plain http to the TLS port gets no answer
                httpx.post(f"http://127.0.0.1:{server.port}/plum/inbound/{PLUM_SECRET}", data=plum_fields("clear"),
                           timeout=5)
        assert [m.body for m in store.thread(CUSTOMER, ACCOUNT)] == ["over TLS"]


def test_an_unreadable_certificate_fails_before_listening(tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n")
    with Store.open(":memory:") as store:
        app = ReceiverApp(store, public_url="https://sms.example.com", plum_secret=PLUM_SECRET)
        with pytest.raises(CertificateError, match="cannot load the TLS certificate/key"):
            ReceiverServer(app, certfile=str(bad), keyfile=str(bad))
        with pytest.raises(CertificateError):
            ReceiverServer(app, certfile=str(tmp_path / "missing.pem"), keyfile=str(tmp_path / "missing.key"))
