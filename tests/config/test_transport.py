"""Transport safety from the config: ca_bundle, TLS verification on by default, proxy variables."""

from __future__ import annotations

import socket
import ssl
import textwrap

import httpx
import pytest
from transport_helpers import NUMBERS, PASSWORD, USER, forwarding_proxy, self_signed, tls_simulator

from smschat.config import load_profile
from smschat.config.check import Unreachable, check_credentials
from smschat.domain.errors import ConfigError
from smschat.providers.http import make_client
from smschat.sim.account import SimAccount
from smschat.sim.server import SimServer

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch):
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)


def write_profile(tmp_path, url, extra=""):
    path = tmp_path / "config.toml"
    path.write_text(textwrap.dedent(f"""
        [profiles.p]
        base_url = "{url}"
        username = "{USER}"
        password = "{PASSWORD}"
        numbers = ["{NUMBERS[0]}"]
        timeout = 5
    """) + extra + "\n")
    path.chmod(0o600)
    return path


def load(path):
    return load_profile(path, env={}, warn=lambda text: None)


def dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- ca_bundle ---------------------------------------------------------------------------------------


def test_ca_bundle_must_exist(tmp_path):
    path = write_profile(tmp_path, "https://sms.example.com/ws/sms", 'ca_bundle = "/no/such/ca.pem"')
    with pytest.raises(ConfigError) as err:
        load(path)
    assert f"{path}:profiles.p.ca_bundle" in str(err.value) and "does not exist" in str(err.value)


def test_ca_bundle_must_be_a_file_of_certificates(tmp_path):
    (tmp_path / "notes.pem").write_text("not a certificate\n")
    path = write_profile(tmp_path, "https://sms.example.com/ws/sms", 'ca_bundle = "notes.pem"')
    with pytest.raises(ConfigError) as err:
        load(path)
    assert "profiles.p.ca_bundle" in str(err.value) and "not a PEM file of CA certificates" in str(err.value)
    path = write_profile(tmp_path, "https://sms.example.com/ws/sms", f'ca_bundle = "{tmp_path}"')
    with pytest.raises(ConfigError, match="is a directory"):
        load(path)
    path = write_profile(tmp_path, "https://sms.example.com/ws/sms", "ca_bundle = 3")
    with pytest.raises(ConfigError, match="profiles.p.ca_bundle: expected a string"):
        load(path)


def test_ca_bundle_relative_to_the_config_file(tmp_path):
    cert, _ = self_signed(tmp_path)
    path = write_profile(tmp_path, "https://sms.example.com/ws/sms", f'ca_bundle = "{cert.name}"')
    assert load(path).ca_bundle == str(cert)


async def test_tls_verified_by_default_and_ca_bundle_trusts_a_private_ca(tmp_path):
    cert, key = self_signed(tmp_path)
    with tls_simulator(cert, key) as server:
        url = f"https://127.0.0.1:{server.port}/ws/sms"
        # without the bundle the self-signed certificate is refused, and the error says what to do
        with pytest.raises(Unreachable) as err:
            await check_credentials(load(write_profile(tmp_path, url)))
        assert "certificate" in str(err.value).lower() and "ca_bundle" in str(err.value)
        # with it, the same server is trusted
        profile = load(write_profile(tmp_path, url, f'ca_bundle = "{cert}"'))
        result = await check_credentials(profile)
        assert result.total == 0 and PASSWORD not in repr(profile)


def test_client_verifies_tls_with_the_bundle_only(tmp_path):
    cert, _ = self_signed(tmp_path)
    client = make_client("https://sms.example.com/ws/sms", "u", "p", timeout=5, ca_bundle=str(cert))
    context = client._transport._pool._ssl_context
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert [c["subject"] for c in context.get_ca_certs()] == [((("commonName", "127.0.0.1"),),)]


# -- proxies -------------------------------------------------------------------------------------------


def test_https_proxy_and_no_proxy_configure_the_client(monkeypatch):
    url = httpx.URL("https://hosting.plumvoice.com/ws/sms/messages.json")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    client = make_client("https://hosting.plumvoice.com/ws/sms", "u", "p", timeout=5)
    transport = client._transport_for_url(url)
    assert transport is not client._transport
    assert transport._pool._proxy_url.port == 3128
    monkeypatch.setenv("NO_PROXY", "hosting.plumvoice.com")
    client = make_client("https://hosting.plumvoice.com/ws/sms", "u", "p", timeout=5)
    assert client._transport_for_url(url) is client._transport


async def test_http_proxy_carries_the_requests(tmp_path, monkeypatch):
    """End to end: a name only the proxy can reach, plain http allowed by the profile."""
    server = SimServer(SimAccount(USER, PASSWORD, numbers=list(NUMBERS))).start()
    try:
        with forwarding_proxy(server.port) as proxy:
            url = f"http://sms-sim.invalid:{server.port}/ws/sms"
            profile = load(write_profile(tmp_path, url, "allow_insecure = true"))
            monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
            result = await check_credentials(profile)
            assert result.total == 0
            assert [method for method, _ in proxy.seen] == ["GET"]
            assert proxy.seen[0][1].startswith(f"{url}/messages.json?")
            # NO_PROXY sends it direct, where the name does not resolve
            monkeypatch.setenv("NO_PROXY", "sms-sim.invalid")
            with pytest.raises(Unreachable):
                await check_credentials(profile)
            assert len(proxy.seen) == 1
    finally:
        server.stop()


async def test_loopback_base_url_never_goes_through_a_proxy(tmp_path, monkeypatch):
    server = SimServer(SimAccount(USER, PASSWORD, numbers=list(NUMBERS))).start()
    try:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead_port()}")
        monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{dead_port()}")
        result = await check_credentials(load(write_profile(tmp_path, server.url)))
        assert result.total == 0
    finally:
        server.stop()
